"""Mails "à vérifier" in a browser: the référent sees the error, registers or discards."""

from email.message import EmailMessage

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from engagements.correspondence.models import Mailbox, Message, QuarantinedMail
from tests.browser import assert_accessible, follow, screenshot

pytestmark = pytest.mark.browser


def login(page, user):
    page.goto(reverse("organisation:agents-login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-password")
    page.click("button[type=submit]")


def test_the_referent_registers_a_quarantined_mail(
    page, prefecture, service, quality_lead, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    mailbox = Mailbox.objects.create(
        prefecture=prefecture,
        site=service.site,
        service=service,
        label="Séjour",
        host="127.0.0.1",
        username="sejour",
        password="x",
    )
    raw = EmailMessage()
    raw["From"] = "Léa Martin <lea@example.test>"
    raw["Subject"] = "Mon dossier scanné"
    raw.set_content("Bonjour, voici mon dossier complet.")
    QuarantinedMail.objects.create(
        mailbox=mailbox,
        uid=4,
        sender="Léa Martin <lea@example.test>",
        subject="Mon dossier scanné",
        size=31_457_280,
        raw=ContentFile(raw.as_bytes(), name="1-4.eml"),
        error="courriel trop volumineux (30 Mo, 20 Mo au plus) : à enregistrer à la main",
    )
    login(page, quality_lead)
    page.goto(reverse("organisation:agents-prefecture", args=[prefecture.slug]))
    with page.expect_navigation():  # axe reads the next page
        page.get_by_text("1 courriel à vérifier").click()
    assert_accessible(page)
    screenshot(page, "correspondence-quarantine-list")
    with page.expect_navigation():
        page.get_by_role("link", name="Mon dossier scanné").click()
    assert page.locator("#id_sender_email").input_value() == "lea@example.test"
    assert_accessible(page)
    screenshot(page, "correspondence-quarantine-detail")
    follow(page, page.get_by_role("button", name="Enregistrer dans le registre"))
    message = Message.objects.get(subject="Mon dossier scanné")
    assert f"référence {message.reference}" in page.content()

"""How the missing-documents flow tells the person to warn the service: a service's name read
bare after the verb ("prévenez Bureau du séjour des étrangers", "prévenez Accueil général")
is not French; every e-mail and letter of the flow says "prévenez le service qui traite
votre demande (…)", in one wording shared by the e-mails and the letters."""

import subprocess
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from engagements.correspondence import placeholders, services
from engagements.organisation.enums import Channel
from tests.correspondence.factories import MessageFactory
from tests.correspondence.test_follow import WEDNESDAY, create
from tests.factories import ServiceFactory
from tests.mail import plain_text
from tests.tooling import require_tool

pytestmark = pytest.mark.django_db

NAMES = [
    "Bureau du séjour des étrangers",
    "Accueil général",
    "Service des cartes grises",
    "Espace France services",
]


def mail_text(mail) -> str:
    """The plain text of a sent e-mail as the person's mail reader parses it, on one line."""
    return " ".join(plain_text(mail).split())


def pdf_text(content: bytes, tmp_path) -> str:
    pdftotext = require_tool("pdftotext", "poppler-utils")
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def _request_remind_close(message, agent, capture):
    """The flow's three e-mails: the request, the reminder two days before the end, the
    closing after the end."""
    with capture(execute=True):
        with time_machine.travel(WEDNESDAY, tick=False):
            wait = services.request_documents(message, actor=agent, documents="Photo d'identité")
        services.remind_and_flag_waits(today=date(2026, 3, 10))
        services.remind_and_flag_waits(today=date(2026, 3, 13))
        with time_machine.travel(date(2026, 3, 16), tick=False):
            services.close_for_missing_documents(message, actor=agent)
    return wait


@pytest.mark.parametrize("name", NAMES)
def test_the_flow_s_e_mails_name_the_service_after_le_service(
    name, prefecture, service, agent, mailoutbox, django_capture_on_commit_callbacks
):
    named = ServiceFactory(site=service.site, name=name)
    message = create(prefecture, named, acknowledge=False)
    _request_remind_close(message, agent, django_capture_on_commit_callbacks)
    request, reminder, closing = (mail_text(m) for m in mailoutbox)
    assert reminder != request
    delay = (
        f"Si vous ne pouvez pas respecter ce délai, prévenez le service qui traite votre "
        f"demande ({name}) en indiquant pourquoi : votre dossier ne sera pas classé sans que "
        "nous ayons pris en compte votre situation."
    )
    assert delay in request and delay in reminder
    assert (
        f"En cas d'empêchement, prévenez le service qui traitait votre demande ({name}) "
        "en indiquant pourquoi, ou écrivez-nous à nouveau avec les pièces." in closing
    )
    for text in (request, reminder, closing):
        assert f"prévenez {name}" not in text


def test_the_english_e_mails_name_the_service_in_the_same_way(
    prefecture, service, agent, mailoutbox, django_capture_on_commit_callbacks
):
    named = ServiceFactory(site=service.site, name="Accueil général")
    message = create(prefecture, named, acknowledge=False, language="en")
    _request_remind_close(message, agent, django_capture_on_commit_callbacks)
    request, reminder, closing = (mail_text(m) for m in mailoutbox)
    delay = (
        "If you cannot meet this deadline, tell the service handling your request (Accueil "
        "général) why: your file will not be closed without your situation being taken into "
        "account."
    )
    assert delay in request and delay in reminder
    assert (
        "If you were prevented from sending them, tell the service that handled your request "
        "(Accueil général) why, or write to us again with the documents." in closing
    )


def test_the_letters_say_what_the_e_mails_say(prefecture, service, agent, client_for, tmp_path):
    """The sheet and the closing letter printed for a person without e-mail (no published
    letter-type: the wording is the e-mails'), with the service's coordinates."""
    service.name, service.phone = "Accueil général", "05 00 00 00 00"
    service.save(update_fields=["name", "phone"])
    message = create(
        prefecture,
        service,
        channel=Channel.LETTER,
        sender_email="",
        sender_address="12 rue des Lilas\n75011 Paris",
        acknowledge=False,
    )
    with time_machine.travel(WEDNESDAY, tick=False):
        wait = services.request_documents(message, actor=agent, documents="Photo d'identité")
    agents = client_for(agent)
    sheet = agents.get(
        reverse(
            "correspondence:agents-documents-letter", args=[prefecture.slug, message.pk, wait.pk]
        )
    )
    assert sheet["Content-Type"] == "application/pdf", sheet.content[:500]
    text = pdf_text(sheet.content, tmp_path)
    assert (
        "Si vous ne pouvez pas respecter ce délai, prévenez le service qui traite votre "
        "demande (Accueil général, " in text
    )
    assert (
        "05 00 00 00 00, sejour@service.test) en indiquant pourquoi : votre dossier ne sera "
        "pas classé sans que nous ayons pris en compte votre situation." in text
    )
    assert "prévenez Accueil général" not in text
    with time_machine.travel(date(2026, 3, 16), tick=False):
        services.close_for_missing_documents(message, actor=agent)
    closing = agents.get(
        reverse(
            "correspondence:agents-documents-closed-letter",
            args=[prefecture.slug, message.pk, wait.pk],
        )
    )
    assert closing["Content-Type"] == "application/pdf", closing.content[:500]
    text = pdf_text(closing.content, tmp_path)
    assert (
        "En cas d'empêchement, prévenez le service qui traitait votre demande (Accueil "
        "général, " in text
    )
    assert "prévenez Accueil général" not in text


def test_a_letter_type_s_service_article_names_a_site_without_service(prefecture, service):
    """A message registered for a site only: {service_article} (the published sheet's
    "prévenez {service_article}") is not the site's bare name."""
    message = MessageFactory(service=None, site=service.site)
    assert placeholders.values_for(message)["service_article"] == (
        f"le service « {service.site.name} »"
    )

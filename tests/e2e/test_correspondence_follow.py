"""In a real browser: a person follows a message from its acknowledgement link (read from
the mail that went through a real SMTP server) to the answer; another, asked for missing
documents, asks for more time, uploads them and the agent sees them. The public pages are
checked with axe-core in French and English, and at phone width."""

import re
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from engagements.correspondence import services
from engagements.correspondence.enums import Kind, Status
from engagements.correspondence.models import Message
from engagements.organisation.enums import Channel
from tests.browser import assert_accessible, screenshot

pytestmark = pytest.mark.browser
PARIS = ZoneInfo("Europe/Paris")


def register(prefecture, service, email):
    return services.create_message(
        prefecture,
        site=service.site,
        service=service,
        channel=Channel.WEB_FORM,
        kind=Kind.INFORMATION,
        received_on=date(2026, 3, 2),
        sender_name="Léa Martin",
        sender_email=email,
        subject="Renouvellement de mon titre de séjour",
        body="Mon récépissé expire bientôt.",
    )


def follow_link(smtp_mail, email, subject_start) -> str:
    mails = [m for m in smtp_mail.to(email) if m.subject.strip().startswith(subject_start)]
    assert mails, [m.subject for m in smtp_mail.to(email)]
    match = re.search(r"https?://\S+/suivre-ma-demande/\S+/", mails[-1].text())
    assert match, mails[-1].text()
    return urlsplit(match.group(0)).path


def login(page, agent):
    page.goto(reverse("organisation:agents-login"))
    page.fill("#id_username", agent.username)
    page.fill("#id_password", "secret-password")
    page.click("button[type=submit]")


def test_a_person_follows_a_message_from_the_acknowledgement_to_the_answer(
    page, phone_page, live_server, smtp_mail, prefecture, service, agent
):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), tick=True):
        message = register(prefecture, service, "lea@example.test")
        url = follow_link(smtp_mail, "lea@example.test", "Accusé de réception")
        page.goto(url)
        assert page.locator("h1").inner_text() == f"Suivi de la demande {message.reference}"
        assert page.get_attribute(".eng-follow-status", "data-status") == "new"
        assert page.locator(".eng-service").inner_text() == service.name
        assert "9 mars 2026" in page.locator(".eng-due-on").inner_text()
        assert "Léa Martin" not in page.inner_text("main")
        assert_accessible(page)
        screenshot(page, "correspondence-follow-received")
        page.goto("/en" + url)
        assert page.locator("h1").inner_text() == f"Follow-up of request {message.reference}"
        assert_accessible(page)
        phone_page.goto(url)
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(phone_page)
        screenshot(phone_page, "correspondence-follow-phone")
        services.assign_message(message, agent=agent, actor=agent)
        page.goto(url)
        assert page.get_attribute(".eng-follow-status", "data-status") == "assigned"
        assert "En cours de traitement" in page.inner_text(".eng-follow-status")
    with time_machine.travel(datetime(2026, 3, 4, 10, 0, tzinfo=PARIS), tick=True):
        services.answer_message(
            message, actor=agent, subject="Votre titre", text="Voici.", channel="email"
        )
        page.goto(url)
        assert page.get_attribute(".eng-follow-status", "data-status") == "answered"
        assert page.locator(".eng-answered-on").inner_text() == "4 mars 2026"
        assert "Ajouter un document" in page.inner_text("main")
        assert_accessible(page)
        screenshot(page, "correspondence-follow-answered")
    # Months after the answer the link no longer shows the request: a page says why.
    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=PARIS), tick=True):
        for prefix, title in (
            ("", "Ce lien de suivi n'est plus valable"),
            ("/en", "This follow-up link no longer works"),
        ):
            phone_page.goto(prefix + url)
            assert phone_page.locator("h1").inner_text() == title
            assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
            assert_accessible(phone_page)
            screenshot(phone_page, f"correspondence-follow-expired{prefix.replace('/', '-')}")

    lookup = reverse("correspondence:follow-lookup", args=[prefecture.slug])
    page.goto(lookup)
    assert_accessible(page)
    page.goto("/en" + lookup)
    page.fill("#id_reference", message.reference)
    page.fill("#id_email", "lea@example.test")
    page.click("button[type=submit]")
    page.wait_for_selector(".fr-alert--info")
    assert "Check your mailbox" in page.inner_text("main")
    assert_accessible(page)


def test_documents_asked_are_uploaded_within_the_days_and_the_agent_sees_them(
    page, live_server, smtp_mail, prefecture, service, agent, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), tick=True):
        message = register(prefecture, service, "paul@example.test")
    with time_machine.travel(datetime(2026, 3, 4, 10, 0, tzinfo=PARIS), tick=True):
        login(page, agent)
        page.goto(reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk]))
        page.fill("#id_documents", "Justificatif de domicile\nPhoto d'identité")
        page.click("text=Demander les pièces")
        page.wait_for_selector(".eng-waiting")
        assert "12/03/2026" in page.inner_text(".eng-waiting")
        screenshot(page, "correspondence-agent-waiting")
    url = follow_link(smtp_mail, "paul@example.test", "Pièces manquantes")
    scan = tmp_path / "justificatif.pdf"
    scan.write_bytes(b"%PDF-1.4 justificatif de domicile")
    with time_machine.travel(datetime(2026, 3, 9, 18, 0, tzinfo=PARIS), tick=True):
        person = page.context.browser.new_context(base_url=live_server.url, locale="fr-FR")
        public = person.new_page()
        public.goto(url)
        assert public.get_attribute(".eng-follow-status", "data-status") == "waiting"
        assert "Justificatif de domicile" in public.inner_text(".eng-follow-status")
        assert_accessible(public)
        screenshot(public, "correspondence-follow-waiting")
        public.goto("/en" + url)
        assert "Waiting for your documents" in public.inner_text("main")
        assert_accessible(public)
        # Issue 23.1: more time asked from the page, with the keyboard only.
        public.get_by_label("New date").fill("2026-03-20")
        public.get_by_label("Why do you need more time?").fill("My landlord is away")
        public.get_by_role("button", name="Ask for more time").focus()
        public.keyboard.press("Enter")
        public.wait_for_selector(".fr-alert--success")
        assert "20 March 2026" in public.inner_text(".fr-alert--success")
        assert "20 March 2026" in public.inner_text(".eng-wait-end")
        assert_accessible(public)
        screenshot(public, "correspondence-follow-more-time-en")
        public.goto(url)
        public.set_input_files("#id_document", str(scan))
        public.click("text=Envoyer le document")
        public.wait_for_selector(".fr-alert--success")
        assert public.get_attribute(".eng-follow-status", "data-status") == "new"
        assert "justificatif.pdf" in public.inner_text(".eng-documents")
        assert_accessible(public)
        screenshot(public, "correspondence-follow-document-added")
        person.close()

        message.refresh_from_db()
        assert message.status == Status.NEW and message.waited_days == 3
        assert message.due_on == date(2026, 3, 12)
        acks = [m.subject for m in smtp_mail.to("paul@example.test")]
        assert any(s.strip().startswith("Document reçu") for s in acks)

        page.goto(reverse("correspondence:agents-list", args=[prefecture.slug]) + "?status=replied")
        with page.expect_navigation():
            page.click(f'.eng-ref:text-is("{message.reference}")')
        assert "a ajouté un document" in page.inner_text(".eng-new-document")
        with page.expect_download() as download:
            page.click("a:text-is('justificatif.pdf')")
        assert download.value.path().read_bytes() == scan.read_bytes()
        screenshot(page, "correspondence-agent-document")
    assert Message.objects.get().attachments.count() == 1

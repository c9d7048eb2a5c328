"""End to end: an e-mail lands in the IMAP mailbox, becomes one message, is acknowledged
through a real SMTP server with its due date, is answered from a template in the browser,
and the register shows it answered with the right delay."""

from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from engagements.correspondence import queries
from engagements.correspondence.enums import AnswerChannel, Status, TemplatePurpose
from engagements.correspondence.models import Mailbox, Message
from engagements.correspondence.services.ingestion import ingest_all_mailboxes
from tests.browser import assert_accessible, follow, screenshot
from tests.correspondence.factories import TemplateFactory, VersionFactory
from tests.correspondence.imap import PASSWORD, imap_server  # noqa: F401 — fixture

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.browser
@time_machine.travel(datetime(2026, 3, 5, 10, 0, tzinfo=PARIS), tick=True)
def test_mail_to_answer(page, live_server, imap_server, smtp_mail, prefecture, service, agent):  # noqa: F811
    VersionFactory(
        template=TemplateFactory(
            prefecture=prefecture,
            name="Réponse sur un titre de séjour",
            purpose=TemplatePurpose.INFORMATION_ANSWER,
            channel=AnswerChannel.EMAIL,
        ),
        published=True,
    )
    mailbox = Mailbox.objects.create(
        prefecture=prefecture,
        site=service.site,
        service=service,
        label="Séjour",
        host=imap_server.host,
        port=imap_server.port,
        use_ssl=False,
        username=imap_server.new_user(),
        password=PASSWORD,
    )
    incoming = EmailMessage()
    incoming["From"] = "Léa Martin <lea@example.test>"
    incoming["To"] = "sejour@prefecture.test"
    incoming["Subject"] = "Renouvellement de mon titre de séjour"
    # Friday 27 February 2026: due 5 working days later, Friday 6 March.
    incoming["Date"] = format_datetime(datetime(2026, 2, 27, 16, 0, tzinfo=PARIS))
    incoming["Message-ID"] = make_msgid(domain="example.test")
    incoming.set_content("Bonjour,\nmon récépissé expire bientôt. Que faire ?\nLéa Martin")
    imap_server.deliver(mailbox.username, incoming.as_bytes())

    ingest_all_mailboxes()
    ingest_all_mailboxes()  # the scheduled job runs again: nothing new
    message = Message.objects.get()
    assert (message.received_on, message.due_on) == (date(2026, 2, 27), date(2026, 3, 6))

    acks = smtp_mail.to("lea@example.test")
    assert len(acks) == 1
    assert message.reference in acks[0].subject
    assert "6 mars 2026" in acks[0].text()
    assert acks[0].message["In-Reply-To"] == incoming["Message-ID"]

    page.goto(reverse("organisation:agents-login"))
    page.fill("#id_username", agent.username)
    page.fill("#id_password", "secret-password")
    page.click("button[type=submit]")
    page.goto(reverse("correspondence:agents-list", args=[prefecture.slug]))
    follow(page, f'.eng-ref:text-is("{message.reference}")')
    follow(page, "text=Répondre")
    follow(page, "text=Réponse sur un titre de séjour")  # the same form, its text filled
    text = page.input_value("#id_text")
    # The salutation is never glued to the name (issue 19): "Madame, Monsieur,".
    assert text.splitlines()[0] == "Madame, Monsieur,"
    assert message.reference in text and "{" not in text
    page.fill("#id_text", text.replace("[Réponse personnalisée]", "Votre récépissé sera prolongé."))
    screenshot(page, "correspondence-answer")
    assert_accessible(page)
    page.click("text=Enregistrer et envoyer la réponse")
    page.wait_for_selector("[data-status=answered]")
    assert page.locator("[data-delay]").first.get_attribute("data-delay") == "4"
    assert "dans les délais" in page.inner_text("main")
    screenshot(page, "correspondence-answered")

    message.refresh_from_db()
    assert message.status == Status.ANSWERED and message.answered_on == date(2026, 3, 5)
    answers = [m for m in smtp_mail.to("lea@example.test") if m is not acks[0]]
    assert len(answers) == 1
    assert "Votre récépissé sera prolongé." in answers[0].text()
    assert answers[0].message["In-Reply-To"] == incoming["Message-ID"]
    assert answers[0].message["References"] == incoming["Message-ID"]
    # Thursday 5 March: working days after Friday 27 February are 2, 3, 4, 5 March.
    figures = queries.figures(Message.objects.filter(pk=message.pk), at=date(2026, 3, 5))
    assert figures["answered"] == 1 and figures["average_delay"] == 4.0
    assert figures["rate_on_time"] == 100.0

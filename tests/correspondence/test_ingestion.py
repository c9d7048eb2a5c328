"""Mailbox ingestion against a real IMAP server (dovecot on loopback), never a mock."""

from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest

from engagements.correspondence.enums import EventKind, IngestOutcome
from engagements.correspondence.models import IngestedMail, Mailbox, Message
from engagements.correspondence.services.ingestion import ingest_all_mailboxes, ingest_mailbox
from tests.correspondence.imap import PASSWORD, imap_server  # noqa: F401 — fixture

pytestmark = pytest.mark.django_db


def mail(subject="Mon titre de séjour", sender="Léa Martin <lea@example.test>", **headers):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "sejour@prefecture.test"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    message["Message-ID"] = make_msgid(domain="example.test")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Bonjour,\nmon dossier n'avance pas.\nLéa")
    return message


@pytest.fixture
def mailbox(imap_server, prefecture, service):  # noqa: F811
    user = imap_server.new_user()
    box = Mailbox.objects.create(
        prefecture=prefecture,
        site=service.site,
        service=service,
        label="Séjour",
        host=imap_server.host,
        port=imap_server.port,
        use_ssl=False,
        username=user,
        password=PASSWORD,
    )
    return box


def test_a_mail_becomes_one_message_and_twice_adds_nothing(mailbox, imap_server):  # noqa: F811
    raw = mail()
    with_pdf = mail(subject="Pièce demandée")
    with_pdf.add_attachment(b"%PDF-1.4 x", maintype="application", subtype="pdf", filename="a.pdf")
    imap_server.deliver(mailbox.username, raw.as_bytes())
    imap_server.deliver(mailbox.username, with_pdf.as_bytes())
    report = ingest_mailbox(mailbox)
    assert len(report.created) == 2
    assert ingest_mailbox(mailbox).created == []
    assert Message.objects.count() == 2
    message = Message.objects.get(email_message_id=raw["Message-ID"])
    assert message.sender_email == "lea@example.test" and message.sender_name == "Léa Martin"
    assert message.received_on == date(2026, 3, 2) and message.service == mailbox.service
    assert "mon dossier n'avance pas" in message.body
    assert Message.objects.get(subject="Pièce demandée").attachments.get().name == "a.pdf"
    # Never deleted: still on the server, flagged as read.
    inbox = imap_server.inbox(mailbox.username)
    assert len(inbox) == 2 and all("\\Seen" in flags for _uid, flags in inbox)


def test_same_message_id_in_a_second_mailbox_is_not_registered_again(
    mailbox,
    imap_server,  # noqa: F811
):
    raw = mail().as_bytes()
    other = Mailbox.objects.create(
        prefecture=mailbox.prefecture,
        site=mailbox.site,
        label="Accueil",
        host=mailbox.host,
        port=mailbox.port,
        use_ssl=False,
        username=imap_server.new_user(),
        password=PASSWORD,
    )
    imap_server.deliver(mailbox.username, raw)
    imap_server.deliver(other.username, raw)
    ingest_all_mailboxes()
    assert Message.objects.count() == 1
    assert IngestedMail.objects.filter(outcome=IngestOutcome.DUPLICATE).count() == 1


def test_auto_replies_and_bounces_are_skipped(mailbox, imap_server):  # noqa: F811
    imap_server.deliver(mailbox.username, mail(Auto_Submitted="auto-replied").as_bytes())
    imap_server.deliver(mailbox.username, mail(Return_Path="<>").as_bytes())
    imap_server.deliver(
        mailbox.username, mail(sender="MAILER-DAEMON@relay.test", subject="Undelivered").as_bytes()
    )
    report = ingest_mailbox(mailbox)
    assert report.skipped == 3 and Message.objects.count() == 0


def test_a_reply_quoting_the_reference_joins_the_message(mailbox, imap_server):  # noqa: F811
    imap_server.deliver(mailbox.username, mail().as_bytes())
    ingest_mailbox(mailbox)
    original = Message.objects.get()
    imap_server.deliver(
        mailbox.username, mail(subject=f"RE: Accusé de réception {original.reference}").as_bytes()
    )
    report = ingest_mailbox(mailbox)
    assert report.joined == [original.reference]
    assert Message.objects.count() == 1
    assert original.events.filter(kind=EventKind.REPLY_RECEIVED).exists()


def test_processed_mail_can_be_moved_not_deleted(mailbox, imap_server):  # noqa: F811
    client = imap_server.connect(mailbox.username)
    client.create("Traite")
    client.logout()
    mailbox.processed_folder = "Traite"
    mailbox.save()
    imap_server.deliver(mailbox.username, mail().as_bytes())
    ingest_mailbox(mailbox)
    assert imap_server.inbox(mailbox.username) == []
    client = imap_server.connect(mailbox.username)
    _typ, data = client.select("Traite")
    client.logout()
    assert int(data[0]) == 1


def test_a_wrong_password_is_reported_and_other_mailboxes_continue(
    mailbox,
    imap_server,  # noqa: F811
):
    broken = Mailbox.objects.create(
        prefecture=mailbox.prefecture,
        site=mailbox.site,
        label="Cassée",
        host=mailbox.host,
        port=mailbox.port,
        use_ssl=False,
        username="x@demo.test",
        password="wrong",
    )
    imap_server.deliver(mailbox.username, mail().as_bytes())
    results = ingest_all_mailboxes()
    assert results["Cassée"].startswith("erreur")
    assert Message.objects.count() == 1
    broken.refresh_from_db()
    assert "impossible" in broken.last_error


def test_fetch_mail_command(mailbox, imap_server):  # noqa: F811
    from io import StringIO

    from django.core.management import call_command

    imap_server.deliver(mailbox.username, mail().as_bytes())
    out = StringIO()
    call_command("fetch_mail", stdout=out)
    reference = Message.objects.get().reference
    assert f"1 créé {reference}" in out.getvalue()
    call_command("fetch_mail", stdout=out)
    assert "0 créé" in out.getvalue() and "1 déjà lu" in out.getvalue()


def test_a_reply_to_our_answer_joins_through_in_reply_to(mailbox, imap_server, agent):  # noqa: F811
    from engagements.correspondence import services

    imap_server.deliver(mailbox.username, mail().as_bytes())
    ingest_mailbox(mailbox)
    original = Message.objects.get()
    answer = services.answer_message(
        original, actor=agent, subject="Réponse", text="Voici.", channel="email", send=False
    )
    answer.email_message_id = "<answer-1@engagements.test>"
    answer.save()
    reply = mail(subject="Re: Réponse", In_Reply_To="<answer-1@engagements.test>")
    imap_server.deliver(mailbox.username, reply.as_bytes())
    assert ingest_mailbox(mailbox).joined == [original.reference]
    assert Message.objects.count() == 1


def test_a_mail_after_the_answer_stands_out_and_a_follow_up_keeps_the_first_date(
    mailbox,
    imap_server,  # noqa: F811
    agent,
    client_for,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    from django.urls import reverse

    from engagements.correspondence import services

    imap_server.deliver(mailbox.username, mail().as_bytes())
    ingest_mailbox(mailbox)
    original = Message.objects.get()
    first = services.answer_message(
        original, actor=agent, subject="Réponse", text="Voici.", channel="email", send=False
    )
    Answer = type(first)
    Answer.objects.filter(pk=first.pk).update(email_message_id="<first@engagements.test>")
    client = client_for(agent)
    worklist = reverse("correspondence:agents-list", args=[mailbox.prefecture.slug])
    assert client.get(worklist, {"status": "replied"}).context["page"].paginator.count == 0
    imap_server.deliver(
        mailbox.username, mail(subject=f"Re: {original.reference} merci mais…").as_bytes()
    )
    ingest_mailbox(mailbox)
    page = client.get(worklist, {"status": "replied"})
    assert [m.pk for m in page.context["page"].object_list] == [original.pk]
    assert "nouveau courriel" in page.content.decode()
    answered_on = Message.objects.get().answered_on
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_message(
            original, actor=agent, subject="Précision", text="Encore.", channel="email"
        )
    assert Message.objects.get().answered_on == answered_on
    assert "<first@engagements.test>" in mailoutbox[-1].extra_headers["References"]
    assert client.get(worklist, {"status": "replied"}).context["page"].paginator.count == 0

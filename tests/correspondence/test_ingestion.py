"""Mailbox ingestion against a real IMAP server (dovecot on loopback), never a mock."""

from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
import time_machine

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


@pytest.mark.parametrize(
    ("header", "day"),
    [
        ("Mon, 02 Mar 2026 09:30:00 +0000", date(2026, 3, 2)),
        ("Sun, 01 Jan 0100 00:00:00 +0000", date(2026, 3, 10)),  # a broken clock: today
        ("Fri, 01 Jan 1999 00:00:00 +0000", date(2026, 3, 10)),
        ("Fri, 01 Jan 2027 00:00:00 +0000", date(2026, 3, 10)),  # never after today
    ],
)
def test_a_mail_is_dated_by_its_header_within_bounds(header, day):
    """A Date header of year 100 registered a message of year 100, and stretched the stored
    working-day calendars back to it (the figures page then never loaded)."""
    from engagements.correspondence.services.ingestion import _received_on

    message = mail()
    message.replace_header("Date", header)
    with time_machine.travel(datetime(2026, 3, 10, 12, 0, tzinfo=UTC), tick=False):
        assert _received_on(message) == day


ODD_HEAD = b"From: a@example.test\r\nSubject: x\r\nContent-Transfer-Encoding: 8bit\r\n"


@pytest.mark.parametrize(
    ("raw", "subject", "body"),
    [
        (  # an old client: Latin-1 headers and body, no charset said
            b"From: Jos\xe9 <a@example.test>\r\nSubject: R\xe9sum\xe9 de mon\r\n dossier\r\n"
            b"Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            b"La pr\xe9fecture de S\xe8te.\r\n",
            "Résumé de mon dossier",
            "La préfecture de Sète.",
        ),
        (  # UTF-8 bytes, no charset said
            ODD_HEAD + b"Content-Type: text/plain\r\n\r\nLa pr\xc3\xa9fecture.\r\n",
            "x",
            "La préfecture.",
        ),
        (  # says UTF-8, sends Latin-1
            ODD_HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\nLa pr\xe9fecture.\r\n",
            "x",
            "La préfecture.",
        ),
        (  # says Latin-1, means Windows-1252 (the euro sign)
            ODD_HEAD + b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\n50 \x80 pay\xe9s.\r\n",
            "x",
            "50 € payés.",
        ),
    ],
)
def test_odd_mails_keep_their_accents(raw, subject, body):
    """A mail sent without its charset (or with a wrong one) was registered as
    "R�sum�" / "La pr�fecture": every accent lost in the register and in the answer's
    quotation."""
    import email
    import email.policy

    from engagements.correspondence.services.ingestion import _header, _sender, _text_of, clean_text

    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert clean_text(_header(message, "Subject"), 300, single_line=True) == subject
    assert _text_of(message) == body
    assert _sender(message)[1] == "a@example.test"


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


def test_a_reference_quoted_by_someone_else_does_not_join_his_message(
    mailbox,
    imap_server,  # noqa: F811
):
    """A reference is no secret (it is on every letter): anyone quoting one had his mail,
    text and attachments, filed under another person's message as his new reply. From
    the person himself, whatever the case of his address, it still joins."""
    imap_server.deliver(mailbox.username, mail().as_bytes())
    ingest_mailbox(mailbox)
    original = Message.objects.get()
    imap_server.deliver(
        mailbox.username,
        mail(
            subject=f"Au sujet du dossier {original.reference}",
            sender="Paul Henry <paul@example.test>",
        ).as_bytes(),
    )
    imap_server.deliver(
        mailbox.username,
        mail(
            subject=f"RE: {original.reference}", sender="Léa Martin <LEA@Example.test>"
        ).as_bytes(),
    )
    report = ingest_mailbox(mailbox)
    assert report.joined == [original.reference]
    assert len(report.created) == 1
    other = Message.objects.exclude(pk=original.pk).get()
    assert other.sender_email == "paul@example.test"
    assert original.events.filter(kind=EventKind.REPLY_RECEIVED).count() == 1


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


# Poisoned mailboxes: every good mail registered, the others "à vérifier", nothing stuck ----


def _second_mailbox(mailbox, imap_server, label="Accueil"):  # noqa: F811
    return Mailbox.objects.create(
        prefecture=mailbox.prefecture,
        site=mailbox.site,
        service=mailbox.service,
        label=label,
        host=mailbox.host,
        port=mailbox.port,
        use_ssl=False,
        username=imap_server.new_user(),
        password=PASSWORD,
    )


def _poisoned_mails() -> dict[str, bytes]:
    long_name = mail(subject="Nom très long", sender=f'"{"L" * 250}" <long@example.test>')
    no_id = mail(subject="Sans identifiant")
    del no_id["Message-ID"]
    # Raw 8-bit bytes in a header and an unknown charset in the body.
    broken = (
        b"From: =?utf-8?q?Jos=C3?= \xe9l\xe8ne <broken@example.test>\r\n"
        b"To: sejour@prefecture.test\r\n"
        b"Subject: =?x-unknown?b?////?= r\xe9sum\xe9 \x00\r\n"
        b"Message-ID: <broken-1@example.test>\r\n"
        b"Date: Mon, 2 Mar 2026 09:30:00 +0000\r\n"
        b"Content-Type: text/plain; charset=x-martian\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"Bonjour, mon dossier \xff\xfe n'avance pas.\x00\r\n"
    )
    huge = mail(subject="Dossier complet scanné")
    huge.add_attachment(
        b"%PDF-1.4 " + b"0" * (30 * 1024 * 1024),
        maintype="application",
        subtype="pdf",
        filename="scan.pdf",
    )
    bad_address = mail(subject="Adresse cassée", sender=f"Zoé <{'z' * 300}@example.test>")
    return {
        "good-1": mail(subject="Premier courriel").as_bytes(),
        "long-name": long_name.as_bytes(),
        "broken": broken,
        "huge": huge.as_bytes(),
        "no-id": no_id.as_bytes(),
        "bad-address": bad_address.as_bytes(),
        "good-2": mail(subject="Dernier courriel").as_bytes(),
    }


def test_a_poisoned_mailbox_registers_the_good_mails_and_quarantines_the_others(
    mailbox,
    imap_server,  # noqa: F811
    settings,
    tmp_path,
):
    from engagements.correspondence.enums import QuarantineStatus
    from engagements.correspondence.models import QuarantinedMail

    settings.MEDIA_ROOT = tmp_path
    for raw in _poisoned_mails().values():
        imap_server.deliver(mailbox.username, raw)
    after = _second_mailbox(mailbox, imap_server)
    imap_server.deliver(after.username, mail(subject="Dans la boîte suivante").as_bytes())

    results = ingest_all_mailboxes()

    assert "5 créés" in results["Séjour"] and "2 courriels à vérifier" in results["Séjour"]
    subjects = set(Message.objects.values_list("subject", flat=True))
    assert {"Premier courriel", "Dernier courriel", "Sans identifiant", "Nom très long"} <= subjects
    assert "Dans la boîte suivante" in subjects  # the next mailbox was read in the same run
    long_name = Message.objects.get(subject="Nom très long")
    assert len(long_name.sender_name) == 200 and long_name.sender_name.endswith("…")
    broken = Message.objects.get(email_message_id="<broken-1@example.test>")
    assert "\x00" not in broken.subject + broken.body and "n'avance pas" in broken.body
    assert broken.sender_email == "broken@example.test"
    quarantined = {q.subject: q for q in QuarantinedMail.objects.all()}
    assert set(quarantined) == {"Dossier complet scanné", "Adresse cassée"}
    assert "trop volumineux" in quarantined["Dossier complet scanné"].error
    assert "adresse de l'expéditeur invalide" in quarantined["Adresse cassée"].error
    assert all(q.status == QuarantineStatus.PENDING for q in quarantined.values())
    assert quarantined["Dossier complet scanné"].raw.size > 30 * 1024 * 1024
    # Everything is flagged on the server; quarantined mails are also \Flagged.
    inbox = imap_server.inbox(mailbox.username)
    assert len(inbox) == 7 and all("\\Seen" in flags for _uid, flags in inbox)
    assert sum("\\Flagged" in flags for _uid, flags in inbox) == 2
    mailbox.refresh_from_db()
    after.refresh_from_db()
    assert mailbox.last_error == "" and after.last_error == ""
    # The next run finds nothing new and quarantines nothing twice.
    again = ingest_mailbox(mailbox)
    assert again.created == [] and again.quarantined == 0 and again.already_seen == 7
    assert QuarantinedMail.objects.count() == 2


def test_any_error_while_registering_quarantines_that_mail_only(
    mailbox,
    imap_server,  # noqa: F811
    monkeypatch,
    settings,
    tmp_path,
):
    from engagements.correspondence.models import QuarantinedMail
    from engagements.correspondence.services import ingestion

    settings.MEDIA_ROOT = tmp_path
    real = ingestion.create_message

    def flaky(prefecture, **kwargs):
        if kwargs["subject"] == "Boum":
            raise RuntimeError("value too long for type character varying(200)")
        return real(prefecture, **kwargs)

    monkeypatch.setattr(ingestion, "create_message", flaky)
    for subject in ("Avant", "Boum", "Après"):
        imap_server.deliver(mailbox.username, mail(subject=subject).as_bytes())
    report = ingest_mailbox(mailbox)
    assert len(report.created) == 2 and report.quarantined == 1
    item = QuarantinedMail.objects.get()
    assert "RuntimeError" in item.error and "value too long" in item.error
    assert item.sender.startswith("Léa Martin")


def test_a_failing_mailbox_records_its_error_and_the_next_one_is_read(
    mailbox,
    imap_server,  # noqa: F811
    monkeypatch,
):
    from engagements.correspondence.services import ingestion

    after = _second_mailbox(mailbox, imap_server)
    imap_server.deliver(mailbox.username, mail().as_bytes())
    imap_server.deliver(after.username, mail(subject="Suivante").as_bytes())
    real = ingestion._register

    def crash_first(box, *args):
        if box.pk == mailbox.pk:
            raise ConnectionResetError("connexion coupée")
        return real(box, *args)

    monkeypatch.setattr(ingestion, "_register", crash_first)
    results = ingest_all_mailboxes()
    assert results["Séjour"].startswith("erreur") and "connexion coupée" in results["Séjour"]
    mailbox.refresh_from_db()
    assert "ConnectionResetError" in mailbox.last_error
    assert Message.objects.get().subject == "Suivante"


def test_a_mail_registered_before_a_crash_is_flagged_on_the_next_run(
    mailbox,
    imap_server,  # noqa: F811
    monkeypatch,
):
    from engagements.correspondence.services import ingestion

    client = imap_server.connect(mailbox.username)
    client.create("Traite")
    client.logout()
    mailbox.processed_folder = "Traite"
    mailbox.save()
    imap_server.deliver(mailbox.username, mail().as_bytes())

    def killed(*args):
        raise SystemExit("killed between the registration and the flag")

    monkeypatch.setattr(ingestion, "_flag", killed)
    with pytest.raises(SystemExit):
        ingest_mailbox(mailbox)
    assert Message.objects.count() == 1
    assert IngestedMail.objects.get().flagged_at is None
    assert len(imap_server.inbox(mailbox.username)) == 1  # still there, unflagged
    monkeypatch.undo()
    report = ingest_mailbox(mailbox)
    assert report.reflagged == 1 and report.created == []
    assert imap_server.inbox(mailbox.username) == []  # moved now
    assert IngestedMail.objects.get().flagged_at is not None
    assert Message.objects.count() == 1


def test_the_referent_registers_or_discards_a_quarantined_mail(
    mailbox,
    imap_server,  # noqa: F811
    client_for,
    quality_lead,
    settings,
    tmp_path,
    monkeypatch,
    django_assert_max_num_queries,
):
    from django.urls import reverse

    from engagements.correspondence.enums import QuarantineStatus
    from engagements.correspondence.models import QuarantinedMail
    from engagements.correspondence.services import ingestion

    settings.MEDIA_ROOT = tmp_path
    for subject in ("Trop gros", "Indésirable"):
        raw = mail(subject=subject)
        raw.add_attachment(
            b"%PDF-1.4 x" * 200, maintype="application", subtype="pdf", filename="a.pdf"
        )
        imap_server.deliver(mailbox.username, raw.as_bytes())
    monkeypatch.setattr(ingestion, "MAX_MAIL", 1000)
    assert ingest_mailbox(mailbox).quarantined == 2
    monkeypatch.undo()
    slug = mailbox.prefecture.slug
    client = client_for(quality_lead)
    home = client.get(reverse("organisation:agents-prefecture", args=[slug]))
    assert "2 courriels à vérifier" in home.content.decode()
    listing = client.get(reverse("correspondence:agents-quarantine", args=[slug]))
    assert "trop volumineux" in listing.content.decode()
    big = QuarantinedMail.objects.get(subject="Trop gros")
    url = reverse("correspondence:agents-quarantine-detail", args=[slug, big.pk])
    page = client.get(url)
    assert page.context["form"]["sender_email"].value() == "lea@example.test"
    raw = client.get(reverse("correspondence:agents-quarantine-raw", args=[slug, big.pk]))
    assert b"Trop gros" in b"".join(raw.streaming_content)
    response = client.post(
        url,
        {
            "kind": "complaint",
            "sender_name": "Léa Martin",
            "sender_email": "lea@example.test",
            "subject": "Trop gros",
            "body": "Texte vérifié",
        },
    )
    message = Message.objects.get(subject="Trop gros")
    assert response.status_code == 302 and response["Location"].endswith(f"/{message.pk}/")
    assert message.kind == "complaint" and message.attachments.get().name == "a.pdf"
    big.refresh_from_db()
    assert big.status == QuarantineStatus.REGISTERED and big.message == message
    assert big.resolved_by == quality_lead and not big.raw
    spam = QuarantinedMail.objects.get(subject="Indésirable")
    client.post(reverse("correspondence:agents-quarantine-discard", args=[slug, spam.pk]))
    spam.refresh_from_db()
    assert spam.status == QuarantineStatus.DISCARDED
    listing_url = reverse("correspondence:agents-quarantine", args=[slug])
    with django_assert_max_num_queries(6):
        assert "Écarté" in client.get(listing_url).content.decode()
    home = client.get(reverse("organisation:agents-prefecture", args=[slug]))
    assert "à vérifier" not in home.content.decode()


def test_resolved_quarantined_mails_are_forgotten_after_30_days(mailbox):
    from datetime import timedelta

    from django.utils import timezone

    from engagements.correspondence.enums import QuarantineStatus
    from engagements.correspondence.models import QuarantinedMail
    from engagements.correspondence.services.ingestion import purge_quarantine

    now = timezone.now()
    old = QuarantinedMail.objects.create(
        mailbox=mailbox,
        error="x",
        status=QuarantineStatus.DISCARDED,
        resolved_at=now - timedelta(days=31),
    )
    recent = QuarantinedMail.objects.create(
        mailbox=mailbox, error="x", status=QuarantineStatus.DISCARDED, resolved_at=now
    )
    pending = QuarantinedMail.objects.create(mailbox=mailbox, error="x")
    assert purge_quarantine() == 1
    assert set(QuarantinedMail.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
    assert not QuarantinedMail.objects.filter(pk=old.pk).exists()


def test_an_attachment_named_in_raw_latin_1_keeps_its_accents():
    """An old client's "reçu.pdf" (8-bit bytes in the header) was saved as "re�u.pdf"."""
    import email
    import email.policy

    from engagements.correspondence.services.ingestion import _attachments

    raw = (
        b"From: a@example.test\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
        b"Content-Type: text/plain\r\n\r\nbody\r\n--XX\r\n"
        b'Content-Type: application/pdf; name="re\xe7u.pdf"\r\n'
        b'Content-Disposition: attachment; filename="re\xe7u.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--XX--\r\n"
    )
    [upload] = _attachments(email.message_from_bytes(raw, policy=email.policy.default))
    assert upload.name == "reçu.pdf"

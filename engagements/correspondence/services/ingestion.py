"""Mailbox ingestion: read each IMAP mailbox, register new mail, never delete anything.

Idempotent twice over: (mailbox, UIDVALIDITY, UID) is recorded for every message seen, and
a Message-ID already in the register is not registered again (the same mail may reach two
mailboxes). Auto-replies and bounces are skipped; a reply quoting a reference in its
subject joins that message when it comes from its sender. Processed mail is flagged \\Seen
(or moved when configured); the flag is recorded, and a mail registered but left unflagged
by a crash is flagged on the next run.

One bad mail never stops a mailbox, and one bad mailbox never stops the others: what can
be cleaned is cleaned (over-long names truncated, undecodable bytes replaced, NUL removed);
a mail that still cannot be registered (too large, no usable sender address, anything
raising) is kept raw as "à vérifier" (`QuarantinedMail`) with its error, flagged
\\Seen \\Flagged on the server, and shown to the référent, who registers it by hand or
discards it.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from engagements import metrics
from engagements.csvio import MIN_DATE
from engagements.organisation.enums import Channel
from engagements.words import count

from ..enums import EventKind, IngestOutcome, Kind, QuarantineStatus
from ..models import Answer, IngestedMail, Mailbox, Message, QuarantinedMail
from .messages import add_attachment, create_message, log_event

logger = logging.getLogger(__name__)

REFERENCE_IN_SUBJECT = re.compile(r"\b(20\d\d-\d{6})\b")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
ALLOWED_ATTACHMENT_TYPES = {"application/pdf", "image/jpeg", "image/png"}
MAX_ATTACHMENT = 10 * 1024 * 1024
MAX_MAIL = 20 * 1024 * 1024  # larger mails wait for a person ("à vérifier")
MAX_BODY = 50_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Raw 8-bit header bytes, as the email package keeps them (surrogate escapes).
_RAW_BYTES = re.compile("[\udc80-\udcff]")
# Mail clients that say Latin-1 (or nothing) mean Windows-1252 (the euro sign, "œ", "’"),
# as browsers read them (WHATWG Encoding).
_LATIN_1 = {"us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "iso_8859-1"}


class IngestionError(Exception):
    """The mailbox could not be read (connection, login, folder), or a mail was refused."""


class MailRefused(IngestionError):
    """This mail cannot be registered automatically; it goes to "à vérifier"."""


@dataclass
class IngestReport:
    created: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)
    skipped: int = 0
    duplicates: int = 0
    already_seen: int = 0
    quarantined: int = 0
    reflagged: int = 0


def clean_text(value: str, limit: int | None = None, *, single_line: bool = False) -> str:
    """What a database and a screen accept: no NUL/control characters, no lone surrogates
    (undecodable header bytes), truncated to `limit` characters."""
    value = value.encode("utf-8", "replace").decode("utf-8", "replace")
    if single_line:
        value = " ".join(_CONTROL.sub("", value).split())
    else:
        value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\t", "    "))
    value = value.strip()
    if limit is not None and len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def decode_text(payload: bytes, declared: str | None = None) -> str:
    """Bytes of a mail's text: in the declared charset when it reads them, else UTF-8, else
    Windows-1252 (a client sending Latin-1 without saying so, or saying UTF-8): "préfecture",
    where decoding as declared gave "pr�fecture"."""
    declared = (declared or "").strip().lower()
    first = "cp1252" if declared in _LATIN_1 else declared
    for charset in dict.fromkeys(c for c in (first, "utf-8", "cp1252") if c):
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeError):
            continue
    return payload.decode("utf-8", "replace")


def _header(mail: EmailMessage, name: str) -> str:
    """A header as text, whatever its encoding (broken encoded-words, raw 8-bit bytes)."""
    for key, raw in mail.raw_items():
        if key.lower() == name.lower() and _RAW_BYTES.search(raw):
            # 8-bit bytes sent without encoded-words: read as a body would be.
            unfolded = re.sub(r"\r?\n(?=[ \t])", "", raw)
            return decode_text(unfolded.encode("ascii", "surrogateescape"))
    try:
        value = mail.get(name)
        return "" if value is None else str(value)
    except Exception:  # noqa: BLE001 - a malformed header is read raw, not fatal
        for key, raw in mail.raw_items():
            if key.lower() == name.lower():
                return str(raw)
        return ""


def is_automatic(mail: EmailMessage) -> bool:
    """Auto-replies, bounces and list traffic (RFC 3834, RFC 3464)."""
    auto = (mail.get("Auto-Submitted") or "no").strip().lower()
    if auto != "no":
        return True
    if (mail.get("Return-Path") or "").strip() == "<>":
        return True
    if mail.get_content_type() == "multipart/report":
        return True
    if (mail.get("Precedence") or "").strip().lower() in ("bulk", "junk", "auto_reply", "list"):
        return True
    if mail.get("X-Autoreply") or mail.get("X-Autorespond") or mail.get("List-Id"):
        return True
    sender = parseaddr(_header(mail, "From"))[1].lower()
    # A mail without a usable sender is not automatic for that: it goes to "à vérifier".
    return sender.startswith(("mailer-daemon@", "postmaster@"))


def _text_of(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    # Unknown, missing or lying charset: decode_text tries the declared one, then UTF-8,
    # then Windows-1252 (get_content replaced every byte it could not read with "�").
    payload = part.get_payload(decode=True)
    content = decode_text(
        payload if isinstance(payload, bytes) else b"", part.get_content_charset()
    )
    if part.get_content_type() == "text/html":
        from django.utils.html import strip_tags

        content = strip_tags(content)
    return clean_text(content, MAX_BODY)


_RAW_FILENAME = re.compile(r'\bfilename="?([^";]+)|\bname="?([^";]+)', re.IGNORECASE)


def _filename(part: EmailMessage) -> str:
    """The attachment's name; raw 8-bit bytes (an old client's "reçu.pdf") read as the
    headers are, where the email package gave "re�u.pdf"."""
    name = part.get_filename() or ""
    if "\ufffd" not in name:
        return name
    for header in ("Content-Disposition", "Content-Type"):
        raw = next((v for k, v in part.raw_items() if k.lower() == header.lower()), "")
        found = _RAW_FILENAME.search(raw)
        if found and _RAW_BYTES.search(found.group(0)):
            value = found.group(1) or found.group(2)
            return decode_text(value.strip().encode("ascii", "surrogateescape"))
    return name


def _attachments(mail: EmailMessage) -> list[ContentFile]:
    files = []
    for part in mail.iter_attachments():
        if part.get_content_type() not in ALLOWED_ATTACHMENT_TYPES:
            continue
        payload = part.get_payload(decode=True) or b""
        if not payload or len(payload) > MAX_ATTACHMENT:
            continue
        name = clean_text(_filename(part), 150, single_line=True) or "piece-jointe"
        upload = ContentFile(payload, name=name.replace("/", "-"))
        upload.content_type = part.get_content_type()
        files.append(upload)
    return files


def _received_on(mail: EmailMessage) -> date:
    """The Date header's day, never later than today (a wrong clock cannot delay a due date),
    nor before 2000 (a header dated year 100 made a message of year 100, and stretched the
    prefecture's stored working-day calendars back to it: the figures page never loaded)."""
    today = timezone.localdate()
    try:
        when = parsedate_to_datetime(_header(mail, "Date"))
        day = when.date() if when.tzinfo is None else timezone.localtime(when).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return today
    if day < MIN_DATE:
        return today
    return min(day, today)


def _thread_of(prefecture, mail: EmailMessage, subject: str) -> Message | None:
    """The message this mail follows up: a reference in the subject, or a reply to one of
    our answers or acknowledgements (In-Reply-To/References)."""
    found = REFERENCE_IN_SUBJECT.search(subject)
    if found:
        original = Message.objects.filter(prefecture=prefecture, reference=found.group(1)).first()
        # Only from the person who wrote it: a reference is no secret (it is on every
        # letter), and anyone quoting one had his mail, text and attachments, filed under
        # another person's message, as "l'usager a écrit à nouveau".
        if original is not None and _same_sender(original, mail):
            return original
    ids = MESSAGE_ID.findall(f"{_header(mail, 'In-Reply-To')} {_header(mail, 'References')}")
    if ids:
        answer = (
            Answer.objects.filter(message__prefecture=prefecture, email_message_id__in=ids)
            .select_related("message")
            .first()
        )
        if answer is not None:
            return answer.message
    return None


def _same_sender(message: Message, mail: EmailMessage) -> bool:
    """The mail comes from the message's sender (any address when he gave none: a letter
    followed up by e-mail)."""
    if not message.sender_email:
        return True
    _name, address = parseaddr(_header(mail, "From"))
    return address.strip().lower() == message.sender_email.strip().lower()


def _sender(mail: EmailMessage) -> tuple[str, str]:
    """(display name, address): the name cleaned and truncated, the address validated."""
    name, address = parseaddr(_header(mail, "From"))
    name = clean_text(name, 200, single_line=True)
    address = clean_text(address, single_line=True)
    if not address:
        raise MailRefused(
            "aucune adresse d'expéditeur utilisable (en-tête From absent ou vide : "
            f"« {clean_text(_header(mail, 'From'), 80, single_line=True)} ») : "
            "à enregistrer à la main"
        )
    if address:
        try:
            if len(address) > 254:
                raise ValidationError("too long")
            validate_email(address)
        except ValidationError:
            raise MailRefused(
                f"adresse de l'expéditeur invalide : « {clean_text(address, 80)} »"
            ) from None
    return name, address


def ingest_mail(mailbox: Mailbox, raw: bytes) -> tuple[str, Message | None]:
    """Register one raw mail for a mailbox; returns (outcome, message).

    Raises MailRefused (or anything else) when the mail cannot be registered: the caller
    then keeps it as "à vérifier".
    """
    if len(raw) > MAX_MAIL:
        raise MailRefused(
            f"courriel trop volumineux ({_megabytes(len(raw))}, "
            f"{_megabytes(MAX_MAIL)} au plus) : à enregistrer à la main"
        )
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    message_id = clean_text(_header(mail, "Message-ID"), 300, single_line=True)
    if is_automatic(mail):
        return IngestOutcome.SKIPPED, None
    prefecture = mailbox.prefecture
    if message_id:
        existing = Message.objects.filter(prefecture=prefecture, email_message_id=message_id)
        if existing.exists():
            return IngestOutcome.DUPLICATE, existing.first()
    subject = clean_text(_header(mail, "Subject"), 300, single_line=True)
    original = _thread_of(prefecture, mail, subject)
    if original is not None:
        with transaction.atomic():
            for upload in _attachments(mail):
                add_attachment(original, upload)
            log_event(
                original,
                EventKind.REPLY_RECEIVED,
                text=f"{subject}\n\n{_text_of(mail)}"[:20000],
            )
        return IngestOutcome.JOINED, original
    name, address = _sender(mail)
    message = create_message(
        prefecture,
        site=mailbox.site,
        service=mailbox.service,
        channel=Channel.EMAIL,
        kind=Kind.INFORMATION,
        received_on=_received_on(mail),
        sender_name=name,
        sender_email=address,
        subject=subject,
        body=_text_of(mail),
        attachments=_attachments(mail),
        mailbox=mailbox,
        email_message_id=message_id,
    )
    return IngestOutcome.CREATED, message


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    cls = imaplib.IMAP4_SSL if mailbox.use_ssl else imaplib.IMAP4
    client = None
    try:
        client = cls(mailbox.host, mailbox.port, timeout=30)
        client.login(mailbox.username, mailbox.password)
    except (OSError, imaplib.IMAP4.error) as exc:
        if client is not None:
            client.shutdown()
        where = f"{mailbox.host}:{mailbox.port}"
        raise IngestionError(f"Connexion à {where} impossible : {exc}") from exc
    return client


def ingest_mailbox(mailbox: Mailbox) -> IngestReport:
    """Read one mailbox and register what is new; a bad mail goes to "à vérifier"."""
    report = IngestReport()
    client = _connect(mailbox)
    try:
        status, _data = client.select(_quote(mailbox.folder))
        if status != "OK":
            raise IngestionError(f"Dossier « {mailbox.folder} » introuvable.")
        # imaplib keeps the [UIDVALIDITY n] response code of SELECT.
        _typ, data = client.response("UIDVALIDITY")
        uidvalidity = int(data[0]) if data and data[0] else 0
        _typ, data = client.uid("SEARCH", None, "ALL")
        uids = [int(u) for u in (data[0] or b"").split()]
        known = dict(
            IngestedMail.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity).values_list(
                "uid", "flagged_at"
            )
        )
        for uid in uids:
            if uid in known:
                if known[uid] is None:
                    # Registered, then the process stopped before the flag: flag it now.
                    record = IngestedMail.objects.get(
                        mailbox=mailbox, uidvalidity=uidvalidity, uid=uid
                    )
                    _flag(client, mailbox, record)
                    report.reflagged += 1
                else:
                    report.already_seen += 1
                continue
            _typ, fetched = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
            if raw is None:
                continue
            record = _register(mailbox, uidvalidity, uid, raw, report)
            if record is not None:
                _flag(client, mailbox, record)
        Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error="")
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return report


def _register(
    mailbox: Mailbox, uidvalidity: int, uid: int, raw: bytes, report: IngestReport
) -> IngestedMail | None:
    """Register one fetched mail, or quarantine it; None when another worker had it."""
    key = {"mailbox": mailbox, "uidvalidity": uidvalidity, "uid": uid}
    try:
        with transaction.atomic():
            outcome, message = ingest_mail(mailbox, raw)
            record = IngestedMail.objects.create(
                **key, header_message_id=_header_message_id(raw), outcome=outcome, message=message
            )
    except Exception as exc:  # noqa: BLE001 - one bad mail must not stop the mailbox
        if isinstance(exc, IntegrityError) and IngestedMail.objects.filter(**key).exists():
            # Another worker registered this UID at the same time: nothing to do.
            report.already_seen += 1
            return None
        if not isinstance(exc, MailRefused):
            logger.exception("mail quarantined", extra={"mailbox": mailbox.pk, "uid": uid})
        try:
            return quarantine(mailbox, uidvalidity, uid, raw, _describe_error(exc), report)
        except IntegrityError:
            report.already_seen += 1
            return None
    if outcome == IngestOutcome.CREATED:
        report.created.append(message.reference)
    elif outcome == IngestOutcome.JOINED:
        report.joined.append(message.reference)
    elif outcome == IngestOutcome.DUPLICATE:
        report.duplicates += 1
    else:
        report.skipped += 1
    return record


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, IngestionError):
        return clean_text(str(exc), 2000)
    from .messages import RegisterError

    if isinstance(exc, RegisterError):
        return clean_text(str(exc), 2000)
    return clean_text(f"erreur inattendue ({type(exc).__name__}) : {exc}", 2000)


def quarantine(
    mailbox: Mailbox,
    uidvalidity: int,
    uid: int,
    raw: bytes,
    error: str,
    report: IngestReport | None = None,
) -> IngestedMail:
    """Keep a mail raw as "à vérifier" with its error, and record its UID as seen."""
    summary = describe_raw(raw)
    with transaction.atomic():
        record = IngestedMail.objects.create(
            mailbox=mailbox,
            uidvalidity=uidvalidity,
            uid=uid,
            header_message_id=summary["message_id"],
            outcome=IngestOutcome.QUARANTINED,
        )
        QuarantinedMail.objects.create(
            mailbox=mailbox,
            uidvalidity=uidvalidity,
            uid=uid,
            header_message_id=summary["message_id"],
            sender=clean_text(summary["sender"], 300, single_line=True),
            subject=summary["subject"],
            size=len(raw),
            raw=ContentFile(raw, name=f"{uidvalidity}-{uid}.eml"),
            error=error,
        )
    if report is not None:
        report.quarantined += 1
    metrics.MAILS_QUARANTINED.inc()
    return record


def _flag(client: imaplib.IMAP4, mailbox: Mailbox, record: IngestedMail) -> None:
    """Never delete: flag as read, or move to the processed folder when configured.

    A quarantined mail is also \\Flagged and stays where it is, for whoever opens the box.
    """
    uid = str(record.uid)
    if record.outcome == IngestOutcome.QUARANTINED:
        client.uid("STORE", uid, "+FLAGS", "(\\Seen \\Flagged)")
    else:
        client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        if mailbox.processed_folder:
            client.uid("MOVE", uid, _quote(mailbox.processed_folder))
    IngestedMail.objects.filter(pk=record.pk).update(flagged_at=timezone.now())


def describe_raw(raw: bytes) -> dict[str, str]:
    """What can be read of a raw mail, never raising: to show it and prefill a form."""
    info = {
        "message_id": "",
        "sender": "",
        "sender_name": "",
        "sender_email": "",
        "subject": "",
        "body": "",
        "date": "",
    }
    try:
        mail = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception:  # noqa: BLE001
        return info
    for key, header in (("message_id", "Message-ID"), ("sender", "From"), ("date", "Date")):
        info[key] = clean_text(_header(mail, header), 300, single_line=True)
    info["subject"] = clean_text(_header(mail, "Subject"), 300, single_line=True)
    name, address = parseaddr(info["sender"])
    info["sender_name"] = clean_text(name, 200, single_line=True)
    info["sender_email"] = address[:254]
    try:
        info["body"] = _text_of(mail)
    except Exception:  # noqa: BLE001
        info["body"] = ""
    return info


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo"


def _header_message_id(raw: bytes) -> str:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    return clean_text(_header(parsed, "Message-ID"), 300, single_line=True)


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_mailbox(mailbox: Mailbox) -> tuple[IngestReport | None, str]:
    """Read one mailbox, isolated: any failure is recorded in `last_error`, not raised."""
    try:
        report = ingest_mailbox(mailbox)
        metrics.MAILBOX_RUNS.labels("ok").inc()
        return report, ""
    except Exception as exc:  # noqa: BLE001 - one mailbox must not stop the others
        metrics.MAILBOX_RUNS.labels("error").inc()
        if isinstance(exc, IngestionError):
            error = clean_text(str(exc), 2000)
        else:
            logger.exception("mailbox failed", extra={"mailbox": mailbox.pk})
            error = clean_text(f"Relève interrompue ({type(exc).__name__}) : {exc}", 2000)
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=error)
        logger.warning("mailbox failed", extra={"mailbox": mailbox.pk, "error": error})
        return None, error


def describe_report(report: IngestReport) -> str:
    text = (
        f"{count(len(report.created), 'créé', 'créés')}, "
        f"{count(len(report.joined), 'rattaché', 'rattachés')}, "
        f"{count(report.skipped, 'ignoré', 'ignorés')}, "
        f"{count(report.duplicates, 'déjà enregistré', 'déjà enregistrés')}"
    )
    if report.quarantined:
        text += f", {count(report.quarantined, 'courriel', 'courriels')} à vérifier"
    return text


def ingest_all_mailboxes() -> dict[str, str]:
    """The scheduled job: every active mailbox, each isolated from the others (its own
    connection and per-mail transactions; a failure is recorded on that mailbox only)."""
    results = {}
    for mailbox in Mailbox.objects.filter(is_active=True).select_related(
        "prefecture", "site", "service"
    ):
        report, error = fetch_mailbox(mailbox)
        results[mailbox.label] = f"erreur : {error}" if report is None else describe_report(report)
    return results


# Quarantine, resolved by the référent ------------------------------------------------------


def register_quarantined(
    item: QuarantinedMail,
    *,
    actor,
    kind: str,
    sender_name: str,
    sender_email: str,
    sender_address: str,
    subject: str,
    body: str,
) -> Message:
    """Register a mail "à vérifier" by hand, with what the référent checked or typed."""
    from .messages import RegisterError

    with transaction.atomic():
        item = QuarantinedMail.objects.select_for_update().select_related("mailbox").get(pk=item.pk)
        if item.status != QuarantineStatus.PENDING:
            raise IngestionError("Ce courriel a déjà été traité.")
        mailbox = item.mailbox
        raw = read_raw(item)
        mail = None
        if raw:
            try:
                mail = email.message_from_bytes(raw, policy=email.policy.default)
            except Exception:  # noqa: BLE001
                mail = None
        attachments = []
        if mail is not None:
            try:
                attachments = _attachments(mail)
            except Exception:  # noqa: BLE001 - the text matters more than a broken part
                attachments = []
        try:
            message = create_message(
                mailbox.prefecture,
                site=mailbox.site,
                service=mailbox.service,
                channel=Channel.EMAIL,
                kind=kind,
                received_on=_received_on(mail) if mail is not None else timezone.localdate(),
                actor=actor,
                sender_name=clean_text(sender_name, 200, single_line=True),
                sender_email=clean_text(sender_email, 254, single_line=True),
                sender_address=clean_text(sender_address, 2000),
                subject=clean_text(subject, 300, single_line=True),
                body=clean_text(body, MAX_BODY),
                attachments=attachments,
                mailbox=mailbox,
                email_message_id=item.header_message_id,
            )
        except RegisterError as exc:
            raise IngestionError(str(exc)) from exc
        _resolve(item, QuarantineStatus.REGISTERED, actor, message=message)
        IngestedMail.objects.filter(
            mailbox=mailbox, uidvalidity=item.uidvalidity, uid=item.uid
        ).update(message=message)
    return message


def discard_quarantined(item: QuarantinedMail, *, actor) -> QuarantinedMail:
    """Set a mail "à vérifier" aside (spam, empty): its raw copy is deleted."""
    with transaction.atomic():
        item = QuarantinedMail.objects.select_for_update().get(pk=item.pk)
        if item.status != QuarantineStatus.PENDING:
            raise IngestionError("Ce courriel a déjà été traité.")
        _resolve(item, QuarantineStatus.DISCARDED, actor)
    return item


def read_raw(item: QuarantinedMail) -> bytes:
    if not item.raw:
        return b""
    try:
        with item.raw.open("rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _resolve(item: QuarantinedMail, status: str, actor, *, message: Message | None = None):
    """Close a quarantined mail; the raw copy goes (the server keeps the original)."""
    name = item.raw.name if item.raw else ""
    item.status = status
    item.message = message
    item.resolved_by = actor
    item.resolved_at = timezone.now()
    item.raw = ""
    item.save(update_fields=["status", "message", "resolved_by", "resolved_at", "raw"])
    if name:
        storage = QuarantinedMail._meta.get_field("raw").storage
        transaction.on_commit(lambda: storage.delete(name))


RESOLVED_QUARANTINE_RETENTION = timedelta(days=30)


def purge_quarantine() -> int:
    """Daily: forget mails "à vérifier" resolved more than 30 days ago (the registered
    message or the server's copy remains); pending ones wait for a person."""
    limit = timezone.now() - RESOLVED_QUARANTINE_RETENTION
    return forget_quarantined(QuarantinedMail.objects.filter(resolved_at__lt=limit))


def forget_quarantined(mails) -> int:
    """Delete these mails "à vérifier" once resolved (registered or discarded); pending ones
    wait for a person. The one way of the daily purge and of an erasure on request."""
    count, _ = mails.exclude(status=QuarantineStatus.PENDING).delete()
    return count

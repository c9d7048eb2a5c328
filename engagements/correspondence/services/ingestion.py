"""Mailbox ingestion: read each IMAP mailbox, register new mail, never delete anything.

Idempotent twice over: (mailbox, UIDVALIDITY, UID) is recorded for every message seen, and
a Message-ID already in the register is not registered again (the same mail may reach two
mailboxes). Auto-replies and bounces are skipped; a reply quoting a reference in its
subject joins that message. Processed mail is flagged \\Seen (or moved when configured).
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from engagements.organisation.enums import Channel
from engagements.words import count

from ..enums import EventKind, IngestOutcome, Kind
from ..models import Answer, IngestedMail, Mailbox, Message
from .messages import add_attachment, create_message, log_event

logger = logging.getLogger(__name__)

REFERENCE_IN_SUBJECT = re.compile(r"\b(20\d\d-\d{6})\b")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
ALLOWED_ATTACHMENT_TYPES = {"application/pdf", "image/jpeg", "image/png"}
MAX_ATTACHMENT = 10 * 1024 * 1024


class IngestionError(Exception):
    """The mailbox could not be read (connection, login, folder)."""


@dataclass
class IngestReport:
    created: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)
    skipped: int = 0
    duplicates: int = 0
    already_seen: int = 0


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
    sender = parseaddr(str(mail.get("From") or ""))[1].lower()
    return sender.startswith(("mailer-daemon@", "postmaster@")) or not sender


def _text_of(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_type() == "text/html":
        from django.utils.html import strip_tags

        content = strip_tags(content)
    return content.strip()


def _attachments(mail: EmailMessage) -> list[ContentFile]:
    files = []
    for part in mail.iter_attachments():
        if part.get_content_type() not in ALLOWED_ATTACHMENT_TYPES:
            continue
        payload = part.get_payload(decode=True) or b""
        if not payload or len(payload) > MAX_ATTACHMENT:
            continue
        upload = ContentFile(payload, name=(part.get_filename() or "piece-jointe")[:150])
        upload.content_type = part.get_content_type()
        files.append(upload)
    return files


def _received_on(mail: EmailMessage) -> date:
    """The Date header's day, never later than today (a wrong clock cannot delay a due date)."""
    today = timezone.localdate()
    try:
        when = parsedate_to_datetime(str(mail.get("Date")))
    except (TypeError, ValueError):
        return today
    day = when.date() if when.tzinfo is None else timezone.localtime(when).date()
    return min(day, today)


def _thread_of(prefecture, mail: EmailMessage, subject: str) -> Message | None:
    """The message this mail follows up: a reference in the subject, or a reply to one of
    our answers or acknowledgements (In-Reply-To/References)."""
    found = REFERENCE_IN_SUBJECT.search(subject)
    if found:
        original = Message.objects.filter(prefecture=prefecture, reference=found.group(1)).first()
        if original is not None:
            return original
    ids = MESSAGE_ID.findall(f"{mail.get('In-Reply-To') or ''} {mail.get('References') or ''}")
    if ids:
        answer = (
            Answer.objects.filter(message__prefecture=prefecture, email_message_id__in=ids)
            .select_related("message")
            .first()
        )
        if answer is not None:
            return answer.message
    return None


def ingest_mail(mailbox: Mailbox, raw: bytes) -> tuple[str, Message | None]:
    """Register one raw mail for a mailbox; returns (outcome, message)."""
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    message_id = str(mail.get("Message-ID") or "").strip()
    if is_automatic(mail):
        return IngestOutcome.SKIPPED, None
    prefecture = mailbox.prefecture
    if message_id:
        existing = Message.objects.filter(prefecture=prefecture, email_message_id=message_id)
        if existing.exists():
            return IngestOutcome.DUPLICATE, existing.first()
    subject = str(mail.get("Subject") or "").strip()
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
    name, address = parseaddr(str(mail.get("From") or ""))
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
        body=_text_of(mail)[:50000],
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
    """Read one mailbox and register what is new."""
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
        seen = set(
            IngestedMail.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity).values_list(
                "uid", flat=True
            )
        )
        for uid in uids:
            if uid in seen:
                report.already_seen += 1
                continue
            _typ, fetched = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
            if raw is None:
                continue
            try:
                with transaction.atomic():
                    outcome, message = ingest_mail(mailbox, raw)
                    IngestedMail.objects.create(
                        mailbox=mailbox,
                        uidvalidity=uidvalidity,
                        uid=uid,
                        header_message_id=_header_message_id(raw),
                        outcome=outcome,
                        message=message,
                    )
            except IntegrityError:
                # Another worker registered this UID at the same time: nothing to do.
                report.already_seen += 1
                continue
            if outcome == IngestOutcome.CREATED:
                report.created.append(message.reference)
            elif outcome == IngestOutcome.JOINED:
                report.joined.append(message.reference)
            elif outcome == IngestOutcome.DUPLICATE:
                report.duplicates += 1
            else:
                report.skipped += 1
            # Never delete: flag as read, or move to the processed folder when configured.
            client.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
            if mailbox.processed_folder:
                client.uid("MOVE", str(uid), _quote(mailbox.processed_folder))
        Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error="")
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return report


def _header_message_id(raw: bytes) -> str:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    return str(parsed.get("Message-ID") or "")[:300]


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ingest_all_mailboxes() -> dict[str, str]:
    """The scheduled job: every active mailbox; one failing mailbox does not stop the others."""
    results = {}
    for mailbox in Mailbox.objects.filter(is_active=True).select_related(
        "prefecture", "site", "service"
    ):
        try:
            report = ingest_mailbox(mailbox)
        except IngestionError as exc:
            Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(exc)[:2000])
            logger.warning("mailbox failed", extra={"mailbox": mailbox.pk, "error": str(exc)})
            results[mailbox.label] = f"erreur : {exc}"
            continue
        results[mailbox.label] = (
            f"{count(len(report.created), 'créé', 'créés')}, "
            f"{count(len(report.joined), 'rattaché', 'rattachés')}, "
            f"{count(report.skipped, 'ignoré', 'ignorés')}, "
            f"{count(report.duplicates, 'déjà enregistré', 'déjà enregistrés')}"
        )
    return results

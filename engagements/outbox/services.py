"""The one door for every e-mail and SMS sent after a write.

`queue_mail` / `queue_sms` render the message now (so what is recorded is what is sent, in
the person's language) and write a `Delivery` row in the caller's transaction. On a hot
path (a booking) the writer only says which mail is owed (`owe_mail`, or
`owed_mail_insert` inside the writer's own statement): a row with the templates' prefix
and no body, rendered by the worker from its record (a context builder the owning app
registers with `register_mail_context`) and stored before it is sent, so a retry sends
the same text. Nothing is queued per mail: the outbox worker (`manage.py outbox_worker`)
sends what is due every `OUTBOX_POLL_SECONDS` (`work`), and the job worker's
`deliver_due` every minute is the safety net; with `OUTBOX_DELIVER_AT_COMMIT` (tests) the
writing process delivers right after commit instead. A request therefore never fails
because a mail or SMS provider does: a transient failure is retried with backoff (first
retry after 30 s), a permanent one (an address the server refuses, an address that cannot
be encoded, a record gone before its mail was written) or the last retry marks it "envoi
en échec", visible on its record and on the référent's home, where `resend` puts it back
in the queue. Each sender claims a row by a conditional UPDATE, so two workers never send
it twice; a row left "sending" by a killed worker goes back to the queue after ten
minutes (at worst one duplicate, never a lost mail).

Once the mail server has accepted a mail, recording it as sent comes before anything else
and survives a lost database connection (reconnect and retry); only if the database stays
away is the row left "sending": its retry then carries the same Message-ID (mail clients
show one mail) and says so in its `last_error`, logged as a warning.
"""

from __future__ import annotations

import functools
import json
import logging
import smtplib
import time as clock
from collections.abc import Callable
from datetime import datetime, time, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from engagements.db import json_row, json_text, row_columns
from engagements.mail import build_mail, is_deliverable_address, sender_named
from engagements.organisation.models import Prefecture

from . import signals
from .enums import Kind, Status
from .models import Attachment, Delivery

logger = logging.getLogger(__name__)

# Delay before attempt n+1 after n failed attempts; after the last, the delivery has failed.
BACKOFF = [
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
]
MAX_ATTEMPTS = len(BACKOFF) + 1
STALE_CLAIM = timedelta(minutes=10)
# Pauses between the attempts to record an accepted mail when the database is away.
RECORD_RETRIES = (0.2, 1.0, 3.0)
INTERRUPTED = (
    "envoi interrompu (connexion perdue après l'envoi ?) : nouvel essai avec le même "
    "Message-ID, le destinataire peut le recevoir deux fois"
)
SENT_AFTER_INTERRUPTION = (
    "envoyé après un envoi interrompu : peut-être reçu deux fois (même Message-ID)"
)
# No SMS between these local hours: a day-before reminder at midnight wakes people up.
SMS_QUIET_START = time(20, 0)
SMS_QUIET_END = time(9, 0)


class OutboxError(Exception):
    """A delivery cannot be queued or resent; the message is in French."""


class PermanentFailure(Exception):
    """Retrying will not help (refused or unencodable address)."""


def validate_address(address: str) -> str:
    """An address the mail server will accept: syntax and IDNA-encodable domain."""
    address = (address or "").strip()
    if not is_deliverable_address(address):
        raise OutboxError(f"L'adresse électronique « {address} » n'est pas valide.")
    return address


def _record_fields(record) -> dict:
    if record is None:
        return {}
    return {
        "record_type": ContentType.objects.get_for_model(record, for_concrete_model=False),
        "record_id": record.pk,
    }


def _message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "engagements.test"
    return make_msgid(domain=domain)


def queue_mail(
    prefix: str,
    context: dict,
    to: list[str],
    *,
    prefecture=None,
    record=None,
    purpose: str = "",
    language: str | None = None,
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> Delivery:
    """Render a templated e-mail and queue it for delivery after commit."""
    recipients = [validate_address(a) for a in to]
    if from_email is None and getattr(prefecture, "name", ""):
        from_email = sender_named(prefecture.name)
    message = build_mail(
        prefix,
        context,
        recipients,
        from_email=from_email,
        reply_to=reply_to,
        headers=headers,
        attachments=attachments,
        language=language,
    )
    html = next((c for c, m in message.alternatives if m == "text/html"), "")
    extra = dict(message.extra_headers)
    message_id = extra.pop("Message-ID", None) or _message_id()
    return _queue(
        Kind.EMAIL,
        prefecture=prefecture,
        record=record,
        purpose=purpose or prefix,
        to=recipients,
        from_email=message.from_email,
        reply_to=list(message.reply_to or []),
        subject=message.subject,
        body=message.body,
        html=html,
        headers=extra,
        message_id=message_id,
        attachments=attachments or [],
    )


def queue_sms(
    phone: str,
    text: str,
    *,
    prefecture=None,
    record=None,
    purpose: str = "",
    quiet_hours: bool = True,
    now: datetime | None = None,
) -> Delivery:
    """Queue an SMS; outside 09:00–20:00 local time it waits for the morning. It is written
    by engagements.sms.one_sms: in one GSM-7 message (plain typography, letters
    transliterated, cut before its link as a last resort), or with no GSM writing (Arabic)
    in at most two UCS-2 parts; callers shorten their own parts first. What is stored is
    what is sent."""
    from engagements import sms

    try:
        text = sms.one_sms(text)
    except sms.DoesNotFit:
        # No GSM writing and longer than two UCS-2 parts (a caller that did not shorten its
        # Arabic text): sent whole rather than cut, in as many parts as it takes.
        text = sms.plain_typography(text)
        logger.warning(
            "SMS in more than two UCS-2 parts",
            extra={"purpose": purpose, "parts": sms.sms_parts(text)},
        )
    now = now or timezone.now()
    not_before = next_sms_time(now) if quiet_hours else now
    return _queue(
        Kind.SMS,
        prefecture=prefecture,
        record=record,
        purpose=purpose,
        to=[phone],
        body=text,
        not_before=not_before,
    )


def next_sms_time(now: datetime) -> datetime:
    """`now` when inside the day window, else the next 09:00 local time."""
    local = timezone.localtime(now)
    if SMS_QUIET_END <= local.time() < SMS_QUIET_START:
        return now
    day = local.date() if local.time() < SMS_QUIET_END else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, SMS_QUIET_END))


# Context builders of owed mails, by templates' prefix (filled by the owning apps' ready()).
_MAIL_CONTEXTS: dict[str, Callable[[Delivery], dict | None]] = {}


def register_mail_context(prefix: str, builder: Callable[[Delivery], dict | None]) -> None:
    """Declare how to render the owed mails whose templates start with `prefix`: `builder`
    gets the delivery (its record, template, language) and returns the templates' context,
    or None when the record is gone (the delivery then fails, visibly)."""
    _MAIL_CONTEXTS[prefix] = builder


def _mail_context_builder(template: str) -> Callable[[Delivery], dict | None] | None:
    matches = [prefix for prefix in _MAIL_CONTEXTS if template.startswith(prefix)]
    return _MAIL_CONTEXTS[max(matches, key=len)] if matches else None


def _owed_values(template, to, *, prefecture_id, purpose, language, now) -> dict:
    """The values (by attribute) of the row saying `template` is owed to `to`, checked: the
    template has a writer and each address is deliverable. `owe_mail` and
    `owed_mail_insert` write the same row from them."""
    if _mail_context_builder(template) is None:
        raise OutboxError(f"Aucun rédacteur déclaré pour le modèle « {template} ».")
    return {
        "kind": Kind.EMAIL,
        "prefecture_id": prefecture_id,
        "purpose": purpose or template,
        "to": [validate_address(a) for a in to],
        "template": template,
        "language": language,
        "next_attempt_at": now,
        "created_at": now,
    }


def owe_mail(
    template: str,
    to: list[str],
    *,
    prefecture=None,
    record=None,
    purpose: str = "",
    language: str = "fr",
) -> Delivery:
    """Write, in the caller's transaction, that the mail `template` about `record` is owed
    to `to`: the worker renders it (register_mail_context) and sends it."""
    delivery = Delivery(
        **_owed_values(
            template,
            to,
            prefecture_id=getattr(prefecture, "pk", prefecture),
            purpose=purpose,
            language=language,
            now=timezone.now(),
        ),
        **_record_fields(record),
    )
    delivery.save(force_insert=True)
    deliver_soon(delivery.pk)
    return delivery


def owed_mail_insert(
    source: str,
    template: str,
    to: list[str],
    *,
    prefecture_id: int | None,
    record_model,
    purpose: str = "",
    language: str = "fr",
    now: datetime | None = None,
) -> tuple[str, list]:
    """(SQL, parameters) of an `INSERT … RETURNING id` writing an owed mail for the row
    whose `id` the query named `source` returns: for a writer that makes its record and
    its mail in one PostgreSQL statement (a data-modifying WITH). The caller runs
    `deliver_soon` with the id it gets back. The same row as `owe_mail` writes, built
    without a model instance (a booking's hot path)."""
    values = _owed_values(
        template,
        to,
        prefecture_id=prefecture_id,
        purpose=purpose,
        language=language,
        now=now or timezone.now(),
    )
    record_type = ContentType.objects.get_for_model(record_model, for_concrete_model=False)
    row = _owed_row() | values | {"record_type_id": record_type.pk}
    return _owed_mail_sql(source), [json_text(row)]


@functools.cache
def _owed_row() -> dict:
    """The columns of an owed e-mail's row as JSON values, each at its model default
    (the caller sets the rest)."""
    fields = row_columns(Delivery, exclude=("record_id",))[0]
    blank = Delivery(kind=Kind.EMAIL, created_at=timezone.now())
    return json.loads(json_row(blank, fields))


@functools.cache
def _owed_mail_sql(source: str) -> str:
    columns = row_columns(Delivery, exclude=("record_id",))[1]
    table = Delivery._meta.db_table
    return (
        f"INSERT INTO {table} ({columns}, record_id) SELECT {columns}, {source}.id "
        f"FROM {source}, jsonb_populate_record(NULL::{table}, %s::jsonb) AS r RETURNING id"
    )


def deliver_soon(delivery_pk: int) -> None:
    """Nothing to do but in tests: the outbox worker polls for due rows. With
    OUTBOX_DELIVER_AT_COMMIT this process delivers the row right after commit."""
    if getattr(settings, "OUTBOX_DELIVER_AT_COMMIT", False):
        transaction.on_commit(lambda: deliver(delivery_pk))


def _queue(kind, *, prefecture, record, attachments=(), not_before=None, **fields) -> Delivery:
    now = timezone.now()
    # No savepoint inside the caller's transaction (two round trips less per message): a
    # failure here fails the caller's write too, which is what queuing in it means.
    with transaction.atomic(savepoint=False):
        delivery = Delivery.objects.create(
            kind=kind,
            prefecture=prefecture,
            next_attempt_at=not_before or now,
            **_record_fields(record),
            **fields,
        )
        if attachments:
            Attachment.objects.bulk_create(
                Attachment(delivery=delivery, filename=name, mimetype=mime, content=content)
                for name, content, mime in attachments
            )
    if delivery.next_attempt_at <= now:
        deliver_soon(delivery.pk)
    return delivery


def deliver(delivery_pk: int, *, now: datetime | None = None) -> str | None:
    """Claim one due delivery and send it; returns its new status (None if not claimed)."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_pk, status=Status.PENDING, next_attempt_at__lte=now
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return None  # sent, failed, not yet due, or claimed by another worker
    delivery = Delivery.objects.get(pk=delivery_pk)
    try:
        if delivery.template and not delivery.body:
            _render_owed(delivery)
        if delivery.kind == Kind.SMS:
            _send_sms(delivery)
        else:
            _send_mail(delivery)
    except PermanentFailure as exc:
        return _failed(delivery, str(exc), now=now, final=True)
    except Exception as exc:  # noqa: BLE001 - any provider error is retried, never raised
        return _failed(delivery, f"{type(exc).__name__}: {exc}", now=now, final=False)
    # A retry after an interrupted send stays marked on the row (maybe received twice).
    note = SENT_AFTER_INTERRUPTION if delivery.last_error == INTERRUPTED else ""
    if not _record_sent(delivery.pk, note):
        return None  # left "sending": its retry is visible (INTERRUPTED) and keeps the ID
    delivery.refresh_from_db()
    _notify(signals.delivery_sent, delivery)
    return Status.SENT


def _render_owed(delivery: Delivery) -> None:
    """Write an owed mail from its record and store it (a retry sends the same text)."""
    builder = _mail_context_builder(delivery.template)
    context = builder(delivery) if builder else None
    if context is None:
        raise PermanentFailure(
            f"RecordGone: nothing to write {delivery.template} from (record "
            f"{delivery.record_type_id}/{delivery.record_id})"
        )
    message = build_mail(
        delivery.template,
        context,
        delivery.to,
        language=delivery.language or None,
        from_email=_sender_of(delivery),
    )
    extra = dict(message.extra_headers)
    rendered = {
        "from_email": message.from_email,
        "reply_to": list(message.reply_to or []),
        "subject": message.subject,
        "body": message.body,
        "html": next((c for c, m in message.alternatives if m == "text/html"), ""),
        "headers": extra,
        "message_id": extra.pop("Message-ID", None) or _message_id(),
    }
    Delivery.objects.filter(pk=delivery.pk).update(**rendered)
    for name, value in rendered.items():
        setattr(delivery, name, value)


def _sender_of(delivery: Delivery) -> str | None:
    """The sender of an owed mail: its prefecture's name (the configured one without)."""
    if not delivery.prefecture_id:
        return None
    name = (
        Prefecture.objects.filter(pk=delivery.prefecture_id).values_list("name", flat=True).first()
    )
    return sender_named(name) if name else None


def _record_sent(delivery_pk: int, note: str = "") -> bool:
    """Record an accepted delivery as sent, first thing, through a lost connection."""
    for pause in (*RECORD_RETRIES, None):
        try:
            Delivery.objects.filter(pk=delivery_pk).update(
                status=Status.SENT, sent_at=timezone.now(), last_error=note
            )
            return True
        except (OperationalError, InterfaceError) as exc:
            if pause is None:
                logger.error(
                    "delivery accepted but not recorded",
                    extra={"delivery": delivery_pk, "error": str(exc)},
                )
                return False
            logger.warning("recording a sent delivery: database away, retrying")
            if not connection.in_atomic_block:
                connection.close()  # the next query opens a fresh connection
            clock.sleep(pause)
    return False


def _failed(delivery: Delivery, error: str, *, now: datetime, final: bool) -> str:
    final = final or delivery.attempts >= MAX_ATTEMPTS
    status = Status.FAILED if final else Status.PENDING
    next_attempt = now if final else now + BACKOFF[delivery.attempts - 1]
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, last_error=error[:2000], next_attempt_at=next_attempt
    )
    logger.warning(
        "delivery failed",
        extra={"delivery": delivery.pk, "attempt": delivery.attempts, "final": final},
    )
    if final:
        delivery.refresh_from_db()
        _notify(signals.delivery_failed, delivery)
    return status


def _notify(signal, delivery: Delivery) -> None:
    # A receiver's bug must not turn a sent mail into a retried (duplicate) one.
    for receiver, result in signal.send_robust(sender=Delivery, delivery=delivery):
        if isinstance(result, Exception):
            logger.error(
                "outbox receiver failed",
                extra={"receiver": repr(receiver), "error": repr(result)},
            )


def _send_mail(delivery: Delivery) -> None:
    headers = dict(delivery.headers)
    if not delivery.message_id:
        # Kept before sending: a retry of this delivery carries the same Message-ID.
        delivery.message_id = _message_id()
        Delivery.objects.filter(pk=delivery.pk).update(message_id=delivery.message_id)
    headers["Message-ID"] = delivery.message_id
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body,
        from_email=delivery.from_email or settings.DEFAULT_FROM_EMAIL,
        to=delivery.to,
        reply_to=delivery.reply_to or None,
        headers=headers,
        connection=get_connection(fail_silently=False),
    )
    if delivery.html:
        message.attach_alternative(delivery.html, "text/html")
    for attachment in delivery.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    try:
        message.send()
    except (smtplib.SMTPRecipientsRefused, UnicodeError, ValueError) as exc:
        raise PermanentFailure(f"{type(exc).__name__}: {exc}") from exc


def _send_sms(delivery: Delivery) -> None:
    from engagements.sms import send_sms

    send_sms(delivery.to[0], delivery.body)


def deliver_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Scheduled every minute: deliver what is due (retries, lost jobs). Returns sent count."""
    now = now or timezone.now()
    interrupted = Delivery.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=Status.PENDING, last_error=INTERRUPTED)
    if interrupted:
        logger.warning("interrupted deliveries retried", extra={"count": interrupted})
    due = list(
        Delivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if deliver(pk, now=now) == Status.SENT)


def work(*, every: float | None = None, once: bool = False, stop=lambda: False) -> int:
    """The outbox worker's loop (`manage.py outbox_worker`): send what is due, then look
    again after `every` seconds (OUTBOX_POLL_SECONDS) when nothing was. Returns the count
    sent. Any number of workers may run: each row is claimed by one."""
    every = settings.OUTBOX_POLL_SECONDS if every is None else every
    sent = 0
    while not stop():
        try:
            done = deliver_due()
        except (OperationalError, InterfaceError):
            logger.warning("outbox worker: database away, retrying")
            connection.close()
            done = 0
        sent += done
        if once:
            break
        if not done:
            clock.sleep(every)
    return sent


def resend(delivery: Delivery, *, actor) -> Delivery:
    """Put a failed delivery back in the queue (an agent's "Renvoyer" button)."""
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery.pk, status=Status.FAILED).update(
            status=Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        if updated != 1:
            raise OutboxError("Cet envoi n'est pas en échec : il n'y a rien à renvoyer.")
        logger.info("delivery resent", extra={"delivery": delivery.pk, "actor": actor.pk})
        deliver_soon(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def resend_among(deliveries, pk: int, *, actor) -> tuple[bool, str]:
    """Resend delivery `pk` of `deliveries` (a queryset the caller scoped to what the agent
    may see; Http404 when it is not among them): (done, message for the agent)."""
    from django.shortcuts import get_object_or_404

    delivery = get_object_or_404(deliveries, pk=pk)
    try:
        resend(delivery, actor=actor)
    except OutboxError as exc:
        return False, str(exc)
    return True, f"Envoi relancé vers {', '.join(delivery.to)}."


# Deliveries hold addresses and texts: kept long enough to show on their record, then gone.
SENT_RETENTION = timedelta(days=90)
FAILED_RETENTION = timedelta(days=365)


def forget_deliveries(model, record_ids) -> int:
    """Delete the e-mails and SMS of records whose personal details were just purged: their
    addresses and texts (which name the person) go with them, whatever the age of the
    delivery (a failed one is otherwise kept a year). One in flight is left to finish."""
    record_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    deleted, _ = (
        Delivery.objects.filter(record_type=record_type, record_id__in=record_ids)
        .exclude(status=Status.SENDING)
        .delete()
    )
    return deleted


def purge_old(*, now: datetime | None = None) -> int:
    """Daily housekeeping: delete sent deliveries after 90 days, failed ones after a year."""
    now = now or timezone.now()
    deleted, _ = Delivery.objects.filter(
        status=Status.SENT, created_at__lt=now - SENT_RETENTION
    ).delete()
    failed, _ = Delivery.objects.filter(
        status=Status.FAILED, created_at__lt=now - FAILED_RETENTION
    ).delete()
    return deleted + failed

"""Booking use cases: seats, holds, rules, book, confirm, cancel, reschedule."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from engagements import metrics, states
from engagements.db import build
from engagements.outbox.services import OutboxError, validate_address
from engagements.shell.content_language import long_date

from .. import notifications, rules
from ..enums import (
    ACTIVE_STATUSES,
    BOOKING_TRANSITIONS,
    BookingStatus,
    Channel,
    NoShowPolicy,
)
from ..models import (
    HOLD_MINUTES,
    Booking,
    BookingDocumentWait,
    BookingLog,
    Procedure,
    Slot,
    identity_hash,
    normalise_email,
    normalise_foreign_number,
    normalise_phone,
)
from . import seats, slot_read

logger = logging.getLogger(__name__)
PRIORITY_EXPIRY_DAYS = 61  # "permit expires within 2 months"
OFFER_HOURS = 24


class BookingError(Exception):
    """A booking could not be made or changed; `message` is shown to the person (French,
    translated when the page is in English)."""

    def __init__(self, message: str, code: str = "invalid", existing: Booking | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.existing = existing


@dataclass
class Person:
    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    foreign_number: str = ""
    permit_expires_on: date | None = None
    answers: dict = field(default_factory=dict)


def log_event(booking: Booking, old: str, new: str, actor=None, note: str = "") -> None:
    BookingLog.objects.create(
        booking=booking, from_status=old, to_status=new, actor=actor, note=note[:300]
    )


def change_status(booking: Booking, new: str, *, actor=None, note: str = "", now=None) -> str:
    """Move a booking (already locked) to `new` with its timestamp and log row; raises on an
    illegal transition (table in enums.BOOKING_TRANSITIONS). Returns the old status."""
    old = booking.status
    now = now or timezone.now()
    fields = []
    if new == BookingStatus.CONFIRMED:
        booking.confirmed_at = now
        fields.append("confirmed_at")
    elif new in (BookingStatus.CANCELLED_BY_USER, BookingStatus.CANCELLED_BY_SERVICE):
        booking.cancelled_at = now
        fields.append("cancelled_at")
    elif new in (BookingStatus.ATTENDED, BookingStatus.LATE):
        booking.checked_in_at = booking.checked_in_at or now
        fields.append("checked_in_at")
    states.transition(
        booking,
        new,
        table=BOOKING_TRANSITIONS,
        actor=actor,
        log_model=BookingLog,
        update_fields=fields,
        subject="Ce rendez-vous",
        error=lambda message: BookingError(message, "transition"),
        booking=booking,
        note=note[:300],
    )
    return old


def release_expired_holds(*, now: datetime | None = None, slot: Slot | None = None) -> int:
    """Expire unconfirmed holds past their 15 minutes and give their seats back."""
    now = now or timezone.now()
    holds = Booking.objects.filter(status=BookingStatus.HELD, hold_expires_at__lt=now)
    if slot is not None:
        holds = holds.filter(slot=slot)
    released = 0
    for pk, slot_id in holds.values_list("pk", "slot_id"):
        with transaction.atomic():
            # Claim: only the worker whose UPDATE changed the row frees the seat.
            if Booking.objects.filter(pk=pk, status=BookingStatus.HELD).update(
                status=BookingStatus.EXPIRED
            ):
                seats.give_back_seat(slot_id)
                BookingLog.objects.create(
                    booking_id=pk,
                    from_status=BookingStatus.HELD,
                    to_status=BookingStatus.EXPIRED,
                    note="Lien de confirmation non utilisé à temps",
                )
                released += 1
    return released


def sweep_expired_holds() -> int:
    """Scheduled every minute."""
    return release_expired_holds()


# --- rules ---------------------------------------------------------------------------------


def is_priority_person(permit_expires_on: date | None, today: date) -> bool:
    return bool(
        permit_expires_on and permit_expires_on <= today + timedelta(days=PRIORITY_EXPIRY_DAYS)
    )


def check_public_rules(slot: Slot, *, now: datetime, permit_expires_on: date | None = None) -> None:
    """The online booking window, renewal window and priority share (rules.public_refusal,
    the rule the week page shows)."""
    reason = rules.public_refusal(
        slot,
        now,
        priority_person=is_priority_person(permit_expires_on, timezone.localdate(now)),
    )
    if reason:
        raise BookingError(rules.refusal_message(reason), rules.refusal_code(reason))


def check_renewal_window(procedure: Procedure, slot: Slot, expires: date | None) -> None:
    if not procedure.requires_permit_expiry:
        return
    if expires is None:
        raise BookingError(_("Indiquez la date d'expiration de votre titre."), "invalid")
    day = timezone.localtime(slot.starts_at).date()
    earliest, latest = renewal_window(procedure, expires)
    if not earliest <= day <= latest:
        raise BookingError(renewal_window_text(earliest, latest), "renewal_window")


def renewal_window(procedure: Procedure, expires: date) -> tuple[date, date]:
    """The first and last days a renewal appointment may take place, from the expiry date."""
    return (
        expires - timedelta(days=procedure.renewal_from_days),
        expires - timedelta(days=procedure.renewal_until_days),
    )


def check_renewal_window_not_over(procedure: Procedure, expires: date, *, today: date) -> None:
    """Asked for the expiry date up front: a window that has entirely passed leaves nothing
    to book, so the date is refused there rather than on an empty week."""
    _earliest, latest = renewal_window(procedure, expires)
    if latest >= today:
        return
    if expires < today:
        message = _(
            "Votre titre a expiré le %(expiry)s : la période de renouvellement est terminée et "
            "ce rendez-vous ne peut plus être pris en ligne. Vérifiez la date ; si elle est "
            "juste, contactez la préfecture pour savoir quoi faire."
        ) % {"expiry": long_date(expires)}
    else:
        message = _(
            "Avec cette date d'expiration, la période de renouvellement s'est terminée le "
            "%(end)s et ce rendez-vous ne peut plus être pris en ligne. Vérifiez la date ; si "
            "elle est juste, contactez la préfecture pour savoir quoi faire."
        ) % {"end": long_date(latest)}
    raise BookingError(message, "renewal_window_over")


def renewal_window_text(earliest: date, latest: date) -> str:
    """The renewal window as the person reads it (booking refusal and week page)."""
    return _(
        "Pour un renouvellement, le rendez-vous doit avoir lieu entre le %(start)s et le %(end)s."
    ) % {"start": long_date(earliest), "end": long_date(latest)}


def _identity_filter(email_key: str, phone_key: str, foreign_key: str) -> Q | None:
    condition = Q()
    for name, value in (
        ("email_key", email_key),
        ("phone_key", phone_key),
        ("foreign_number_key", foreign_key),
    ):
        if value:
            condition |= Q(**{name: value})
    return condition or None


def existing_active_booking(procedure: Procedure, person: Person) -> Booking | None:
    condition = _identity_filter(
        normalise_email(person.email),
        normalise_phone(person.phone),
        normalise_foreign_number(person.foreign_number),
    )
    if condition is None:
        return None
    return (
        Booking.objects.filter(procedure=procedure, status__in=ACTIVE_STATUSES)
        .filter(condition)
        .first()
    )


def _no_show_condition(person: Person) -> Q | None:
    # Matched on the keyed hashes: the look-back (6 months) is longer than the retention
    # of personal details (3 months), and the purge keeps the hashes only.
    condition = Q()
    for name, kind, key in (
        ("email_hash", "email", normalise_email(person.email)),
        ("phone_hash", "phone", normalise_phone(person.phone)),
        ("foreign_number_hash", "foreign_number", normalise_foreign_number(person.foreign_number)),
    ):
        if key:
            condition |= Q(**{name: identity_hash(kind, key)})
    return condition or None


def _no_show_filter(procedure: Procedure, person: Person, now: datetime) -> Q | None:
    if procedure.no_show_policy == NoShowPolicy.NONE:
        return None
    condition = _no_show_condition(person)
    if condition is None:
        return None
    return (
        Q(
            procedure__prefecture_id=procedure.prefecture_id,
            status=BookingStatus.NO_SHOW,
            slot__starts_at__gte=now - timedelta(days=procedure.no_show_period_days),
        )
        & condition
    )


def _no_show_verdict(procedure: Procedure, no_shows: list[datetime], now: datetime):
    if len(no_shows) < procedure.no_show_limit:
        return False, ""
    if procedure.no_show_policy == NoShowPolicy.CONFIRM_DAY_BEFORE:
        return True, ""
    if not no_shows:
        # A limit of 0 under the wait policy (saved before the form refused it): there is
        # no absence to wait after.
        return False, ""
    until = max(no_shows) + timedelta(weeks=procedure.no_show_wait_weeks)
    if now < until:
        return False, _(
            "Vous avez manqué %(count)s rendez-vous ces derniers mois sans prévenir : "
            "vous pourrez réserver à nouveau à partir du %(date)s. En cas d'urgence, "
            "appelez le service."
        ) % {"count": len(no_shows), "date": long_date(timezone.localtime(until).date())}
    return False, ""


def no_show_decision(procedure: Procedure, person: Person, now: datetime) -> tuple[bool, str]:
    """(needs day-before confirmation, refusal message or "") under the no-show policy."""
    condition = _no_show_filter(procedure, person, now)
    if condition is None:
        return False, ""
    no_shows = list(Booking.objects.filter(condition).values_list("slot__starts_at", flat=True))
    return _no_show_verdict(procedure, no_shows, now)


_HISTORY_SQL = {
    # The arms of seats.active_booking_sql (each on its partial unique index), the first.
    "duplicate": "SELECT * FROM (SELECT * FROM ({arms}) AS active LIMIT 1) AS duplicate",
    "no_show": (
        "SELECT * FROM (SELECT b.id, b.status, s.starts_at FROM appointments_booking b "
        "JOIN appointments_slot s ON s.id = b.slot_id "
        "JOIN appointments_procedure p ON p.id = b.procedure_id "
        "WHERE b.status = 'no_show' AND p.prefecture_id = %s AND s.starts_at >= %s "
        "AND ({hashes})) AS no_show"
    ),
}


def _person_history(procedure: Procedure, person: Person, now: datetime):
    """One query for both per-person checks: (id of an active booking of the person for
    this procedure or None, start times of his recent no-shows in the prefecture).

    The hot path of a rush: hand-written SQL (no ORM compilation), a UNION ALL of two
    index scans (the partial unique indexes of active bookings, the identity-hash indexes)
    rather than one OR across joins. Same conditions as existing_active_booking and
    no_show_decision, which stay the readable reference (tests compare them)."""
    keys = [
        (column, value)
        for column, value in (
            ("email_key", normalise_email(person.email)),
            ("phone_key", normalise_phone(person.phone)),
            ("foreign_number_key", normalise_foreign_number(person.foreign_number)),
        )
        if value
    ]
    hashes = []
    if procedure.no_show_policy != NoShowPolicy.NONE:
        hashes = [
            (
                column.removesuffix("_key") + "_hash",
                identity_hash(column.removesuffix("_key"), value),
            )
            for column, value in keys
        ]
    parts, params = [], []
    if keys:
        arms = seats.active_booking_sql(
            [column for column, _ in keys],
            select="b.id, b.status, CAST(NULL AS timestamp with time zone)",
        )
        parts.append(_HISTORY_SQL["duplicate"].format(arms=arms))
        for _, value in keys:
            params += [procedure.pk, value]
    if hashes:
        parts.append(
            _HISTORY_SQL["no_show"].format(hashes=" OR ".join(f"b.{c} = %s" for c, _ in hashes))
        )
        params += [
            procedure.prefecture_id,
            connection.ops.adapt_datetimefield_value(
                now - timedelta(days=procedure.no_show_period_days)
            ),
            *(value for _, value in hashes),
        ]
    if not parts:
        return None, []
    existing, no_shows = None, []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for pk, status, starts_at in cursor.fetchall():
            if status == BookingStatus.NO_SHOW:
                if isinstance(starts_at, str):  # SQLite gives the stored text (UTC)
                    starts_at = parse_datetime(starts_at)
                    if timezone.is_naive(starts_at):
                        starts_at = timezone.make_aware(starts_at, UTC)
                no_shows.append(starts_at)
            else:
                existing = pk
    return existing, no_shows


# --- booking -------------------------------------------------------------------------------


def _full() -> BookingError:
    return BookingError(_("Ce créneau vient d'être pris. Choisissez-en un autre."), "full")


def _load_slot(slot: Slot | int) -> Slot:
    pk = slot.pk if isinstance(slot, Slot) else slot
    try:
        return Slot.objects.select_related(
            "procedure", "procedure__site", "procedure__prefecture"
        ).get(pk=pk)
    except Slot.DoesNotExist as error:
        raise BookingError(_("Créneau inconnu."), "invalid") from error


@metrics.count_bookings
def book_slot(
    slot: Slot | int,
    person: Person,
    *,
    channel: str = Channel.ONLINE,
    actor=None,
    partner: str = "",
    language: str = "fr",
    now: datetime | None = None,
    fresh: bool = False,
) -> Booking:
    """Take a seat for a person: held 15 minutes online, confirmed at once otherwise.

    "One booking per person" counts the appointments to come: one whose time has passed
    with its attendance not recorded (still confirmed) no longer stands in the way of the
    next (`release_past_booking`, on the refusal's path only)."""
    now = now or timezone.now()
    options = {
        "channel": channel,
        "actor": actor,
        "partner": partner,
        "language": language,
        "now": now,
        "fresh": fresh,
    }
    try:
        return _book_slot(slot, person, **options)
    except BookingError as error:
        if error.code != "duplicate" or not release_past_booking(error.existing, now=now):
            raise
    return _book_slot(slot, person, **options)


def release_past_booking(booking: Booking | None, *, now: datetime) -> bool:
    """A booking still held or confirmed whose appointment time has passed (the desk did
    not record the attendance) stops counting as the person's booking for the procedure:
    its identity keys, which only the one-active-booking rule reads, are cleared (its
    status, details and hashes, which the no-show history reads, stay; the desk may still
    record the attendance). True when it was such a booking."""
    if booking is None:
        return False
    return bool(
        Booking.objects.filter(
            pk=booking.pk, status__in=ACTIVE_STATUSES, slot__starts_at__lte=now
        ).update(email_key="", phone_key="", foreign_number_key="")
    )


def _book_slot(
    slot: Slot | int,
    person: Person,
    *,
    channel: str,
    actor,
    partner: str,
    language: str,
    now: datetime,
    fresh: bool,
) -> Booking:
    """book_slot's one attempt.

    The slot is read once, with its procedure, site and prefecture: here, or by the caller
    in the same request (`fresh=True`, the object read with those relations). The
    duplicate and no-show checks are one query (on PostgreSQL the duplicate check is part
    of the write, the no-show one runs only where it matters); the seat, the booking, its
    log row and the mail it owes (an outbox row the outbox worker renders and sends) one
    statement on PostgreSQL (seats.book_seat), one transaction elsewhere."""
    if not (fresh and isinstance(slot, Slot)):
        slot = _load_slot(slot)
    procedure = slot.procedure
    online = channel == Channel.ONLINE
    try:
        if slot.starts_at <= now:
            raise BookingError(_("Ce créneau est passé."), "closed")
        check_renewal_window(procedure, slot, person.permit_expires_on)
        if online:
            check_public_rules(slot, now=now, permit_expires_on=person.permit_expires_on)
    except BookingError as error:
        if slot.booked is None:
            # Refused on the slot as the process remembers it (slot_read): the database
            # has the last word, the caller reads it again (nothing counted as refused).
            raise slot_read.StaleSlot from error
        raise
    if not (person.email or person.phone or person.foreign_number):
        raise BookingError(_("Indiquez au moins un courriel ou un téléphone."), "invalid")
    if online and not person.email:
        raise BookingError(_("Indiquez votre adresse électronique."), "invalid")
    if person.email:
        try:
            validate_address(person.email)
        except OutboxError as error:
            raise BookingError(
                _("Cette adresse électronique n'est pas valide : vérifiez-la."), "invalid"
            ) from error
    # Fast answer in a rush: a full slot (and no stale hold to free) is refused before the
    # per-person query. The conditional UPDATE below stays the real guard (and the only
    # one for a slot answered from memory, whose seat count is unknown: booked None).
    full = slot.booked is not None and slot.booked >= slot.capacity
    if full and not release_expired_holds(now=now, slot=slot):
        raise _full()
    # On PostgreSQL the duplicate check rides in the booking's own statement; the no-show
    # history is read only where it changes the outcome (a refusal online, a day-before
    # confirmation), not for a partner's booking under the "wait" policy.
    # (The settings, not `connection.vendor`: each read through Django's connection proxy
    # looks the thread's connection up again, `benchmarks.booking_instructions`.)
    in_one_statement = settings.IS_POSTGRES and not procedure.documents_before
    no_show_matters = procedure.no_show_policy != NoShowPolicy.NONE and (
        online or procedure.no_show_policy == NoShowPolicy.CONFIRM_DAY_BEFORE
    )
    existing, no_shows = None, []
    if no_show_matters or not in_one_statement:
        existing, no_shows = _person_history(procedure, person, now)
    if existing is not None:
        raise _duplicate(Booking.objects.get(pk=existing))
    needs_confirmation, refusal = _no_show_verdict(procedure, no_shows, now)
    if refusal and online:
        raise BookingError(refusal, "no_show")
    booking = build(
        Booking,
        procedure=procedure,
        slot=slot,
        channel=channel,
        partner=partner,
        created_by=actor if getattr(actor, "pk", None) else None,
        language=language,
        first_name=person.first_name.strip(),
        last_name=person.last_name.strip(),
        email=person.email.strip(),
        phone=person.phone.strip(),
        foreign_number=person.foreign_number.strip(),
        permit_expires_on=person.permit_expires_on,
        answers=person.answers,
        created_at=now,
        needs_day_before_confirmation=needs_confirmation,
    )
    booking.set_identity_keys()
    if online:
        booking.status = BookingStatus.HELD
        booking.hold_expires_at = now + timedelta(minutes=HOLD_MINUTES)
    else:
        booking.status = BookingStatus.CONFIRMED
        booking.confirmed_at = now
    mail = "hold" if online else "confirmed"
    for attempt in range(2):
        try:
            if in_one_statement:
                _write_in_one_statement(booking, channel, mail)
            else:
                with transaction.atomic():
                    try:
                        seats.book_seat(
                            booking,
                            actor_id=booking.created_by_id,
                            note=f"Réservation ({channel})",
                        )
                    except seats.SeatTaken:
                        raise _full() from None
                    if procedure.documents_before:
                        open_documents_wait(booking, today=timezone.localdate(now))
                    notifications.owe_booking_mail(booking, mail)
            return booking
        except BookingError as error:
            # Full: perhaps only because of forgotten holds; free them and try once more.
            if error.code == "full" and attempt == 0 and release_expired_holds(now=now, slot=slot):
                continue
            raise
        except OperationalError as error:
            if seats.is_lock_timeout(error):
                raise BookingError(
                    _("Ce créneau est en cours de réservation, réessayez dans un instant."), "busy"
                ) from error
            raise
        except IntegrityError as error:
            # The partial unique constraints caught a concurrent duplicate.
            existing = existing_active_booking(procedure, person)
            if existing is not None:
                raise _duplicate(existing) from error
            raise
    raise _full()


def _write_in_one_statement(booking: Booking, channel: str, mail: str) -> None:
    """PostgreSQL: the duplicate check, the seat, the booking, its log row and the mail it
    owes in one statement, atomic by itself: no transaction to open in autocommit (a
    savepoint inside the caller's transaction)."""
    keys = [
        (column, value)
        for column, value in (
            ("email_key", booking.email_key),
            ("phone_key", booking.phone_key),
            ("foreign_number_key", booking.foreign_number_key),
        )
        if value
    ]
    owed = notifications.owed_mail_insert(booking, mail) if booking.email else None
    block = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with block:
        try:
            delivery_id = seats.book_seat(
                booking,
                actor_id=booking.created_by_id,
                note=f"Réservation ({channel})",
                duplicate_keys=keys,
                owed_mail=owed,
                guard=slot_read.guard(booking.slot),
            )
        except seats.SeatTaken:
            raise _full() from None
        except seats.AlreadyBooked as found:
            raise _duplicate(Booking.objects.get(pk=found.existing)) from None
    if delivery_id is not None:
        notifications.deliver_soon(delivery_id)


def appointment_eve(booking: Booking) -> date:
    return timezone.localtime(booking.slot.starts_at).date() - timedelta(days=1)


def open_documents_wait(booking: Booking, *, today: date) -> BookingDocumentWait:
    """The procedure asks for documents before the appointment: the wait starts with the
    booking (services/documents.py has the rest of the rule), its end never past the day
    before the appointment."""
    days = booking.procedure.documents_before_days
    ends_on = max(today, min(today + timedelta(days=days), appointment_eve(booking)))
    return BookingDocumentWait.objects.create(
        booking=booking, requested_on=today, first_ends_on=ends_on, ends_on=ends_on
    )


def _duplicate(existing: Booking) -> BookingError:
    return BookingError(
        _(
            "Vous avez déjà un rendez-vous pour cette démarche. Nous venons de vous renvoyer par "
            "courriel le lien pour le consulter, le déplacer ou l'annuler."
        ),
        "duplicate",
        existing=existing,
    )


RESEND_LINK_EVERY = timedelta(hours=1)


def resend_manage_link(booking: Booking) -> bool:
    """Send the existing booking's manage link to its own address (never show it on screen),
    at most once per booking per hour: a form posted again and again (by anyone who knows
    the address) does not become a mail bomb. True when a mail was queued."""
    from engagements.outbox.queries import deliveries_for

    with transaction.atomic():
        # The booking's row lock serialises two attempts at the same moment.
        Booking.objects.select_for_update().filter(pk=booking.pk).first()
        recent = (
            deliveries_for(booking)
            .filter(
                purpose=notifications.purpose("reminder_link"),
                created_at__gte=timezone.now() - RESEND_LINK_EVERY,
            )
            .exists()
        )
        if recent:
            logger.info(
                "manage link not re-sent (sent within the hour)", extra={"booking": booking.pk}
            )
            return False
        return notifications.queue_booking_mail(booking, "reminder_link") is not None


def confirm_booking(booking: Booking, *, now: datetime | None = None) -> Booking:
    """The person clicked the e-mail link: a hold becomes a confirmed booking."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == BookingStatus.CONFIRMED:
            return booking
        expired = booking.status == BookingStatus.EXPIRED or (
            booking.status == BookingStatus.HELD and booking.hold_expires_at < now
        )
        if expired:
            pass  # handled below, outside the lock: the seat goes back first
        elif booking.status == BookingStatus.HELD:
            change_status(booking, BookingStatus.CONFIRMED, now=now, note="Lien de confirmation")
            booking.hold_expires_at = None
            booking.save(update_fields=["hold_expires_at"])
            notifications.queue_booking_mail(booking, "confirmed")
            return booking
        else:
            raise BookingError(_("Ce rendez-vous ne peut plus être confirmé."), "transition")
    release_expired_holds(now=now, slot=booking.slot)
    raise BookingError(
        _(
            "Le délai de 15 minutes pour confirmer est dépassé et le créneau a été libéré. "
            "Vous pouvez réserver à nouveau."
        ),
        "expired",
    )


def cancel_booking(
    booking: Booking, *, actor=None, by_service: bool = False, note: str = ""
) -> Booking:
    """Cancel and give the seat back (then offer it to the waiting list). The person (her
    link, or a partner for her: no actor) cannot cancel an appointment that has begun:
    whether she came is the counter's to record (an absence left unrecorded would
    otherwise vanish from the no-show figures)."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if not booking.is_active:
            raise BookingError(_("Ce rendez-vous n'est plus actif."), "transition")
        if actor is None and not by_service:
            _refuse_once_begun(booking, CANCEL_TOO_LATE)
        new = BookingStatus.CANCELLED_BY_SERVICE if by_service else BookingStatus.CANCELLED_BY_USER
        change_status(booking, new, actor=actor, note=note)
        seats.give_back_seat(booking.slot_id)
        if by_service:
            notifications.queue_change_notice(booking, "cancelled_service")
        else:
            notifications.queue_booking_mail(booking, "cancelled")
    return booking


CANCEL_TOO_LATE = gettext_noop(
    "Ce rendez-vous a déjà commencé : il ne peut plus être annulé. Prenez un nouveau "
    "rendez-vous si besoin."
)
MOVE_TOO_LATE = gettext_noop(
    "Ce rendez-vous a déjà commencé : il ne peut plus être déplacé. Prenez un nouveau "
    "rendez-vous si besoin."
)


def _refuse_once_begun(booking: Booking, message: str, *, now: datetime | None = None) -> None:
    if Slot.objects.get(pk=booking.slot_id).starts_at <= (now or timezone.now()):
        raise BookingError(_(message), "transition")


def reschedule_booking(
    booking: Booking, new_slot: Slot, *, actor=None, now: datetime | None = None
) -> Booking:
    """Move a booking to another slot of the same procedure (a limited number of times)."""
    now = now or timezone.now()
    if new_slot.procedure_id != booking.procedure_id:
        raise BookingError(_("Ce créneau ne correspond pas à votre démarche."), "invalid")
    if actor is None:
        check_public_rules(new_slot, now=now, permit_expires_on=booking.permit_expires_on)
        if booking.moves_used_up:
            raise BookingError(
                _(
                    "Vous avez déjà déplacé ce rendez-vous le nombre de fois permis. Annulez-le "
                    "puis réservez à nouveau."
                ),
                "limit",
            )
    check_renewal_window(booking.procedure, new_slot, booking.permit_expires_on)
    if new_slot.starts_at <= now:
        raise BookingError(_("Ce créneau est passé."), "closed")
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != BookingStatus.CONFIRMED:
            raise BookingError(_("Seul un rendez-vous confirmé peut être déplacé."), "transition")
        if actor is None:
            _refuse_once_begun(booking, MOVE_TOO_LATE, now=now)
        if new_slot.pk == booking.slot_id:
            return booking
        seats.short_lock_wait()
        old_slot_id = booking.slot_id
        # Lock the two slot rows in id order: two people swapping slots never deadlock.
        if old_slot_id < new_slot.pk:
            seats.give_back_seat(old_slot_id)
        if not seats.take_seat(new_slot.pk):
            # The transaction rolls back: the person keeps the old seat.
            raise BookingError(_("Ce créneau vient d'être pris. Choisissez-en un autre."), "full")
        if old_slot_id > new_slot.pk:
            seats.give_back_seat(old_slot_id)
        booking.slot = new_slot
        booking.reschedule_count += 1
        booking.reminder_email_sent_at = None
        booking.reminder_sms_sent_at = None
        booking.save(
            update_fields=[
                "slot",
                "reschedule_count",
                "reminder_email_sent_at",
                "reminder_sms_sent_at",
            ]
        )
        log_event(booking, booking.status, booking.status, actor, "Déplacé")
        bring_documents_wait_before(booking, today=timezone.localdate(now))
        notifications.queue_change_notice(booking, "moved")
    return booking


def bring_documents_wait_before(booking: Booking, *, today: date) -> None:
    """A booking moved earlier: the documents are still awaited before the appointment."""
    eve = appointment_eve(booking)
    wait = BookingDocumentWait.objects.filter(booking=booking, ends_on__gt=eve).first()
    if wait is None:
        return
    wait.ends_on = max(today, eve)
    wait.first_ends_on = min(wait.first_ends_on, wait.ends_on)
    wait.reminded_on = None
    wait.save(update_fields=["ends_on", "first_ends_on", "reminded_on"])


def confirm_day_before(booking: Booking) -> Booking:
    """A person under the no-show policy confirms he will come."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != BookingStatus.CONFIRMED:
            raise BookingError(_("Ce rendez-vous n'est plus actif."), "transition")
        if booking.day_before_confirmed_at is None:
            booking.day_before_confirmed_at = timezone.now()
            booking.save(update_fields=["day_before_confirmed_at"])
            log_event(booking, booking.status, booking.status, None, "Présence confirmée la veille")
    return booking


def cancel_unconfirmed_day_before(*, now: datetime | None = None) -> int:
    """No-show policy: a booking that had to be confirmed the day before and was not is
    cancelled early on the day, so the seat can go to the waiting list."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    pending = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        needs_day_before_confirmation=True,
        day_before_confirmed_at__isnull=True,
        slot__starts_at__gte=start,
        slot__starts_at__lt=start + timedelta(days=1),
    )
    cancelled = 0
    for booking in pending:
        try:
            cancel_booking(
                booking, by_service=True, note="Venue non confirmée la veille (politique d'absence)"
            )
            cancelled += 1
        except BookingError:
            continue  # changed meanwhile (cancelled by the person, checked in…)
    return cancelled

"""Sweeps (reminders, waiting list) and personal-data purge; each claims rows with a
conditional UPDATE so that two workers never act twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements.outbox.services import OutboxError, forget_deliveries

from .. import notifications
from ..enums import DOCUMENT_SENT_NOTE, EXTENSION_REASON_MARK, BookingStatus, Channel
from ..enums import WaitlistStatus as WS
from ..models import (
    Booking,
    BookingDocument,
    BookingDocumentWait,
    BookingLog,
    Procedure,
    Slot,
    WaitlistEntry,
    normalise_email,
)
from . import seats
from .booking import (
    OFFER_HOURS,
    BookingError,
    Person,
    book_slot,
    logger,
    release_expired_holds,
)

# --- sweeps ----------------------------------------------------------------------------


# The day-before SMS goes out from this local hour on the day before (never at midnight;
# the outbox's quiet hours also hold any SMS between 20:00 and 09:00).
SMS_REMINDER_HOUR = 10


def send_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Queue the e-mail at D-2 and the SMS on D-1 from 10:00; each claimed by a conditional
    UPDATE in the transaction that queues it, so it is queued once (the outbox retries)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = {"email": 0, "sms": 0}
    confirmed = Booking.objects.filter(status=BookingStatus.CONFIRMED, slot__starts_at__gt=now)
    email_until = timezone.make_aware(
        datetime.combine(today + timedelta(days=3), datetime.min.time())
    )
    sms_days = 2 if timezone.localtime(now).hour >= SMS_REMINDER_HOUR else 1
    sms_until = timezone.make_aware(
        datetime.combine(today + timedelta(days=sms_days), datetime.min.time())
    )
    for pk in (
        confirmed.filter(reminder_email_sent_at__isnull=True, slot__starts_at__lt=email_until)
        .exclude(email="")
        .values_list("pk", flat=True)
    ):
        if _claim_and_queue(pk, "reminder_email_sent_at", now):
            sent["email"] += 1
    for pk in (
        confirmed.filter(reminder_sms_sent_at__isnull=True, slot__starts_at__lt=sms_until)
        .exclude(phone="")
        .values_list("pk", flat=True)
    ):
        if _claim_and_queue(pk, "reminder_sms_sent_at", now):
            sent["sms"] += 1
    return sent


def _claim_and_queue(pk: int, field: str, now: datetime) -> bool:
    with transaction.atomic():
        if not Booking.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: now}):
            return False  # another sweep claimed it
        booking = Booking.objects.select_related("procedure__site", "slot").get(pk=pk)
        try:
            if field == "reminder_sms_sent_at":
                notifications.queue_reminder_sms(booking, now=now)
            else:
                notifications.queue_booking_mail(booking, "reminder")
        except OutboxError:
            # An address the server cannot take will not become one: keep the claim.
            logger.warning("reminder not queued", extra={"booking": pk, "field": field})
            return False
    return True


def join_waitlist(
    procedure: Procedure, *, first_name: str, last_name: str, email: str, language: str = "fr"
) -> WaitlistEntry:
    """Put a person on the waiting list of a procedure (once)."""
    return register_on_waitlist(
        procedure, first_name=first_name, last_name=last_name, email=email, language=language
    )[0]


def register_on_waitlist(
    procedure: Procedure, *, first_name: str, last_name: str, email: str, language: str = "fr"
) -> tuple[WaitlistEntry, bool]:
    """`join_waitlist`, saying whether the entry is new (as `get_or_create`): only the
    browser that created an entry may correct its address, never one that typed an
    address already on the list."""
    email = normalise_email(email)
    existing = WaitlistEntry.objects.filter(
        procedure=procedure, email=email, status__in=[WS.WAITING, WS.OFFERED]
    ).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                procedure=procedure,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                email=email,
                language=language,
            )
            return entry, True
    except IntegrityError:
        entry = WaitlistEntry.objects.get(
            procedure=procedure, email=email, status__in=[WS.WAITING, WS.OFFERED]
        )
        return entry, False


def expire_offers(*, now: datetime | None = None) -> int:
    """Offers past their 24 hours expire and give back the seat they kept."""
    now = now or timezone.now()
    expired = 0
    for pk, slot_id in WaitlistEntry.objects.filter(
        status=WS.OFFERED, offer_expires_at__lt=now
    ).values_list("pk", "offered_slot_id"):
        with transaction.atomic():
            expired += _end_entry(pk, slot_id, WS.EXPIRED, ending=[WS.OFFERED])
    return expired


def _end_entry(pk: int, slot_id: int | None, status: str, *, ending: list[str]) -> bool:
    """Move an entry in one of the `ending` statuses to `status`, giving back the seat its
    offer kept. Claimed by a conditional UPDATE: of two concurrent callers (sweeps, the
    person leaving), only the one whose UPDATE changed the row gives the seat back (twice
    would free a seat someone else holds). False when the entry had moved on already."""
    if WaitlistEntry.objects.filter(pk=pk, status=WS.OFFERED, holds_seat=True).update(
        status=status, holds_seat=False
    ):
        if slot_id:
            seats.give_back_seat(slot_id)
        return True
    # Waiting, or an offer made before seats were kept: nothing to give back.
    return bool(WaitlistEntry.objects.filter(pk=pk, status__in=ending).update(status=status))


def leave_waitlist(entry: WaitlistEntry) -> bool:
    """The person no longer needs the appointment (the offer's page): off the list, and the
    seat kept for an offer goes back at once, for the next person at the next sweep, instead
    of staying kept for nobody until the offer's 24 hours run out. False when the entry had
    already left the list (booked, expired, left)."""
    with transaction.atomic():
        return _end_entry(entry.pk, entry.offered_slot_id, WS.LEFT, ending=[WS.WAITING, WS.OFFERED])


def offer_freed_slots(*, now: datetime | None = None) -> int:
    """Offer free seats to the waiting list, one person per seat, with a 24-hour link.

    The seat is kept for the person offered (counted in `Slot.booked`, like a hold) until
    the offer is accepted or expires; an expired offer's seat goes to the next person in
    the same sweep."""
    now = now or timezone.now()
    expire_offers(now=now)
    release_expired_holds(now=now)
    offered = 0
    ids = list(
        Procedure.objects.filter(waitlist__status=WS.WAITING)
        .values_list("pk", flat=True)
        .distinct()
    )
    for procedure_id in ids:
        with transaction.atomic():
            # One sweep per procedure at a time; a concurrent sweep skips it instead of
            # offering the same freed slot to a second person.
            procedure = (
                Procedure.objects.select_for_update(skip_locked=True)
                .filter(pk=procedure_id)
                .first()
            )
            if procedure is not None:
                offered += _offer_for_procedure(procedure, now)
    return offered


def _offer_for_procedure(procedure: Procedure, now: datetime) -> int:
    offered = 0
    # Offers made before seats were kept do not show in `booked`: skip their slots.
    legacy = set(
        WaitlistEntry.objects.filter(
            procedure=procedure, status=WS.OFFERED, holds_seat=False
        ).values_list("offered_slot_id", flat=True)
    )
    free = [
        slot
        for slot in Slot.objects.filter(
            procedure=procedure,
            blocked=False,
            booked__lt=F("capacity"),
            starts_at__gt=now + timedelta(hours=procedure.closes_hours_before),
        ).order_by("starts_at")[:20]
        if slot.pk not in legacy
    ]
    for slot in free:
        for _seat in range(slot.capacity - slot.booked):
            entry = (
                WaitlistEntry.objects.filter(procedure=procedure, status=WS.WAITING)
                .order_by("created_at", "pk")
                .first()
            )
            if entry is None:
                return offered
            with transaction.atomic():
                if not seats.take_seat(slot.pk):
                    break  # taken meanwhile by a booking: next slot
                # Claim with a conditional UPDATE: only a changed row is offered (and
                # mailed); otherwise the savepoint rolls the seat back.
                claimed = WaitlistEntry.objects.filter(pk=entry.pk, status=WS.WAITING).update(
                    status=WS.OFFERED,
                    offered_slot=slot,
                    offer_expires_at=now + timedelta(hours=OFFER_HOURS),
                    offer_sent_at=now,
                    holds_seat=True,
                )
                if not claimed:
                    transaction.set_rollback(True)
                    continue
                entry.refresh_from_db()
                try:
                    notifications.queue_waitlist_offer(entry)
                except OutboxError:
                    # The offer stands (and expires) without a mail; never loop on it.
                    logger.warning("waiting-list offer not queued", extra={"entry": entry.pk})
            offered += 1
    return offered


def accept_offer(entry: WaitlistEntry, person: Person, *, now: datetime | None = None) -> Booking:
    """The person takes the slot offered from the waiting list (confirmed at once: the
    link came to his address); the seat kept for the offer becomes the booking's."""
    now = now or timezone.now()
    expired = BookingError(_("Cette proposition n'est plus valable."), "expired")
    if entry.status != WS.OFFERED or entry.offer_expires_at < now:
        raise expired
    person.email = entry.email
    with transaction.atomic():
        # Claim the offer first: a concurrent sweep can no longer expire it. Its kept seat
        # is handed to the booking below; the slot row stays locked by the UPDATE until
        # commit, so nobody can take the seat in between. Any refusal rolls all back.
        kept = WaitlistEntry.objects.filter(
            pk=entry.pk, status=WS.OFFERED, offer_expires_at__gte=now, holds_seat=True
        ).update(status=WS.BOOKED, holds_seat=False)
        if not kept and not WaitlistEntry.objects.filter(
            pk=entry.pk, status=WS.OFFERED, offer_expires_at__gte=now
        ).update(status=WS.BOOKED):
            raise expired
        if kept:
            seats.give_back_seat(entry.offered_slot_id)
        booking = book_slot(
            entry.offered_slot, person, channel=Channel.AGENT, language=entry.language, now=now
        )
        # Booked as the person himself, not by an agent: record the online channel.
        Booking.objects.filter(pk=booking.pk).update(channel=Channel.ONLINE)
        booking.channel = Channel.ONLINE
        WaitlistEntry.objects.filter(pk=entry.pk).update(booking=booking)
    entry.status, entry.holds_seat, entry.booking = WS.BOOKED, False, booking
    return booking


# --- personal data ---------------------------------------------------------------------


def without_reason(note: str) -> str:
    """A log note without the reason given for more time (what follows "Motif :")."""
    return note.split(EXTENSION_REASON_MARK, 1)[0]


def purge_personal_data(*, now: datetime | None = None, months: int | None = None) -> int:
    """Blank the personal details of bookings past a retention period; counts stay.

    The keyed identity hashes (email_hash, phone_hash, foreign_number_hash) of no-shows
    are kept on purpose: they cannot be reversed, and the no-show policy looks back
    further than the retention period. They go too once older than the longest look-back
    of the procedures; other bookings' hashes serve nothing and go with the details."""
    from django.conf import settings

    now = now or timezone.now()
    months = months or settings.APPOINTMENTS_RETENTION_MONTHS
    limit = now - timedelta(days=31 * months)
    # Whatever its status: an appointment months past whose attendance no one recorded
    # (still "confirmed") is no less past, and its person's details no less due to go.
    count = purge_bookings(
        Booking.objects.filter(slot__starts_at__lt=limit, purged_at__isnull=True), now=now
    )
    look_back = Procedure.objects.aggregate(days=Max("no_show_period_days"))["days"] or 0
    Booking.objects.filter(
        purged_at__isnull=False, slot__starts_at__lt=now - timedelta(days=look_back + 1)
    ).exclude(email_hash="", phone_hash="", foreign_number_hash="").update(**IDENTITY_HASHES)
    forget_waitlist_entries(WaitlistEntry.objects.filter(created_at__lt=limit))
    return count


IDENTITY_HASHES = {"email_hash": "", "phone_hash": "", "foreign_number_hash": ""}


def purge_bookings(bookings, *, now: datetime) -> int:
    """Blank the personal details of these bookings (not yet purged), their documents, the
    reasons given for more time and the mails sent about them; rows, statuses and counts
    stay. The one way both the daily purge and an erasure on request take.

    The keyed identity hashes of no-shows stay (the no-show policy looks back further;
    `purge_personal_data` drops them after the longest look-back)."""
    details = {
        "first_name": "",
        "last_name": "",
        "email": "",
        "phone": "",
        "foreign_number": "",
        "permit_expires_on": None,
        "answers": {},
        "email_key": "",
        "phone_key": "",
        "foreign_number_key": "",
        "rebooking_token": "",
        "purged_at": now,
    }
    old = bookings.filter(purged_at__isnull=True)
    purged = list(old.values_list("pk", flat=True))
    if not purged:
        return 0
    old = Booking.objects.filter(pk__in=purged)
    # The documents sent before the appointment go with the details, files included (once
    # the rows' change is committed: rolled back, it keeps them).
    for document in BookingDocument.objects.filter(booking__in=purged):
        transaction.on_commit(partial(document.file.storage.delete, document.file.name))
        document.delete()
    # The history stays (counts, delays), without the names of the files she sent.
    BookingLog.objects.filter(
        booking_id__in=purged, note__startswith=f"{DOCUMENT_SENT_NOTE} : "
    ).update(note=DOCUMENT_SENT_NOTE)
    # The reasons given for more time (the person's own words, her health or family).
    BookingDocumentWait.objects.filter(booking_id__in=purged).update(extension_reason="")
    reasons = list(
        BookingLog.objects.filter(booking_id__in=purged, note__contains=EXTENSION_REASON_MARK)
    )
    for log in reasons:
        log.note = without_reason(log.note)
    BookingLog.objects.bulk_update(reasons, ["note"])
    count = old.filter(status=BookingStatus.NO_SHOW).update(**details)
    count += old.exclude(status=BookingStatus.NO_SHOW).update(**details, **IDENTITY_HASHES)
    forget_deliveries(Booking, purged)
    return count


def forget_waitlist_entries(entries) -> int:
    """Delete waiting-list entries that ended (booked, offer expired, left); those still
    waiting or offered a seat stay until the person books or leaves."""
    deleted, _ = entries.exclude(status__in=[WS.WAITING, WS.OFFERED]).delete()
    return deleted

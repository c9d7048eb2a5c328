"""Every write of the appointments app: one function per use case.

Seats are protected by PostgreSQL: `_take_seat` is a conditional UPDATE (`booked <
capacity`, row-locked by the UPDATE itself, re-checked after the lock wait under READ
COMMITTED) and `appt_slot_not_overbooked` is the last line of defence. The one-active-
booking-per-person rule is three partial unique constraints; the code checks first only to
give a friendly answer. Sweeps claim rows with a conditional UPDATE and act only when they
changed exactly one row, so two workers never send the same message twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notifications
from .enums import ACTIVE_STATUSES, TRANSITIONS, BookingStatus, Channel, NoShowPolicy
from .enums import WaitlistStatus as WS
from .models import (
    HOLD_MINUTES,
    REBOOKING_DAYS,
    Booking,
    BookingLog,
    Procedure,
    Slot,
    WaitlistEntry,
    new_token,
    normalise_email,
    normalise_foreign_number,
    normalise_phone,
)

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


def _log(booking: Booking, old: str, new: str, actor=None, note: str = "") -> None:
    BookingLog.objects.create(
        booking=booking, from_status=old, to_status=new, actor=actor, note=note[:300]
    )


def _transition(booking: Booking, new: str, *, actor=None, note: str = "", now=None) -> str:
    """Move a booking (already locked) to `new`; raises on an illegal transition."""
    old = booking.status
    if new not in TRANSITIONS[old]:
        raise BookingError(
            f"Ce rendez-vous ne peut pas passer de « {booking.get_status_display()} » à "
            f"« {BookingStatus(new).label} ».",
            "transition",
        )
    booking.status = new
    fields = ["status"]
    now = now or timezone.now()
    if new == BookingStatus.CONFIRMED:
        booking.confirmed_at = now
        fields.append("confirmed_at")
    elif new in (BookingStatus.CANCELLED_BY_USER, BookingStatus.CANCELLED_BY_SERVICE):
        booking.cancelled_at = now
        fields.append("cancelled_at")
    elif new in (BookingStatus.ATTENDED, BookingStatus.LATE):
        booking.checked_in_at = booking.checked_in_at or now
        fields.append("checked_in_at")
    booking.save(update_fields=fields)
    _log(booking, old, new, actor, note)
    return old


# --- seats -------------------------------------------------------------------------------


def _take_seat(slot_id: int) -> bool:
    return bool(
        Slot.objects.filter(pk=slot_id, blocked=False, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
    )


def _short_lock_wait() -> None:
    """In a rush, waiting long for a slot's row lock only piles up requests: give up after
    3 seconds and ask the person to retry (PostgreSQL only; SQLite serialises writes)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '3s'")


def _is_lock_timeout(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == "55P03"  # lock_not_available


def _free_seat(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


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
                _free_seat(slot_id)
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
    """The online booking window, renewal window and priority share."""
    procedure = slot.procedure
    if not procedure.is_public:
        raise BookingError(_("Cette démarche ne se réserve pas en ligne."), "closed")
    if slot.blocked or not (procedure.opening_of(slot.starts_at) <= now):
        raise BookingError(_("Ce créneau n'est pas encore ouvert à la réservation."), "closed")
    if now > procedure.closing_of(slot.starts_at):
        raise BookingError(_("Ce créneau n'est plus réservable en ligne."), "closed")
    today = timezone.localdate(now)
    if (
        slot.priority
        and now < slot.starts_at - timedelta(hours=procedure.priority_release_hours)
        and not is_priority_person(permit_expires_on, today)
    ):
        raise BookingError(
            _("Ce créneau est réservé aux personnes dont le titre expire dans moins de deux mois."),
            "priority",
        )


def check_renewal_window(procedure: Procedure, slot: Slot, expires: date | None) -> None:
    if not procedure.requires_permit_expiry:
        return
    if expires is None:
        raise BookingError(_("Indiquez la date d'expiration de votre titre."), "invalid")
    day = timezone.localtime(slot.starts_at).date()
    earliest = expires - timedelta(days=procedure.renewal_from_days)
    latest = expires - timedelta(days=procedure.renewal_until_days)
    if not earliest <= day <= latest:
        raise BookingError(
            _(
                "Pour un renouvellement, le rendez-vous doit avoir lieu entre le %(start)s "
                "et le %(end)s."
            )
            % {"start": f"{earliest:%d/%m/%Y}", "end": f"{latest:%d/%m/%Y}"},
            "renewal_window",
        )


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


def no_show_decision(procedure: Procedure, person: Person, now: datetime) -> tuple[bool, str]:
    """(needs day-before confirmation, refusal message or "") under the no-show policy."""
    if procedure.no_show_policy == NoShowPolicy.NONE:
        return False, ""
    condition = _identity_filter(
        normalise_email(person.email),
        normalise_phone(person.phone),
        normalise_foreign_number(person.foreign_number),
    )
    if condition is None:
        return False, ""
    since = now - timedelta(days=procedure.no_show_period_days)
    no_shows = list(
        Booking.objects.filter(
            procedure__prefecture_id=procedure.prefecture_id,
            status=BookingStatus.NO_SHOW,
            slot__starts_at__gte=since,
        )
        .filter(condition)
        .values_list("slot__starts_at", flat=True)
    )
    if len(no_shows) < procedure.no_show_limit:
        return False, ""
    if procedure.no_show_policy == NoShowPolicy.CONFIRM_DAY_BEFORE:
        return True, ""
    until = max(no_shows) + timedelta(weeks=procedure.no_show_wait_weeks)
    if now < until:
        return False, _(
            "Vous n'êtes pas venu à %(count)s rendez-vous ces derniers mois sans prévenir : "
            "vous pourrez réserver à nouveau à partir du %(date)s. En cas d'urgence, "
            "appelez le service."
        ) % {"count": len(no_shows), "date": f"{timezone.localtime(until):%d/%m/%Y}"}
    return False, ""


# --- booking -------------------------------------------------------------------------------


def book_slot(
    slot: Slot,
    person: Person,
    *,
    channel: str = Channel.ONLINE,
    actor=None,
    partner: str = "",
    language: str = "fr",
    now: datetime | None = None,
) -> Booking:
    """Take a seat for a person: held 15 minutes online, confirmed at once otherwise."""
    now = now or timezone.now()
    slot = Slot.objects.select_related("procedure", "procedure__site").get(pk=slot.pk)
    procedure = slot.procedure
    online = channel == Channel.ONLINE
    if slot.starts_at <= now:
        raise BookingError(_("Ce créneau est passé."), "closed")
    check_renewal_window(procedure, slot, person.permit_expires_on)
    if online:
        check_public_rules(slot, now=now, permit_expires_on=person.permit_expires_on)
    if not (person.email or person.phone or person.foreign_number):
        raise BookingError(_("Indiquez au moins un courriel ou un téléphone."), "invalid")
    if online and not person.email:
        raise BookingError(_("Indiquez votre adresse électronique."), "invalid")
    # Fast answer in a rush: a full slot (and no stale hold to free) is refused before the
    # per-person queries. The conditional UPDATE below stays the real guard.
    if slot.booked >= slot.capacity and not release_expired_holds(now=now, slot=slot):
        raise BookingError(_("Ce créneau vient d'être pris. Choisissez-en un autre."), "full")
    existing = existing_active_booking(procedure, person)
    if existing is not None:
        raise _duplicate(existing)
    needs_confirmation, refusal = no_show_decision(procedure, person, now)
    if refusal and online:
        raise BookingError(refusal, "no_show")
    booking = Booking(
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
    for attempt in range(2):
        try:
            with transaction.atomic():
                _short_lock_wait()
                if not _take_seat(slot.pk):
                    raise BookingError(
                        _("Ce créneau vient d'être pris. Choisissez-en un autre."), "full"
                    )
                booking.save()
                _log(booking, "", booking.status, actor, f"Réservation ({channel})")
                if online:
                    transaction.on_commit(
                        lambda b=booking: notifications.send_booking_mail(b, "hold")
                    )
                elif booking.email:
                    transaction.on_commit(
                        lambda b=booking: notifications.send_booking_mail(b, "confirmed")
                    )
            return booking
        except BookingError as error:
            # Full: perhaps only because of forgotten holds; free them and try once more.
            if error.code == "full" and attempt == 0 and release_expired_holds(now=now, slot=slot):
                continue
            raise
        except OperationalError as error:
            if _is_lock_timeout(error):
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
    raise BookingError(_("Ce créneau vient d'être pris. Choisissez-en un autre."), "full")


def _duplicate(existing: Booking) -> BookingError:
    return BookingError(
        _(
            "Vous avez déjà un rendez-vous pour cette démarche. Nous venons de vous renvoyer par "
            "courriel le lien pour le consulter, le déplacer ou l'annuler."
        ),
        "duplicate",
        existing=existing,
    )


def resend_manage_link(booking: Booking) -> None:
    """Send the existing booking's manage link to its own address (never show it on screen)."""
    transaction.on_commit(lambda: notifications.send_booking_mail(booking, "reminder_link"))


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
            _transition(booking, BookingStatus.CONFIRMED, now=now, note="Lien de confirmation")
            booking.hold_expires_at = None
            booking.save(update_fields=["hold_expires_at"])
            transaction.on_commit(lambda: notifications.send_booking_mail(booking, "confirmed"))
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
    """Cancel and give the seat back (then offer it to the waiting list)."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if not booking.is_active:
            raise BookingError(_("Ce rendez-vous n'est plus actif."), "transition")
        new = BookingStatus.CANCELLED_BY_SERVICE if by_service else BookingStatus.CANCELLED_BY_USER
        _transition(booking, new, actor=actor, note=note)
        _free_seat(booking.slot_id)
        template = "cancelled_service" if by_service else "cancelled"
        transaction.on_commit(lambda: notifications.send_booking_mail(booking, template))
    return booking


def reschedule_booking(
    booking: Booking, new_slot: Slot, *, actor=None, now: datetime | None = None
) -> Booking:
    """Move a booking to another slot of the same procedure (a limited number of times)."""
    now = now or timezone.now()
    if new_slot.procedure_id != booking.procedure_id:
        raise BookingError(_("Ce créneau ne correspond pas à votre démarche."), "invalid")
    if actor is None:
        check_public_rules(new_slot, now=now, permit_expires_on=booking.permit_expires_on)
        if booking.reschedule_count >= booking.procedure.max_reschedules:
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
        if new_slot.pk == booking.slot_id:
            return booking
        _short_lock_wait()
        old_slot_id = booking.slot_id
        # Lock the two slot rows in id order: two people swapping slots never deadlock.
        if old_slot_id < new_slot.pk:
            _free_seat(old_slot_id)
        if not _take_seat(new_slot.pk):
            # The transaction rolls back: the person keeps the old seat.
            raise BookingError(_("Ce créneau vient d'être pris. Choisissez-en un autre."), "full")
        if old_slot_id > new_slot.pk:
            _free_seat(old_slot_id)
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
        _log(booking, booking.status, booking.status, actor, "Déplacé")
        transaction.on_commit(lambda: notifications.send_booking_mail(booking, "moved"))
    return booking


def confirm_day_before(booking: Booking) -> Booking:
    """A person under the no-show policy confirms he will come."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != BookingStatus.CONFIRMED:
            raise BookingError(_("Ce rendez-vous n'est plus actif."), "transition")
        if booking.day_before_confirmed_at is None:
            booking.day_before_confirmed_at = timezone.now()
            booking.save(update_fields=["day_before_confirmed_at"])
            _log(booking, booking.status, booking.status, None, "Présence confirmée la veille")
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


# --- the day at the counter --------------------------------------------------------------


def record_attendance(
    booking: Booking, status: str, *, actor, send_certificate: bool = False
) -> Booking:
    """Check-in outcome: attended, late (with a 6-week rebooking link), no-show or cancelled."""
    allowed = {
        BookingStatus.ATTENDED,
        BookingStatus.LATE,
        BookingStatus.NO_SHOW,
        BookingStatus.CANCELLED_BY_SERVICE,
    }
    if status not in allowed:
        raise BookingError(_("Statut inconnu."), "invalid")
    if status == BookingStatus.CANCELLED_BY_SERVICE:
        return cancel_booking(booking, actor=actor, by_service=True)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("procedure").get(pk=booking.pk)
        _transition(booking, status, actor=actor)
        if status == BookingStatus.LATE:
            booking.rebooking_token = new_token()
            booking.rebooking_expires_at = timezone.now() + timedelta(days=REBOOKING_DAYS)
            booking.save(update_fields=["rebooking_token", "rebooking_expires_at"])
            transaction.on_commit(
                lambda: notifications.send_booking_mail(
                    booking,
                    "late",
                    {
                        "rebooking_url": notifications.absolute(
                            "appointments:rebook",
                            booking.rebooking_token,
                            language=booking.language,
                        )
                    },
                )
            )
        if status == BookingStatus.ATTENDED and send_certificate:
            transaction.on_commit(lambda: send_certificate_mail(booking))
    return booking


def send_certificate_mail(booking: Booking) -> None:
    from engagements.pdf import render_pdf

    from .documents import certificate_context

    pdf = render_pdf("appointments/pdf/certificate.html", certificate_context(booking))
    notifications.send_booking_mail(
        booking,
        "certificate",
        attachments=[(f"attestation-{booking.reference}.pdf", pdf, "application/pdf")],
    )


# --- slots and schedules -------------------------------------------------------------------


def generate_slots(procedure: Procedure, *, start: date, end: date) -> int:
    """Create the slots of the weekly template between two dates (working days only)."""
    from engagements.workdays import calendar_for

    calendar = calendar_for(procedure.prefecture, procedure.site)
    rules = list(procedure.rules.all())
    step = timedelta(minutes=procedure.duration_minutes)
    created = []
    day = start
    while day <= end:
        if calendar.is_working_day(day):
            starts = []
            for rule in rules:
                if rule.weekday != day.weekday():
                    continue
                if (rule.valid_from and day < rule.valid_from) or (
                    rule.valid_until and day > rule.valid_until
                ):
                    continue
                moment = timezone.make_aware(datetime.combine(day, rule.starts_at))
                limit = timezone.make_aware(datetime.combine(day, rule.ends_at))
                while moment + step <= limit:
                    starts.append(moment)
                    moment += step
            # The priority share: every n-th slot of the day is kept for urgent renewals.
            every = round(100 / procedure.priority_share) if procedure.priority_share else 0
            for index, moment in enumerate(sorted(starts)):
                created.append(
                    Slot(
                        procedure=procedure,
                        starts_at=moment,
                        ends_at=moment + step,
                        capacity=procedure.capacity,
                        priority=bool(every) and index % every == every - 1,
                    )
                )
        day += timedelta(days=1)
    return len(Slot.objects.bulk_create(created, ignore_conflicts=True))


def generate_upcoming_slots() -> int:
    """Daily: keep slots generated for every procedure up to its opening horizon + 1 week."""
    today = timezone.localdate()
    total = 0
    for procedure in Procedure.objects.select_related("prefecture", "site").prefetch_related(
        "rules"
    ):
        total += generate_slots(
            procedure, start=today, end=today + timedelta(days=procedure.opens_days_ahead + 7)
        )
    return total


def open_slot(procedure: Procedure, starts_at: datetime, *, actor) -> Slot:
    """Open an extra slot outside the weekly template (a reinforcement, a make-up day)."""
    try:
        with transaction.atomic():
            return Slot.objects.create(
                procedure=procedure,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=procedure.duration_minutes),
                capacity=procedure.capacity,
            )
    except IntegrityError as error:
        raise BookingError("Un créneau existe déjà à cette heure.", "invalid") from error


def set_slot_blocked(slot: Slot, blocked: bool, *, actor) -> Slot:
    """Close or reopen a slot to new bookings (existing bookings stay)."""
    with transaction.atomic():
        slot = Slot.objects.select_for_update().get(pk=slot.pk)
        slot.blocked = blocked
        slot.save(update_fields=["blocked"])
    return slot


def move_slot(slot: Slot, new_start: datetime, *, actor) -> Slot:
    """Move a slot; the people booked in it are told by e-mail."""
    with transaction.atomic():
        slot = Slot.objects.select_for_update().get(pk=slot.pk)
        length = slot.ends_at - slot.starts_at
        slot.starts_at = new_start
        slot.ends_at = new_start + length
        try:
            with transaction.atomic():
                slot.save(update_fields=["starts_at", "ends_at"])
        except IntegrityError as error:
            raise BookingError(_("Un créneau existe déjà à cette heure."), "invalid") from error
        bookings = list(slot.bookings.filter(status__in=ACTIVE_STATUSES).select_related("slot"))
        for booking in bookings:
            booking.reminder_email_sent_at = None
            booking.reminder_sms_sent_at = None
            booking.save(update_fields=["reminder_email_sent_at", "reminder_sms_sent_at"])
            _log(booking, booking.status, booking.status, actor, "Créneau déplacé par le service")
        transaction.on_commit(
            lambda: [notifications.send_booking_mail(b, "moved") for b in bookings]
        )
    return slot


# --- sweeps ----------------------------------------------------------------------------


def send_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """E-mail at D-2 and SMS at D-1; each claimed by a conditional UPDATE, sent once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = {"email": 0, "sms": 0}
    confirmed = Booking.objects.filter(status=BookingStatus.CONFIRMED, slot__starts_at__gt=now)
    email_until = timezone.make_aware(
        datetime.combine(today + timedelta(days=3), datetime.min.time())
    )
    sms_until = timezone.make_aware(
        datetime.combine(today + timedelta(days=2), datetime.min.time())
    )
    for pk in (
        confirmed.filter(reminder_email_sent_at__isnull=True, slot__starts_at__lt=email_until)
        .exclude(email="")
        .values_list("pk", flat=True)
    ):
        if Booking.objects.filter(pk=pk, reminder_email_sent_at__isnull=True).update(
            reminder_email_sent_at=now
        ):
            booking = Booking.objects.select_related("procedure__site", "slot").get(pk=pk)
            try:
                notifications.send_booking_mail(booking, "reminder")
            except Exception:  # the mail server failed: unclaim, the next sweep retries
                logger.exception("reminder mail failed", extra={"booking": pk})
                Booking.objects.filter(pk=pk).update(reminder_email_sent_at=None)
                continue
            sent["email"] += 1
    for pk in (
        confirmed.filter(reminder_sms_sent_at__isnull=True, slot__starts_at__lt=sms_until)
        .exclude(phone="")
        .values_list("pk", flat=True)
    ):
        if Booking.objects.filter(pk=pk, reminder_sms_sent_at__isnull=True).update(
            reminder_sms_sent_at=now
        ):
            booking = Booking.objects.select_related("procedure__site", "slot").get(pk=pk)
            try:
                notifications.send_reminder_sms(booking)
            except Exception:  # the SMS gateway failed: unclaim, the next sweep retries
                logger.exception("reminder SMS failed", extra={"booking": pk})
                Booking.objects.filter(pk=pk).update(reminder_sms_sent_at=None)
                continue
            sent["sms"] += 1
    return sent


def join_waitlist(
    procedure: Procedure, *, first_name: str, last_name: str, email: str, language: str = "fr"
) -> WaitlistEntry:
    """Put a person on the waiting list of a procedure (once)."""
    email = normalise_email(email)
    existing = WaitlistEntry.objects.filter(
        procedure=procedure, email=email, status__in=[WS.WAITING, WS.OFFERED]
    ).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                procedure=procedure,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                email=email,
                language=language,
            )
    except IntegrityError:
        return WaitlistEntry.objects.get(
            procedure=procedure, email=email, status__in=[WS.WAITING, WS.OFFERED]
        )


def offer_freed_slots(*, now: datetime | None = None) -> int:
    """Offer free slots to the waiting list, one person at a time, with a 24-hour link."""
    now = now or timezone.now()
    WaitlistEntry.objects.filter(status=WS.OFFERED, offer_expires_at__lt=now).update(
        status=WS.EXPIRED
    )
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
    pending_slots = set(
        WaitlistEntry.objects.filter(procedure=procedure, status=WS.OFFERED).values_list(
            "offered_slot_id", flat=True
        )
    )
    free = [
        slot
        for slot in Slot.objects.filter(
            procedure=procedure,
            blocked=False,
            booked__lt=F("capacity"),
            starts_at__gt=now + timedelta(hours=procedure.closes_hours_before),
        ).order_by("starts_at")[:20]
        if slot.pk not in pending_slots
    ]
    for slot in free:
        entry = (
            WaitlistEntry.objects.filter(procedure=procedure, status=WS.WAITING)
            .order_by("created_at", "pk")
            .first()
        )
        if entry is None:
            break
        # Claim with a conditional UPDATE: only a changed row is offered (and mailed).
        if WaitlistEntry.objects.filter(pk=entry.pk, status=WS.WAITING).update(
            status=WS.OFFERED,
            offered_slot=slot,
            offer_expires_at=now + timedelta(hours=OFFER_HOURS),
            offer_sent_at=now,
        ):
            entry.refresh_from_db()
            transaction.on_commit(lambda e=entry: notifications.send_waitlist_offer(e))
            offered += 1
    return offered


def accept_offer(entry: WaitlistEntry, person: Person, *, now: datetime | None = None) -> Booking:
    """The person takes the slot offered from the waiting list (confirmed at once: the
    link came to his address)."""
    now = now or timezone.now()
    if entry.status != WS.OFFERED or entry.offer_expires_at < now:
        raise BookingError(_("Cette proposition n'est plus valable."), "expired")
    person.email = entry.email
    booking = book_slot(
        entry.offered_slot, person, channel=Channel.AGENT, language=entry.language, now=now
    )
    # Booked as the person himself, not by an agent: record the online channel.
    Booking.objects.filter(pk=booking.pk).update(channel=Channel.ONLINE)
    booking.channel = Channel.ONLINE
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=WS.BOOKED, booking=booking)
    return booking


# --- personal data ---------------------------------------------------------------------


def purge_personal_data(*, now: datetime | None = None, months: int | None = None) -> int:
    """Blank the personal details of bookings past a retention period; counts stay."""
    from django.conf import settings

    now = now or timezone.now()
    months = months or getattr(settings, "APPOINTMENTS_RETENTION_MONTHS", 3)
    limit = now - timedelta(days=31 * months)
    old = Booking.objects.filter(slot__starts_at__lt=limit, purged_at__isnull=True).exclude(
        status__in=ACTIVE_STATUSES
    )
    count = old.update(
        first_name="",
        last_name="",
        email="",
        phone="",
        foreign_number="",
        permit_expires_on=None,
        answers={},
        email_key="",
        phone_key="",
        foreign_number_key="",
        rebooking_token="",
        purged_at=now,
    )
    WaitlistEntry.objects.filter(created_at__lt=limit).exclude(
        status__in=[WS.WAITING, WS.OFFERED]
    ).delete()
    return count

"""The reception desk (bookings made for a person, check-in, attendance, the attendance
certificate), and slots and schedules."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements.organisation.enums import HoursChannel
from engagements.organisation.models import OpeningHours
from engagements.shell import hooks

from .. import notifications
from ..enums import ACTIVE_STATUSES, BookingStatus, WaitlistStatus
from ..models import (
    REBOOKING_DAYS,
    Booking,
    Procedure,
    Slot,
    SlotLog,
    WaitlistEntry,
    new_token,
)
from .booking import (
    BookingError,
    Person,
    book_slot,
    bring_documents_wait_before,
    cancel_booking,
    change_status,
    log_event,
    logger,
)

SURVEY_NOTE = "Invitation à l'enquête de satisfaction envoyée"

# --- the day at the counter --------------------------------------------------------------


def book_for_person(
    slot: Slot,
    person: Person,
    *,
    actor,
    channel: str,
    partner: str = "",
    language: str = "fr",
) -> Booking:
    """An agent (at the desk, on the phone) or a partner point books for a person: confirmed
    at once; without an e-mail address, the confirmation goes to her phone by SMS.

    The SMS is queued in the booking's transaction (both or neither). The partner API does
    not come here: its booking stays book_slot's one statement (the hot path)."""
    with transaction.atomic():
        booking = book_slot(
            slot, person, channel=channel, actor=actor, partner=partner, language=language
        )
        if not booking.email and booking.phone:
            notifications.queue_confirmation_sms(booking)
    return booking


ARRIVAL_MARGIN = timedelta(hours=1)


def check_in_time(booking: Booking, arrived_at: datetime | None, *, now=None) -> datetime:
    """The arrival time to record, checked against the slot's day and the site's hours.

    `arrived_at` is the time the agent typed (None: now). Refused: a time in the future,
    another day than the appointment's, or outside the site's reception hours that day
    and more than an hour from the appointment — a 05:42 arrival for a 09:00 appointment
    when the site opens at 08:45 is a mistake; 17:55 for an extra 18:00 slot is not.
    """
    now = now or timezone.now()
    moment = arrived_at or now
    local = timezone.localtime(moment)
    start = timezone.localtime(booking.slot.starts_at)
    if moment > now + timedelta(minutes=1):
        raise BookingError(
            f"L'heure d'arrivée ({local:%H:%M}) est dans le futur : indiquez l'heure réelle.",
            "arrival",
        )
    if local.date() != start.date():
        raise BookingError(
            f"Le rendez-vous est le {start:%d/%m/%Y} à {start:%H:%M} : l'arrivée ne peut être "
            f"enregistrée que ce jour-là (pas le {local:%d/%m/%Y} à {local:%H:%M}).",
            "arrival",
        )
    hours = OpeningHours.objects.filter(
        site_id=booking.procedure.site_id, channel=HoursChannel.RECEPTION, weekday=start.weekday()
    ).first()
    # An appointment outside the reception hours (an extra evening slot, a slot moved
    # there) is received at its own time: the hour around it is as good as the hours.
    near_the_appointment = (
        booking.slot.starts_at - ARRIVAL_MARGIN <= moment <= booking.slot.ends_at + ARRIVAL_MARGIN
    )
    if hours is not None and not near_the_appointment:
        closes = hours.closes_again_at or hours.closes_at
        if local.time() < hours.opens_at or local.time() > closes:
            raise BookingError(
                f"Heure d'arrivée impossible : {local:%H:%M}, alors que l'accueil est ouvert "
                f"de {hours.opens_at:%H:%M} à {closes:%H:%M} (rendez-vous à "
                f"{start:%H:%M}). Indiquez l'heure réelle d'arrivée.",
                "arrival",
            )
    return moment


def record_attendance(
    booking: Booking,
    status: str,
    *,
    actor,
    send_certificate: bool = False,
    arrived_at: datetime | None = None,
) -> Booking:
    """Check-in outcome: attended, late (with a 6-week rebooking link), no-show, or cancelled
    (by the service, or at the person's request made to an agent).

    An arrival (attended, late) records its time — checked by check_in_time() — and the
    agent who received the person, both named on the attendance certificate.
    """
    allowed = {
        BookingStatus.ATTENDED,
        BookingStatus.LATE,
        BookingStatus.NO_SHOW,
        BookingStatus.CANCELLED_BY_SERVICE,
        BookingStatus.CANCELLED_BY_USER,
    }
    if status not in allowed:
        raise BookingError(_("Statut inconnu."), "invalid")
    if status == BookingStatus.CANCELLED_BY_SERVICE:
        return cancel_booking(booking, actor=actor, by_service=True)
    if status == BookingStatus.CANCELLED_BY_USER:
        # The person called or came to cancel: the plain cancellation mail, no apology.
        return cancel_booking(booking, actor=actor, note="À la demande de la personne")
    with transaction.atomic():
        booking = (
            # of=self: lock the booking row only, not the joined prefecture and service.
            Booking.objects.select_for_update(of=("self",))
            .select_related("procedure__prefecture", "procedure__service__site")
            .get(pk=booking.pk)
        )
        arrival = None
        if status in (BookingStatus.ATTENDED, BookingStatus.LATE):
            arrival = check_in_time(booking, arrived_at)
        if status == BookingStatus.LATE and arrival <= booking.slot.starts_at:
            # "Late" mails the person that she came after her time, with a link to book
            # again: before the appointment, she is not late.
            start = timezone.localtime(booking.slot.starts_at)
            raise BookingError(
                f"Arrivée à {timezone.localtime(arrival):%H:%M}, avant l'heure du rendez-vous "
                f"({start:%H:%M}) : la personne n'est pas en retard, enregistrez-la comme venue.",
                "arrival",
            )
        elif status == BookingStatus.NO_SHOW and timezone.now() < booking.slot.starts_at:
            # An absence counts against the person under the no-show policy.
            start = timezone.localtime(booking.slot.starts_at)
            raise BookingError(
                f"Le rendez-vous est le {start:%d/%m/%Y} à {start:%H:%M} : la personne ne "
                "peut pas être notée absente avant cette heure.",
                "arrival",
            )
        change_status(booking, status, actor=actor)
        if arrival is not None:
            booking.checked_in_at = arrival
            booking.checked_in_by = actor if getattr(actor, "pk", None) else None
            booking.save(update_fields=["checked_in_at", "checked_in_by"])
        if status == BookingStatus.LATE:
            booking.rebooking_token = new_token()
            booking.rebooking_expires_at = timezone.now() + timedelta(days=REBOOKING_DAYS)
            booking.save(update_fields=["rebooking_token", "rebooking_expires_at"])
            notifications.queue_booking_mail(
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
        if arrival is not None and send_certificate:
            # Late arrivals get it too: the certificate proves the person came (the
            # desk prints it for both), and the ticked box must not be dropped silently.
            queue_certificate_mail(booking)
        if status == BookingStatus.ATTENDED:
            _invite_to_survey(booking)
        # The no-show rate of the appointment's month changed.
        hooks.period_touched(
            booking.procedure.prefecture, {timezone.localdate(booking.slot.starts_at)}
        )
    return booking


def _invite_to_survey(booking: Booking) -> None:
    """Issue 6's hook: the after-visit survey, once per booking, when the procedure allows it.

    Called inside the transition's transaction: the invitation row rolls back with it and
    the mail is queued in the same transaction (outbox) and leaves on commit only.
    """
    procedure = booking.procedure
    if not (procedure.survey_invitation and booking.email):
        return
    # A correction (no-show → attended) must not invite a second time.
    if booking.logs.filter(note=SURVEY_NOTE).exists():
        return
    from engagements.surveys.services import SurveyError, invite_after_visit

    try:
        invitation = invite_after_visit(
            procedure.prefecture, procedure.service, booking.email, language=booking.language
        )
    except SurveyError:
        # A survey set-up problem must not stop the counter from recording the visit.
        logger.exception("survey invitation refused", extra={"booking": booking.pk})
        return
    if invitation is not None:
        log_event(booking, booking.status, booking.status, None, SURVEY_NOTE)


def queue_certificate_mail(booking: Booking):
    from engagements.pdf import render_pdf

    from ..booking_files import certificate_context

    pdf = render_pdf("appointments/pdf/certificate.html", certificate_context(booking))
    return notifications.queue_booking_mail(
        booking,
        "certificate",
        attachments=[(f"attestation-{booking.reference}.pdf", pdf, "application/pdf")],
    )


# --- slots and schedules -------------------------------------------------------------------


def generate_slots(procedure: Procedure, *, start: date, end: date) -> int:
    """Create the slots of the weekly template between two dates (working days only)."""
    from engagements.calendar.workdays import calendar_for

    calendar = calendar_for(procedure.prefecture, procedure.site)
    rules = list(procedure.rules.all())
    step = timedelta(minutes=procedure.duration_minutes)
    if step <= timedelta(0):
        # A procedure saved without a duration (before the form refused it): slots that
        # all start at the same time would be created without end.
        logger.warning("no slots for a procedure without duration", extra={"pk": procedure.pk})
        return 0
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


def _check_future(starts_at: datetime, now: datetime | None = None) -> None:
    """A slot opened or moved by the service starts later than now: a past time (a typo in
    the year or the day) would be told to the people booked and could not be booked."""
    if starts_at <= (now or timezone.now()):
        raise BookingError(
            f"Le {timezone.localtime(starts_at):%d/%m/%Y à %H:%M} est déjà passé : "
            "indiquez une date et une heure à venir.",
            "invalid",
        )


def open_slot(procedure: Procedure, starts_at: datetime, *, actor) -> Slot:
    """Open an extra slot outside the weekly template (a reinforcement, a make-up day)."""
    _check_future(starts_at)
    try:
        with transaction.atomic():
            slot = Slot.objects.create(
                procedure=procedure,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=procedure.duration_minutes),
                capacity=procedure.capacity,
            )
            SlotLog.objects.create(slot=slot, actor=actor, note="Créneau ouvert")
            return slot
    except IntegrityError as error:
        raise BookingError("Un créneau existe déjà à cette heure.", "invalid") from error


def set_slot_blocked(slot: Slot, blocked: bool, *, actor) -> Slot:
    """Close or reopen a slot to new bookings (existing bookings stay)."""
    with transaction.atomic():
        slot = Slot.objects.select_for_update().get(pk=slot.pk)
        slot.blocked = blocked
        slot.save(update_fields=["blocked"])
        note = "Créneau fermé aux réservations" if blocked else "Créneau rouvert"
        SlotLog.objects.create(slot=slot, actor=actor, note=note)
    return slot


def move_slot(slot: Slot, new_start: datetime, *, actor) -> Slot:
    """Move a slot; the people booked in it are told by e-mail (SMS without an address), and
    a waiting-list offer kept on it is sent again with the new time."""
    _check_future(new_start)
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
        SlotLog.objects.create(
            slot=slot,
            actor=actor,
            note=f"Créneau déplacé au {timezone.localtime(new_start):%d/%m/%Y %H:%M}",
        )
        bookings = list(slot.bookings.filter(status__in=ACTIVE_STATUSES).select_related("slot"))
        for booking in bookings:
            booking.reminder_email_sent_at = None
            booking.reminder_sms_sent_at = None
            booking.save(update_fields=["reminder_email_sent_at", "reminder_sms_sent_at"])
            log_event(
                booking, booking.status, booking.status, actor, "Créneau déplacé par le service"
            )
            bring_documents_wait_before(booking, today=timezone.localdate())
        for booking in bookings:
            notifications.queue_change_notice(booking, "moved")
        # A seat of this slot kept for a waiting-list offer: the offer's mail named the old
        # time; the offer is sent again with the new one (same link, same deadline).
        offers = WaitlistEntry.objects.filter(
            offered_slot=slot, status=WaitlistStatus.OFFERED
        ).select_related("procedure__site", "procedure__prefecture", "offered_slot")
        for entry in offers:
            notifications.queue_waitlist_offer(entry)
    return slot

"""Documents a procedure asks before the appointment (issue 23: the rule of the register's
missing documents, engagements/waits.py).

After booking such a procedure the person has `documents_before_days` calendar days
(indicative, never past the day before the appointment) to send the documents from her
booking's page. She is reminded two days before the end (outbox mail), may ask once for
more time (a reason, a date up to the procedure's limit) and an agent may grant more. Past
the end nothing is cancelled by itself: the booking is listed "pièces en attente — délai
dépassé" until an agent extends the wait, cancels the booking (the cancellation mail, the
seat freed) or keeps it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements import waits
from engagements.shell.content_language import long_date

from .. import notifications
from ..enums import ACTIVE_STATUSES, DOCUMENT_SENT_NOTE, EXTENSION_REASON_MARK
from ..models import Booking, BookingDocument, BookingDocumentWait
from .booking import BookingError, appointment_eve, cancel_booking, log_event


def wait_for(booking: Booking) -> BookingDocumentWait | None:
    return BookingDocumentWait.objects.filter(booking=booking).first()


def extension_limit(wait: BookingDocumentWait) -> date:
    """The latest date the person may choose herself: the procedure's limit after the first
    end, and never past the day before the appointment."""
    booking = wait.booking
    days = booking.procedure.documents_extension_days
    return min(wait.first_ends_on + timedelta(days=days), appointment_eve(booking))


def can_send_documents(booking: Booking, wait: BookingDocumentWait | None) -> bool:
    return (
        wait is not None
        and not wait.closed
        and booking.status in ACTIVE_STATUSES
        and booking.slot.starts_at > timezone.now()
    )


def can_ask_for_more_time(booking: Booking, wait: BookingDocumentWait | None) -> bool:
    return (
        can_send_documents(booking, wait)
        and wait.overdue_on is None
        and waits.person_may_ask(
            pending=wait.pending, asked_on=wait.extension_asked_on, limit=extension_limit(wait)
        )
    )


def _locked(booking: Booking) -> tuple[Booking, BookingDocumentWait]:
    booking = (
        Booking.objects.select_for_update().select_related("slot", "procedure").get(pk=booking.pk)
    )
    wait = BookingDocumentWait.objects.select_for_update().filter(booking=booking).first()
    if wait is None:
        raise BookingError(_("Ce rendez-vous n'attend pas de documents."), "transition")
    wait.booking = booking
    return booking, wait


def add_document(booking: Booking, upload: UploadedFile) -> BookingDocument:
    """A document sent by the person from the booking's page (checked by the form)."""
    today = timezone.localdate()
    with transaction.atomic():
        booking, wait = _locked(booking)
        if not can_send_documents(booking, wait):
            raise BookingError(
                _("Ce rendez-vous n'accepte plus de documents : apportez-les le jour venu."),
                "transition",
            )
        document = BookingDocument.objects.create(
            booking=booking,
            file=upload,
            name=(upload.name or "document")[:200],
            content_type=getattr(upload, "content_type", "") or "application/octet-stream",
            size=upload.size,
        )
        if wait.received_on is None:
            wait.received_on = today
            wait.save(update_fields=["received_on"])
        log_event(booking, "", booking.status, note=f"{DOCUMENT_SENT_NOTE} : {document.name}")
    return document


def _extend(booking, wait, until: date, reason: str, actor, who: str) -> None:
    previous = wait.ends_on
    wait.save(update_fields=waits.apply_extension(wait, until, reason, by_person=actor is None))
    log_event(
        booking,
        "",
        booking.status,
        actor=actor,
        note=(
            f"Délai complémentaire {who} : documents attendus jusqu'au {until:%d/%m/%Y} "
            f"(au lieu du {previous:%d/%m/%Y}).{EXTENSION_REASON_MARK}{reason}"
        ),
    )
    notifications.queue_booking_mail(
        booking, "documents_extended", {"wait": wait, "by_agent": bool(actor)}
    )


def ask_for_more_time(booking: Booking, *, until: date, reason: str) -> BookingDocumentWait:
    """The person asks for more time from the booking's page: granted up to the limit."""
    reason = reason.strip()
    if not reason:
        raise BookingError(_("Indiquez pourquoi vous avez besoin de plus de temps."), "invalid")
    with transaction.atomic():
        booking, wait = _locked(booking)
        if not can_send_documents(booking, wait) or not wait.pending:
            raise BookingError(_("Ce rendez-vous n'attend pas de documents."), "transition")
        if wait.extension_asked_on is not None:
            raise BookingError(
                _("Vous avez déjà demandé un délai complémentaire : contactez le service."),
                "transition",
            )
        limit = extension_limit(wait)
        try:
            waits.check_person_date(until, ends_on=wait.ends_on, limit=limit)
        except waits.WaitDateError:
            raise BookingError(
                _("Choisissez une date après le %(ends)s et au plus tard le %(limit)s.")
                % {"ends": long_date(wait.ends_on), "limit": long_date(limit)},
                "invalid",
            ) from None
        _extend(booking, wait, until, reason, None, "demandé par la personne")
    return wait


def extend_wait(booking: Booking, *, actor, until: date, reason: str = "") -> BookingDocumentWait:
    """An agent grants more time (beyond the person's limit if need be), overdue or not."""
    try:
        waits.check_agent_date(until)
    except waits.WaitDateError as exc:
        raise BookingError(str(exc), "invalid") from None
    with transaction.atomic():
        booking, wait = _locked(booking)
        if wait.closed or booking.status not in ACTIVE_STATUSES:
            raise BookingError("Ce rendez-vous n'est plus actif.", "transition")
        wait.kept_on = None
        wait.save(update_fields=["kept_on"])
        _extend(booking, wait, until, reason.strip() or "accordé par le service", actor, "accordé")
    return wait


def keep_booking(booking: Booking, *, actor) -> BookingDocumentWait:
    """An agent keeps the booking without the documents: it leaves the overdue list."""
    with transaction.atomic():
        booking, wait = _locked(booking)
        if wait.overdue_on is None or wait.closed or wait.kept_on is not None:
            raise BookingError("Ce rendez-vous n'est pas en délai dépassé.", "transition")
        wait.kept_on = timezone.localdate()
        wait.kept_by = actor
        wait.save(update_fields=["kept_on", "kept_by"])
        log_event(
            booking,
            "",
            booking.status,
            actor=actor,
            note="Rendez-vous maintenu sans les documents (délai dépassé)",
        )
    return wait


def cancel_for_missing_documents(booking: Booking, *, actor, note: str = "") -> Booking:
    """An agent cancels a booking whose documents never came: the cancellation mail goes,
    the seat is freed (then offered to the waiting list)."""
    with transaction.atomic():
        booking, wait = _locked(booking)
        if wait.overdue_on is None or wait.closed or wait.kept_on is not None:
            raise BookingError("Ce rendez-vous n'est pas en délai dépassé.", "transition")
        wait.closed = True
        wait.save(update_fields=["closed"])
        text = f"Documents attendus jusqu'au {wait.ends_on:%d/%m/%Y} non reçus"
        booking = cancel_booking(
            booking, actor=actor, by_service=True, note=" — ".join(p for p in (text, note) if p)
        )
    return booking


def overdue_waits(bookings):
    """The "pièces en attente — délai dépassé" list: active bookings past their end."""
    return (
        BookingDocumentWait.objects.filter(
            booking__in=bookings,
            booking__status__in=ACTIVE_STATUSES,
            received_on__isnull=True,
            closed=False,
            kept_on__isnull=True,
            overdue_on__isnull=False,
        )
        .select_related("booking__slot", "booking__procedure__site")
        .order_by("overdue_on", "booking__slot__starts_at", "pk")
    )


def remind_and_flag_document_waits(*, today: date | None = None) -> dict[str, int]:
    """Daily job: remind two days before the end; past the end, list the booking "délai
    dépassé" for an agent to decide (nothing is cancelled by itself)."""
    today = today or timezone.localdate()
    reminded = overdue = 0
    pending = BookingDocumentWait.objects.filter(
        received_on__isnull=True,
        closed=False,
        kept_on__isnull=True,
        overdue_on__isnull=True,
        booking__status__in=ACTIVE_STATUSES,
    ).values_list("booking_id", flat=True)
    for booking_id in list(pending):
        with transaction.atomic():
            booking, wait = _locked(Booking(pk=booking_id))
            if not wait.pending or wait.overdue_on or booking.status not in ACTIVE_STATUSES:
                continue
            step = waits.daily_step(wait, today)
            if step == waits.OVERDUE:
                log_event(
                    booking,
                    "",
                    booking.status,
                    note=(
                        f"Documents attendus jusqu'au {wait.ends_on:%d/%m/%Y} non reçus : "
                        "à prolonger, annuler ou maintenir par un agent (délai dépassé)"
                    ),
                )
                overdue += 1
            elif step == waits.REMIND:
                log_event(
                    booking,
                    "",
                    booking.status,
                    note=f"Relance envoyée, documents attendus jusqu'au {wait.ends_on:%d/%m/%Y}",
                )
                notifications.queue_booking_mail(booking, "documents_reminder", {"wait": wait})
                reminded += 1
    return {"reminded": reminded, "overdue": overdue}

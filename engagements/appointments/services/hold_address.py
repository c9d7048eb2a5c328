"""A hold's address corrected by the person, and its confirmation link mailed again."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements.outbox.queries import deliveries_for
from engagements.outbox.services import OutboxError, validate_address

from .. import notifications
from ..enums import BookingStatus
from ..models import Booking
from .booking import BookingError, Person, _duplicate, existing_active_booking, log_event

logger = logging.getLogger(__name__)

# The first mail and two more (corrections or "nothing came"): a hold lasts 15 minutes, so
# this bounds what one booking can mail to addresses typed on the page.
HOLD_MAILS_AT_MOST = 3


def hold_mails_sent(booking: Booking) -> int:
    """How many confirmation-link mails the hold has queued (the first included)."""
    return deliveries_for(booking).filter(purpose=notifications.purpose("hold")).count()


def may_correct_hold_address(booking: Booking, *, now: datetime | None = None) -> bool:
    """Whether the "wrong address?" form is worth showing: the hold still runs."""
    now = now or timezone.now()
    return (
        booking.status == BookingStatus.HELD
        and booking.hold_expires_at is not None
        and booking.hold_expires_at > now
    )


def correct_hold_address(booking: Booking, email: str, *, now: datetime | None = None) -> Booking:
    """The person typed a wrong address, or got nothing: while the hold runs, its address
    becomes `email` and the confirmation link is mailed there again.

    The same booking and seat, the same 15 minutes (no second hold, no longer one); at most
    HOLD_MAILS_AT_MOST link mails per booking. An address that already has a booking for
    the procedure is refused as at booking time ("duplicate", with that booking)."""
    now = now or timezone.now()
    email = email.strip()
    try:
        validate_address(email)
    except OutboxError as error:
        raise BookingError(
            _("Cette adresse électronique n'est pas valide : vérifiez-la."), "invalid"
        ) from error
    try:
        with transaction.atomic():
            booking = Booking.objects.select_for_update().get(pk=booking.pk)
            if not may_correct_hold_address(booking, now=now):
                raise BookingError(
                    _(
                        "Le délai de 15 minutes pour confirmer est dépassé et le créneau a été "
                        "libéré. Vous pouvez réserver à nouveau."
                    ),
                    "expired",
                )
            if hold_mails_sent(booking) >= HOLD_MAILS_AT_MOST:
                raise BookingError(
                    _(
                        "Le lien a déjà été envoyé trois fois. Vérifiez les courriels "
                        "indésirables, ou attendez 15 minutes et réservez à nouveau."
                    ),
                    "too_many",
                )
            changed = email != booking.email
            if changed:
                existing = existing_active_booking(booking.procedure, Person("", "", email=email))
                if existing is not None and existing.pk != booking.pk:
                    raise _duplicate(existing)
                booking.email = email
                booking.set_identity_keys()
                booking.save(update_fields=["email", "email_key", "email_hash"])
            log_event(
                booking,
                booking.status,
                booking.status,
                note=(
                    "Adresse électronique corrigée par la personne, lien renvoyé"
                    if changed
                    else "Lien de confirmation renvoyé à la demande de la personne"
                ),
            )
            notifications.owe_booking_mail(booking, "hold")
    except IntegrityError as error:
        # The one-active-booking constraint: this address has a booking for the procedure.
        existing = existing_active_booking(booking.procedure, Person("", "", email=email))
        if existing is None:
            raise
        raise _duplicate(existing) from error
    logger.info("hold address corrected", extra={"booking": booking.pk, "changed": changed})
    return booking

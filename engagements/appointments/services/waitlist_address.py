"""A waiting-list entry's address corrected by the person who just registered it."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from engagements.outbox.queries import deliveries_for
from engagements.outbox.services import OutboxError, validate_address

from .. import notifications
from ..enums import WaitlistStatus as WS
from ..models import WaitlistEntry, WaitlistLog, normalise_email
from .booking import BookingError

logger = logging.getLogger(__name__)

# Each correction mails the new address; three bound what one registration can mail to
# addresses typed on the page (as HOLD_MAILS_AT_MOST for a hold).
WAITLIST_CORRECTIONS_AT_MOST = 3
ADDRESS_MAIL = "waitlist_address"
# The entry's history, for the agents (a person who says she never heard from the list):
# the fact and the time, never the address replaced (models.WaitlistLog).
CORRECTED_NOTE = "Adresse électronique corrigée par la personne"


def waitlist_corrections(entry: WaitlistEntry) -> int:
    """How many corrections the entry has had (one confirmation mail each)."""
    return deliveries_for(entry).filter(purpose=notifications.purpose(ADDRESS_MAIL)).count()


def may_correct_waitlist_address(entry: WaitlistEntry) -> bool:
    """Whether the "wrong address?" form is worth showing: no slot offered yet."""
    return entry.status == WS.WAITING


def correct_waitlist_address(entry: WaitlistEntry, email: str) -> WaitlistEntry:
    """The person mistyped the address of the entry he just made: while no slot has been
    offered to it, the entry takes `email` and keeps its place (its `created_at`), its
    history says so (not the old address), and the new address is told it is on the list.
    At most WAITLIST_CORRECTIONS_AT_MOST.

    The change is a conditional UPDATE on `status = waiting`: of a correction and the sweep
    offering a slot to the entry (its own conditional UPDATE), the later one sees the
    other's row, so an offer never goes to the address being replaced."""
    email = normalise_email(email)
    try:
        validate_address(email)
    except OutboxError as error:
        raise BookingError(
            _("Cette adresse électronique n'est pas valide : vérifiez-la."), "invalid"
        ) from error
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
            if waitlist_corrections(entry) >= WAITLIST_CORRECTIONS_AT_MOST:
                raise BookingError(
                    _(
                        "L'adresse a déjà été corrigée trois fois. Pour une autre adresse, "
                        "inscrivez-vous à nouveau."
                    ),
                    "too_many",
                )
            if not WaitlistEntry.objects.filter(pk=entry.pk, status=WS.WAITING).update(email=email):
                raise BookingError(
                    _(
                        "Un créneau a déjà été proposé à cette inscription : son adresse ne "
                        "peut plus être changée."
                    ),
                    "offered",
                )
            entry.email = email
            WaitlistLog.objects.create(entry=entry, note=CORRECTED_NOTE)
            notifications.queue_waitlist_address(entry)
    except IntegrityError as error:
        # appt_waitlist_once: this address is already on the procedure's list.
        raise BookingError(
            _("Cette adresse est déjà inscrite sur la liste d'attente de cette démarche."),
            "duplicate",
        ) from error
    except OutboxError as error:
        raise BookingError(
            _("Cette adresse électronique n'est pas valide : vérifiez-la."), "invalid"
        ) from error
    logger.info("waiting-list address corrected", extra={"entry": entry.pk})
    return entry

"""The one bookability rule, used by the week page (queries.slot_state) and by the booking
itself (services.check_public_rules): a slot shown free can be booked, and a slot the
booking refuses is never shown free."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from .models import Slot

NOT_PUBLIC = "not_public"
NOT_OPEN = "not_open"
CLOSED = "closed"
PRIORITY = "priority"


def public_refusal(slot: Slot, now: datetime, *, priority_person: bool = False) -> str | None:
    """Why the public may not book this slot now (a reason code), None when it may.

    Seats are not looked at here: a full slot is refused by the seat counter."""
    procedure = slot.procedure
    if not procedure.is_public:
        return NOT_PUBLIC
    if slot.blocked or now < procedure.opening_of(slot.starts_at):
        return NOT_OPEN
    if now > procedure.closing_of(slot.starts_at):
        return CLOSED
    if (
        slot.priority
        and not priority_person
        and now < slot.starts_at - timedelta(hours=procedure.priority_release_hours)
    ):
        return PRIORITY
    return None


def refusal_message(reason: str) -> str:
    return {
        NOT_PUBLIC: _("Cette démarche ne se réserve pas en ligne."),
        NOT_OPEN: _("Ce créneau n'est pas encore ouvert à la réservation."),
        CLOSED: _("Ce créneau n'est plus réservable en ligne."),
        PRIORITY: _(
            "Ce créneau est réservé aux personnes dont le titre expire dans moins de deux mois."
        ),
    }[reason]


def refusal_code(reason: str) -> str:
    """The BookingError code of a refusal (what the API and the forms already answer)."""
    return "priority" if reason == PRIORITY else "closed"

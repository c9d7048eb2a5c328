"""Scheduled work of the committee app."""

from __future__ import annotations

import logging

from django.utils import timezone

from .services.meetings import MeetingError, due_for_invitation, send_invitation

log = logging.getLogger(__name__)


def send_due_invitations() -> int:
    """Daily: send the invitation of meetings N days ahead (committee setting)."""
    sent = 0
    for meeting in due_for_invitation(timezone.localdate()):
        try:
            send_invitation(meeting)
            sent += 1
        except MeetingError as exc:
            log.warning(
                "committee invitation not sent", extra={"meeting": meeting.pk, "error": str(exc)}
            )
    return sent


def revoke_ended_access() -> int:
    """Daily: members whose mandates have all ended lose the members' space."""
    from .services.members import revoke_ended_access as revoke

    return revoke()


def purge_former_members() -> int:
    """Daily housekeeping: former members' contact details past their retention period."""
    from .services.members import purge_former_members as purge

    return purge()

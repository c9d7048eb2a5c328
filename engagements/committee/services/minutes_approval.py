"""The one rule that puts the approval of a meeting's minutes on the next agenda.

Minutes drafted after a meeting are approved at the following one: their approval is the
first point of its agenda. Either the following meeting is already planned when the
minutes are opened (`schedule_approval`), or it is planned later, while the minutes still
await approval (`approve_pending_minutes_on`). Both go through `put_approval_on_agenda`.
"""

from __future__ import annotations

from django.db.models import F

from ..enums import AgendaKind, DocumentKind, MeetingStatus, MinutesStatus
from ..models import AgendaItem, Meeting, Minutes


def put_approval_on_agenda(minutes: Minutes, meeting: Meeting) -> AgendaItem | None:
    """Make the approval of `minutes` the first point of `meeting`'s agenda (once)."""
    approved = minutes.meeting
    if meeting.agenda.filter(approves__meeting=approved).exists():
        return None
    meeting.agenda.update(position=F("position") + 1)
    return AgendaItem.objects.create(
        meeting=meeting,
        position=1,
        title=f"Approbation du relevé de la réunion du {approved.day:%d/%m/%Y}",
        kind=AgendaKind.DECISION,
        document_kind=DocumentKind.PREVIOUS_MINUTES,
        document_ref=approved.pk,
        approves=minutes,
    )


def schedule_approval(minutes: Minutes) -> AgendaItem | None:
    """Put the approval of these minutes on the agenda of the next planned meeting, when
    there is one (a meeting planned later gets it when it is planned)."""
    meeting = minutes.meeting
    following = (
        Meeting.objects.filter(
            committee=meeting.committee,
            starts_at__gt=meeting.starts_at,
            status__in=[MeetingStatus.PLANNED, MeetingStatus.CONVENED],
        )
        .order_by("starts_at")
        .first()
    )
    return None if following is None else put_approval_on_agenda(minutes, following)


def approve_pending_minutes_on(meeting: Meeting) -> AgendaItem | None:
    """A newly planned meeting: the latest earlier minutes awaiting approval go on its
    agenda."""
    pending = (
        Minutes.objects.filter(
            meeting__committee=meeting.committee,
            meeting__starts_at__lt=meeting.starts_at,
            status__in=[MinutesStatus.DRAFT, MinutesStatus.SENT],
        )
        .select_related("meeting")
        .order_by("-meeting__starts_at", "-version")
        .first()
    )
    return None if pending is None else put_approval_on_agenda(pending, meeting)

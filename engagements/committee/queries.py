"""Read side: the yearly report (contract of `committee_report`), upcoming meetings, warnings."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from engagements.organisation.models import Prefecture
from engagements.shell import hooks

from .enums import AttendanceStatus, MeetingStatus, SeatKind, SuggestionStatus
from .models import Committee, Decision, Meeting, Minutes, Seat, Suggestion


def committee_of(prefecture: Prefecture) -> Committee | None:
    return Committee.objects.filter(prefecture=prefecture).first()


def current_minutes_ids(meetings) -> dict[int, int]:
    """{meeting pk: pk of its latest minutes version}."""
    latest: dict[int, tuple[int, int]] = {}
    for pk, meeting_id, version in Minutes.objects.filter(meeting__in=meetings).values_list(
        "pk", "meeting_id", "version"
    ):
        if meeting_id not in latest or version > latest[meeting_id][0]:
            latest[meeting_id] = (version, pk)
    return {meeting_id: pk for meeting_id, (_, pk) in latest.items()}


def yearly_report(prefecture: Prefecture, year: int) -> dict:
    """Seats per college (mandate overlapping the year), meetings of the year with their
    attendance and decision counts, suggestions of the year by status."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    committee = committee_of(prefecture)
    empty_suggestions = {status: 0 for status in SuggestionStatus.values}
    if committee is None:
        return {"seats": {}, "meetings": [], "suggestions": empty_suggestions}

    seats: dict[str, dict[str, int]] = {}
    rows = (
        Seat.objects.filter(committee=committee)
        .overlapping(start, end)
        .values_list("college__name", "kind")
        .order_by("college__position", "college__name")
    )
    for college, kind in rows:
        counts = seats.setdefault(
            college, {SeatKind.TITULAR.value: 0, SeatKind.SUBSTITUTE.value: 0}
        )
        counts[kind] += 1

    meetings = list(
        committee.meetings.filter(starts_at__date__gte=start, starts_at__date__lte=end)
        .annotate(
            **{
                status: Count("attendance", filter=Q(attendance__status=status))
                for status in (
                    AttendanceStatus.PRESENT,
                    AttendanceStatus.EXCUSED,
                    AttendanceStatus.ABSENT,
                    AttendanceStatus.REPRESENTED,
                )
            }
        )
        .order_by("starts_at", "pk")
    )
    # starts_at__date uses the current time zone, as the meeting's day does.
    minutes_ids = current_minutes_ids(meetings)
    decisions = Counter(
        Decision.objects.filter(minutes_id__in=minutes_ids.values()).values_list(
            "minutes_id", flat=True
        )
    )
    meeting_rows = [
        {
            "date": meeting.day.isoformat(),
            "kind": meeting.kind,
            "status": meeting.status,
            "present": meeting.present,
            "excused": meeting.excused,
            "absent": meeting.absent,
            "represented": meeting.represented,
            "decisions": decisions.get(minutes_ids.get(meeting.pk), 0),
        }
        for meeting in meetings
    ]

    suggestions = dict(empty_suggestions)
    for status, count in (
        Suggestion.objects.filter(committee=committee, submitted_on__year=year)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        suggestions[status] = count
    return {"seats": seats, "meetings": meeting_rows, "suggestions": suggestions}


def next_meeting(committee: Committee) -> Meeting | None:
    return (
        committee.meetings.filter(
            starts_at__gte=timezone.now(),
            status__in=[MeetingStatus.PLANNED, MeetingStatus.CONVENED],
        )
        .order_by("starts_at")
        .first()
    )


def audit_date(committee: Committee) -> date | None:
    """The next audit: a planned audit when an app plans them (the shell's next-audit hook)
    and has one, else the date typed on the committee."""
    planned = hooks.next_audit_date(committee.prefecture)
    if planned is not None:
        return planned
    return committee.planned_audit_date


def published_minutes(prefecture: Prefecture):
    """Approved and published minutes, the latest version of each meeting, newest first."""
    minutes = (
        Minutes.objects.filter(
            meeting__committee__prefecture=prefecture, published_at__isnull=False
        )
        .select_related("meeting")
        .annotate(decisions_count=Count("decisions"))  # shown on the public page
        .order_by("-meeting__starts_at", "-version")
    )
    seen: set[int] = set()
    result = []
    for item in minutes:
        if item.meeting_id not in seen:
            seen.add(item.meeting_id)
            result.append(item)
    return result


def meeting_days(prefecture: Prefecture, start: date, end: date) -> list[tuple[date, bool]]:
    """Each meeting's day between two dates included, and whether it was held (the quality
    calendar's source, through engagements.shell.label_cycle)."""
    committee = committee_of(prefecture)
    if committee is None:
        return []
    planned = {MeetingStatus.PLANNED, MeetingStatus.CONVENED}
    return [
        (meeting.day, meeting.status not in planned)
        for meeting in committee.meetings.filter(
            starts_at__date__gte=start - timedelta(days=1),
            starts_at__date__lte=end + timedelta(days=1),
        )
        if start <= meeting.day <= end
    ]


def meeting_days_by_prefecture(
    prefectures, start: date, end: date
) -> dict[int, list[tuple[date, bool]]]:
    """`meeting_days` of many prefectures in one query, by prefecture pk (none: absent)."""
    planned = {MeetingStatus.PLANNED, MeetingStatus.CONVENED}
    out: dict[int, list[tuple[date, bool]]] = {}
    for prefecture_id, starts_at, status in Meeting.objects.filter(
        committee__prefecture__in=prefectures,
        starts_at__date__gte=start - timedelta(days=1),
        starts_at__date__lte=end + timedelta(days=1),
    ).values_list("committee__prefecture_id", "starts_at", "status"):
        day = timezone.localtime(starts_at).date()
        if start <= day <= end:
            out.setdefault(prefecture_id, []).append((day, status not in planned))
    return out

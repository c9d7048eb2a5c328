"""Items for the référent's home: no meeting this year yet; an audit with no meeting before.
For a member's home: a draft of the minutes awaiting her observations."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from engagements.organisation.enums import RoleKind
from engagements.shell.navigation import Todo

from .enums import MeetingStatus, MinutesStatus
from .models import Committee, Minutes
from .queries import audit_date

GROUP = "Comité des usagers"


def _member_items(request) -> list[Todo]:
    """Drafts of the minutes still open to observations that the member has not observed."""
    if RoleKind.COMMITTEE_MEMBER not in request.access.kinds(request.prefecture):
        return []
    today = timezone.localdate()
    drafts = (
        Minutes.objects.filter(
            meeting__committee__prefecture=request.prefecture,
            status=MinutesStatus.SENT,
            observations_until__gte=today,
        )
        .exclude(observations__author=request.user)
        .select_related("meeting")
        .order_by("observations_until")
    )
    url = reverse("committee:members-space", args=[request.prefecture.slug])
    return [
        Todo(
            f"Projet de relevé de la réunion du {draft.meeting.day:%d/%m/%Y} : vos observations "
            f"jusqu'au {draft.observations_until:%d/%m/%Y}",
            url,
            count=1,
            group=GROUP,
        )
        for draft in drafts
    ]


def home_items(request) -> list[Todo]:
    prefecture = request.prefecture
    if not request.access.can(prefecture, "manage"):
        return _member_items(request)
    committee = Committee.objects.filter(prefecture=prefecture).first()
    if committee is None:
        return []
    today = timezone.localdate()
    url = reverse("committee:agents-meetings", args=[prefecture.slug])
    days = list(
        committee.meetings.exclude(status=MeetingStatus.CANCELLED)
        .filter(starts_at__year__gte=today.year)
        .values_list("starts_at", flat=True)
    )
    days = [timezone.localtime(d).date() for d in days]
    items = []
    if not any(d.year == today.year for d in days):
        items.append(
            Todo(
                "Aucune réunion du comité local des usagers cette année",
                url,
                count=1,
                level="warning",
                group=GROUP,
            )
        )
    audit = audit_date(committee)
    if audit and audit >= today and not any(today <= d <= audit for d in days):
        items.append(
            Todo(
                f"Audit prévu le {audit:%d/%m/%Y} sans réunion du comité avant",
                url,
                count=1,
                level="warning",
                group=GROUP,
            )
        )
    return items

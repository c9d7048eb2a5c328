"""Items for the référent's home: no meeting this year yet; an audit with no meeting before."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from engagements.shell.navigation import Todo

from .enums import MeetingStatus
from .models import Committee
from .queries import audit_date

GROUP = "Comité des usagers"


def home_items(request) -> list[Todo]:
    prefecture = request.prefecture
    if not request.access.can(prefecture, "manage"):
        return []
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

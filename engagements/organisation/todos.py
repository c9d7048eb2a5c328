"""The référent's home: personal-data requests whose answer is late or due within a week
(GDPR art. 12.3: one month from receipt, or the extended date)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from engagements.shell.navigation import Todo

from .models import RightsRequest

DUE_SOON_DAYS = 7


def home_items(request) -> list[Todo]:
    prefecture = request.prefecture
    if not request.access.can(prefecture, "manage"):
        return []
    today = timezone.localdate()
    counts = (
        RightsRequest.objects.filter(prefecture=prefecture, done_at__isnull=True)
        .annotate(due_on=Coalesce(F("extended_until"), F("answer_due")))
        .aggregate(
            late=Count("pk", filter=Q(due_on__lt=today)),
            soon=Count(
                "pk",
                filter=Q(due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS)),
            ),
        )
    )
    url = reverse("organisation:agents-personal-data", args=[prefecture.slug]) + "#demandes"
    items = []
    if late := counts["late"]:
        label = ngettext(
            "%(count)d demande sur des données personnelles sans réponse dans le délai",
            "%(count)d demandes sur des données personnelles sans réponse dans le délai",
            late,
        )
        items.append(
            Todo(label % {"count": late}, url, count=late, level="error", group="Organisation")
        )
    if soon := counts["soon"]:
        label = ngettext(
            "%(count)d demande sur des données personnelles à traiter dans les 7 jours",
            "%(count)d demandes sur des données personnelles à traiter dans les 7 jours",
            soon,
        )
        items.append(
            Todo(label % {"count": soon}, url, count=soon, level="warning", group="Organisation")
        )
    return items

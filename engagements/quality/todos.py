"""Agents' home items of the quality app: late actions for the référent and site managers."""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from engagements.shell.navigation import Todo

from .enums import StatusCode
from .models import Action


def home_items(request) -> list[Todo]:
    prefecture, access = request.prefecture, request.access
    if not access.can(prefecture, "read_figures") or not access.can(prefecture, "work"):
        return []  # référent, site manager (auditors read assessments only)
    # The list of actions is one plan year at a time: one item per year with late actions,
    # each opening that year's late actions (a single count would not match the list).
    late = (
        access.scope(Action.objects.all(), prefecture)
        .filter(due_on__lt=timezone.localdate())
        .exclude(status__base__in=[StatusCode.DONE, StatusCode.ABANDONED])
        .values("plan__year")
        .annotate(n=Count("pk"))
        .order_by("-plan__year")
    )
    items = []
    url = reverse("quality:agents-actions", args=[prefecture.slug])
    for row in late:
        year, n = row["plan__year"], row["n"]
        label = ngettext(
            "%(n)d action en retard (plan %(year)s)",
            "%(n)d actions en retard (plan %(year)s)",
            n,
        ) % {"n": n, "year": year}
        items.append(Todo(label, f"{url}?etat=late&annee={year}", n, "error", "Qualité"))
    return items

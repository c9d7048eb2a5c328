"""The référent's home items of the label cycle: labels expiring within 180 days, labels
whose renewal audit is not planned, and the year's late obligations."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from .labels import labels_to_act_on
from .obligations import LATE, year_obligations
from .todos import Todo  # the navigation module's Todo, wherever the shell puts it


def home_items(request) -> list[Todo]:
    prefecture, access = request.prefecture, request.access
    if not access.can(prefecture, "manage"):
        return []  # the référent qualité (and the national administrator)
    today = timezone.localdate()
    items = []
    labels_url = reverse("quality:agents-labels", args=[prefecture.slug])
    to_act_on = labels_to_act_on(prefecture, today)
    expiring = len(to_act_on["expiring"])
    if expiring:
        label = ngettext(
            "%(n)d label à renouveler dans les 6 mois",
            "%(n)d labels à renouveler dans les 6 mois",
            expiring,
        ) % {"n": expiring}
        items.append(Todo(label, labels_url, expiring, "warning", "Qualité"))
    unplanned = len(to_act_on["unplanned"])
    if unplanned:
        label = ngettext(
            "%(n)d label sans audit de renouvellement planifié",
            "%(n)d labels sans audit de renouvellement planifié",
            unplanned,
        ) % {"n": unplanned}
        items.append(Todo(label, labels_url, unplanned, "warning", "Qualité"))
    late = sum(1 for o in year_obligations(prefecture, today.year, today=today) if o.state == LATE)
    if late:
        label = ngettext(
            "%(n)d obligation du label en retard",
            "%(n)d obligations du label en retard",
            late,
        ) % {"n": late}
        url = reverse("quality:agents-calendar", args=[prefecture.slug])
        items.append(Todo(label, url, late, "error", "Qualité"))
    return items

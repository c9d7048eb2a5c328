"""The référent's home items of the label cycle: labels expiring within 180 days, labels
whose renewal audit is not planned, and each of the year's late obligations (one item each,
linking to where she acts on it)."""

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
    # Each late obligation is its own item, linking to where the référent acts on it.
    for obligation in year_obligations(prefecture, today.year, today=today):
        if obligation.state != LATE:
            continue
        where = f"{obligation.site.name} : " if obligation.site else ""
        items.append(
            Todo(
                f"{where}{obligation.title} — en retard",
                obligation.url or reverse("quality:agents-calendar", args=[prefecture.slug]),
                1,
                "error",
                "Qualité",
            )
        )
    return items

"""The agents' home: website requests waiting for the webmaster, the next ended period to
publish (the one the publication form is filled with)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from engagements import words
from engagements.shell.navigation import Todo

from .enums import PeriodKind
from .models import WebsiteUpdate
from .periods import Period
from .queries import periods_to_publish

GROUP = "Indicateurs"


def home_items(request) -> list[Todo]:
    prefecture = request.prefecture
    if not request.access.can(prefecture, "manage"):
        return []
    items = []
    waiting = WebsiteUpdate.objects.filter(prefecture=prefecture, published_on__isnull=True)
    count = waiting.count()
    if count:
        items.append(
            Todo(
                ngettext(
                    "%(n)s demande de mise à jour du site internet à publier",
                    "%(n)s demandes de mise à jour du site internet à publier",
                    count,
                )
                % {"n": count},
                reverse("indicators:agents-website", args=[prefecture.slug]),
                count,
                "warning",
                GROUP,
            )
        )
    today = timezone.localdate()
    _, due = periods_to_publish(prefecture, today)
    if due is not None and due.end < today:
        items.append(
            Todo(
                f"Résultats {_of(due)} à valider et publier",
                reverse("indicators:agents-publications", args=[prefecture.slug]),
                1,
                "info",
                GROUP,
            )
        )
    return items


def _of(period: Period) -> str:
    """« du 3e trimestre 2026 », « de l'année 2025 », « de mars 2026 », « d'avril 2026 »
    (words.de contracts and elides)."""
    if period.kind == PeriodKind.YEAR:
        return words.de(f"l'année {period.label()}")
    if period.kind == PeriodKind.QUARTER:
        return words.de(f"le {period.label()}")
    return words.de(period.label())

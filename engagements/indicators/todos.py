"""The agents' home: website requests waiting for the webmaster, the last quarter to publish."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from engagements.shell.navigation import Todo

from .models import WebsiteUpdate
from .periods import Period
from .queries import latest_publications

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
    last_quarter = Period.of("quarter", timezone.localdate()).previous()
    # The current version of the quarter, unless withdrawn (queries.latest_publications).
    published = (
        latest_publications(prefecture)
        .filter(period_kind="quarter", period_start=last_quarter.start)
        .exists()
    )
    if not published:
        items.append(
            Todo(
                f"Résultats du {last_quarter.label()} à valider et publier",
                reverse("indicators:agents-publications", args=[prefecture.slug]),
                1,
                "info",
                GROUP,
            )
        )
    return items

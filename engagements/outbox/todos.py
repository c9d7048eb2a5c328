"""The référent's home: deliveries that gave up."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import ngettext

from engagements.shell.navigation import Todo

from . import queries


def home_items(request) -> list[Todo]:
    prefecture = request.prefecture
    if not request.access.can(prefecture, "manage"):
        return []
    count = queries.failed_for(prefecture).count()
    if not count:
        return []
    label = ngettext(
        "%(count)d envoi en échec (courriel ou SMS) à relancer",
        "%(count)d envois en échec (courriels ou SMS) à relancer",
        count,
    ) % {"count": count}
    return [
        Todo(
            label,
            reverse("outbox:agents-failed", args=[prefecture.slug]),
            count=count,
            level="error",
            group="Envois",
        )
    ]

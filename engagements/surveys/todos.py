"""What waits on the agents' home: survey comments to read before they can be shown."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import ngettext

from engagements.shell.navigation import Todo

from .enums import CommentStatus
from .models import Comment

GROUP = "Enquêtes"


def home_items(request) -> list[Todo]:
    prefecture = request.prefecture
    if not request.access.can(prefecture, "manage"):
        return []
    n = request.access.scope(
        Comment.objects.filter(status=CommentStatus.PENDING),
        prefecture,
        prefecture_field="response__campaign__prefecture",
        site_field="response__campaign__site",
        service_field="response__service",
    ).count()
    if not n:
        return []
    label = ngettext(
        "%(n)d commentaire d'enquête à relire", "%(n)d commentaires d'enquête à relire", n
    ) % {"n": n}
    return [
        Todo(label, reverse("surveys:agents-comments", args=[prefecture.slug]), n, "info", GROUP)
    ]

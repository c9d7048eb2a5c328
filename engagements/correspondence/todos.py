"""What waits on the agents' home: late and due-soon messages, templates under review."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from engagements.shell.navigation import Todo

from . import queries
from .enums import Status, VersionStatus
from .models import Message, TemplateVersion

GROUP = "Courriers"


def home_items(request) -> list[Todo]:
    prefecture = request.prefecture
    access = request.access
    today = timezone.localdate()
    items: list[Todo] = []
    if access.can(prefecture, "work"):
        # The worklist header's counts (a message waiting for documents asked after its due
        # date is still late), which its "?late=on" link lists.
        counts = queries.open_counts(
            access.scope(Message.objects.all(), prefecture),
            today=today,
            due_soon=True,
            user=request.user,
        )
        url = reverse("correspondence:agents-list", args=[prefecture.slug])
        if counts["mine"]:
            # The messages given to him, first (a helpdesk's "my tickets"), same query.
            n = counts["mine"]
            label = ngettext(
                "%(n)d message qui vous est attribué",
                "%(n)d messages qui vous sont attribués",
                n,
            ) % {"n": n}
            items.append(Todo(label, f"{url}?charge=moi", n, "info", GROUP))
        if counts["late"]:
            n = counts["late"]
            label = ngettext("%(n)d message en retard", "%(n)d messages en retard", n) % {"n": n}
            items.append(Todo(label, f"{url}?late=on", n, "error", GROUP))
        if counts["soon"]:
            n = counts["soon"]
            label = ngettext(
                "%(n)d message à traiter aujourd'hui ou demain",
                "%(n)d messages à traiter aujourd'hui ou demain",
                n,
            ) % {"n": n}
            items.append(Todo(label, f"{url}?echeance=demain", n, "warning", GROUP))
        n = access.scope(
            Message.objects.filter(
                status=Status.WAITING,
                document_requests__overdue_on__isnull=False,
                document_requests__received_on__isnull=True,
                document_requests__closed=False,
            ),
            prefecture,
        ).count()
        if n:
            label = ngettext(
                "%(n)d message en délai dépassé pour ses pièces : à clore ou prolonger",
                "%(n)d messages en délai dépassé pour leurs pièces : à clore ou prolonger",
                n,
            ) % {"n": n}
            url = reverse("correspondence:agents-overdue", args=[prefecture.slug])
            items.append(Todo(label, url, n, "warning", GROUP))
    if access.can(prefecture, "committee"):
        n = TemplateVersion.objects.filter(
            template__prefecture=prefecture,
            status=VersionStatus.SUBMITTED,
            observations_until__gte=today,
        ).count()
        if n:
            label = ngettext(
                "%(n)d modèle de réponse soumis aux observations du comité",
                "%(n)d modèles de réponse soumis aux observations du comité",
                n,
            ) % {"n": n}
            url = reverse("correspondence:agents-templates", args=[prefecture.slug])
            items.append(Todo(label, url, n, "info", GROUP))
    return items

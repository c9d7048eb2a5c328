"""Agents' home: FAQ answers due for review in the user's scope."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import ngettext

from engagements.shell.navigation import Todo

from .models import Entry, ProcedureSheet
from .services import overdue_filter


def scoped_entries(request):
    """Entries the user may edit: the whole prefecture (manage) or his services' (work)."""
    prefecture, access = request.prefecture, request.access
    qs = Entry.objects.filter(prefecture=prefecture)
    if access.can(prefecture, "manage"):
        return qs
    if not access.can(prefecture, "work"):
        return qs.none()
    return access.scope(qs, prefecture).exclude(site__isnull=True, service__isnull=True)


def home_items(request) -> list[Todo]:
    count = scoped_entries(request).filter(overdue_filter()).count()
    if not count:
        return []
    url = reverse("faq:agents-list", args=[request.prefecture.slug]) + "?etat=a-relire"
    label = ngettext(
        "%(count)d réponse de la FAQ à relire",
        "%(count)d réponses de la FAQ à relire",
        count,
    ) % {"count": count}
    return [Todo(label, url, count, "warning", "FAQ")]


def sheet_items(request) -> list[Todo]:
    """Procedure sheets due for review in the services the user works for."""
    from django.utils import timezone

    prefecture, access = request.prefecture, request.access
    if not access.can(prefecture, "work"):
        return []
    sheets = ProcedureSheet.objects.filter(
        prefecture=prefecture, review_on__lte=timezone.localdate()
    )
    if not access.can(prefecture, "manage"):
        sheets = sheets.filter(service__in=access.service_ids(prefecture))
    count = sheets.count()
    if not count:
        return []
    url = reverse("faq:agents-sheets", args=[prefecture.slug]) + "?etat=a-relire"
    label = ngettext(
        "%(count)d fiche de procédure à relire",
        "%(count)d fiches de procédure à relire",
        count,
    ) % {"count": count}
    return [Todo(label, url, count, "warning", "FAQ")]

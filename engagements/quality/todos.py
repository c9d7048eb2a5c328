"""Agents' home items of the quality app: late actions for the référent and site managers."""

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
    late = (
        access.scope(Action.objects.all(), prefecture)
        .filter(due_on__lt=timezone.localdate())
        .exclude(status__base__in=[StatusCode.DONE, StatusCode.ABANDONED])
        .count()
    )
    if not late:
        return []
    label = ngettext("%(n)d action en retard", "%(n)d actions en retard", late) % {"n": late}
    url = reverse("quality:agents-actions", args=[prefecture.slug]) + "?etat=late"
    return [Todo(label, url, late, "error", "Qualité")]

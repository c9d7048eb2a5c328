"""Public page "Vous nous l'avez dit, nous l'avons fait" (FR/EN): no personal data."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from engagements.organisation.queries import public_prefectures

from ..enums import SourceKind, StatusCode
from ..models import Action


@require_GET
def done_page(request, prefecture: str):
    prefecture = get_object_or_404(public_prefectures(), slug=prefecture)
    # Only what an agent chose to publish, with its summary; never the source record itself.
    actions = (
        Action.objects.filter(prefecture=prefecture, is_public=True)
        .exclude(public_summary="")
        .exclude(status__base=StatusCode.ABANDONED)
        .select_related("status", "site")
        .order_by("-closed_on", "-opened_on", "pk")
    )
    rows = [
        {
            "summary": a.public_summary,
            "site": a.site.name,
            "source": SourceKind(a.source_kind).label,
            "status": StatusCode(a.status.base).label,
            "done": a.status.base == StatusCode.DONE,
            "closed_on": a.closed_on,
        }
        for a in actions[:200]
    ]
    return render(
        request,
        "quality/public/done.html",
        {
            "prefecture": prefecture,
            "done": [r for r in rows if r["done"]],
            "ongoing": [r for r in rows if not r["done"]],
        },
    )

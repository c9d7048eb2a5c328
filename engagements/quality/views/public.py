"""Public pages (FR/EN, no personal data): "Vous nous l'avez dit, nous l'avons fait" (also
in the public flows' languages, each summary in the visitor's language where written) and
"Notre démarche qualité" with its commitments poster."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from engagements.db_router import replica_reads
from engagements.organisation.queries import public_prefectures
from engagements.pdf import render_pdf
from engagements.qr import qr_data_uri
from engagements.shell.content_language import localise

from .. import approach
from ..enums import SourceKind, StatusCode
from ..models import Action


@require_GET
@replica_reads
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
            "summary": localise(a.translations, "public_summary", a.public_summary),
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


POSTER_SIZES = {"a4": "A4", "a3": "A3"}


def _approach_context(request, prefecture) -> dict:
    today = timezone.localdate()
    context = approach.approach(prefecture, today)
    context["prefecture"] = prefecture
    context["today"] = today
    context["english"] = (get_language() or "fr").startswith("en")
    return context


@require_GET
def approach_page(request, prefecture: str):
    """ "Notre démarche qualité": the approach in plain words, the scope, the commitments as
    published, the labels with their dates, and where to find the results and the committee."""
    prefecture = get_object_or_404(public_prefectures(), slug=prefecture)
    return render(request, "quality/public/approach.html", _approach_context(request, prefecture))


@require_GET
@replica_reads
def approach_poster(request, prefecture: str, size: str):
    """The commitments poster (A4 or A3) for the premises, with a QR code to the page."""
    if size not in POSTER_SIZES:
        raise Http404("Format inconnu")
    prefecture = get_object_or_404(public_prefectures(), slug=prefecture)
    context = _approach_context(request, prefecture)
    url = request.build_absolute_uri(reverse("quality:public-approach", args=[prefecture.slug]))
    context.update({"size": POSTER_SIZES[size], "url": url, "qr": qr_data_uri(url, scale=6)})
    pdf = render_pdf("quality/public/approach_poster.html", context, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"affiche-engagements-{prefecture.slug}-{size}.pdf"
    )
    return response

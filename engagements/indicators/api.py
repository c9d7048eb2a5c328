"""Published indicator values for partners and open data (no token, published values only)."""

from __future__ import annotations

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema

from engagements.api_errors import Slug, errors
from engagements.db_router import replica_reads
from engagements.organisation.queries import public_prefectures

from . import queries
from .periods import Period

router = Router(tags=["indicators"])


class PublishedIndicatorOut(Schema):
    prefecture: str
    structure: str  # "prefecture" or "site"
    site: str | None
    site_name: str | None
    code: str
    name: str
    name_en: str
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    frequency: str
    period: str
    period_kind: str
    period_start: date
    period_end: date
    target: float | None
    met: bool | None
    previous: float | None
    updated_at: datetime
    published_at: datetime
    version: int
    provisional: bool  # published before the period ended
    methodology_url: str


def _float(value):
    return None if value is None else float(value)


@router.get(
    "/prefectures/{slug}/indicators",
    response={200: list[PublishedIndicatorOut], **errors(404, 422)},
    auth=None,
)
@replica_reads
def published_indicators(request, slug: Slug):
    """One row per structure × indicator × period, current published version only."""
    prefecture = get_object_or_404(public_prefectures(), slug=slug)
    methodology = request.build_absolute_uri(
        reverse("indicators:methodology", args=[prefecture.slug])
    )
    rows = []
    for item in queries.published_values(prefecture):
        publication = item.publication
        period = Period.of(publication.period_kind, publication.period_start)
        rows.append(
            {
                "prefecture": prefecture.slug,
                "structure": "site" if item.site_id else "prefecture",
                "site": item.site.slug if item.site_id else None,
                "site_name": item.site.name if item.site_id else None,
                "code": item.code,
                "name": item.name_fr,
                "name_en": item.name_en,
                "value": _float(item.value),
                "numerator": _float(item.numerator),
                "denominator": _float(item.denominator),
                "unit": item.unit,
                "frequency": item.frequency,
                "period": period.code,
                "period_kind": publication.period_kind,
                "period_start": publication.period_start,
                "period_end": publication.period_end,
                "target": _float(item.target),
                "met": item.met,
                "previous": _float(item.previous),
                "updated_at": item.updated_at,
                "published_at": publication.published_at,
                "version": publication.version,
                "provisional": publication.provisional,
                "methodology_url": f"{methodology}#{item.code}",
            }
        )
    return rows

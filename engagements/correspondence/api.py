"""Aggregated figures of the register for partners (no personal data)."""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from engagements.api_errors import Day, Slug, Year, errors
from engagements.db_router import replica_reads
from engagements.organisation.queries import public_prefectures

from . import queries

router = Router(tags=["correspondence"])


class FiguresOut(Schema):
    answered: int
    on_time: int
    late: int
    pending: int
    excluded: int
    rate_on_time: float | None
    average_delay: float | None


@router.get(
    "/prefectures/{slug}/correspondence/{year}",
    response={200: FiguresOut, **errors(404, 422)},
    summary="Chiffres du courrier d'une année (taux dans les délais, délai moyen)",
)
@replica_reads
def correspondence_figures(request, slug: Slug, year: Year, at: Day | None = None):
    """Rate on time and average delay of a year, as defined in docs/indicators.md."""
    prefecture = get_object_or_404(public_prefectures(), slug=slug)
    return queries.figures(queries.year_messages(prefecture, year), at=at or date.today())

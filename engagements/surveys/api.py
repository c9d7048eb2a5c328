"""Published survey figures (aggregates only; nothing under 5 answers — indicators.md)."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from engagements.api_errors import PathId, Slug, errors
from engagements.db_router import replica_reads
from engagements.organisation.queries import public_prefectures

from .models import Campaign
from .queries import campaign_report

router = Router(tags=["surveys"])


class Figure(Schema):
    criterion: str
    answers: int
    satisfied: int | None  # null with the rate, under 5 answers
    rate: float | None
    net: float | None


class CampaignOut(Schema):
    id: int
    name: str
    kind: str
    site: str
    starts_on: str
    ends_on: str | None


class ReportOut(Schema):
    questions: dict[str, Figure]
    criteria: dict[str, Figure]


@router.get(
    "/prefectures/{slug}/surveys",
    response={200: list[CampaignOut], **errors(404, 422)},
    summary="Enquêtes de satisfaction d'une préfecture",
)
@replica_reads
def campaigns(request, slug: Slug):
    prefecture = get_object_or_404(public_prefectures(), slug=slug)
    return [
        {
            "id": c.pk,
            "name": c.name,
            "kind": c.kind,
            "site": c.site.slug,
            "starts_on": c.starts_on.isoformat(),
            "ends_on": c.ends_on.isoformat() if c.ends_on else None,
        }
        for c in Campaign.objects.filter(prefecture=prefecture).select_related("site")
    ]


@router.get(
    "/prefectures/{slug}/surveys/{campaign_id}/report",
    response={200: ReportOut, **errors(404, 422)},
    summary="Résultats publiés d'une enquête (5 réponses au moins)",
)
@replica_reads
def report(request, slug: Slug, campaign_id: PathId):
    prefecture = get_object_or_404(public_prefectures(), slug=slug)
    campaign = get_object_or_404(
        Campaign.objects.select_related("questionnaire"), prefecture=prefecture, pk=campaign_id
    )
    report = campaign_report(campaign)
    # Nothing is published under 5 answers (indicators.md): the count of satisfied answers
    # would give the withheld rate away (2 satisfied of 2 answers is 100 %).
    for figures in report.values():
        for figure in figures.values():
            if figure["rate"] is None:
                figure["satisfied"] = None
    return report

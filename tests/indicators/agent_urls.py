"""Sample URL arguments for every agent URL of the indicators app (cross-prefecture test)."""

from datetime import date

from engagements.indicators.models import Publication, Visit, WebsiteUpdate
from tests.factories import UserFactory


def cases(prefecture, site, service) -> dict[str, dict]:
    visit = Visit.objects.create(prefecture=prefecture, site=site, service=service)
    update = WebsiteUpdate.objects.create(
        prefecture=prefecture,
        site=site,
        reference="WEB-TEST-1",
        page="/accueil",
        requested_on=visit.arrived_at.date(),
    )
    publication = Publication.objects.create(
        prefecture=prefecture,
        period_kind="year",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        published_by=UserFactory(),
    )
    return {
        "indicators:agents-dashboard": {},
        "indicators:agents-recompute": {},
        "indicators:agents-sites": {},
        "indicators:agents-sites-csv": {},
        "indicators:agents-publication-preview": {},
        "indicators:agents-publication-preview-poster": {"size": "a4"},
        "indicators:agents-dashboard-csv": {},
        "indicators:agents-records": {"code": "calls_answered_rate"},
        "indicators:agents-publications": {},
        "indicators:agents-poster": {},
        "indicators:agents-manual": {},
        "indicators:agents-publish": {},
        "indicators:agents-publication-withdraw": {"pk": publication.pk},
        "indicators:agents-published": {},
        "indicators:agents-annual-report": {"year": visit.arrived_at.year},
        "indicators:agents-heatmap": {},
        "indicators:agents-desk": {},
        "indicators:agents-desk-served": {"visit_pk": visit.pk},
        "indicators:agents-website": {},
        "indicators:agents-website-new": {},
        "indicators:agents-website-published": {"pk": update.pk},
    }

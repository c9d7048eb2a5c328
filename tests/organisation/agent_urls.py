"""Sample URL arguments for every agent URL of the organisation app.

Each app has a `tests/<app>/agent_urls.py` with `cases(prefecture, site, service)` that
creates records in that prefecture and returns {url name: kwargs without `prefecture`}.
tests/organisation/test_cross_prefecture.py fails if an agent URL has no case.
"""

from datetime import date

from engagements.organisation.models import RightsRequest, TelephonePlatform
from tests.factories import ClosureFactory


def cases(prefecture, site, service) -> dict[str, dict]:
    closure = ClosureFactory(prefecture=prefecture, date=date(2030, 1, 2))
    platform = TelephonePlatform.objects.create(
        site=site, kind="switchboard", name="Standard", slug="standard", queue="standard"
    )
    rights_request = RightsRequest.objects.create(
        prefecture=prefecture,
        kind=RightsRequest.Kind.ERASURE,
        person_hash="x",
        received_on=date(2026, 1, 5),
        answer_due=date(2026, 2, 5),
    )
    return {
        "organisation:agents-prefecture": {},
        "organisation:agents-settings": {},
        "organisation:agents-edit-prefecture": {},
        "organisation:agents-new-site": {},
        "organisation:agents-glossary": {},
        "organisation:agents-edit-site": {"pk": site.pk},
        "organisation:agents-edit-hours": {"pk": site.pk, "channel": "reception"},
        "organisation:agents-new-platform": {"site": site.pk},
        "organisation:agents-edit-platform": {"pk": platform.pk},
        "organisation:agents-platform-hours": {"pk": platform.pk},
        "organisation:agents-new-service": {},
        "organisation:agents-edit-service": {"pk": service.pk},
        "organisation:agents-add-closure": {},
        "organisation:agents-delete-closure": {"pk": closure.pk},
        "organisation:agents-edit-targets": {"year": 2026},
        "organisation:agents-history": {},
        "organisation:agents-personal-data": {},
        "organisation:agents-personal-data-statement": {},
        "organisation:agents-personal-data-export": {},
        "organisation:agents-personal-data-erase": {},
        "organisation:agents-personal-data-extend": {"pk": rights_request.pk},
        "organisation:agents-imports": {},
        "organisation:agents-import-kind": {"kind": "correspondence"},
        "organisation:agents-import-confirm": {"token": "6f1c2b8e-0d4a-4c55-9a43-3a4f0e2b7c11"},
        "organisation:agents-import-cancel": {"token": "6f1c2b8e-0d4a-4c55-9a43-3a4f0e2b7c11"},
    }

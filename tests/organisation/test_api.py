from datetime import time

import pytest

from engagements.organisation.enums import HoursChannel
from tests.factories import OpeningHoursFactory, PrefectureFactory, ServiceFactory, SiteFactory


@pytest.fixture
def demo(db):
    prefecture = PrefectureFactory(slug="demo", moselle=True, deadline_letter=15)
    site = SiteFactory(prefecture=prefecture, slug="lysville", labelled_modules=[3, 1])
    OpeningHoursFactory(site=site, weekday=0)
    OpeningHoursFactory(
        site=site,
        weekday=1,
        channel=HoursChannel.TELEPHONE,
        opens_at=time(9),
        closes_at=time(12),
        reopens_at=None,
        closes_again_at=None,
    )
    ServiceFactory(site=site, slug="sejour", name="Séjour")
    ServiceFactory(site=site, slug="ancien", is_active=False)
    PrefectureFactory(slug="hidden", is_published=False)
    return prefecture


def test_list_prefectures(client, demo):
    data = client.get("/api/v1/prefectures").json()
    assert [p["slug"] for p in data] == ["demo"]
    assert data[0]["holiday_subdivision"] == "57"


def test_prefecture_detail(client, demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/prefectures/demo")
    data = response.json()
    assert data["deadlines"] == {
        "email": 5,
        "letter": 15,
        "box": 10,
        "web_form": 5,
        "sp_plus": 5,
        "social": 5,
    }
    (site,) = data["sites"]
    assert site["slug"] == "lysville" and site["labelled_modules"] == [1, 3]
    assert site["reception_hours"] == [
        {"weekday": 0, "ranges": [["09:00:00", "12:00:00"], ["13:30:00", "16:30:00"]]}
    ]
    assert site["telephone_hours"] == [{"weekday": 1, "ranges": [["09:00:00", "12:00:00"]]}]
    assert [s["slug"] for s in site["services"]] == ["sejour"]


def test_unknown_or_unpublished_prefecture_is_404(client, demo):
    assert client.get("/api/v1/prefectures/nowhere").status_code == 404
    assert client.get("/api/v1/prefectures/hidden").status_code == 404


def test_openapi_schema_lists_the_endpoints(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/prefectures" in schema["paths"]
    assert "/api/v1/prefectures/{slug}" in schema["paths"]

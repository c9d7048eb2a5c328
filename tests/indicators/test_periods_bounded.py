"""Issue 20 row 5: periods bounded to the product's data; a publication withdrawn by a
logged action."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from engagements.indicators import services
from engagements.indicators.models import CallHour, Publication, Withdrawal
from engagements.indicators.periods import Period

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 1, 15, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
OUT_OF_DATA = ["0001", "0001-01", "0001-Q1", "9999", "9999-12", "9999-Q4", "1900", "2027"]


@pytest.fixture
def records(site):
    CallHour.objects.create(
        prefecture=site.prefecture,
        site=site,
        date=date(2025, 11, 3),
        hour=10,
        offered=100,
        answered=90,
        source="hourly",
    )
    return site


@time_machine.travel(TODAY, tick=False)
def test_period_parse_is_bounded():
    assert Period.parse("2000").start == date(2000, 1, 1)
    assert Period.parse("2026-01").start == date(2026, 1, 1)
    for text in OUT_OF_DATA + ["2026-02", "2026-Q2"]:
        with pytest.raises(ValueError, match="Période"):
            Period.parse(text)


@time_machine.travel(TODAY, tick=False)
def test_dashboard_csv_and_recompute_answer_a_form_error(prefecture, quality_lead, client_for):
    client = client_for(quality_lead)
    slug = prefecture.slug
    dashboard = reverse("indicators:agents-dashboard", args=[slug])
    csv = reverse("indicators:agents-dashboard-csv", args=[slug])
    recompute = reverse("indicators:agents-recompute", args=[slug])
    for period in OUT_OF_DATA:
        page = client.get(dashboard, {"period": period})
        assert page.status_code == 200, period
        assert page.context["form"].errors["period"], period
        response = client.get(csv, {"period": period})
        assert response.status_code == 302 and response["Location"].startswith(dashboard)
        response = client.post(recompute, {"querystring": f"period={period}"}, follow=True)
        assert response.status_code == 200
        assert "Rien n&#x27;a été recalculé" in response.content.decode(), period


@time_machine.travel(TODAY, tick=False)
def test_a_referent_cannot_publish_out_of_the_data(prefecture, quality_lead, client_for):
    url = reverse("indicators:agents-publish", args=[prefecture.slug])
    for period in ("1900", "0001-Q1", "9999"):
        client_for(quality_lead).post(url, {"period": period})
    assert not Publication.objects.exists()
    with pytest.raises(services.IndicatorsError):
        services.publish(prefecture, Period.year(1900), actor=quality_lead)


@time_machine.travel(TODAY, tick=False)
def test_a_publication_is_withdrawn_by_a_logged_action(
    records, prefecture, quality_lead, site_manager, client_for, client
):
    publication = services.publish(prefecture, Period.parse("2025-Q4"), actor=quality_lead)
    api = f"/api/v1/prefectures/{prefecture.slug}/indicators"
    results = reverse("indicators:public-results", args=[prefecture.slug])
    poster = reverse("indicators:public-poster", args=[prefecture.slug, "a4"])
    assert client.get(api).json() and client.get(poster).status_code == 200
    url = reverse("indicators:agents-publication-withdraw", args=[prefecture.slug, publication.pk])
    assert client_for(site_manager).post(url, {f"w{publication.pk}-reason": "x"}).status_code == 403
    lead = client_for(quality_lead)
    lead.post(url, {f"w{publication.pk}-reason": ""})
    assert not Withdrawal.objects.exists()
    lead.post(url, {f"w{publication.pk}-reason": "Période publiée par erreur"})
    withdrawal = Withdrawal.objects.get()
    assert (withdrawal.publication, withdrawal.withdrawn_by, withdrawal.reason) == (
        publication,
        quality_lead,
        "Période publiée par erreur",
    )
    # Kept in history, gone from public pages, poster and API.
    assert Publication.objects.filter(pk=publication.pk).exists()
    history = lead.get(reverse("indicators:agents-publications", args=[prefecture.slug]))
    assert "retirée le" in history.content.decode()
    assert "Période publiée par erreur" in history.content.decode()
    assert client.get(api).json() == []
    assert "4e trimestre 2025" not in client.get(results).content.decode()
    assert client.get(results, {"periode": "2025-Q4"}).status_code == 404
    assert client.get(poster).status_code == 404
    csv = client.get(reverse("indicators:public-results-csv", args=[prefecture.slug]))
    assert "calls_answered_rate" not in csv.content.decode("utf-8-sig")
    # Published again: a new version, public again.
    again = services.publish(prefecture, Period.parse("2025-Q4"), actor=quality_lead, note="OK")
    assert again.version == 2 and len(client.get(api).json()) > 0

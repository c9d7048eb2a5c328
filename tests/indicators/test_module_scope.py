"""Indicators follow the scope per service (issue 22, point 5): a module's figures count only
the services in that module's scope (kept by the quality app, read through the shell)."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.indicators import compute
from engagements.indicators.models import Visit
from engagements.indicators.periods import Period
from engagements.quality.service_scopes import set_service_scope
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def visits(site, service, n, *, served_after_minutes=None):
    arrived = timezone.make_aware(datetime(2026, 3, 2, 9, 0))
    for _ in range(n):
        Visit.objects.create(
            prefecture_id=site.prefecture_id,
            site=site,
            service=service,
            arrived_at=arrived,
            served_at=(
                arrived + timezone.timedelta(minutes=served_after_minutes)
                if served_after_minutes is not None
                else None
            ),
        )


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_a_module_s_figures_count_only_the_services_in_its_scope(
    prefecture, site, service, other_service
):
    titles = ServiceFactory(site=site, slug="titres", name="Centre des titres")
    set_service_scope(prefecture, service, [1])
    set_service_scope(prefecture, other_service, [1])
    set_service_scope(prefecture, titles, [2])
    visits(site, service, 3, served_after_minutes=5)
    visits(other_service.site, other_service, 1, served_after_minutes=40)
    visits(site, titles, 5, served_after_minutes=60)
    year = Period.year(2026)
    today = date(2026, 6, 30)
    whole = compute.figures(prefecture, year, at=today)
    assert whole["reception_visits"].value == 9
    module_one = compute.figures(prefecture, year, at=today, module=1)
    assert module_one["reception_visits"].value == 4
    assert module_one["reception_served_within_15_min_rate"].value == 75.0
    assert module_one["calls_answered_rate"].value is None  # telephony is per site
    on_site = compute.figures(prefecture, year, site=site, at=today, module=1)
    assert on_site["reception_visits"].value == 3
    assert compute.figures(prefecture, year, at=today, module=2)["reception_visits"].value == 5
    # A module with no service in its scope has no figure.
    assert compute.figures(prefecture, year, at=today, module=5)["reception_visits"].value is None


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_the_dashboard_shows_a_module_s_figures_and_its_csv_says_so(
    prefecture, site, service, client_for, quality_lead
):
    titles = ServiceFactory(site=site, slug="titres", name="Centre des titres")
    set_service_scope(prefecture, titles, [2])
    visits(site, service, 3)
    visits(site, titles, 5)
    client = client_for(quality_lead)
    page_url = reverse("indicators:agents-dashboard", args=[prefecture.slug])
    page = client.get(page_url, {"period": "2026", "module": "2"}).content.decode()
    assert "Indicateurs — 2026 — module 2" in page
    assert "seuls les services de son périmètre comptent" in page
    card = page[page.index('id="card-reception_visits"') :]
    assert card.index(">5<") < card.index("</section>")
    csv_url = reverse("indicators:agents-dashboard-csv", args=[prefecture.slug])
    text = client.get(csv_url, {"period": "2026", "module": "2"}).content.decode("utf-8-sig")
    line = next(row for row in text.splitlines() if row.startswith("reception_visits;"))
    assert line.split(";")[2:5] == [f"{prefecture.name} — module 2", "2026", "5"]
    refused = client.get(page_url, {"period": "2026", "module": "9"}).content.decode()
    assert "Sélectionnez un choix valide" in refused

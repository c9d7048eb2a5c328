"""One value per figure, always current (issue 19, item 3) and computed in set-based
passes (issue 24, item 7): records written queue a recompute job of the periods they
touch, listed on the dashboard while it waits; every output shows the number rounded once;
exclusions are counted beside the rates."""

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagements.correspondence.enums import ClosedReason, Status
from engagements.correspondence.services.imports import import_messages
from engagements.indicators import annual, services
from engagements.indicators.models import CallHour, RecomputeRun, Value
from engagements.indicators.periods import Period
from engagements.shell import hooks
from tests.correspondence.factories import MessageFactory
from tests.factories import ServiceFactory, SiteFactory
from tests.tooling import require_postgres

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime(2026, 1, 15, 10, 0, tzinfo=PARIS)


def value(prefecture, code, period, site=None):
    return Value.objects.get(
        prefecture=prefecture,
        indicator__code=code,
        site=site,
        service=None,
        breakdown="",
        period_kind=period.kind,
        period_start=period.start,
    )


@time_machine.travel(TODAY, tick=False)
def test_an_import_queues_a_job_recomputing_the_periods_it_touches(
    prefecture, site, service, django_capture_on_commit_callbacks
):
    data = (
        "reference,site,service,channel,kind,topic,received_on,answered_on,closed_reason\n"
        f"A-1,{site.slug},{service.slug},courriel,information,,2025-02-03,2025-02-04,\n"
        f"A-2,{site.slug},{service.slug},courriel,information,,2025-02-03,,doublon\n"
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_messages(prefecture, data.encode())
    assert callbacks, "the recompute job is queued at commit"
    run = RecomputeRun.objects.get(prefecture=prefecture)
    assert run.status == RecomputeRun.Status.DONE
    assert run.periods == ["2025", "2025-Q1", "2025-02"]
    for period in (Period.year(2025), Period.quarter(2025, 1), Period.month(2025, 2)):
        rate = value(prefecture, "correspondence_on_time_rate", period)
        assert rate.value == Decimal("100.00") and rate.denominator == 1
        # The message closed as a duplicate is counted apart, by reason.
        assert rate.extra["excluded"] == 1
        assert rate.extra["excluded_by_reason"] == {"duplicate": 1}
    assert not Value.objects.filter(period_start=Period.month(2025, 3).start).exists()
    # Recomputed again, a value keeps its id (the source of "Créer une action" links).
    before = value(prefecture, "correspondence_on_time_rate", Period.year(2025)).pk
    services.recompute_values(prefecture, [Period.year(2025)])
    assert value(prefecture, "correspondence_on_time_rate", Period.year(2025)).pk == before


@time_machine.travel(TODAY, tick=False)
def test_answering_a_message_touches_its_period_through_the_shell_hook(
    prefecture, service, django_capture_on_commit_callbacks
):
    from engagements.correspondence.services.messages import close_message

    message = MessageFactory(service=service, received_on=date(2025, 11, 3))
    with django_capture_on_commit_callbacks(execute=True):
        close_message(message, reason=ClosedReason.SPAM, actor=None)
    rate = value(prefecture, "correspondence_on_time_rate", Period.month(2025, 11))
    assert rate.extra["excluded_by_reason"] == {"spam": 1}


def test_waiting_runs_merge_and_their_periods_are_listed_on_the_dashboard(
    prefecture, quality_lead, client_for
):
    # Inside a transaction that never commits here: the job stays queued.
    hooks.period_touched(prefecture, {date(2025, 3, 4)})
    hooks.period_touched(prefecture, {date(2025, 3, 20), date(2024, 12, 1)})
    run = RecomputeRun.objects.get(prefecture=prefecture)  # merged into the waiting run
    assert run.periods == ["2025", "2025-Q1", "2025-03", "2024", "2024-Q4", "2024-12"]
    page = client_for(quality_lead).get(
        reverse("indicators:agents-dashboard", args=[prefecture.slug])
    )
    text = page.content.decode()
    assert "Recalcul des valeurs en cours" in text
    assert "2025, 1er trimestre 2025, mars 2025, 2024, 4e trimestre 2024, décembre 2024" in text


def test_a_whole_year_waiting_is_said_in_one_phrase(prefecture, quality_lead, client_for):
    # An import over two years asked 34 periods, listed one by one across the dashboard.
    days = {date(year, month, 1) for year in (2024, 2025) for month in range(1, 13)}
    hooks.period_touched(prefecture, days | {date(2023, 5, 2)})
    page = client_for(quality_lead).get(
        reverse("indicators:agents-dashboard", args=[prefecture.slug])
    )
    text = page.content.decode()
    assert (
        "2025 (l'année, ses trimestres et ses mois), 2024 (l'année, ses trimestres et ses "
        "mois), 2023, 2e trimestre 2023, mai 2023." in text.replace("&#x27;", "'")
    )


@pytest.mark.postgres
@time_machine.travel(TODAY, tick=False)
def test_recompute_is_a_fixed_number_of_statements_whatever_the_sites_and_periods(prefecture):
    # The values are written with COPY and one upsert on PostgreSQL (production's database);
    # the SQLite demo writes them with the ORM's bulk statements, a batch per 200 or 500 rows.
    require_postgres()

    def statements():
        periods = services.default_periods(date(2026, 1, 15))
        with CaptureQueriesContext(connection) as queries:
            services.recompute_values(prefecture, periods)
        return len(queries.captured_queries)

    site = SiteFactory(prefecture=prefecture)
    ServiceFactory(site=site)
    MessageFactory(service=ServiceFactory(site=site), received_on=date(2025, 5, 5))
    few = statements()
    for _ in range(3):
        more = SiteFactory(prefecture=prefecture)
        ServiceFactory(site=more)
        ServiceFactory(site=more)
    many = statements()
    # One grouped read per source over every period (51 here), never one per indicator ×
    # site × period (that was thousands): the count does not grow with the sites.
    assert few <= 50, few
    assert many <= few + 2, (few, many)


@time_machine.travel(TODAY, tick=False)
def test_a_tie_is_rounded_once_the_same_everywhere(
    prefecture, site, quality_lead, client_for, client
):
    # 1,547 of 2,000 calls answered within 5 rings: 77.35 %, half up 77.4 % everywhere
    # (a second binary-float rounding showed 77.3 % on some outputs).
    CallHour.objects.create(
        prefecture=prefecture,
        site=site,
        date=date(2025, 6, 2),
        hour=10,
        offered=2000,
        answered=2000,
        answered_within_5_rings=1547,
        source="hourly",
    )
    year = Period.year(2025)
    services.recompute_values(prefecture, [year, year.previous_year()])
    code = "calls_answered_within_5_rings_rate"
    assert value(prefecture, code, year).value == Decimal("77.40")
    agent = client_for(quality_lead)
    dashboard = agent.get(
        reverse("indicators:agents-dashboard", args=[prefecture.slug]), {"period": "2025"}
    )
    assert "77,4\u00a0%" in dashboard.content.decode()
    exported = agent.get(
        reverse("indicators:agents-dashboard-csv", args=[prefecture.slug]), {"period": "2025"}
    )
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert next(r for r in rows if r[0] == code)[4] == "77,40"
    report = annual.annual_report(prefecture, 2025, at=date(2026, 1, 15))
    names = {r["name"]: r["value"] for r in report["indicator_tables"][0]["rows"]}
    assert names["Appels décrochés en 5 sonneries au plus"] == "77,4\u00a0%"
    services.publish(prefecture, year, actor=quality_lead)
    api = client.get(f"/api/v1/prefectures/{prefecture.slug}/indicators")
    item = next(
        r for r in json.loads(api.content) if r["code"] == code and r["structure"] == "prefecture"
    )
    assert item["value"] == 77.4
    page = client.get(reverse("indicators:public-results", args=[prefecture.slug]))
    assert "77,4\u00a0%" in page.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_exclusions_by_reason_beside_the_rate(prefecture, service, quality_lead, client_for):
    MessageFactory(service=service, received_on=date(2025, 4, 1), answered_on_time=True)
    MessageFactory(service=service, received_on=date(2025, 4, 1), spam=True)
    MessageFactory(
        service=service,
        received_on=date(2025, 4, 1),
        status=Status.CLOSED,
        closed_reason=ClosedReason.DUPLICATE,
        closed_on=date(2025, 4, 1),
    )
    MessageFactory(service=service, received_on=date(2025, 4, 2), spam=True)
    services.recompute_values(prefecture, [Period.year(2025)])
    page = client_for(quality_lead).get(
        reverse("indicators:agents-dashboard", args=[prefecture.slug]), {"period": "2025"}
    )
    text = page.content.decode()
    apart = "Clos sans réponse (hors taux) : 3 — indésirable : 2, doublon : 1"
    assert apart in text
    report = annual.annual_report(prefecture, 2025, at=date(2026, 1, 15))
    assert apart in report["indicator_tables"][0]["apart"]


def test_finished_runs_are_forgotten_after_a_month(prefecture):
    from datetime import timedelta

    from django.utils import timezone

    from engagements.indicators.recompute import purge_finished

    old = timezone.now() - timedelta(days=31)
    RecomputeRun.objects.create(
        prefecture=prefecture, periods=["2025"], status="done", finished_at=old
    )
    waiting = RecomputeRun.objects.create(prefecture=prefecture, periods=["2025"])
    assert purge_finished() == 1
    assert list(RecomputeRun.objects.all()) == [waiting]


def test_a_lower_page_shows_the_recompute_through_a_page_slot(prefecture, rf):
    from django.template import Context, Template

    assert hooks.page_slot("recompute-status", rf.get("/"), prefecture) == ""
    hooks.period_touched(prefecture, {date(2025, 3, 4)})
    html = Template('{% load shell %}{% page_slot "recompute-status" prefecture %}').render(
        Context({"request": rf.get("/"), "prefecture": prefecture})
    )
    assert "Recalcul des valeurs en cours" in html and "mars 2025" in html


@time_machine.travel(TODAY, tick=False)
def test_the_indicators_own_imports_queue_the_recompute_too(
    prefecture, site, django_capture_on_commit_callbacks
):
    from engagements.indicators.imports import import_footfall

    data = "date,hour,service,visitors\n2025-12-01,10,,12\n2025-12-01,11,,8\n"
    with django_capture_on_commit_callbacks(execute=True):
        import_footfall(prefecture, site, data.encode())
    run = RecomputeRun.objects.get()
    assert run.periods == ["2025", "2025-Q4", "2025-12"] and run.status == "done"
    visits = value(prefecture, "reception_visits", Period.month(2025, 12), site=site)
    assert visits.value == 20


@time_machine.travel(TODAY, tick=False)
def test_a_period_not_computed_yet_does_not_claim_its_values_were_updated(
    prefecture, quality_lead, client_for
):
    # Last year's values exist (they are the comparison), this year's not yet: the page
    # said "Valeurs mises à jour le …" above "n'ont pas encore été calculées".
    MessageFactory(
        service=ServiceFactory(site=SiteFactory(prefecture=prefecture)),
        received_on=date(2025, 5, 5),
    )
    services.recompute_values(prefecture, [Period.year(2025)])
    client = client_for(quality_lead)
    url = reverse("indicators:agents-dashboard", args=[prefecture.slug])
    text = client.get(url).content.decode()
    assert "pas encore été calculées" in text
    assert "Valeurs mises à jour" not in text
    text = client.get(url, {"period": "2025"}).content.decode()
    assert "Valeurs mises à jour le" in text
    assert "pas encore été calculées" not in text

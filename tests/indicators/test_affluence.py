"""When to come, when to call: the affluence grids of every published site are read in one
pass (the public prefecture page shows them all), over the local days of the last weeks."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagements.indicators import queries
from engagements.indicators.models import Visit
from tests.factories import SiteFactory
from tests.indicators.test_views import calls

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime(2026, 1, 15, 10, 0, tzinfo=PARIS)  # a Thursday


def _busy_mondays(site, weeks: int = 4) -> None:
    """Calls and visits on the last Mondays, at 10 h (busy) and 9 h (calm)."""
    monday = date(2026, 1, 12)
    for week in range(weeks):
        day = monday - timedelta(weeks=week)
        for hour, offered in ((10, 40), (9, 4)):
            calls(site, day, offered, offered, hour=hour)
            for minute in range(offered // 4):
                arrived = datetime.combine(day, datetime.min.time(), PARIS).replace(
                    hour=hour, minute=minute
                )
                Visit.objects.create(prefecture=site.prefecture, site=site, arrived_at=arrived)


def _page_queries(client, prefecture) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as read:
        page = client.get(reverse("organisation:prefecture", args=[prefecture.slug]))
    assert page.status_code == 200
    return len(read), page.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_the_public_prefecture_page_reads_every_site_s_grids_at_once(prefecture, site, client):
    _busy_mondays(site)
    one_site, first = _page_queries(client, prefecture)
    assert "Quand venir, quand appeler" in first
    others = [SiteFactory(prefecture=prefecture, name=f"Antenne {n}") for n in range(3)]
    for other in others:
        _busy_mondays(other)
    four_sites, page = _page_queries(client, prefecture)
    # Two queries per site and channel before (eight per site): now the same count.
    assert four_sites == one_site
    for other in others:
        assert other.name in page
    for channel in ("Au téléphone", "À l&#x27;accueil"):  # each site's two grids
        assert page.count(channel) == 4 * first.count(channel) > 0


@time_machine.travel(TODAY, tick=False)
def test_a_site_s_grid_is_the_same_read_alone_or_with_the_others(prefecture, site):
    _busy_mondays(site)
    other = SiteFactory(prefecture=prefecture)
    _busy_mondays(other, weeks=3)
    today = TODAY.date()
    for source in ("visits", "calls"):
        together = queries.affluence_by_site(prefecture, [site, other], today=today, source=source)
        for one in (site, other):
            assert together[one.pk] == queries.affluence(
                prefecture, site=one, today=today, source=source
            )
        monday = together[site.pk]["grid"][0]
        assert [(c["hour"], c["level"]) for c in monday["cells"]] == [
            (9, "calme"),
            (10, "charge"),
        ]


def test_visits_count_by_local_day_at_the_window_s_edges(prefecture, site):
    """The window is the local days before today: read through the index on arrival times,
    its edges are local midnights (UTC's are an hour later in winter)."""

    def visit(day: date, hour: int, minute: int) -> None:
        arrived = datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)
        Visit.objects.create(prefecture=prefecture, site=site, arrived_at=arrived)

    saturday, sunday = date(2026, 1, 17), date(2026, 1, 18)
    weeks = timedelta(weeks=queries.AFFLUENCE_WEEKS)
    visit(saturday - weeks - timedelta(days=1), 23, 30)  # the evening before the window
    visit(saturday - weeks, 0, 10)  # the window's first local day (23:10 UTC the day before)
    visit(saturday, 23, 30)  # the last local day of the window ending on Sunday
    visit(sunday, 0, 10)  # Sunday itself (23:10 UTC on Saturday)
    until_saturday = queries.affluence(prefecture, site=site, today=saturday)
    assert until_saturday["hours"] == [0]
    assert 6 in {row["weekday"] for row in until_saturday["grid"]}
    until_sunday = queries.affluence(prefecture, site=site, today=sunday)
    assert until_sunday["hours"] == [23]


@time_machine.travel(TODAY, tick=False)
def test_a_public_grid_is_named_once_on_screen_and_fully_for_screen_readers(
    prefecture, site, client
):
    # Under the heading "Site — Au téléphone", the table's caption no longer repeats "Au
    # téléphone" on screen; it names the table, site included, for screen readers.
    _busy_mondays(site)
    for url in (
        reverse("indicators:public-affluence", args=[prefecture.slug]),
        reverse("organisation:prefecture", args=[prefecture.slug]),
    ):
        page = client.get(url).content.decode()
        assert f"<caption>{site.name} — Au téléphone</caption>" in page
        assert "eng-affluence fr-table--no-caption" in page

"""The lost-calls rate (issue 23.4, docs/indicators.md): telephone platforms with their own
hours and queue_log queues, counted by hand on a held-out queue_log."""

import json
from datetime import datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from engagements.indicators import poster as hall_poster
from engagements.indicators import services
from engagements.indicators.periods import Period
from engagements.organisation import services as organisation
from engagements.organisation.models import TelephonePlatform

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def at(day, hour, minute, second=0) -> int:
    return int(datetime(2025, 11, day, hour, minute, second, tzinfo=PARIS).timestamp())


def call(callid, queue, day, hour, minute, second=0, *, end="CONNECT|5|x|1"):
    lines = [f"{at(day, hour, minute, second)}|{callid}|{queue}|NONE|ENTERQUEUE||0600000000|1"]
    if end:
        lines.append(f"{at(day, hour, minute, second) + 5}|{callid}|{queue}|SIP/1|{end}")
    return lines


ABANDON = "ABANDON|1|1|5"
# November 2025 (UTC+1); Tuesday 11 is a public holiday (Armistice).
# Switchboard "standard": Monday to Friday 09:00–12:30 and 13:30–16:30.
#   s1 Mon 10 09:00:00 answered          in hours
#   s2 Mon 10 08:59:59 abandoned         outside (before opening)
#   s3 Mon 10 12:29:59 abandoned         in hours, lost
#   s4 Mon 10 12:30:00 answered          outside (midday break)
#   s5 Mon 10 13:30 EXITWITHTIMEOUT      in hours, lost
#   s6 Mon 10 14:00 no outcome           in hours, lost (not answered)
#   s7 Mon 10 16:30 answered             outside (closed)
#   s8 Tue 11 10:00 abandoned            outside (public holiday)
#   s9 Mon 10 10:00 JOINEMPTY            closed: never offered
#   s10 Sat 15 10:00 abandoned           outside (no Saturday hours)
#   → offered 4, lost 3 (75.0 %), outside 5.
# Foreigners' line "etrangers": Tuesday 14:00–16:00 only.
#   e1 Tue 18 14:05 answered, e2 15:59 abandoned, e5 14:10 EXITWITHKEY, e6 14:20 answered
#   e3 Tue 18 16:00 answered (outside), e4 Wed 19 14:05 answered (outside)
#   → offered 4, lost 2 (50.0 %), outside 2.
# Queue "pan" has no platform: every queued call is offered.
#   p1 Sun 16 03:00 abandoned, p2 Mon 10 10:00 answered, p4 Mon 10 11:00 answered,
#   p3 Mon 10 10:05 JOINUNAVAIL (closed)  → offered 3, lost 1.
# Site: offered 11, lost 6 → 54.5 %, outside hours 7.
QUEUE_LOG = "\n".join(
    [
        *call("s1", "standard", 10, 9, 0),
        *call("s2", "standard", 10, 8, 59, 59, end=ABANDON),
        *call("s3", "standard", 10, 12, 29, 59, end=ABANDON),
        *call("s4", "standard", 10, 12, 30),
        *call("s5", "standard", 10, 13, 30, end="EXITWITHTIMEOUT|1|1|300"),
        *call("s6", "standard", 10, 14, 0, end="RINGNOANSWER|15000"),
        *call("s7", "standard", 10, 16, 30),
        *call("s8", "standard", 11, 10, 0, end=ABANDON),
        f"{at(10, 10, 0)}|s9|standard|NONE|JOINEMPTY|1|1|1",
        *call("s10", "standard", 15, 10, 0, end=ABANDON),
        *call("e1", "etrangers", 18, 14, 5),
        *call("e2", "etrangers", 18, 15, 59, end=ABANDON),
        *call("e3", "etrangers", 18, 16, 0),
        *call("e4", "etrangers", 19, 14, 5),
        *call("e5", "etrangers", 18, 14, 10, end="EXITWITHKEY|1|1"),
        *call("e6", "etrangers", 18, 14, 20),
        *call("p1", "pan", 16, 3, 0, end=ABANDON),
        *call("p2", "pan", 10, 10, 0),
        f"{at(10, 10, 5)}|p3|pan|NONE|JOINUNAVAIL|1|1|1",
        *call("p4", "pan", 10, 11, 0),
        "",
    ]
)
WEEKDAY_HOURS = (time(9), time(12, 30), time(13, 30), time(16, 30))


def indicators(*args) -> list[dict]:
    out = StringIO()
    call_command(
        "indicators", "--prefecture", "alpha", "--period", "2025-11", "--at", "2025-12-31",
        *args, "--format", "json", stdout=out,
    )  # fmt: skip
    return json.loads(out.getvalue())


def lost_rows(rows) -> tuple[dict, dict]:
    lost = [r for r in rows if r["code"] == "calls_lost_rate"]
    overall = [r for r in lost if "platform" not in r]
    assert len(overall) == 1
    return overall[0], {r["platform"]: r for r in lost if "platform" in r}


@pytest.fixture
def imported(tmp_path, prefecture, site):
    path = tmp_path / "queue_log"
    path.write_text(QUEUE_LOG)
    call_command(
        "import_telephony", "--prefecture", "alpha", "--site", "chef-lieu",
        "--format", "queue_log", str(path), stdout=StringIO(),
    )  # fmt: skip
    return site


def platforms(site, user):
    standard = organisation.save_platform(
        TelephonePlatform(
            site=site, kind="switchboard", name="Standard", slug="standard", queue="standard"
        ),
        actor=user,
    )
    foreigners = organisation.save_platform(
        TelephonePlatform(
            site=site, kind="foreigners", name="Ligne des étrangers", slug="etrangers",
            queue="etrangers",
        ),
        actor=user,
    )  # fmt: skip
    return standard, foreigners


def test_no_platform_hours_count_every_queued_call(imported, quality_lead):
    # 18 queued calls (JOINEMPTY / JOINUNAVAIL never are), 9 not answered: 50.0 %.
    overall, per_platform = lost_rows(indicators())
    assert (overall["value"], overall["numerator"], overall["denominator"]) == (50.0, 9, 18)
    assert overall["target"] == 10.0 and overall["met"] is False and per_platform == {}
    # Platforms without hours: the same figure, now with one row per platform.
    platforms(imported, quality_lead)
    overall, per_platform = lost_rows(indicators("--site", "chef-lieu"))
    assert (overall["numerator"], overall["denominator"]) == (9, 18)
    assert (per_platform["standard"]["numerator"], per_platform["standard"]["denominator"]) == (
        6,
        9,
    )


def test_lost_calls_by_hand_during_published_hours(imported, quality_lead):
    standard, foreigners = platforms(imported, quality_lead)
    organisation.set_platform_hours(
        standard, {day: WEEKDAY_HOURS for day in range(5)}, actor=quality_lead
    )
    organisation.set_platform_hours(
        foreigners, {1: (time(14), time(16), None, None)}, actor=quality_lead
    )
    rows = indicators()
    overall, per_platform = lost_rows(rows)
    assert (overall["value"], overall["numerator"], overall["denominator"]) == (54.5, 6, 11)
    assert set(overall) == {
        "code", "value", "numerator", "denominator", "target", "met", "previous"
    }  # fmt: skip
    assert per_platform["standard"] == {
        "code": "calls_lost_rate",
        "platform": "standard",
        "site": "chef-lieu",
        "value": 75.0,
        "numerator": 3,
        "denominator": 4,
        "target": 10.0,
        "met": False,
        "previous": None,
    }
    assert (per_platform["etrangers"]["value"], per_platform["etrangers"]["denominator"]) == (
        50.0,
        4,
    )
    # The catalogue's rows first, in their order; the platforms' rows after them.
    assert [r.get("platform") for r in rows][-2:] == ["standard", "etrangers"]
    # The calls answered rate is unchanged by the platforms' hours (every queued call).
    answered = next(r for r in rows if r["code"] == "calls_answered_rate")
    assert (answered["numerator"], answered["denominator"]) == (9, 18)
    # Outside hours counted apart, on the dashboard with each platform's figure.
    services.recompute_values(imported.prefecture, [Period.parse("2025-11")], at=None)
    from engagements.indicators.models import Value

    value = Value.objects.get(
        indicator__code="calls_lost_rate", site=None, service=None, period_kind="month"
    )
    assert value.extra["outside_hours"] == 7 and value.extra["lost"] == 6


def test_text_format_names_each_platform_and_never_writes_none(imported, quality_lead):
    platforms(imported, quality_lead)
    out = StringIO()
    call_command(
        "indicators", "--prefecture", "alpha", "--period", "2025-11", "--at", "2025-12-31",
        "--format", "text", stdout=out,
    )  # fmt: skip
    lines = out.getvalue().splitlines()
    assert "None" not in out.getvalue()
    # Last year had no call: "an passé —"; the visitors' count has no denominator.
    assert "calls_lost_rate: 50.0 (9/18), cible 10.0, an passé —" in lines
    assert "calls_lost_rate [plateforme standard, site chef-lieu]: " in out.getvalue()
    assert "calls_lost_rate [plateforme etrangers, site chef-lieu]: " in out.getvalue()


def test_dashboard_shows_platforms_and_outside_hours(imported, quality_lead, client_for):
    standard, foreigners = platforms(imported, quality_lead)
    organisation.set_platform_hours(
        standard, {day: WEEKDAY_HOURS for day in range(5)}, actor=quality_lead
    )
    services.recompute_values(imported.prefecture, [Period.parse("2025-11")])
    response = client_for(quality_lead).get(
        reverse("indicators:agents-dashboard", args=["alpha"]), {"period": "2025-11"}
    )
    text = response.content.decode()
    assert 'id="card-calls_lost_rate"' in text
    assert "Appels hors des horaires publiés (hors taux) : 5" in text
    assert "Standard : 75,0\u00a0% (3 sur 4)" in text


def test_published_on_the_public_results_and_the_poster(imported, quality_lead, client, tmp_path):
    import subprocess

    standard, _ = platforms(imported, quality_lead)
    organisation.set_platform_hours(
        standard, {day: WEEKDAY_HOURS for day in range(5)}, actor=quality_lead
    )
    services.recompute_values(imported.prefecture, [Period.parse("2025-11")])
    services.publish(imported.prefecture, Period.parse("2025-11"), actor=quality_lead)
    results = client.get(reverse("indicators:public-results", args=["alpha"]))
    assert "Appels perdus aux heures d&#x27;ouverture" in results.content.decode()
    # On the hall poster when the référent chooses it (issue 19.7: her 3 to 6 indicators).
    hall_poster.save_choice(
        imported.prefecture,
        codes=["calls_lost_rate", "calls_answered_rate", "correspondence_on_time_rate"],
        next_update=None,
        actor=quality_lead,
    )
    poster = client.get(reverse("indicators:public-poster", args=["alpha", "a4"]))
    path = tmp_path / "poster.pdf"
    path.write_bytes(poster.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Appels perdus aux heures d'ouverture" in " ".join(text.split())
    english = client.get("/en" + reverse("indicators:public-results", args=["alpha"]))
    assert "Calls lost during opening hours" in english.content.decode()


def test_annual_report_names_each_platform_row(imported, quality_lead):
    from datetime import date

    from engagements.indicators import annual

    standard, _ = platforms(imported, quality_lead)
    report = annual.annual_report(imported.prefecture, 2025, at=date(2025, 12, 31))
    whole, site_table = report["indicator_tables"][0], report["indicator_tables"][1]
    names = [row["name"] for row in whole["rows"]]
    lost = "Appels perdus aux heures d'ouverture"
    assert names.count(lost) == 1
    assert f"{lost} — Standard ({imported.name})" in names
    assert f"{lost} — Ligne des étrangers ({imported.name})" in names
    assert f"{lost} — Standard" in [row["name"] for row in site_table["rows"]]


def test_annual_report_counts_the_calls_outside_hours_apart(imported, quality_lead):
    from datetime import date

    from engagements.indicators import annual

    standard, _ = platforms(imported, quality_lead)
    organisation.set_platform_hours(
        standard, {day: WEEKDAY_HOURS for day in range(5)}, actor=quality_lead
    )
    report = annual.annual_report(imported.prefecture, 2025, at=date(2025, 12, 31))
    # As on the dashboard (test_dashboard_shows_platforms_and_outside_hours): 5 calls.
    assert (
        "Appels hors des horaires publiés (hors taux) : 5" in report["indicator_tables"][0]["apart"]
    )


def test_the_records_behind_the_lost_calls_rate_add_up_to_it(imported, quality_lead, client_for):
    standard, foreigners = platforms(imported, quality_lead)
    organisation.set_platform_hours(
        standard, {day: WEEKDAY_HOURS for day in range(5)}, actor=quality_lead
    )
    organisation.set_platform_hours(
        foreigners, {1: (time(14), time(16), None, None)}, actor=quality_lead
    )
    overall, _ = lost_rows(indicators())
    page = client_for(quality_lead).get(
        reverse("indicators:agents-records", args=["alpha", "calls_lost_rate"]),
        {"period": "2025-11"},
    )
    rows = page.context["rows"]
    assert page.context["columns"][1:] == [
        "Présentés aux heures d'ouverture",
        "Perdus",
        "Hors horaires",
    ]
    assert sum(r[1] for r in rows) == overall["denominator"] == 11
    assert sum(r[2] for r in rows) == overall["numerator"] == 6
    outside = sum(r[3] for r in rows)
    assert outside > 0 and f"{rows[0][0][:2]}" in page.content.decode()

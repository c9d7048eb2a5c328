"""The outside contracts of issue 10: imports (all or nothing, idempotent, line errors) and
the `indicators` command, against figures computed by hand (docs/indicators.md)."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from engagements.indicators.models import Call, CallHour, FootfallCount, Visit, WebsiteUpdate
from engagements.organisation.enums import Indicator
from engagements.organisation.models import Target
from tests.correspondence.factories import MessageFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
CODES = [
    "correspondence_on_time_rate",
    "correspondence_average_delay",
    "calls_answered_rate",
    "calls_answered_within_5_rings_rate",
    "calls_lost_rate",
    "website_updates_on_time_rate",
    "reception_visits",
    "reception_served_within_15_min_rate",
    "appointments_no_show_rate",
    "appointments_first_free_slot_days",
    "satisfaction_overall_rate",
    "satisfaction_net",
]


def epoch(*args) -> int:
    return int(datetime(*args, tzinfo=PARIS).timestamp())


def run_indicators(*args) -> dict[str, dict]:
    from io import StringIO

    out = StringIO()
    call_command("indicators", *args, "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [r["code"] for r in rows] == CODES
    for row in rows:
        assert set(row) == {
            "code",
            "value",
            "numerator",
            "denominator",
            "target",
            "met",
            "previous",
        }
    return {r["code"]: r for r in rows}


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


# Monday 3 November 2025 (UTC+1). Hand count for queue "accueil":
#  c1 09:00 CONNECT wait 10           offered, answered, within 5 rings
#  c2 09:10 CONNECT wait 40           offered, answered
#  c3 09:20 ABANDON                   offered, abandoned
#  c4 22:30 EXITWITHTIMEOUT           offered (out of hours still offered), abandoned
#  c5 23:00 JOINEMPTY                 closed, not offered
#  c6 06:00 JOINUNAVAIL               closed, not offered
#  c7 Tue 4th 00:30 local (23:30 UTC on the 3rd) CONNECT wait 25 → within 5 rings, day 4th
#  c8 queue "autre"                   left out by --queue accueil
# offered 5, answered 3 → 60.0 %; within 2 / 3 → 66.7 %; closed 2.
def queue_log() -> str:
    lines = [
        f"{epoch(2025, 11, 3, 7, 59)}|NONE|NONE|NONE|QUEUESTART|",
        f"{epoch(2025, 11, 3, 8, 0)}|NONE|accueil|SIP/201|ADDMEMBER|",
        f"{epoch(2025, 11, 3, 9, 0)}|c1|accueil|NONE|ENTERQUEUE||0601020304|1",
        f"{epoch(2025, 11, 3, 9, 0, 5)}|c1|accueil|SIP/201|RINGNOANSWER|5000",
        f"{epoch(2025, 11, 3, 9, 0, 10)}|c1|accueil|SIP/201|CONNECT|10|c1.1|3",
        f"{epoch(2025, 11, 3, 9, 5)}|c1|accueil|SIP/201|COMPLETECALLER|10|290|1",
        f"{epoch(2025, 11, 3, 9, 10)}|c2|accueil|NONE|ENTERQUEUE||0601020305|1",
        f"{epoch(2025, 11, 3, 9, 10, 40)}|c2|accueil|SIP/201|CONNECT|40|c2.1|5",
        f"{epoch(2025, 11, 3, 9, 20)}|c3|accueil|NONE|ENTERQUEUE||0601020306|1",
        f"{epoch(2025, 11, 3, 9, 21)}|c3|accueil|NONE|ABANDON|1|1|60",
        f"{epoch(2025, 11, 3, 22, 30)}|c4|accueil|NONE|ENTERQUEUE||0601020307|1",
        f"{epoch(2025, 11, 3, 22, 35)}|c4|accueil|NONE|EXITWITHTIMEOUT|1|1|300",
        f"{epoch(2025, 11, 3, 23, 0)}|c5|accueil|NONE|JOINEMPTY|1|1|1",
        f"{epoch(2025, 11, 3, 6, 0)}|c6|accueil|NONE|JOINUNAVAIL|1|1|1",
        f"{epoch(2025, 11, 4, 0, 30)}|c7|accueil|NONE|ENTERQUEUE||0601020308|1",
        f"{epoch(2025, 11, 4, 0, 30, 25)}|c7|accueil|SIP/202|CONNECT|25|c7.1|5",
        f"{epoch(2025, 11, 3, 10, 0)}|c8|autre|NONE|ENTERQUEUE||0601020309|1",
        f"{epoch(2025, 11, 3, 10, 0, 5)}|c8|autre|SIP/203|CONNECT|5|c8.1|5",
        "",
    ]
    return "\n".join(lines)


def test_queue_log_by_hand(tmp_path, prefecture, site, capsys):
    path = write(tmp_path, "queue_log", queue_log())
    args = ["--prefecture", "alpha", "--site", "chef-lieu", "--format", "queue_log"]
    call_command("import_telephony", *args, "--queue", "accueil", path)
    assert "appels présentés : 5" in capsys.readouterr().out
    rows = run_indicators("--prefecture", "alpha", "--period", "2025-11", "--at", "2025-12-31")
    calls = rows["calls_answered_rate"]
    assert (calls["value"], calls["numerator"], calls["denominator"]) == (60.0, 3, 5)
    assert calls["target"] == 93.0 and calls["met"] is False and calls["previous"] is None
    within = rows["calls_answered_within_5_rings_rate"]
    assert (within["value"], within["numerator"], within["denominator"]) == (66.7, 2, 3)
    assert sum(CallHour.objects.values_list("closed", flat=True)) == 2
    assert CallHour.objects.get(date=date(2025, 11, 4)).hour == 0
    assert CallHour.objects.get(date=date(2025, 11, 3), hour=22).offered == 1
    # The same file again changes nothing; without --queue, "autre" is counted too.
    before = sorted(CallHour.objects.values_list("date", "hour", "offered", "answered", "closed"))
    call_command("import_telephony", *args, "--queue", "accueil", path)
    after = sorted(CallHour.objects.values_list("date", "hour", "offered", "answered", "closed"))
    assert before == after and Call.objects.count() == 7
    call_command("import_telephony", *args, path)
    call_command("import_telephony", *args, path)
    rows = run_indicators("--prefecture", "alpha", "--period", "2025-11", "--at", "2025-12-31")
    assert (
        rows["calls_answered_rate"]["numerator"],
        rows["calls_answered_rate"]["denominator"],
    ) == (4, 6)


def test_rotated_queue_logs_sharing_a_day_keep_each_others_calls(tmp_path, prefecture, site):
    """logrotate cuts the queue_log at 06:25, not at midnight: importing the next file
    replaced the whole shared day, so the calls before 06:25 (in the previous file) were
    lost. Each file now replaces its own span; the same file twice still counts once."""

    def call(callid, *moment, wait=10):
        return [
            f"{epoch(*moment)}|{callid}|accueil|NONE|ENTERQUEUE||0601020304|1",
            f"{epoch(*moment) + wait}|{callid}|accueil|SIP/201|CONNECT|{wait}|x|3",
        ]

    first = [
        *call("a1", 2025, 11, 3, 10, 0),
        *call("a2", 2025, 11, 4, 5, 50),
        f"{epoch(2025, 11, 4, 6, 10)}|a3|accueil|NONE|JOINEMPTY|1|1|1",
    ]
    second = [*call("b1", 2025, 11, 4, 6, 40), *call("b2", 2025, 11, 4, 9, 0, wait=40)]
    args = ["--prefecture", "alpha", "--site", "chef-lieu", "--format", "queue_log"]
    call_command("import_telephony", *args, write(tmp_path, "q.1", "\n".join(first)))
    path = write(tmp_path, "q", "\n".join(second))
    call_command("import_telephony", *args, path)
    call_command("import_telephony", *args, path)  # twice: nothing counted twice
    fourth = CallHour.objects.filter(date=date(2025, 11, 4)).order_by("hour")
    assert [
        (h.hour, h.offered, h.answered, h.answered_within_5_rings, h.closed) for h in fourth
    ] == [
        (5, 1, 1, 1, 0),
        (6, 1, 1, 1, 1),
        (9, 1, 1, 0, 0),
    ]
    assert Call.objects.count() == 5


def test_queue_log_errors_name_the_line_and_write_nothing(tmp_path, prefecture, site):
    text = queue_log().replace(f"{epoch(2025, 11, 3, 9, 20)}|c3", "9h20|c3")
    text += "abc\n"
    path = write(tmp_path, "queue_log", text)
    with pytest.raises(CommandError) as error:
        call_command(
            "import_telephony", "--prefecture", "alpha", "--site", "chef-lieu",
            "--format", "queue_log", path,
        )  # fmt: skip
    assert "ligne 9" in str(error.value) and "ligne 19" in str(error.value)
    assert not CallHour.objects.exists() and not Call.objects.exists()


HOURLY = (
    "date;hour;offered;answered;answered_within_5_rings\r\n"
    "03/11/2025;09;10;9;8\r\n"
    "04/11/2025;14;5;4;\r\n"
    "2025-10-31;0;7;7;7\r\n"
)


def test_hourly_file_by_hand_and_overlap(tmp_path, prefecture, site, other_site):
    # Site 2 (hourly, Windows-1252 with semicolons, dd/mm/yyyy): November offered 15,
    # answered 13 → 86.7 %; within 5 rings known for 9 answered, 8 within → 88.9 %.
    path = write(tmp_path, "hourly.csv", "\ufeff" + HOURLY)
    args = ["--prefecture", "alpha", "--site", "sous-pref", "--format", "hourly"]
    call_command("import_telephony", *args, path)
    rows = run_indicators(
        "--prefecture", "alpha", "--site", "sous-pref", "--period", "2025-11", "--at", "2026-01-10"
    )
    assert rows["calls_answered_rate"]["value"] == 86.7
    assert rows["calls_answered_rate"]["denominator"] == 15
    assert rows["calls_answered_within_5_rings_rate"]["value"] == 88.9
    assert rows["calls_answered_within_5_rings_rate"]["denominator"] == 9
    # A second file overlapping 3 November replaces that day, never adds twice.
    second = write(
        tmp_path,
        "hourly2.csv",
        "date,hour,offered,answered\n2025-11-03,9,20,10\n2025-11-03,10,4,4\n",
        "cp1252",
    )
    call_command("import_telephony", *args, second)
    call_command("import_telephony", *args, second)
    rows = run_indicators("--prefecture", "alpha", "--site", "sous-pref", "--period", "2025-11")
    assert rows["calls_answered_rate"]["numerator"] == 4 + 10 + 4
    assert rows["calls_answered_rate"]["denominator"] == 5 + 20 + 4
    # No within-5-rings figure where no kept hour gives it.
    assert rows["calls_answered_within_5_rings_rate"]["value"] is None
    # Prefecture level adds the sites; the year compares with last year.
    Target.objects.create(
        prefecture=prefecture, year=2025, indicator=Indicator.CALLS_ANSWERED, value=60
    )
    rows = run_indicators("--prefecture", "alpha", "--period", "2025")
    assert rows["calls_answered_rate"]["target"] == 60.0
    assert rows["calls_answered_rate"]["met"] is True


def test_hourly_errors(tmp_path, prefecture, site):
    path = write(
        tmp_path,
        "bad.csv",
        "date,hour,offered,answered\n2025-11-03,24,10,9\n2025-11-03,9,3,4\n2025-11-03,9x,1,1\n",
    )
    with pytest.raises(CommandError) as error:
        call_command(
            "import_telephony", "--prefecture", "alpha", "--site", "chef-lieu",
            "--format", "hourly", path,
        )  # fmt: skip
    message = str(error.value)
    assert "ligne 2" in message and "ligne 3" in message and "ligne 4" in message
    assert not CallHour.objects.exists()


def test_footfall_and_desk_visits_by_hand(tmp_path, prefecture, site, service):
    path = write(
        tmp_path,
        "footfall.csv",
        "date,hour,service,visitors\n2025-11-03,9,sejour,12\n2025-11-03,10,,5\n"
        "04/11/2025,08,Bureau du séjour,3\n",
    )
    args = ["--prefecture", "alpha", "--site", "chef-lieu"]
    call_command("import_footfall", *args, path)
    call_command("import_footfall", *args, path)
    assert FootfallCount.objects.count() == 3
    arrived = datetime(2025, 11, 5, 9, 0, tzinfo=PARIS)
    for served in (timedelta(minutes=15), timedelta(minutes=16), None):
        Visit.objects.create(
            prefecture=prefecture,
            site=site,
            arrived_at=arrived,
            served_at=arrived + served if served else None,
        )
    rows = run_indicators("--prefecture", "alpha", "--period", "2025-11", "--at", "2025-12-01")
    # 12 + 5 + 3 imported + 3 at the desk; served within 15 min: 1 of 2 served.
    visits = rows["reception_visits"]
    assert (visits["value"], visits["numerator"], visits["denominator"]) == (23, 23, None)
    served = rows["reception_served_within_15_min_rate"]
    assert (served["value"], served["numerator"], served["denominator"]) == (50.0, 1, 2)
    bad = write(tmp_path, "bad.csv", "date,hour,service,visitors\n2025-11-03,9,inconnu,1\n")
    with pytest.raises(CommandError, match="ligne 2"):
        call_command("import_footfall", *args, bad)


def test_footfall_files_of_two_counters_keep_each_others_counts(
    tmp_path, prefecture, site, service
):
    """Each desk's counter exports its own file: importing the second desk's file replaced
    the whole site's counts of its days, wiping the first desk's."""
    args = ["--prefecture", "alpha", "--site", "chef-lieu"]
    header = "date,hour,service,visitors\n"
    desk = write(tmp_path, "sejour.csv", header + "2025-11-03,9,sejour,12\n")
    hall = write(tmp_path, "hall.csv", header + "2025-11-03,9,,30\n2025-11-03,10,,20\n")
    call_command("import_footfall", *args, desk)
    call_command("import_footfall", *args, hall)
    call_command("import_footfall", *args, hall)
    counts = FootfallCount.objects.values_list("service__slug", "hour", "visitors")
    assert set(counts) == {(None, 10, 20), (None, 9, 30), ("sejour", 9, 12)}
    # A corrected file of the desk replaces its own counts of the day.
    call_command(
        "import_footfall", *args, write(tmp_path, "s2.csv", header + "2025-11-03,11,sejour,4\n")
    )
    assert sorted(FootfallCount.objects.values_list("hour", "visitors")) == [
        (9, 30),
        (10, 20),
        (11, 4),
    ]


def test_website_updates_on_time_with_working_days(tmp_path, prefecture, site):
    # Fri 7 Nov 2025; Tue 11 Nov is a holiday: 3rd working day after is Thu 13.
    #  W1 07/11 → 13/11 (10, 12, 13 = 3 days)          on time
    #  W2 07/11 → 14/11 (4 days)                        published late
    #  W3 03/11, unpublished, due 06/11 < 21/11         late
    #  W4 20/11, unpublished, due 25/11 ≥ 21/11         pending, left out
    #  W5 12/11 → 12/11 (0 day)                         on time
    #  W6 01/12 requested after the month               not counted
    # At 21/11: 2 on time / 4 → 50.0 %.
    path = write(
        tmp_path,
        "updates.csv",
        "reference,site,page,requested_on,published_on\n"
        "W1,chef-lieu,/demarches/titres,2025-11-07,2025-11-13\n"
        "W2,chef-lieu,/actualites,07/11/2025,14/11/2025\n"
        "W3,,/contact,2025-11-03,\n"
        "W4,chef-lieu,/horaires,2025-11-20,\n"
        "W5,Préfecture — Chef-Lieu,/accueil,2025-11-12,2025-11-12\n"
        "W6,chef-lieu,/accueil,2025-12-01,\n",
    )
    call_command("import_website_updates", "--prefecture", "alpha", path)
    call_command("import_website_updates", "--prefecture", "alpha", path)
    assert WebsiteUpdate.objects.count() == 6
    rows = run_indicators("--prefecture", "alpha", "--period", "2025-11", "--at", "2025-11-21")
    web = rows["website_updates_on_time_rate"]
    assert (web["value"], web["numerator"], web["denominator"]) == (50.0, 2, 4)
    assert web["target"] == 100.0 and web["met"] is False
    bad = write(
        tmp_path,
        "bad.csv",
        "reference,site,page,requested_on,published_on\nX1,nulle-part,/a,2025-11-07,\n"
        "X2,,/b,2025-11-07,2025-11-01\n",
    )
    with pytest.raises(CommandError) as error:
        call_command("import_website_updates", "--prefecture", "alpha", bad)
    assert "ligne 2" in str(error.value) and "ligne 3" in str(error.value)
    assert WebsiteUpdate.objects.count() == 6


def test_correspondence_equals_report_and_targets(prefecture, site, service, other_site):
    for _ in range(3):
        MessageFactory(service=service, received_on=date(2025, 3, 3), answered_on_time=True)
    MessageFactory(service=service, received_on=date(2025, 3, 3), answered_late=True)
    MessageFactory(service=service, received_on=date(2025, 3, 10))
    MessageFactory(service=service, received_on=date(2024, 3, 4), answered_on_time=True)
    from io import StringIO

    out = StringIO()
    call_command(
        "correspondence_report", "--prefecture", "alpha", "--year", "2025",
        "--at", "2025-06-30", "--format", "json", stdout=out,
    )  # fmt: skip
    report = json.loads(out.getvalue())
    rows = run_indicators("--prefecture", "alpha", "--period", "2025", "--at", "2025-06-30")
    rate = rows["correspondence_on_time_rate"]
    assert rate["value"] == report["rate_on_time"] == 60.0
    assert (rate["numerator"], rate["denominator"]) == (3, 5)
    assert rate["target"] == 75.0 and rate["met"] is False and rate["previous"] == 100.0
    delay = rows["correspondence_average_delay"]
    assert delay["value"] == report["average_delay"]
    assert delay["denominator"] == 4 and delay["met"] is True
    # A site's override replaces the prefecture's target for that site only.
    Target.objects.create(
        prefecture=prefecture,
        site=site,
        year=2025,
        indicator=Indicator.CORRESPONDENCE_RATE,
        value=50,
    )
    rows = run_indicators(
        "--prefecture", "alpha", "--site", "chef-lieu", "--period", "2025-Q1", "--at", "2025-06-30"
    )
    assert rows["correspondence_on_time_rate"]["target"] == 50.0
    assert rows["correspondence_on_time_rate"]["met"] is True
    rows = run_indicators(
        "--prefecture", "alpha", "--site", "sous-pref", "--period", "2025-Q1", "--at", "2025-06-30"
    )
    assert rows["correspondence_on_time_rate"]["target"] == 75.0
    assert rows["correspondence_on_time_rate"]["value"] is None
    assert rows["correspondence_on_time_rate"]["met"] is None


def test_bad_period_and_unknown_site(prefecture, site):
    with pytest.raises(CommandError):
        call_command("indicators", "--prefecture", "alpha", "--period", "2025-13")
    with pytest.raises(CommandError):
        call_command("indicators", "--prefecture", "alpha", "--period", "2025", "--site", "x")


def test_epoch_helper_is_utc_independent():
    assert datetime.fromtimestamp(epoch(2025, 11, 4, 0, 30), tz=UTC).hour == 23


def test_appointments_and_satisfaction_by_hand(prefecture, site, service):
    import time_machine

    from engagements.surveys.enums import Criterion
    from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
    from tests.surveys.factories import (
        AnswerFactory,
        CampaignFactory,
        QuestionFactory,
        ResponseFactory,
    )

    with time_machine.travel(datetime(2025, 11, 20, 12, 0, tzinfo=PARIS), tick=False):
        procedure = ProcedureFactory(service=service)
        past = datetime(2025, 11, 10, 10, 0, tzinfo=PARIS)
        # no-shows: 1 of (2 attended + 1 late + 1 no-show) → 25.0 %; cancelled left out.
        for i, status in enumerate(["attended", "attended", "late", "no_show", "cancelled_user"]):
            slot = SlotFactory(procedure=procedure, starts_at=past + timedelta(minutes=15 * i))
            BookingFactory(slot=slot, status=status)
        # First free slot: 5 days after 20 November (the other procedure's is later).
        SlotFactory(procedure=procedure, starts_at=datetime(2025, 11, 25, 10, 0, tzinfo=PARIS))
        other = ProcedureFactory(service=service)
        SlotFactory(procedure=other, starts_at=datetime(2025, 11, 28, 10, 0, tzinfo=PARIS))
        # Overall satisfaction on a 5-point scale: 4, 5, 5 satisfied, 3 neutral, 1, 2
        # dissatisfied → 3 / 6 = 50.0 %; net (3 − 2) / 6 = 16.7 points.
        campaign = CampaignFactory(site=site)
        question = QuestionFactory(
            questionnaire=campaign.questionnaire, criterion=Criterion.OVERALL, kind="stars"
        )
        for value in (4, 5, 5, 3, 1, 2):
            response = ResponseFactory(campaign=campaign, answered_on=date(2025, 11, 12))
            AnswerFactory(response=response, question=question, value=value)
        rows = run_indicators("--prefecture", "alpha", "--period", "2025-11")
        # As it stood at the start of 18 November: 7 days to the 25th, whatever the period.
        before = run_indicators("--prefecture", "alpha", "--period", "2025", "--at", "2025-11-18")
    assert before["appointments_first_free_slot_days"]["value"] == 7
    no_show = rows["appointments_no_show_rate"]
    assert (no_show["value"], no_show["numerator"], no_show["denominator"]) == (25.0, 1, 4)
    assert no_show["target"] == 15.0 and no_show["met"] is False
    assert rows["appointments_first_free_slot_days"]["value"] == 5
    overall = rows["satisfaction_overall_rate"]
    assert (overall["value"], overall["numerator"], overall["denominator"]) == (50.0, 3, 6)
    net = rows["satisfaction_net"]
    assert (net["value"], net["numerator"], net["denominator"]) == (16.7, 1, 6)


def test_manual_values_import(tmp_path, prefecture, site):
    from engagements.indicators.models import Indicator, Value

    Indicator.objects.create(
        prefecture=prefecture, code="delai-cni", name_fr="Délai CNI", family="performance",
        unit="days", is_manual=True,
    )  # fmt: skip
    path = write(
        tmp_path,
        "values.csv",
        "code;period;site;value;source\ndelai-cni;2025-Q4;;12,5;ANTS\n"
        "delai-cni;2025-11;chef-lieu;10;ANTS\n",
    )
    call_command("import_indicator_values", "--prefecture", "alpha", path)
    call_command("import_indicator_values", "--prefecture", "alpha", path)
    assert Value.objects.count() == 2
    assert Value.objects.get(site=site).value == 10
    bad = write(tmp_path, "bad.csv", "code,period,value,source\ninconnu,2025-Q5,x,\n")
    with pytest.raises(CommandError, match="ligne 2"):
        call_command("import_indicator_values", "--prefecture", "alpha", bad)


def test_a_value_corrected_on_the_page_stays_when_the_file_is_imported_again(
    tmp_path, prefecture, site, quality_lead, capsys
):
    """A value imported, then corrected on the "Indicateurs propres" page: importing the
    same file again put the old value back. A file with another value still sets it."""
    from engagements.indicators.models import Indicator, Value
    from engagements.indicators.periods import Period
    from engagements.indicators.services import set_manual_value

    indicator = Indicator.objects.create(
        prefecture=prefecture, code="delai-cni", name_fr="Délai CNI", family="performance",
        unit="days", is_manual=True,
    )  # fmt: skip
    text = "code;period;site;value;source\ndelai-cni;2025-Q4;;12,5;ANTS\n"
    path = write(tmp_path, "values.csv", text)
    call_command("import_indicator_values", "--prefecture", "alpha", path)
    set_manual_value(
        indicator, prefecture=prefecture, period=Period.parse("2025-Q4"), value=11,
        source="ANTS, chiffre corrigé", actor=quality_lead,
    )  # fmt: skip
    capsys.readouterr()
    call_command("import_indicator_values", "--prefecture", "alpha", path)
    assert Value.objects.get().value == 11
    assert (
        "1 valeur corrigée sur la page depuis le dernier import est gardée : delai-cni"
    ) in capsys.readouterr().out
    call_command(
        "import_indicator_values", "--prefecture", "alpha",
        write(tmp_path, "v2.csv", text.replace("12,5", "13")),
    )  # fmt: skip
    assert Value.objects.get().value == 13


def test_footfall_names_services_and_sites_in_any_case_and_accents(
    tmp_path, prefecture, site, service
):
    """ "Séjour" (the service's name without "Bureau du", accented) named no service and
    the refusal did not say which ones exist; the site's and service's codes are read as
    every import reads them and an unknown one names the valid codes."""
    path = write(
        tmp_path,
        "footfall.csv",
        "date;hour;service;visitors\n2025-11-03;9;SÉJOUR;1 234\n2025-11-03;10;BUREAU DU SEJOUR;2\n",
    )
    call_command("import_footfall", "--prefecture", "alpha", "--site", "chef-lieu", path)
    assert sorted(FootfallCount.objects.values_list("service__slug", "visitors")) == [
        ("sejour", 2),
        ("sejour", 1234),
    ]
    bad = write(tmp_path, "bad.csv", "date,hour,service,visitors\n2025-11-03,9,etrangers,1\n")
    with pytest.raises(CommandError) as error:
        call_command("import_footfall", "--prefecture", "alpha", "--site", "chef-lieu", bad)
    assert (
        "service « etrangers » inconnu sur le site Préfecture — Chef-Lieu ; "
        "valeurs possibles : sejour" in str(error.value)
    )


def test_hours_as_platforms_and_counters_export_them(tmp_path, prefecture, site, service):
    """ "09:00" or "9h" (a platform's hourly export, a door counter's) was 'n'est pas un
    nombre entier'; the start of the hour is read, a half hour is named."""
    args = ["--prefecture", "alpha", "--site", "chef-lieu"]
    hourly = "date;hour;offered;answered\n2025-11-03;09:00;10;8\n2025-11-03;10h;4;4\n"
    call_command("import_telephony", *args, "--format", "hourly", write(tmp_path, "t.csv", hourly))
    assert sorted(CallHour.objects.values_list("hour", "offered")) == [(9, 10), (10, 4)]
    footfall = "date;hour;service;visitors\n2025-11-03;14:30;sejour;3\n"
    with pytest.raises(CommandError) as error:
        call_command("import_footfall", *args, write(tmp_path, "f.csv", footfall))
    assert "ligne 2, colonne « hour » : « 14:30 » : une heure pleine est attendue" in str(
        error.value
    )


def test_a_website_update_published_on_its_page_stays_published(tmp_path, prefecture, site):
    """Re-importing the requests' file (its 'published_on' still empty) reopened a request
    an agent had marked published on its page since: late again in the figures. A date to
    come was taken as well, unlike on that page."""
    from engagements.indicators.services import mark_website_update_published

    path = write(
        tmp_path,
        "updates.csv",
        "reference,site,page,requested_on,published_on\nW1,chef-lieu,/horaires,2025-11-07,\n",
    )
    with time_machine.travel(date(2025, 11, 20), tick=False):
        call_command("import_website_updates", "--prefecture", "alpha", path)
        mark_website_update_published(
            WebsiteUpdate.objects.get(), published_url="https://alpha.test/horaires"
        )
        call_command("import_website_updates", "--prefecture", "alpha", path)
        assert WebsiteUpdate.objects.get().published_on == date(2025, 11, 20)
        ahead = write(
            tmp_path,
            "ahead.csv",
            "reference,site,page,requested_on,published_on\nW2,chef-lieu,/a,2025-11-07,2026-11-13\n",
        )
        with pytest.raises(CommandError) as error:
            call_command("import_website_updates", "--prefecture", "alpha", ahead)
    assert "ligne 2, colonne « published_on » : date à venir (13/11/2026)" in str(error.value)

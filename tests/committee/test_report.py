"""committee_report: the JSON contract, with counts computed by hand."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from engagements.committee.enums import (
    AttendanceStatus,
    DecisionKind,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    SuggestionStatus,
)
from engagements.committee.models import Minutes
from tests.committee.factories import (
    AttendanceFactory,
    CollegeFactory,
    CommitteeFactory,
    DecisionFactory,
    MeetingFactory,
    MinutesFactory,
    SeatFactory,
    SuggestionFactory,
    at,
)


def _report(prefecture, year) -> dict:
    out = StringIO()
    call_command(
        "committee_report",
        "--prefecture",
        prefecture.slug,
        "--year",
        str(year),
        "--format",
        "json",
        stdout=out,
    )
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_report_counts_by_hand(prefecture):
    committee = CommitteeFactory(prefecture=prefecture)
    assoc = CollegeFactory(committee=committee, name="Associations")
    elus = CollegeFactory(committee=committee, name="Élus locaux")
    old = CollegeFactory(committee=committee, name="Ancien collège")
    # Associations in 2025: two titulaires (one ending mid-2025), one substitute still running.
    SeatFactory(committee=committee, college=assoc, mandate_start=date(2023, 1, 1))
    SeatFactory(
        committee=committee,
        college=assoc,
        mandate_start=date(2022, 1, 1),
        mandate_end=date(2025, 6, 30),
    )
    SeatFactory(committee=committee, college=assoc, substitute=True, organisation_only=True)
    # Not in 2025: ended the day before, starts the day after.
    SeatFactory(
        committee=committee,
        college=assoc,
        mandate_start=date(2020, 1, 1),
        mandate_end=date(2024, 12, 31),
    )
    SeatFactory(committee=committee, college=elus, mandate_start=date(2026, 1, 1))
    # Élus: a substitute starting on 31 December counts.
    SeatFactory(
        committee=committee, college=elus, substitute=True, mandate_start=date(2025, 12, 31)
    )
    SeatFactory(
        committee=committee,
        college=old,
        mandate_start=date(2019, 1, 1),
        mandate_end=date(2020, 1, 1),
    )

    march = MeetingFactory(
        committee=committee, starts_at=at(date(2025, 3, 10)), status=MeetingStatus.PUBLISHED
    )
    for status in ["present", "present", "present", "excused", "represented", "absent"]:
        AttendanceFactory(meeting=march, status=status)
    v1 = MinutesFactory(meeting=march)
    DecisionFactory(minutes=v1)
    Minutes.objects.filter(pk=v1.pk).update(status=MinutesStatus.APPROVED)
    v2 = MinutesFactory(meeting=march, version=2)
    DecisionFactory(minutes=v2)
    DecisionFactory(minutes=v2, kind=DecisionKind.ACTION)  # latest version counts: 2
    october = MeetingFactory(
        committee=committee,
        starts_at=at(date(2025, 10, 2)),
        kind=MeetingKind.BEFORE_AUDIT,
        status=MeetingStatus.CONVENED,
    )
    AttendanceFactory(meeting=october, status=AttendanceStatus.INVITED)
    MeetingFactory(committee=committee, starts_at=at(date(2024, 11, 5)))  # other year
    MeetingFactory(
        committee=committee,
        starts_at=at(date(2025, 12, 1)),
        kind=MeetingKind.JOINT,
        status=MeetingStatus.CANCELLED,
    )

    SuggestionFactory(committee=committee, submitted_on=date(2025, 2, 1))
    SuggestionFactory(
        committee=committee, submitted_on=date(2025, 3, 10), status=SuggestionStatus.ACCEPTED
    )
    SuggestionFactory(
        committee=committee, submitted_on=date(2025, 3, 10), status=SuggestionStatus.ACCEPTED
    )
    SuggestionFactory(
        committee=committee, submitted_on=date(2024, 3, 10), status=SuggestionStatus.DECLINED
    )

    assert _report(prefecture, 2025) == {
        "seats": {
            "Associations": {"titulaire": 2, "suppleant": 1},
            "Élus locaux": {"titulaire": 0, "suppleant": 1},
        },
        "meetings": [
            {
                "date": "2025-03-10",
                "kind": "ordinary",
                "status": "published",
                "present": 3,
                "excused": 1,
                "absent": 1,
                "represented": 1,
                "decisions": 2,
            },
            {
                "date": "2025-10-02",
                "kind": "before_audit",
                "status": "convened",
                "present": 0,
                "excused": 0,
                "absent": 0,
                "represented": 0,
                "decisions": 0,
            },
            {
                "date": "2025-12-01",
                "kind": "joint",
                "status": "cancelled",
                "present": 0,
                "excused": 0,
                "absent": 0,
                "represented": 0,
                "decisions": 0,
            },
        ],
        "suggestions": {
            "submitted": 1,
            "under_study": 0,
            "accepted": 2,
            "declined": 0,
            "already_done": 0,
        },
    }


@pytest.mark.django_db
def test_report_without_committee(prefecture):
    report = _report(prefecture, 2025)
    assert report["seats"] == {} and report["meetings"] == []
    assert set(report["suggestions"]) == {
        "submitted",
        "under_study",
        "accepted",
        "declined",
        "already_done",
    }


@pytest.mark.django_db
def test_report_after_import_names_colleges_as_imported(tmp_path, prefecture):
    path = tmp_path / "m.csv"
    path.write_text(
        "college,organisation,first_name,last_name,email,seat,mandate_start,mandate_end\n"
        "Représentants des usagers,UFC fictive,,,,titulaire,15/03/2023,\n"
        "Représentants des usagers,UFC fictive,,,,suppleant,15/03/2023,14/03/2025\n"
    )
    call_command("import_committee_members", "--prefecture", prefecture.slug, str(path))
    assert _report(prefecture, 2025)["seats"] == {
        "Représentants des usagers": {"titulaire": 1, "suppleant": 1}
    }
    assert _report(prefecture, 2026)["seats"] == {
        "Représentants des usagers": {"titulaire": 1, "suppleant": 0}
    }
    assert _report(prefecture, 2022)["seats"] == {}


@pytest.mark.django_db
def test_report_unknown_prefecture(db):
    with pytest.raises(CommandError):
        call_command("committee_report", "--prefecture", "x", "--year", "2025", "--format", "json")


@pytest.mark.django_db
def test_text_report_speaks_french_not_codes(prefecture):
    committee = CommitteeFactory(prefecture=prefecture)
    MeetingFactory(
        committee=committee,
        starts_at=at(date(2025, 3, 14)),
        kind=MeetingKind.JOINT,
        status=MeetingStatus.HELD,
    )
    SuggestionFactory(
        committee=committee, submitted_on=date(2025, 4, 1), status=SuggestionStatus.UNDER_STUDY
    )
    out = StringIO()
    call_command("committee_report", "--prefecture", prefecture.slug, "--year", "2025", stdout=out)
    text = out.getvalue()
    assert "14/03/2025 Séance commune CLU et CLAC (Tenue) — présents 0" in text
    assert "à l'étude 1" in text and "déposée 0" in text
    for code in ("joint", "held", "under_study", "submitted", "2025-03-14"):
        assert code not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "command, extra",
    [
        ("committee_report", []),
        ("action_plan_report", []),
        ("training_report", []),
        ("assessment_report", ["--referential", "x"]),
    ],
)
def test_a_year_out_of_range_is_refused_in_french(prefecture, command, extra):
    for value, message in (("0", "année 0 hors des années admises"), ("2o25", "pas une année")):
        with pytest.raises(CommandError, match=message):
            call_command(command, "--prefecture", prefecture.slug, "--year", value, *extra)

"""CSV import (all or nothing, idempotent) and the report command against hand-computed
figures over holidays, weekends, late and pending messages (docs/indicators.md)."""

import json

import pytest
from django.core.management import CommandError, call_command

from engagements.correspondence.enums import Status
from engagements.correspondence.models import Message

pytestmark = pytest.mark.django_db

HEADER = "reference,site,service,channel,kind,topic,received_on,answered_on,closed_reason\n"
# Hand count (metropolitan holidays 2026: 1, 8, 14 (Ascension) and 25 (Whit Monday) May):
#  1 courriel info,   Thu 30/04 → Tue 12/05: 4,5,6,7,11,12 May = 6 days > 5   answered late
#  2 courriel récl.,  Sat 09/05 → Mon 11/05: 1 day                           on time
#  3 courrier récl.,  Wed 13/05 → Wed 27/05: 15,18-22,26,27 = 8 days ≤ 10     on time
#  4 courriel info,   Mon 01/06 → same day: 0                                 on time
#  5 urne sugg.,      Mon 01/06, no answer, due Mon 15/06 < 30/06            late
#  6 courriel info,   Fri 26/06, no answer, due Fri 03/07 ≥ 30/06            pending
#  7 courriel info,   closed as duplicate                                    excluded
#  8 courrier info,   received 06/07, after the reference date               not counted
#  9 courriel récl.,  Wed 10/06 → Fri 19/06: 11,12,15-19 = 7 days > 5         answered late
# At 30/06: answered 5, on time 3, late 1, pending 1, excluded 1;
# rate 3 / (5 + 1) = 50.0 %; average delay (6 + 1 + 8 + 0 + 7) / 5 = 4.40.
ROWS = """2026-000001,chef-lieu,sejour,courriel,information,Délai séjour,2026-04-30,2026-05-12,
2026-000002,chef-lieu,sejour,courriel,reclamation,Prise de rendez-vous,2026-05-09,2026-05-11,
2026-000003,chef-lieu,sejour,courrier,reclamation,Délai séjour,2026-05-13,2026-05-27,
2026-000004,chef-lieu,,courriel,information,,2026-06-01,2026-06-01,
2026-000005,chef-lieu,sejour,urne,suggestion,,2026-06-01,,
2026-000006,chef-lieu,sejour,courriel,information,,2026-06-26,,
2026-000007,chef-lieu,sejour,courriel,information,,2026-06-02,,doublon
2026-000008,chef-lieu,sejour,courrier,information,,2026-07-06,,
2026-000009,chef-lieu,sejour,courriel,reclamation,Prise de rendez-vous,2026-06-10,2026-06-19,
"""


@pytest.fixture
def register_file(tmp_path, prefecture, site, service):
    path = tmp_path / "registre.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


def report(prefecture, *args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command(
        "correspondence_report",
        "--prefecture",
        prefecture.slug,
        "--year",
        "2026",
        "--format",
        "json",
        *args,
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_report_reproduces_the_hand_computed_figures(prefecture, register_file):
    call_command("import_correspondence", "--prefecture", prefecture.slug, str(register_file))
    assert report(prefecture, "--at", "2026-06-30") == {
        "answered": 5,
        "on_time": 3,
        "late": 1,
        "pending": 1,
        "excluded": 1,
        "rate_on_time": 50.0,
        "average_delay": 4.4,
    }
    complaints = report(prefecture, "--at", "2026-06-30", "--kind", "reclamation")
    assert (complaints["answered"], complaints["on_time"]) == (3, 2)
    assert complaints["rate_on_time"] == 66.7 and complaints["average_delay"] == 5.33
    emails = report(prefecture, "--at", "2026-06-30", "--channel", "courriel")
    assert emails == {
        "answered": 4,
        "on_time": 2,
        "late": 0,
        "pending": 1,
        "excluded": 1,
        "rate_on_time": 50.0,
        "average_delay": 3.5,
    }
    # As it stood at the end of May: only the first three existed, all answered.
    may = report(prefecture, "--at", "2026-05-31")
    assert (may["answered"], may["on_time"], may["rate_on_time"]) == (3, 2, 66.7)
    assert may["average_delay"] == 5.0
    assert report(prefecture, "--at", "2026-06-30", "--site", "chef-lieu")["answered"] == 5
    empty = report(prefecture, "--at", "2026-01-31")
    assert empty["rate_on_time"] is None and empty["average_delay"] is None


def test_a_bad_line_writes_nothing_and_is_named(prefecture, register_file, tmp_path):
    bad = tmp_path / "bad.csv"
    lines = (HEADER + ROWS).splitlines()
    lines[3] = lines[3].replace("courrier", "pigeon")
    lines[5] = lines[5].replace("2026-06-01", "01/06/2026")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_correspondence", "--prefecture", prefecture.slug, str(bad))
    text = str(error.value)
    assert "ligne 4 : canal « pigeon » inconnu" in text
    assert "ligne 6 : received_on « 01/06/2026 »" in text
    assert "ligne 2" not in text
    assert Message.objects.count() == 0


def test_reimporting_updates_and_never_duplicates(prefecture, register_file):
    call_command("import_correspondence", "--prefecture", prefecture.slug, str(register_file))
    call_command("import_correspondence", "--prefecture", prefecture.slug, str(register_file))
    assert Message.objects.filter(prefecture=prefecture).count() == 9
    register_file.write_text(
        HEADER + ROWS.replace("2026-06-26,,", "2026-06-26,2026-06-29,"), encoding="utf-8"
    )
    call_command("import_correspondence", "--prefecture", prefecture.slug, str(register_file))
    message = Message.objects.get(prefecture=prefecture, reference="2026-000006")
    assert message.status == Status.ANSWERED
    assert Message.objects.filter(prefecture=prefecture).count() == 9
    assert message.events.count() == 2  # created, then updated by the import


def test_new_messages_continue_after_imported_references(prefecture, register_file, service):
    from datetime import date

    from engagements.correspondence import services

    call_command("import_correspondence", "--prefecture", prefecture.slug, str(register_file))
    message = services.create_message(
        prefecture,
        site=service.site,
        service=service,
        channel="letter",
        kind="information",
        received_on=date(2026, 7, 7),
        sender_address="1 rue X",
    )
    assert message.reference == "2026-000010"

"""import_committee_members passes the table of broken files (issue 9), and the command
refuses a broken file with a non-zero exit and the line errors on stderr."""

import pytest

from engagements.committee.models import College, Seat
from engagements.committee.services.members import import_members
from engagements.outbox.models import Delivery
from tests.command_refusal import run_refused_command
from tests.csv_cases import assert_refuses_broken_files

pytestmark = pytest.mark.django_db

HEADER = "college,organisation,first_name,last_name,email,seat,mandate_start,mandate_end"
GOOD = "Associations,Association du Bocage,Léa,Fictive,lea.fictive@asso.test,titulaire,2024-01-01,"


def _written() -> int:
    return Seat.objects.count() + College.objects.count() + Delivery.objects.count()


def test_members_import_passes_the_table_of_broken_files(prefecture):
    assert_refuses_broken_files(
        lambda data: import_members(prefecture, data),
        header=HEADER,
        good_line=GOOD,
        text_column="organisation",
        digit_column="mandate_start",
        written=_written,
    )


def test_command_exits_non_zero_with_the_line_errors_on_stderr(
    tmp_path, monkeypatch, capsys, prefecture
):
    path = tmp_path / "membres.csv"
    bad = GOOD.replace("Association du Bocage", "a\x00b")
    path.write_bytes(f"{HEADER}\n{GOOD}\n{bad}\n".encode())
    err = run_refused_command(
        monkeypatch, capsys, "engagements.committee", "import_committee_members",
        "--prefecture", "alpha", str(path),
    )  # fmt: skip
    assert "ligne 3, colonne « organisation »" in err
    assert _written() == 0

"""import_faq passes the table of broken files (issue 9), and the command refuses a broken
file with a non-zero exit and the line errors on stderr."""

import pytest

from engagements.faq.models import Entry
from engagements.faq.services import import_entries
from tests.command_refusal import run_refused_command
from tests.csv_cases import assert_refuses_broken_files

pytestmark = pytest.mark.django_db

HEADER = "site,service,question,answer,tags,language"
GOOD = "chef-lieu,sejour,Comment renouveler mon titre ?,En ligne sur le site de l'ANEF.,séjour,fr"


def test_faq_import_passes_the_table_of_broken_files(prefecture, service):
    # The question and the answer hold sentences; the service (a slug) is the short text.
    assert_refuses_broken_files(
        lambda data: import_entries(prefecture, data),
        header=HEADER,
        good_line=GOOD,
        text_column="service",
        written=lambda: Entry.objects.count(),
    )


def test_command_exits_non_zero_with_the_line_errors_on_stderr(
    tmp_path, monkeypatch, capsys, prefecture, service
):
    path = tmp_path / "faq.csv"
    path.write_bytes(f"{HEADER}\n{GOOD}\n{GOOD},en trop\n".encode())
    err = run_refused_command(
        monkeypatch, capsys, "engagements.faq", "import_faq", "--prefecture", "alpha", str(path)
    )
    assert "ligne 3" in err
    assert not Entry.objects.exists()

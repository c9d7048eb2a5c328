"""The label cycle's imports (labels, criterion results, trainings) pass the table of broken
files, and their commands refuse a broken file with a non-zero exit and the lines on stderr."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from engagements.quality.diagnostic import import_assessment_results
from engagements.quality.labels import LABEL_COLUMNS, import_labels
from engagements.quality.models import Assessment, CriterionResult, Label, TrainingSession
from engagements.quality.trainings import TRAINING_COLUMNS, import_trainings
from tests.command_refusal import run_refused_command
from tests.csv_cases import assert_refuses_broken_files

pytestmark = pytest.mark.django_db

LABEL_HEADER = ",".join(LABEL_COLUMNS)
LABEL = "chef-lieu,1,qualepref,2024-01-15,2027-01-14,AFNOR Certification,2024-01-10,2026-10-01"
RESULT_HEADER = "site,commitment,criterion,result"
RESULT = "chef-lieu,SP+1,Accueil courtois,oui"
TRAINING_HEADER = ",".join(TRAINING_COLUMNS)
TRAINING = "2026-03-10,chef-lieu,sejour,accueil,Accueil des usagers,3.5,12"


@pytest.fixture
def sp_plus(db):
    path = Path(__file__).resolve().parents[2] / "engagements/quality/referentials"
    yaml_file = str(path / "services-publics-plus-2023.yaml")
    call_command("import_referential", yaml_file, stdout=StringIO())


def test_labels_import_passes_the_table_of_broken_files(prefecture, site):
    assert_refuses_broken_files(
        lambda data: import_labels(prefecture, data),
        header=LABEL_HEADER,
        good_line=LABEL,
        text_column="site",
        digit_column="module",
        written=lambda: Label.objects.count(),
    )


def test_assessment_results_import_passes_the_table_of_broken_files(prefecture, site, sp_plus):
    assert_refuses_broken_files(
        lambda data: import_assessment_results(prefecture, "services-publics-plus", 2026, data),
        header=RESULT_HEADER,
        good_line=RESULT,
        text_column="criterion",
        digit_column="commitment",
        written=lambda: Assessment.objects.count() + CriterionResult.objects.count(),
    )


def test_trainings_import_passes_the_table_of_broken_files(prefecture, site, service):
    assert_refuses_broken_files(
        lambda data: import_trainings(prefecture, data),
        header=TRAINING_HEADER,
        good_line=TRAINING,
        text_column="site",
        digit_column="participants",
        written=lambda: TrainingSession.objects.count(),
        duplicate_key=False,  # the same course given twice a day is two sessions
    )


@pytest.mark.parametrize(
    ("command", "header", "good", "bad", "extra", "column"),
    [
        ("import_labels", LABEL_HEADER, LABEL, LABEL.replace(",1,", ",²,"), [], "module"),
        (
            "import_trainings",
            TRAINING_HEADER,
            TRAINING,
            TRAINING.replace(",12", ",1²"),
            [],
            "participants",
        ),
        (
            "import_assessment_results",
            RESULT_HEADER,
            RESULT,
            RESULT.replace("oui", "bof"),
            ["--referential", "services-publics-plus", "--year", "2026"],
            "result",
        ),
    ],
)
def test_commands_exit_non_zero_with_the_line_errors_on_stderr(
    tmp_path, monkeypatch, capsys, prefecture, site, service, sp_plus,
    command, header, good, bad, extra, column,
):  # fmt: skip
    path = tmp_path / "file.csv"
    path.write_bytes(f"{header}\n{good}\n{bad}\n".encode())
    err = run_refused_command(
        monkeypatch, capsys, "engagements.quality", command,
        "--prefecture", "alpha", *extra, str(path),
    )  # fmt: skip
    assert f"ligne 3, colonne « {column} »" in err
    assert not Label.objects.exists() and not TrainingSession.objects.exists()
    assert not CriterionResult.objects.exists()

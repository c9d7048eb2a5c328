"""The quality app's CSV imports (actions, SP+ experiences) pass the table of broken files
(issue 9), and their commands refuse a broken file with a non-zero exit and the line errors
on stderr."""

import pytest

from engagements.organisation.models import ReferenceCounter
from engagements.quality.experiences import FIELDS, import_experiences
from engagements.quality.models import Action, ActionPlan, ActionStatus, Experience
from engagements.quality.services import ACTION_COLUMNS, import_actions
from tests.command_refusal import run_refused_command
from tests.csv_cases import assert_refuses_broken_files, assert_refuses_broken_raw_files

pytestmark = pytest.mark.django_db

ACTION_HEADER = ",".join(ACTION_COLUMNS)
ACTION = (
    "PA-2026-050,chef-lieu,2026,Afficher les horaires,improvement,sejour,,"
    "2026-01-10,2026-03-31,in_progress,40,,complaint"
)
EXPERIENCE_HEADER = ",".join(FIELDS)
EXPERIENCE = (
    "EXP-1042,Accueil rapide,Reçu sans attente,positif,2025-11-03,2025-11-05,"
    "Merci de votre retour,,Préfecture d'Alpha - Accueil"
)


def _actions_written() -> int:
    return (
        Action.objects.count()
        + ActionPlan.objects.count()
        + ActionStatus.objects.count()
        + ReferenceCounter.objects.count()
    )


def test_actions_import_passes_the_table_of_broken_files(prefecture, site, service):
    # The title may hold 300 characters; the reference (PA-YYYY-NNN) is the short text.
    assert_refuses_broken_files(
        lambda data: import_actions(prefecture, data),
        header=ACTION_HEADER,
        good_line=ACTION,
        text_column="reference",
        digit_column="year",
        written=_actions_written,
    )


def test_sp_experiences_import_passes_the_table_of_broken_files(prefecture):
    # Title and texts come from the platform; the experience's id is the short text.
    assert_refuses_broken_files(
        lambda data: import_experiences(prefecture, data, "experiences.csv"),
        header=EXPERIENCE_HEADER,
        good_line=EXPERIENCE,
        text_column="id_experience",
        digit_column="date_de_publication",
        written=lambda: Experience.objects.count(),
    )


def test_sp_experiences_json_refuses_nul_and_oversized_values(prefecture):
    import json

    from engagements.csvio import CsvImportError

    good = dict(zip(FIELDS, EXPERIENCE.split(","), strict=True))
    for broken in ({"titre": "a\x00b"}, {"structure": "s" * 301}, {"description": "x" * 200_000}):
        data = json.dumps([good, {**good, "id_experience": "EXP-2", **broken}]).encode()
        with pytest.raises(CsvImportError) as error:
            import_experiences(prefecture, data, "experiences.json")
        assert "ligne 2" in str(error.value), broken
    assert not Experience.objects.exists()
    import_experiences(prefecture, json.dumps([good]).encode(), "experiences.json")
    assert Experience.objects.get().external_id == "EXP-1042"


def test_sp_experiences_json_passes_the_table_of_broken_files(prefecture):
    """Issue 20, rows 6 and 7: the JSON export goes through the shared reader (NUL, UTF-16,
    empty, deep nesting) and its dates and ids are checked like the CSV's."""
    import json

    good = dict(zip(FIELDS, EXPERIENCE.split(","), strict=True))

    def file(*items) -> bytes:
        return json.dumps([good, *items]).encode()

    other = {**good, "id_experience": "EXP-2"}
    text = json.dumps([good])
    assert_refuses_broken_raw_files(
        lambda data: import_experiences(prefecture, data, "experiences.json"),
        good=text,
        broken={
            "NUL byte": (file({**other, "titre": "a\x00b"}), 2),
            "year 0001": (file({**other, "date_de_publication": "01/01/0001"}), 2),
            "year 9999": (file({**other, "date_de_premiere_reponse": "9999-12-31"}), 2),
            "duplicate key": (file(good), 2),
            "deeply nested": (b"[" * 100_000 + b"]" * 100_000, 1),
        },
        written=lambda: Experience.objects.count(),
    )
    import_experiences(prefecture, text.encode(), "experiences.json")
    assert Experience.objects.get().external_id == "EXP-1042"


def test_sp_experiences_json_nested_deeply_is_unreadable_not_a_server_error(prefecture):
    from engagements.csvio import CsvImportError

    with pytest.raises(CsvImportError) as error:
        import_experiences(prefecture, b"[" * 100_000 + b"]" * 100_000, "experiences.json")
    assert "fichier JSON illisible" in str(error.value)


def test_import_actions_exits_non_zero_with_the_line_errors_on_stderr(
    tmp_path, monkeypatch, capsys, prefecture, site, service
):
    path = tmp_path / "actions.csv"
    bad = ACTION.replace("PA-2026-050,chef-lieu,2026", "PA-2026-051,chef-lieu,202²")
    path.write_bytes(f"{ACTION_HEADER}\n{ACTION}\n{bad}\n".encode())
    err = run_refused_command(
        monkeypatch, capsys, "engagements.quality", "import_actions",
        "--prefecture", "alpha", str(path),
    )  # fmt: skip
    assert "ligne 3, colonne « year »" in err
    assert _actions_written() == 0


def test_import_sp_experiences_exits_non_zero_with_the_line_errors_on_stderr(
    tmp_path, monkeypatch, capsys, prefecture
):
    path = tmp_path / "experiences.csv"
    path.write_bytes(f"{EXPERIENCE_HEADER}\n{EXPERIENCE}\n{EXPERIENCE},en trop\n".encode())
    err = run_refused_command(
        monkeypatch, capsys, "engagements.quality", "import_sp_experiences",
        "--prefecture", "alpha", str(path),
    )  # fmt: skip
    assert "ligne 3" in err
    assert not Experience.objects.exists()

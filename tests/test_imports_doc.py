"""docs/imports.md gives the columns of every import command and one vocabulary of codes
(issue 19, item 12); the register's import reads the product's codes as well."""

import re
from pathlib import Path

import pytest

from engagements.committee.services.members import COLUMNS as MEMBER_COLUMNS
from engagements.correspondence.enums import ClosedReason, Kind
from engagements.correspondence.services.imports import COLUMNS as REGISTER_COLUMNS
from engagements.faq.services import IMPORT_COLUMNS as FAQ_COLUMNS
from engagements.organisation.enums import Channel
from engagements.quality.diagnostic import RESULT_COLUMNS
from engagements.quality.enums import ActionType, SourceKind, StatusCode
from engagements.quality.experiences import FIELDS as SP_FIELDS
from engagements.quality.labels import LABEL_COLUMNS
from engagements.quality.services import ACTION_COLUMNS
from engagements.quality.trainings import OPTIONAL_TRAINING_COLUMNS, TRAINING_COLUMNS
from engagements.surveys.enums import Channel as SurveyChannel

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "imports.md").read_text(encoding="utf-8")

COLUMNS = {
    "import_correspondence": REGISTER_COLUMNS,
    "import_telephony": ["date", "hour", "offered", "answered", "answered_within_5_rings"],
    "import_footfall": ["date", "hour", "service", "visitors"],
    "import_website_updates": ["reference", "site", "page", "requested_on", "published_on"],
    "import_indicator_values": [
        "code", "period", "value", "source", "site", "numerator", "denominator"
    ],
    "import_survey_answers": ["channel", "service"],
    "import_committee_members": MEMBER_COLUMNS,
    "import_actions": ACTION_COLUMNS,
    "import_faq": FAQ_COLUMNS,
    "import_referential": ["code", "version", "modules"],
    "import_sp_experiences": SP_FIELDS,
    "import_labels": LABEL_COLUMNS,
    "import_trainings": TRAINING_COLUMNS + OPTIONAL_TRAINING_COLUMNS,
    "import_assessment_results": RESULT_COLUMNS,
}  # fmt: skip


def _section(command: str) -> str:
    match = re.search(rf"^### .*`{command} .*?(?=^### |\Z)", DOC, re.MULTILINE | re.DOTALL)
    assert match, f"docs/imports.md has no section for {command}"
    return match.group(0)


def test_every_import_command_is_documented():
    commands = {
        path.stem for path in (ROOT / "engagements").glob("*/management/commands/import_*.py")
    }
    assert commands == set(COLUMNS)


@pytest.mark.parametrize("command", sorted(COLUMNS))
def test_the_columns_of_each_import_are_given(command):
    section = _section(command)
    missing = [c for c in COLUMNS[command] if not re.search(rf"\b{re.escape(c)}\b", section)]
    assert missing == [], command


def test_one_vocabulary_of_codes_is_given():
    for codes in (
        Channel.values, Kind.values, ClosedReason.values, SurveyChannel.values,
        ActionType.values, StatusCode.values, SourceKind.values,
    ):  # fmt: skip
        for code in codes:
            assert f"`{code}`" in DOC, code


@pytest.mark.django_db
def test_the_register_import_reads_the_products_codes(prefecture, service):
    from engagements.correspondence.models import Message
    from engagements.correspondence.services.imports import import_messages

    header = ",".join(REGISTER_COLUMNS)
    lines = [
        f"EXT-1,{service.site.slug},{service.slug},email,complaint,Accueil,2026-03-02,,",
        f"EXT-2,{service.site.slug},{service.slug},courrier,reclamation,Accueil,2026-03-02,,",
        f"EXT-3,{service.site.slug},{service.slug},letter,information,Accueil,2026-03-02,,"
        "duplicate",
    ]
    result = import_messages(prefecture, "\n".join([header, *lines]))
    assert result.created == 3
    by_reference = {m.external_reference: m for m in Message.objects.all()}
    assert (by_reference["EXT-1"].channel, by_reference["EXT-1"].kind) == ("email", "complaint")
    assert (by_reference["EXT-2"].channel, by_reference["EXT-2"].kind) == ("letter", "complaint")
    assert by_reference["EXT-3"].closed_reason == "duplicate"


def test_the_imports_page_and_the_doc_list_the_same_columns():
    from engagements.shell.imports import import_kinds

    for kind in import_kinds():
        if not re.fullmatch(r"[a-z0-9_, ]+", kind.columns):
            continue  # a described format (queue_log, YAML, the SP+ export)
        for column in kind.columns.split(", "):
            assert f"**{column}**" in DOC or re.search(rf"\b{column}\b", DOC), (kind.code, column)

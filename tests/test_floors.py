"""The floors of docs/architecture.md hold: no dependency goes up or sideways, no import ring.

`tests/floors.py` reads every import (inside functions too), `apps.get_model` literal and
template `{% load %}` / `{% include %}` / `{% extends %}` / `{% url %}`; `lint-imports`
(the contract in pyproject.toml) checks the Python side once more, as `.ci/run` does.
"""

from __future__ import annotations

from pathlib import Path

from tests import floors


def test_no_dependency_crosses_the_floors():
    found = floors.violations()
    assert found == [], "\n".join(str(dep) for dep in found)


def test_no_import_ring_between_files():
    assert floors.import_cycles() == []


def test_the_import_linter_contract_is_kept(capsys):
    from importlinter.cli import lint_imports

    pyproject = str(Path(floors.PACKAGE.parent, "pyproject.toml"))
    assert lint_imports(config_filenames=(pyproject,), no_cache=True, no_logo=True) == 0, (
        capsys.readouterr().out
    )


def test_the_rules_of_the_floors():
    # Lower floors and the own app are free; the way up and sideways is closed.
    assert floors.allowed("correspondence", "organisation", "models")
    assert floors.allowed("quality", "quality", "views")
    assert not floors.allowed("organisation", "outbox", "forms")
    assert not floors.allowed("committee", "quality", "queries")
    assert not floors.allowed("shared", "organisation", "models")
    # An upper app reads a domain app through its doors only, and never its views.
    assert floors.allowed("indicators", "correspondence", "queries")
    assert not floors.allowed("indicators", "correspondence", "models")
    assert not floors.allowed("quality", "organisation", "views")
    # The one sanctioned sideways call.
    assert floors.allowed("appointments", "surveys", "services")
    assert not floors.allowed("appointments", "surveys", "models")


def test_the_reader_sees_imports_inside_functions_and_get_model(tmp_path):
    source = tmp_path / "module.py"
    source.write_text(
        "def late():\n"
        "    from engagements.quality.queries import next_audit_date\n"
        "    from django.apps import apps\n"
        "    return apps.get_model('surveys', 'Campaign')\n"
    )
    found = floors.python_dependencies(source, module="engagements.committee.module")
    assert [(d.kind, d.target) for d in found if d.target.startswith("engagements")] == [
        ("import", "engagements.quality.queries.next_audit_date"),
        ("get_model", "engagements.surveys"),
    ]


def test_the_reader_sees_template_tags_includes_and_links(tmp_path):
    template = tmp_path / "page.html"
    template.write_text(
        "{% load i18n faq_tags %}\n"
        '{% include "surveys/pdf/_style.html" %}\n'
        "<a href=\"{% url 'quality:agents-actions' prefecture.slug %}\">x</a>\n"
    )
    found = floors.template_dependencies(
        template,
        owners={"surveys/pdf/_style.html": "surveys"},
        tags={"faq_tags": "faq"},
        spaces={"quality": "quality"},
    )
    assert [(dep.kind, app) for dep, app, _ in found] == [
        ("load", "faq"),
        ("include", "surveys"),
        ("url", "quality"),
    ]

"""Contracts checked from outside: import_actions, action_plan_report, import_referential."""

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from engagements.quality.enums import StatusCode
from engagements.quality.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Commitment,
    Referential,
)
from engagements.quality.services import change_status, record_effectiveness, reopen_action
from tests.factories import RoleFactory
from tests.quality.factories import ActionFactory, PlanFactory

HEADER = (
    "reference,site,year,title,type,service,owner_email,opened_on,due_on,status,progress,"
    "closed_on,source\n"
)


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def report(prefecture, year, **kw) -> dict:
    args = ["action_plan_report", "--prefecture", prefecture.slug, "--year", str(year)]
    for key, value in kw.items():
        args += [f"--{key}", str(value)]
    return json.loads(run(*args, "--format", "json"))


@pytest.fixture
def csv_file(tmp_path):
    def write(body: str, encoding="utf-8") -> str:
        path = tmp_path / "actions.csv"
        path.write_bytes(body.encode(encoding))
        return str(path)

    return write


@pytest.mark.django_db
def test_import_creates_plans_and_updates_by_reference(prefecture, site, service, csv_file):
    owner = RoleFactory(prefecture=prefecture, kind="agent", user__email="pilote@alpha.test").user
    body = HEADER + (
        ",chef-lieu,2026,Afficher les horaires,improvement,sejour,pilote@alpha.test,"
        "2026-01-10,2026-03-31,in_progress,40,,complaint\n"
        "PA-2026-050,chef-lieu,2026,Former l'accueil,corrective,,,10/01/2026,30/06/2026,"
        "done,,15/06/2026,mystery_check\n"
    )
    assert "créées : 2" in run("import_actions", "--prefecture", prefecture.slug, csv_file(body))
    first, second = Action.objects.order_by("pk")
    assert first.reference == "PA-2026-001"
    assert (first.owner, first.service, first.progress, first.status.base) == (
        owner,
        service,
        40,
        StatusCode.IN_PROGRESS,
    )
    assert second.reference == "PA-2026-050" and second.status.base == StatusCode.DONE
    assert second.progress == 100 and second.closed_on == date(2026, 6, 15)
    assert ActionPlan.objects.get().site == site
    # Re-import by reference updates, and the counter moved past the imported number; a done
    # action changes only after its explicit reopening (issue 20).
    with pytest.raises(CommandError, match="rouvrez-la"):
        run(
            "import_actions",
            "--prefecture",
            prefecture.slug,
            csv_file(
                body.replace(
                    "PA-2026-050,chef-lieu,2026,Former", "PA-2026-050,chef-lieu,2026,Reformer"
                )
            ),
        )
    reopen_action(second, actor=None, reason="Formation à étendre")
    body = HEADER + (
        "PA-2026-050;chef-lieu;2026;Former toute l'équipe;corrective;;;2026-01-10;2026-06-30;"
        "abandoned;;2026-05-01;audit\n"
    ).replace(";", ",")
    run("import_actions", "--prefecture", prefecture.slug, csv_file(body, "cp1252"))
    second.refresh_from_db()
    assert second.title == "Former toute l'équipe" and second.status.base == "abandoned"
    assert Action.objects.count() == 2
    new = ActionFactory(plan=second.plan)
    assert new.reference == "PA-2026-051"


@pytest.mark.django_db
def test_import_is_all_or_nothing_with_line_errors(prefecture, site, other_prefecture, csv_file):
    RoleFactory(prefecture=other_prefecture, kind="agent", user__email="ailleurs@beta.test")
    body = HEADER + (
        ",chef-lieu,2026,Bonne ligne,improvement,,,2026-01-10,,planned,,,\n"
        ",chef-lieu,2026,Sans clôture,improvement,,,2026-01-10,,done,,,internal\n"
        ",inconnu,2026,Site inconnu,urgent,,ailleurs@beta.test,2026-01-10,,late,,,rumeur\n"
    )
    with pytest.raises(CommandError) as exc:
        run("import_actions", "--prefecture", prefecture.slug, csv_file(body))
    message = str(exc.value)
    assert "ligne 3" in message and "closed_on" in message
    for column in ("site", "type", "owner_email", "status", "source"):
        assert f"ligne 4, colonne « {column} »" in message
    assert not Action.objects.exists() and not ActionPlan.objects.exists()


@pytest.mark.django_db
def test_import_refuses_a_due_date_before_the_opening(prefecture, site, csv_file):
    body = HEADER + ",chef-lieu,2026,À rebours,improvement,,,2026-03-10,2026-01-31,planned,,,\n"
    with pytest.raises(CommandError) as exc:
        run("import_actions", "--prefecture", prefecture.slug, csv_file(body))
    assert "ligne 2, colonne « due_on » : l'échéance précède l'ouverture" in str(exc.value)
    assert not Action.objects.exists()


@pytest.mark.django_db
def test_import_names_as_owner_only_someone_who_works_here(prefecture, site, csv_file):
    RoleFactory(prefecture=prefecture, kind="committee_member", user__email="membre@asso.test")
    RoleFactory(prefecture=prefecture, kind="auditor", user__email="audit@alpha.test")
    body = HEADER + (
        ",chef-lieu,2026,Une,improvement,,membre@asso.test,2026-01-10,,planned,,,\n"
        ",chef-lieu,2026,Deux,improvement,,audit@alpha.test,2026-01-10,,planned,,,\n"
    )
    with pytest.raises(CommandError) as exc:
        run("import_actions", "--prefecture", prefecture.slug, csv_file(body))
    for line in (2, 3):
        assert f"ligne {line}, colonne « owner_email »" in str(exc.value)
    assert not Action.objects.exists()


@pytest.mark.django_db
def test_report_reproduces_counts_computed_by_hand(prefecture, site, other_site):
    plan = PlanFactory(site=site, year=2026)
    other = PlanFactory(site=other_site, year=2026)
    at = date(2026, 6, 1)
    # late: due before at, open (planned / in progress) -> 2
    ActionFactory(plan=plan, due_on=date(2026, 5, 1), source_kind="complaint")
    parent = ActionFactory(
        plan=plan, due_on=date(2026, 4, 1), state=StatusCode.IN_PROGRESS, source_kind="audit"
    )
    # a sub-action, done on time -> counts once, done on time
    ActionFactory(
        plan=plan,
        parent=parent,
        state=StatusCode.DONE,
        due_on=date(2026, 5, 1),
        closed_on=date(2026, 4, 20),
        source_kind="audit",
    )
    # done late (closed after due), not late since done
    ActionFactory(
        plan=other,
        state=StatusCode.DONE,
        due_on=date(2026, 3, 1),
        closed_on=date(2026, 3, 15),
        source_kind="sp_plus",
    )
    # abandoned and overdue: neither late nor counted in the rate
    ActionFactory(
        plan=other, state=StatusCode.ABANDONED, due_on=date(2026, 2, 1), closed_on=date(2026, 2, 2)
    )
    # due exactly at --at: not late; no due date: never late
    ActionFactory(plan=other, due_on=at)
    ActionFactory(plan=other)
    # another year's plan: not counted
    ActionFactory(plan=PlanFactory(site=site, year=2025), due_on=date(2025, 1, 1))
    assert report(prefecture, 2026, at="2026-06-01") == {
        "total": 7,
        "by_status": {"planned": 3, "in_progress": 1, "done": 2, "abandoned": 1},
        "late": 2,
        "done_on_time": 1,
        "done_rate": 33.3,  # 2 done / (7 - 1 abandoned)
        "by_source": {
            "complaint": 1,
            "survey": 0,
            "mystery_check": 0,
            "committee": 0,
            "audit": 2,
            "sp_plus": 1,
            "indicator": 0,
            "internal": 3,
        },
    }
    site_only = report(prefecture, 2026, site="chef-lieu", at="2026-06-01")
    assert (site_only["total"], site_only["late"], site_only["done_rate"]) == (3, 2, 33.3)
    # --at moves only "today": earlier, nothing is late yet
    assert report(prefecture, 2026, at="2026-01-01")["late"] == 0
    assert report(prefecture, 2030)["done_rate"] is None


@pytest.mark.django_db
def test_custom_status_labels_report_by_their_code(prefecture, site, quality_lead):
    action = ActionFactory(plan=PlanFactory(site=site), due_on=date(2026, 2, 1))
    status = action.status.__class__.objects.create(
        prefecture=prefecture,
        code="pilote",
        label="Confiée au pilote",
        base="in_progress",
        default_progress=30,
    )
    change_status(action, status, actor=quality_lead)
    assert report(prefecture, 2026, at="2026-03-01")["by_status"]["in_progress"] == 1


@pytest.mark.django_db
def test_import_referential_twice_updates(tmp_path):
    path = Path(__file__).resolve().parents[2] / "engagements/quality/referentials"
    out = run("import_referential", str(path / "qualepref-exemple.yaml"))
    assert "créé" in out
    run("import_referential", str(path / "services-publics-plus-2023.yaml"))
    sp = Referential.objects.get(code="services-publics-plus")
    assert Commitment.objects.filter(module__referential=sp).count() == 8
    example = Referential.objects.get(code="qualepref-exemple")
    assert example.is_example and example.modules.get(number=1).mandatory
    changed = tmp_path / "r.yaml"
    changed.write_text(
        (path / "qualepref-exemple.yaml")
        .read_text()
        .replace("Nous vous disons comment nous joindre et quand", "Nouveau libellé")
    )
    assert "mis à jour" in run("import_referential", str(changed))
    assert Referential.objects.count() == 2
    assert Commitment.objects.get(module__referential=example, ref="1.1").title == "Nouveau libellé"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "code: x\nname: y\nversion: '1'\n"
        "modules: [{number: 1, title: A, commitments: [{ref: '1'}]}]\n"
    )
    with pytest.raises(CommandError, match="title"):
        run("import_referential", str(bad))


@pytest.mark.django_db
def test_done_needs_the_effectiveness_check(prefecture, site, quality_lead):
    from engagements.quality.services import QualityError, status_for_code

    action = ActionFactory(plan=PlanFactory(site=site))
    done = status_for_code(prefecture, "done")
    with pytest.raises(QualityError, match="efficacité"):
        change_status(action, done, actor=quality_lead)
    record_effectiveness(action, actor=quality_lead, text="Plus aucune réclamation en mai.")
    action = change_status(action, done, actor=quality_lead, closed_on=date(2026, 6, 1))
    assert action.closed_on == date(2026, 6, 1) and action.progress == 100
    assert [u.kind for u in action.updates.all()] == ["effectiveness", "status"]


@pytest.mark.django_db
def test_sub_actions_roll_up_into_the_parent(prefecture, site, quality_lead):
    from engagements.quality.services import add_update, create_action

    parent = create_action(prefecture, site=site, year=2026, title="Refaire la signalétique")
    a = create_action(prefecture, site=site, year=2026, title="Panneaux", parent=parent)
    create_action(prefecture, site=site, year=2026, title="Plan d'accès", parent=parent)
    add_update(a, actor=quality_lead, text="Panneaux posés", progress=100)
    parent.refresh_from_db()
    assert parent.progress == 50
    assert [parent.reference, a.reference] == ["PA-2026-001", "PA-2026-002"]


@pytest.mark.django_db
def test_import_reads_the_service_in_any_case_and_accents(prefecture, site, service, csv_file):
    """ "SÉJOUR" was 'inconnu dans la préfecture' (slugs compared in lower case only)."""
    body = HEADER + ",chef-lieu,2026,Afficher les horaires,improvement,SÉJOUR,,,,planned,,,\n"
    run("import_actions", "--prefecture", prefecture.slug, csv_file(body))
    assert Action.objects.get().service == service


@pytest.mark.django_db
def test_the_same_plan_imported_twice_is_not_doubled(prefecture, site, service, csv_file):
    """A plan kept in a spreadsheet has no references: imported twice, every action was
    created twice. A line without reference names its action by site, year and title."""
    body = HEADER + (
        ",chef-lieu,2026,Afficher les horaires,improvement,sejour,,2026-01-10,,planned,,,\n"
        ",chef-lieu,2026,Former l'accueil,corrective,,,2026-01-10,,in_progress,40,,\n"
    )
    run("import_actions", "--prefecture", prefecture.slug, csv_file(body))
    history = ActionUpdate.objects.count()
    again = run("import_actions", "--prefecture", prefecture.slug, csv_file(body))
    assert "Actions créées : 0, mises à jour : 0, inchangées : 2." in again
    assert Action.objects.count() == 2 and ActionUpdate.objects.count() == history
    moved = body.replace("in_progress,40", "in_progress,60").replace("Former l'", "FORMER  l'")
    assert "mises à jour : 1, inchangées : 1" in run(
        "import_actions", "--prefecture", prefecture.slug, csv_file(moved)
    )
    assert Action.objects.get(reference="PA-2026-002").progress == 60
    twice = HEADER + 2 * ",chef-lieu,2026,Afficher les horaires,improvement,,,,,planned,,,\n"
    with pytest.raises(CommandError) as exc:
        run("import_actions", "--prefecture", prefecture.slug, csv_file(twice))
    assert "ligne 3, colonne « title » : même action que la ligne 2" in str(exc.value)


@pytest.mark.django_db
def test_a_reimport_without_a_column_keeps_what_was_set_on_the_action(
    prefecture, site, service, csv_file
):
    """Re-imported from a file without the 'owner_email' or 'due_on' column, an action lost
    the pilot and the due date set on its page."""
    owner = RoleFactory(prefecture=prefecture, kind="agent", user__email="pilote@alpha.test").user
    body = HEADER + (
        "PA-2026-050,chef-lieu,2026,Afficher les horaires,improvement,sejour,pilote@alpha.test,"
        "2026-01-10,2026-03-31,in_progress,40,,complaint\n"
    )
    run("import_actions", "--prefecture", prefecture.slug, csv_file(body))
    short = (
        "reference,site,year,title,type,status\n"
        "PA-2026-050,chef-lieu,2026,Afficher les horaires,improvement,in_progress\n"
    )
    assert "inchangées : 1" in run(
        "import_actions", "--prefecture", prefecture.slug, csv_file(short)
    )
    action = Action.objects.get()
    assert (action.owner, action.service, action.due_on, action.progress, action.source_kind) == (
        owner,
        service,
        date(2026, 3, 31),
        40,
        "complaint",
    )


@pytest.mark.django_db
def test_progress_above_zero_starts_a_planned_action_and_its_parent(prefecture, site, quality_lead):
    """An action at 30 % stayed « Prévue »: progress moves it (and a planned parent whose
    sub-actions progressed) to « En cours », written in the timeline like a status change."""
    from engagements.quality.services import add_update, create_action

    parent = create_action(prefecture, site=site, year=2026, title="Refaire la signalétique")
    child = create_action(prefecture, site=site, year=2026, title="Panneaux", parent=parent)
    add_update(child, actor=quality_lead, text="Devis reçu", progress=0)
    child.refresh_from_db()
    assert child.status.base == StatusCode.PLANNED
    add_update(child, actor=quality_lead, text="Premiers panneaux posés", progress=30)
    child.refresh_from_db()
    parent.refresh_from_db()
    assert (child.status.label, child.progress) == ("En cours", 30)
    switch = child.updates.get(kind="status")
    assert (switch.from_status, switch.to_status, switch.author) == (
        "Prévue",
        "En cours",
        quality_lead,
    )
    assert (parent.status.label, parent.progress) == ("En cours", 30)
    assert parent.updates.get(kind="status").to_status == "En cours"
    # Already under way: a further point changes no status.
    add_update(child, actor=quality_lead, text="Suite", progress=60)
    assert child.updates.filter(kind="status").count() == 1


@pytest.mark.django_db
def test_an_imported_planned_action_with_progress_is_under_way_as_on_its_page(
    prefecture, site, quality_lead, csv_file
):
    """The page moves an action « prévue » given a progress to « en cours »; the import kept
    it « prévue » at 30 %. One rule for both (`status_for_progress`), and the import's
    result names the line it applied it to."""
    from engagements.quality.services import add_update, create_action

    on_page = create_action(prefecture, site=site, year=2026, title="Sur la page")
    add_update(on_page, actor=quality_lead, text="Commencée", progress=30)
    on_page.refresh_from_db()
    body = HEADER + (
        ",chef-lieu,2026,Afficher les horaires,improvement,,,2026-01-10,,planned,30,,\n"
        ",chef-lieu,2026,Former l'accueil,improvement,,,2026-01-10,,planned,0,,\n"
    )
    out = run("import_actions", "--prefecture", prefecture.slug, csv_file(body))
    assert (
        "1 action « prévue » mais déjà avancée est importée « en cours », comme sur sa page : "
        "ligne 2 (PA-2026-002, 30 %)."
    ) in out
    imported = Action.objects.get(title="Afficher les horaires")
    assert (imported.status, imported.progress) == (on_page.status, 30)
    assert imported.status.base == StatusCode.IN_PROGRESS
    update = imported.updates.get()
    assert (update.kind, update.to_status, update.progress) == ("imported", "En cours", 30)
    assert Action.objects.get(title="Former l'accueil").status.base == StatusCode.PLANNED
    # The same file again changes nothing, and keeps nothing "changed on its page".
    again = run("import_actions", "--prefecture", prefecture.slug, csv_file(body))
    assert "inchangées : 2." in again and "depuis le dernier import" not in again


@pytest.mark.django_db
def test_the_imports_page_preview_names_the_planned_actions_imported_under_way(
    prefecture, site, quality_lead
):
    from engagements.shell.imports import import_kind, run_import

    body = HEADER + ",chef-lieu,2026,Afficher,improvement,,,2026-01-10,,planned,30,,\n"
    summary = run_import(
        import_kind("actions"), prefecture, body.encode(), actor=quality_lead, dry_run=True
    )
    assert summary.notes == [
        "1 action « prévue » mais déjà avancée est importée « en cours », comme sur sa page : "
        "ligne 2 (PA-2026-001, 30 %)."
    ]
    assert not Action.objects.exists()

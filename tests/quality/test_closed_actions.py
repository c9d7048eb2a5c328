"""Issue 20 row 2: a done or abandoned action changes only through a logged reopening."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from engagements.quality.enums import StatusCode, UpdateKind
from engagements.quality.models import Action
from engagements.quality.services import (
    QualityError,
    add_update,
    change_status,
    create_action,
    record_effectiveness,
    reopen_action,
    save_status,
    status_for_code,
    update_action,
)
from tests.quality.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(prefecture, site, quality_lead):
    action = ActionFactory(plan=PlanFactory(site=site), public_summary="Horaires affichés")
    record_effectiveness(action, actor=quality_lead, text="Plus aucune réclamation.")
    return change_status(
        action, status_for_code(prefecture, "done"), actor=quality_lead, closed_on=date(2026, 6, 1)
    )


def test_a_done_action_refuses_every_locked_change(done, prefecture, quality_lead):
    assert done.progress == 100
    for write in (
        lambda: update_action(done, actor=quality_lead, title="Retitrée"),
        lambda: update_action(done, actor=quality_lead, public_summary="Réécrit"),
        lambda: record_effectiveness(done, actor=quality_lead, text="Autre vérification"),
        lambda: add_update(done, actor=quality_lead, text="Recul", progress=10),
        lambda: change_status(done, status_for_code(prefecture, "planned"), actor=quality_lead),
        lambda: change_status(done, status_for_code(prefecture, "abandoned"), actor=quality_lead),
        lambda: create_action(
            prefecture, site=done.site, year=2026, title="Sous-action", parent=done
        ),
    ):
        with pytest.raises(QualityError, match="rouvrez-la"):
            write()
    done.refresh_from_db()
    assert (done.title, done.public_summary, done.progress, done.status.base) == (
        done.title,
        "Horaires affichés",
        100,
        StatusCode.DONE,
    )
    assert done.effectiveness_check == "Plus aucune réclamation."
    # What is not locked still changes (a note in the timeline, the owner, the due date).
    add_update(done, actor=quality_lead, text="Bilan présenté au comité")
    update_action(done, actor=quality_lead, due_on=date(2026, 7, 1))


def test_reopening_is_explicit_and_logged(done, prefecture, quality_lead):
    with pytest.raises(QualityError, match="motif"):
        reopen_action(done, actor=quality_lead, reason=" ")
    action = reopen_action(done, actor=quality_lead, reason="Nouvelles réclamations en juillet")
    assert action.status.base == StatusCode.IN_PROGRESS and action.closed_on is None
    last = action.updates.order_by("pk").last()
    assert (last.kind, last.text, last.from_status, last.to_status, last.author) == (
        UpdateKind.REOPENED,
        "Nouvelles réclamations en juillet",
        "Réalisée",
        "En cours",
        quality_lead,
    )
    update_action(action, actor=quality_lead, title="Afficher les horaires à jour")
    with pytest.raises(QualityError, match="déjà ouverte"):
        reopen_action(action, actor=quality_lead, reason="encore")


def test_progress_is_100_while_done(prefecture, site, quality_lead):
    with pytest.raises(QualityError, match="100"):
        save_status(prefecture, label="Faite", base="done", default_progress=10, position=9)
    status = status_for_code(prefecture, "done")
    type(status).objects.filter(pk=status.pk).update(default_progress=10)  # e.g. via the admin
    status.refresh_from_db()
    action = ActionFactory(plan=PlanFactory(site=site))
    record_effectiveness(action, actor=quality_lead, text="Vérifiée")
    assert change_status(action, status, actor=quality_lead).progress == 100


def test_the_action_page_reopens_with_a_reason(done, prefecture, quality_lead, client_for):
    client = client_for(quality_lead)
    page = client.get(reverse("quality:agents-action", args=[prefecture.slug, done.pk]))
    assert "Rouvrir l'action" in page.content.decode()
    edit = reverse("quality:agents-action-edit", args=[prefecture.slug, done.pk])
    form = client.get(edit).context["form"]
    assert form.fields["title"].disabled and form.fields["public_summary"].disabled
    client.post(
        reverse("quality:agents-action-status", args=[prefecture.slug, done.pk]),
        {"status-status": status_for_code(prefecture, "planned").pk},
    )
    assert Action.objects.get(pk=done.pk).status.base == StatusCode.DONE
    url = reverse("quality:agents-action-reopen", args=[prefecture.slug, done.pk])
    client.post(url, {"reopen-reason": "Réclamations revenues"})
    page = client.get(reverse("quality:agents-action", args=[prefecture.slug, done.pk]))
    text = page.content.decode()
    assert "Réouverture : Réalisée → En cours" in text and "Réclamations revenues" in text


def test_the_import_cannot_change_a_closed_action(done, prefecture, tmp_path):
    header = "reference,site,year,title,type,status,progress,closed_on\n"
    path = tmp_path / "a.csv"
    path.write_text(
        header + f"{done.reference},chef-lieu,2026,Retitrée,improvement,planned,,\n"
        ",chef-lieu,2026,Nouvelle,improvement,done,10,2026-05-01\n"
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_actions", "--prefecture", prefecture.slug, str(path))
    assert "ligne 2" in str(exc.value) and "rouvrez-la" in str(exc.value)
    assert "ligne 3" in str(exc.value) and "100 %" in str(exc.value)
    done.refresh_from_db()
    assert done.status.base == StatusCode.DONE and done.title != "Retitrée"


def test_the_plan_imported_again_leaves_statuses_moved_on_their_pages(
    prefecture, site, quality_lead, tmp_path, capsys
):
    """The action plan kept in a spreadsheet, imported again unchanged, put back the status
    and progress the agents had moved on on the actions' pages (in progress at 50 % back to
    planned at 0 %), and refused the whole file once one of them was done there."""
    header = "site,year,title,type,status,progress,closed_on\n"
    path = tmp_path / "plan.csv"
    path.write_text(
        header + "chef-lieu,2026,Afficher les horaires,improvement,planned,,\n"
        "chef-lieu,2026,Former l'accueil,improvement,planned,,\n"
        "chef-lieu,2026,Refaire la signalétique,improvement,planned,,\n"
    )
    command = ["import_actions", "--prefecture", prefecture.slug, str(path)]
    call_command(*command)
    hours, training, signs = Action.objects.order_by("title")
    hours = change_status(hours, status_for_code(prefecture, "in_progress"), actor=quality_lead)
    record_effectiveness(training, actor=quality_lead, text="Agents formés.")
    training = change_status(
        training,
        status_for_code(prefecture, "done"),
        actor=quality_lead,
        closed_on=date.today(),
    )
    capsys.readouterr()
    call_command(*command)
    out = capsys.readouterr().out
    assert "mises à jour : 0, inchangées : 3" in out
    assert (
        f"2 actions dont le statut a changé sur leur page depuis le dernier import le gardent : "
        f"{hours.reference} (En cours), {training.reference} (Réalisée)."
    ) in out
    by_title = {a.title: (a.status.base, a.progress) for a in Action.objects.all()}
    assert by_title == {
        "Afficher les horaires": (StatusCode.IN_PROGRESS, hours.progress),
        "Former l'accueil": (StatusCode.DONE, 100),
        "Refaire la signalétique": (StatusCode.PLANNED, signs.progress),
    }
    # A file that says something new about a status still sets it.
    path.write_text(
        f"{header}chef-lieu,2026,Afficher les horaires,improvement,abandoned,,{date.today()}\n"
    )
    call_command(*command)
    assert Action.objects.get(pk=hours.pk).status.base == StatusCode.ABANDONED

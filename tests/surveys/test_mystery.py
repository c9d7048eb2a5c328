"""Mystery checks: crossed checks (the checker sees only the grid), scoring, per-service
results, failed criterion → action, state machine."""

import pytest
from django.urls import reverse

from engagements.organisation.enums import RoleKind
from engagements.surveys.enums import CheckStatus
from engagements.surveys.models import CheckLog
from engagements.surveys.mystery import (
    MysteryCheckError,
    cancel_check,
    create_grid,
    record_check,
)
from engagements.surveys.queries import mystery_results_by_service
from tests.factories import RoleFactory
from tests.surveys.factories import GridFactory, MysteryCheckFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crossed(service, other_prefecture):
    """Prefecture B (beta) checks a service of A (alpha)."""
    return MysteryCheckFactory(service=service, checker_prefecture=other_prefecture)


@pytest.fixture
def checker(other_prefecture):
    """An agent of B, the checking prefecture (no role at all in A)."""
    return RoleFactory(kind=RoleKind.QUALITY_LEAD, prefecture=other_prefecture).user


def _perform_url(slug, check):
    return reverse("surveys:agents-check-perform", args=[slug, check.pk])


def _grid_post(check, answers):
    data = {}
    for criterion, answer in zip(check.grid.criteria.all(), answers, strict=True):
        data[f"c{criterion.pk}"] = answer
        data[f"n{criterion.pk}"] = "" if answer != "no" else "Pas de formule d'accueil"
    return data


def test_crossed_checker_sees_only_the_grid(
    client_for, checker, crossed, prefecture, other_prefecture
):
    client = client_for(checker)
    todo = client.get(reverse("surveys:agents-checks-todo", args=[other_prefecture.slug]))
    assert crossed.service.name in todo.content.decode()
    page = client.get(_perform_url(other_prefecture.slug, crossed))
    assert page.status_code == 200
    assert crossed.grid.criteria.first().label in page.content.decode()
    # Nothing of A through A's slug, nor A's results through B's.
    for name, kwargs in (
        ("surveys:agents-checks", {}),
        ("surveys:agents-check", {"pk": crossed.pk}),
        ("surveys:agents-campaigns", {}),
    ):
        assert (
            client.get(reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})).status_code
            == 404
        )
    assert (
        client.get(
            reverse("surveys:agents-check", args=[other_prefecture.slug, crossed.pk])
        ).status_code
        == 404
    )


def test_crossed_check_is_recorded_and_scored_for_the_checked_prefecture(
    client_for, checker, crossed, other_prefecture, quality_lead, prefecture
):
    client = client_for(checker)
    response = client.post(
        _perform_url(other_prefecture.slug, crossed),
        _grid_post(crossed, ["yes", "no", "yes", "na"]),
    )
    assert response.status_code == 302
    crossed.refresh_from_db()
    assert crossed.status == CheckStatus.DONE
    assert str(crossed.score) == "66.7"  # 2 of the 3 assessed criteria
    # Done: the checker cannot open it any more; the checked prefecture sees the results.
    assert client.get(_perform_url(other_prefecture.slug, crossed)).status_code == 404
    html = (
        client_for(quality_lead)
        .get(reverse("surveys:agents-check", args=[prefecture.slug, crossed.pk]))
        .content.decode()
    )
    assert "non satisfait" in html and "Pas de formule d&#x27;accueil" in html
    assert [e.to_status for e in CheckLog.objects.filter(check_run=crossed)] == ["done"]


def test_incomplete_grid_is_refused_and_kept(client_for, checker, crossed, other_prefecture):
    data = _grid_post(crossed, ["yes", "no", "yes", "na"])
    first = crossed.grid.criteria.first()
    del data[f"c{first.pk}"]
    response = client_for(checker).post(_perform_url(other_prefecture.slug, crossed), data)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    crossed.refresh_from_db()
    assert crossed.status == CheckStatus.PLANNED


def test_failed_criterion_becomes_a_quality_action(quality_lead, client_for, prefecture, service):
    """The check page links each failed criterion to the quality app's "new action" page;
    the action created there shows on the check page next to its criterion."""
    check = MysteryCheckFactory(service=service)
    criteria = list(check.grid.criteria.all())
    record_check(
        check,
        actor=quality_lead,
        results={c.pk: (c != criteria[1], "") for c in criteria},
    )
    failed = check.results.get(criterion=criteria[1])
    client = client_for(quality_lead)
    page = client.get(reverse("surveys:agents-check", args=[prefecture.slug, check.pk]))
    new_url = (
        reverse("quality:agents-action-new", args=[prefecture.slug])
        + f"?source=surveys.checkresult%3A{failed.pk}"
    )
    assert page.content.decode().count("?source=surveys.checkresult") == 1
    assert new_url.replace("&", "&amp;") in page.content.decode()
    response = client.post(
        new_url,
        {
            "title": "Former l'équipe à la formule d'accueil",
            "kind": "corrective",
            "site": service.site.pk,
            "year": 2026,
            "service": service.pk,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("surveys:agents-check", args=[prefecture.slug, check.pk]))
    assert (
        '<span class="eng-ref">PA-2026-001</span> : Former l&#x27;équipe' in page.content.decode()
    )


def test_illegal_transitions_raise(quality_lead, service):
    check = MysteryCheckFactory(service=service)
    cancel_check(check, actor=quality_lead)
    with pytest.raises(MysteryCheckError, match="ne peut pas passer"):
        record_check(
            check,
            actor=quality_lead,
            results={c.pk: (True, "") for c in check.grid.criteria.all()},
        )
    with pytest.raises(MysteryCheckError):
        cancel_check(check, actor=quality_lead)


def test_results_per_service(quality_lead, service, other_service):
    grid = GridFactory(prefecture=service.site.prefecture, criteria=["a", "b"])
    for svc, outcomes in (
        (service, [(True, True), (True, False)]),
        (other_service, [(False, False)]),
    ):
        for a, b in outcomes:
            check = MysteryCheckFactory(service=svc, grid=grid)
            first, second = grid.criteria.all()
            record_check(check, actor=quality_lead, results={first.pk: (a, ""), second.pk: (b, "")})
    rows = {
        row["service"]: row
        for row in mystery_results_by_service(service.mystery_checks.model.objects.all())
    }
    assert (rows[service]["checks"], rows[service]["met"], rows[service]["assessed"]) == (2, 3, 4)
    assert str(rows[service]["average"]) == "75.0"
    assert str(rows[other_service]["average"]) == "0.0"


def test_plan_a_crossed_check(client_for, quality_lead, prefecture, service, other_prefecture):
    grid = GridFactory(prefecture=prefecture)
    client = client_for(quality_lead)
    client.post(
        reverse("surveys:agents-check-plan", args=[prefecture.slug]),
        {
            "service": service.pk,
            "grid": grid.pk,
            "checker_prefecture": other_prefecture.pk,
            "planned_on": "2030-01-15",
        },
    )
    check = service.mystery_checks.get()
    assert check.checker_prefecture == other_prefecture and check.is_crossed
    assert check.log.get().to_status == "planned"


def test_services_taking_an_actor_record_it(quality_lead, service):
    from engagements.surveys.models import ChangeLog
    from engagements.surveys.services import copy_questionnaire, set_languages
    from tests.surveys.factories import QuestionnaireFactory

    questionnaire = QuestionnaireFactory(prefecture=service.site.prefecture)
    copy = copy_questionnaire(questionnaire, actor=quality_lead)
    set_languages(copy, ["de"], actor=quality_lead)
    check = MysteryCheckFactory(service=service)
    record_check(
        check,
        actor=quality_lead,
        results={c.pk: (False, "") for c in check.grid.criteria.all()},
    )
    rows = list(ChangeLog.objects.order_by("pk").values_list("actor", "action"))
    assert all(actor == quality_lead.pk for actor, _ in rows)
    assert [text.split(" ")[0] for _, text in rows] == [copy.name.split(" ")[0], "Langues"]
    assert check.log.last().actor == quality_lead


def test_checks_name_the_site_of_a_service_named_alike_on_two_sites(
    client_for, quality_lead, prefecture, service, other_service
):
    other_service.name = service.name  # "Accueil général" on every site
    other_service.save(update_fields=["name"])
    here = MysteryCheckFactory(service=service)
    there = MysteryCheckFactory(service=other_service)
    client = client_for(quality_lead)
    listing = client.get(reverse("surveys:agents-checks", args=[prefecture.slug])).content
    for check in (here, there):
        assert f"{check.service.name} ({check.service.site.name})".encode() in listing
        page = client.get(reverse("surveys:agents-check", args=[prefecture.slug, check.pk]))
        assert f"{check.service.name} ({check.service.site.name})</h1>" in page.content.decode()


def test_a_closed_service_is_not_offered_for_a_check(client_for, quality_lead, prefecture, site):
    from engagements.surveys.models import MysteryCheck
    from tests.factories import ServiceFactory

    closed = ServiceFactory(site=site, name="Guichet fermé", is_active=False)
    grid = GridFactory(prefecture=prefecture)
    client = client_for(quality_lead)
    page = client.get(reverse("surveys:agents-checks", args=[prefecture.slug])).content.decode()
    assert "Guichet fermé" not in page
    client.post(
        reverse("surveys:agents-check-plan", args=[prefecture.slug]),
        {
            "service": closed.pk,
            "grid": grid.pk,
            "checker_prefecture": prefecture.pk,
            "planned_on": "2030-01-15",
        },
    )
    assert not MysteryCheck.objects.exists()


def test_a_new_grid_keeps_its_criteria_in_order(client_for, quality_lead, prefecture):
    url = reverse("surveys:agents-grid-new", args=[prefecture.slug])
    response = client_for(quality_lead).post(
        url,
        {"kind": "call", "name": "Accueil téléphonique", "criteria": "Décroché\n\n  Poli  \n"},
    )
    assert response.status_code == 302
    grid = prefecture.grids.get()
    assert (grid.kind, grid.name) == ("call", "Accueil téléphonique")
    assert [c.label for c in grid.criteria.all()] == ["Décroché", "Poli"]


def test_a_grid_with_a_criterion_too_long_is_refused_and_kept(client_for, quality_lead, prefecture):
    # The criterion was cut at 300 characters without a word.
    typed = "Décroché\n" + "x" * 301 + "\n"
    url = reverse("surveys:agents-grid-new", args=[prefecture.slug])
    response = client_for(quality_lead).post(
        url, {"kind": "call", "name": "Accueil", "criteria": typed}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "raccourcissez la ligne 2." in page
    assert "x" * 301 in page  # what was typed is kept
    assert not prefecture.grids.exists()


def test_a_grid_without_a_criterion_is_refused(prefecture):
    with pytest.raises(MysteryCheckError, match="au moins un critère"):
        create_grid(prefecture, kind="call", name="Accueil", criteria=[])
    assert not prefecture.grids.exists()

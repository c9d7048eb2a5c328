"""From "you told us" to "we did it" in a real browser: a complaint topic, a failed
mystery-check criterion and an audit finding each become an action showing its source; one
is done after its effectiveness check and appears on the public page (FR/EN, phone size,
axe-core clean) without personal data."""

from datetime import date

import pytest
from playwright.sync_api import expect

from engagements.quality.models import Action
from engagements.surveys.models import CheckResult
from tests.browser import assert_accessible, screenshot
from tests.correspondence.factories import MessageFactory, TopicFactory
from tests.quality.factories import AssessmentFactory, CommitmentFactory, FindingFactory
from tests.surveys.factories import MysteryCheckFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, user):
    page.goto("/agents/login/")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill("secret-password")
    page.get_by_role("button", name="Se connecter").click()


def test_three_sources_become_actions_and_one_reaches_the_public_page(
    page, phone_page, prefecture, site, service, quality_lead
):
    year = date.today().year
    topic = TopicFactory(prefecture=prefecture, name="Attente au guichet")
    message = MessageFactory(
        service=service,
        complaint=True,
        topic=topic,
        sender_name="Jeanne Exemple",
        sender_email="jeanne@example.test",
        received_on=date(year, 3, 2),
        reference=f"{year}-000001",
    )
    check = MysteryCheckFactory(service=service, status="done")
    criterion = check.grid.criteria.first()
    CheckResult.objects.create(check_run=check, criterion=criterion, passed=False)
    commitment = CommitmentFactory(ref="1.4", title="Attente confortable")
    assessment = AssessmentFactory(site=site, referential=commitment.module.referential)
    FindingFactory(assessment=assessment, commitment=commitment, kind="minor_nc")
    login(page, quality_lead)
    page.wait_for_url(f"**/agents/{prefecture.slug}/")

    # 1. The complaint topic, from the correspondence figures.
    page.goto(f"/agents/{prefecture.slug}/courriers/chiffres/?year={year}")
    page.get_by_role("link", name="Créer une action sur le thème Attente au guichet").click()
    expect(page.get_by_text("Réclamations sur le thème « Attente au guichet »")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Site", exact=True).select_option(str(site.pk))
    page.locator("#id_public_summary").fill(
        "Le temps d'attente estimé est désormais affiché à l'entrée."
    )
    page.get_by_label("Publier sur la page").check(force=True)
    page.get_by_role("button", name="Créer l'action").click()
    page.wait_for_url("**/qualite/actions/*/")
    expect(
        page.get_by_text("Réclamations et messages des usagers — Réclamations sur le thème")
    ).to_be_visible()
    assert_accessible(page)
    screenshot(page, "quality-action-from-topic")
    from_topic = Action.objects.get(source_kind="complaint")

    # 2. The failed mystery-check criterion.
    page.goto(f"/agents/{prefecture.slug}/controles/{check.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Créer une action : {criterion.label}").click()
    assert page.get_by_label("Intitulé").input_value() == f"Améliorer : {criterion.label}"
    page.get_by_role("button", name="Créer l'action").click()
    page.wait_for_url("**/qualite/actions/*/")
    expect(page.get_by_text(f"critère « {criterion.label} »")).to_be_visible()

    # 3. The audit finding.
    page.goto(f"/agents/{prefecture.slug}/qualite/evaluations/{assessment.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Créer une action pour ce constat").click()
    page.get_by_role("button", name="Créer l'action").click()
    page.wait_for_url("**/qualite/actions/*/")
    expect(page.get_by_text("Non-conformité mineure — 1.4")).to_be_visible()
    assert set(Action.objects.values_list("source_kind", flat=True)) == {
        "complaint",
        "mystery_check",
        "audit",
    }

    # The topic's action is done, after its effectiveness check.
    page.goto(f"/agents/{prefecture.slug}/qualite/actions/{from_topic.pk}/")
    page.get_by_label("Nouveau statut").select_option(label="Réalisée")
    page.get_by_role("button", name="Changer le statut").click()
    expect(page.get_by_text("Vérifiez l'efficacité de l'action")).to_be_visible()
    page.get_by_label("Comment l'efficacité a-t-elle été vérifiée ?").fill(
        "Plus aucune réclamation sur l'attente depuis deux mois."
    )
    page.get_by_role("button", name="Enregistrer la vérification").click()
    expect(page.get_by_text("Vérification de l'efficacité enregistrée.")).to_be_visible()
    page.get_by_label("Nouveau statut").select_option(label="Réalisée")
    page.get_by_label("Date de clôture (réalisée ou abandonnée)").fill(date.today().isoformat())
    page.get_by_role("button", name="Changer le statut").click()
    expect(page.get_by_text("Statut modifié.")).to_be_visible()
    from_topic.refresh_from_db()
    assert from_topic.status.base == "done" and from_topic.closed_on == date.today()
    screenshot(page, "quality-action-done")

    # The public page, French then English, on a phone.
    phone_page.goto(f"/prefectures/{prefecture.slug}/")
    phone_page.get_by_role("link", name="Vous nous l'avez dit, nous l'avons fait").first.click()
    phone_page.wait_for_url("**/nous-l-avons-fait/")
    expect(
        phone_page.get_by_text("Le temps d'attente estimé est désormais affiché")
    ).to_be_visible()
    expect(phone_page.get_by_text("Origine : Réclamations et messages des usagers")).to_be_visible()
    assert_accessible(phone_page)
    screenshot(phone_page, "quality-public-done-fr")
    for forbidden in ("Jeanne", "jeanne@example.test", message.reference, "Attente au guichet"):
        assert forbidden not in phone_page.content()
    phone_page.goto(f"/en/prefectures/{prefecture.slug}/nous-l-avons-fait/")
    assert phone_page.get_by_role("heading", name="You told us, we did it").is_visible()
    expect(phone_page.get_by_text("Origin: Complaints and messages from users")).to_be_visible()
    assert_accessible(phone_page)
    screenshot(phone_page, "quality-public-done-en")
    assert "Jeanne" not in phone_page.content()


def test_quality_agent_pages_are_accessible(page, prefecture, site, service, quality_lead):
    from engagements.quality.evidence import create_assessment
    from engagements.quality.referential import import_referential, set_site_scope
    from tests.quality.factories import ActionFactory, ExperienceFactory, PlanFactory
    from tests.quality.test_views import REFERENTIALS

    referential, _ = import_referential((REFERENTIALS / "qualepref-exemple.yaml").read_bytes())
    set_site_scope(site, referential, [1, 2])
    create_assessment(
        site=site, referential=referential, kind="self_evaluation", planned_on=date.today()
    )
    plan = PlanFactory(site=site, year=date.today().year)
    ActionFactory(plan=plan, due_on=date(2020, 1, 1), service=service)
    ExperienceFactory(prefecture=prefecture, structure="Structure inconnue")
    login(page, quality_lead)
    page.wait_for_url(f"**/agents/{prefecture.slug}/")
    expect(page.get_by_text("1 action en retard")).to_be_visible()
    for path, name in (
        ("actions/", "actions"),
        ("referentiels/", "referentials"),
        ("evaluations/", "assessments"),
        ("experiences-sp/", "experiences"),
    ):
        page.goto(f"/agents/{prefecture.slug}/qualite/{path}")
        assert_accessible(page)
        screenshot(page, f"quality-{name}")
    page.goto(f"/agents/{prefecture.slug}/qualite/evaluations/")
    with page.expect_navigation():  # axe reads the next page
        page.get_by_role("link", name="Autoévaluation").first.click()
    assert_accessible(page)
    screenshot(page, "quality-assessment")

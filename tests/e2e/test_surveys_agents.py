"""The quality lead's survey screens in a real browser: results with chart and tables,
comment review, mystery checks — axe-core clean (RGAA applies to staff too)."""

import pytest

from tests.browser import assert_accessible, screenshot
from tests.surveys.factories import (
    AnswerFactory,
    CampaignFactory,
    CommentFactory,
    MysteryCheckFactory,
    ResponseFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_quality_lead_reads_results_and_reviews_comments(
    page, prefecture, site, service, quality_lead, other_prefecture
):
    campaign = CampaignFactory(site=site, services=[service], name="Enquête de satisfaction 2026")
    questions = {q.code: q for q in campaign.questionnaire.questions.all()}
    for i, value in enumerate([4, 4, 3, 2, 4, 3, 1, 4]):
        response = ResponseFactory(
            campaign=campaign, service=service, channel="paper" if i % 2 else "qr"
        )
        AnswerFactory(response=response, question=questions["global"], value=value)
        AnswerFactory(
            response=response, question=questions["courtoisie"], value=max(1, value - i % 2)
        )
    CommentFactory(response=response, with_phone_number=True)
    MysteryCheckFactory(service=service, checker_prefecture=other_prefecture)
    page.goto("/agents/login/")
    page.get_by_label("Identifiant").fill(quality_lead.username)
    page.get_by_label("Mot de passe").fill("secret-password")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**/agents/{prefecture.slug}/")
    with page.expect_navigation():  # axe reads the next page
        page.get_by_role("link", name="Enquêtes et contrôles").first.click()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Enquête de satisfaction 2026").click()
    assert page.get_by_role("img", name="Taux de satisfaction par critère").count() == 1
    assert_accessible(page)
    screenshot(page, "surveys-agents-results")
    with page.expect_navigation():
        page.get_by_role("link", name="Commentaires à relire").click()
    assert page.get_by_text("numéro de téléphone").is_visible()
    assert_accessible(page)
    page.get_by_text("Écarter").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la relecture").click()
    assert page.get_by_text("Commentaire relu.").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Contrôles mystère").click()
    assert page.get_by_text("(croisé)").is_visible()
    assert_accessible(page)
    screenshot(page, "surveys-agents-checks")

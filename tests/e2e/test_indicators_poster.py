"""The référent chooses the hall poster's indicators in a real browser, with the keyboard:
three indicators in her order, saved; the form refuses two; axe-core clean."""

from datetime import date

import pytest
from playwright.sync_api import expect

from engagements.indicators.models import PosterChoice
from tests.browser import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choose_the_poster_indicators(page, prefecture, quality_lead):
    page.goto("/agents/login/")
    page.get_by_label("Identifiant").fill(quality_lead.username)
    page.get_by_label("Mot de passe").fill("secret-password")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**/agents/{prefecture.slug}/")
    page.goto(f"/agents/{prefecture.slug}/indicateurs/affiche/")
    assert_accessible(page)
    # Two only: refused, explained, what was chosen kept.
    page.get_by_label("Indicateur n° 1").select_option("satisfaction_overall_rate")
    page.get_by_label("Indicateur n° 2").select_option("calls_answered_rate")
    page.get_by_role("button", name="Enregistrer le choix").click()
    expect(page.get_by_text("Choisissez de 3 à 6 indicateurs (2 choisis)")).to_be_visible()
    assert page.get_by_label("Indicateur n° 2").input_value() == "calls_answered_rate"
    assert_accessible(page)
    # The third with the keyboard, then the date, then saved with Enter.
    page.get_by_label("Indicateur n° 3").focus()
    page.keyboard.press("ArrowDown")  # first indicator of the list
    page.get_by_label("Date de la prochaine mise à jour").fill("2027-02-01")
    page.get_by_role("button", name="Enregistrer le choix").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Affiche enregistrée").wait_for()
    choice = PosterChoice.objects.get(prefecture=prefecture)
    assert choice.codes[:2] == ["satisfaction_overall_rate", "calls_answered_rate"]
    assert len(choice.codes) == 3 and choice.next_update == date(2027, 2, 1)
    screenshot(page, "indicators-poster-choice")

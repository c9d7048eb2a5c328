"""The référent qualité logs in and edits opening hours in a real browser; the agents'
pages are accessible too (RGAA applies to staff)."""

import pytest
from playwright.sync_api import expect

from engagements.organisation.models import OpeningHours
from tests.browser import assert_accessible, screenshot, wait_for_dsfr
from tests.factories import ServiceFactory, SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, user):
    page.goto("/agents/login/")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill("secret-password")
    page.get_by_role("button", name="Se connecter").click()


def test_quality_lead_edits_hours_with_the_keyboard(page, prefecture, quality_lead):
    site = SiteFactory(
        prefecture=prefecture, name="Sous-préfecture de Sainte-Aure", with_hours=True
    )
    ServiceFactory(site=site, name="Accueil général")
    login(page, quality_lead)
    page.wait_for_url(f"**/agents/{prefecture.slug}/")
    assert_accessible(page)
    screenshot(page, "agents-home")
    with page.expect_navigation():  # axe reads the next page
        page.get_by_role("link", name="Organisation").first.click()
    assert_accessible(page)
    screenshot(page, "agents-settings")
    with page.expect_navigation():  # axe reads the next page
        page.get_by_role("link", name=f"Horaires d'accueil de {site.name}").click()
    assert_accessible(page)
    page.get_by_label("Vendredi — reprise").fill("")
    page.locator("#id_d4-closes_again_at").fill("")
    page.get_by_label("Vendredi — pause ou fermeture").fill("12:30")
    page.get_by_label("Vendredi — pause ou fermeture").press("Enter")  # submits the form
    page.wait_for_url(f"**/agents/{prefecture.slug}/organisation/")
    assert page.get_by_text(
        "Les horaires de « Sous-préfecture de Sainte-Aure » sont enregistrés"
    ).is_visible()
    friday_row = OpeningHours.objects.get(site=site, weekday=4)
    assert friday_row.ranges == [(friday_row.opens_at, friday_row.closes_at)]
    assert friday_row.closes_at.strftime("%H:%M") == "12:30"


def test_wrong_password_is_explained(page, prefecture, agent):
    page.goto("/agents/login/")
    page.get_by_label("Identifiant").fill(agent.username)
    page.get_by_label("Mot de passe").fill("wrong")
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").inner_text().startswith("Identifiant ou mot de passe")
    assert page.get_by_label("Identifiant").input_value() == agent.username
    assert_accessible(page)


def test_menu_groups_open_with_the_keyboard(page, prefecture, quality_lead):
    login(page, quality_lead)
    page.wait_for_url(f"**/agents/{prefecture.slug}/")
    wait_for_dsfr(page)  # the drop-downs are the DSFR script's
    button = page.get_by_role("button", name="Courriers")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    menu = page.get_by_role("navigation", name="Menu principal")
    expect(menu.get_by_role("link", name="Registre")).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Registre"
    screenshot(page, "agents-menu-open")
    assert_accessible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/agents/{prefecture.slug}/courriers/")
    assert page.get_by_role("button", name="Courriers").get_attribute("aria-current") == "true"

"""Every public page of the shell, in French and English, in a real browser: axe-core clean,
keyboard skip link, language switch keeping the page, nothing loaded from elsewhere."""

from datetime import time

import pytest

from engagements.organisation.enums import HoursChannel
from tests.browser import assert_accessible, screenshot
from tests.factories import OpeningHoursFactory, PrefectureFactory, ServiceFactory, SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("/", "home"),
    ("/prefectures/demo/", "prefecture"),
    ("/mentions-legales/", "legal"),
    ("/donnees-personnelles/", "privacy"),
    ("/accessibilite/", "accessibility"),
]


@pytest.fixture
def published():
    prefecture = PrefectureFactory(slug="demo", name="Préfecture des Hauts-de-Lys")
    site = SiteFactory(
        prefecture=prefecture,
        slug="lysville",
        name="Préfecture — Lysville",
        labelled_modules=[1, 3],
        accessibility_info="Entrée de plain-pied.",
    )
    for weekday in range(5):
        OpeningHoursFactory(site=site, weekday=weekday)
        OpeningHoursFactory(
            site=site,
            weekday=weekday,
            channel=HoursChannel.TELEPHONE,
            opens_at=time(9),
            closes_at=time(12),
            reopens_at=None,
            closes_again_at=None,
        )
    ServiceFactory(site=site, name="Bureau du séjour des étrangers", description="Titres.")
    SiteFactory(
        prefecture=prefecture,
        slug="sainte-aure",
        name="Sous-préfecture de Sainte-Aure",
        sub_prefecture=True,
    )
    return prefecture


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("path", "name"), PAGES)
def test_public_page_is_accessible(page, live_server, published, path, name, language):
    url = path if language == "fr" else f"/en{path}"
    response = page.goto(url)
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    if name in ("home", "prefecture"):
        screenshot(page, f"public-{name}-{language}")


def test_prefecture_page_shows_sites_and_hours(page, published):
    page.goto("/prefectures/demo/")
    assert page.get_by_role("heading", name="Préfecture — Lysville").is_visible()
    assert page.get_by_role("heading", name="Sous-préfecture de Sainte-Aure").is_visible()
    hours = page.get_by_role("table", name="Horaires d'accueil").first
    assert "09:00–12:00, 13:30–16:30" in hours.inner_text()
    assert "Fermé" in hours.inner_text()  # weekend
    assert "Module 3" in page.content()


def test_language_switch_keeps_the_page(page, published):
    page.goto("/prefectures/demo/")
    page.get_by_role("link", name="English", exact=True).click()
    page.wait_for_url("**/en/prefectures/demo/")
    assert page.get_by_role("heading", name="Contact us").is_visible()
    assert page.get_by_role("table", name="Opening hours").first.is_visible()
    page.get_by_role("link", name="Français", exact=True).click()
    page.wait_for_url("**/prefectures/demo/")
    assert page.get_by_role("heading", name="Nous contacter").is_visible()


def test_skip_link_works_with_the_keyboard(page, published):
    page.goto("/prefectures/demo/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    assert page.url.endswith("#contenu")


def test_agents_login_page_is_accessible(page, published):
    page.goto("/agents/login/")
    assert_accessible(page)


def test_phone_menu_carries_the_language_switch(phone_page, published):
    phone_page.goto("/prefectures/demo/")
    phone_page.get_by_role("button", name="Menu").click()
    dialog = phone_page.locator("#menu-public")
    english = dialog.get_by_role("link", name="English", exact=True)
    english.wait_for(state="visible")
    screenshot(phone_page, "public-phone-menu")
    assert_accessible(phone_page)
    english.click()
    phone_page.wait_for_url("**/en/prefectures/demo/")
    assert phone_page.get_by_role("heading", name="Contact us").is_visible()


def test_static_markup_is_accessible_before_scripts_run(page, published):
    """axe on the HTML as served, the DSFR script blocked: the markup is accessible by itself,
    whatever the script has done or not yet done when a check runs."""
    page.route("**/dsfr/dist/dsfr.*.js", lambda route: route.abort())
    for path in ("/prefectures/demo/", "/en/", "/agents/login/"):
        page.goto(path)
        assert page.locator("[data-fr-js-header]").count() == 0  # the script did not run
        assert_accessible(page, wait_for_scripts=False)

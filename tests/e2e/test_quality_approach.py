"""The "Notre démarche qualité" page in a real browser (issue 23, item 2): axe-core clean
in French and English, reached from the prefecture page with the keyboard, and the
commitments poster fetched from its link."""

from datetime import date
from pathlib import Path

import pytest

from engagements.quality.referential import import_referential
from engagements.quality.service_scopes import set_service_scope
from tests.browser import assert_accessible, screenshot
from tests.quality.cycle_factories import LabelFactory
from tests.quality.test_approach import LABELLING

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REFERENTIALS = Path(__file__).resolve().parents[2] / "engagements/quality/referentials"


def test_the_approach_page_in_french_and_english(page, prefecture, site, service):
    import_referential(LABELLING)
    import_referential((REFERENTIALS / "services-publics-plus-2023.yaml").read_bytes())
    LabelFactory(site=site, module=1, valid_until=date(2099, 1, 14))
    set_service_scope(prefecture, service, [1])
    page.goto(f"/prefectures/{prefecture.slug}/")
    link = page.get_by_role("link", name="Notre démarche qualité")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/demarche-qualite/")
    assert page.get_by_role("heading", level=1).inner_text() == "Notre démarche qualité"
    assert "Nous vous disons comment nous joindre" in page.inner_text(".eng-commitments")
    assert page.locator(".eng-sp-plus li").count() == 8
    assert_accessible(page)
    screenshot(page, "quality-approach-fr")
    poster = page.get_by_role("link", name="Affiche de nos engagements PDF, format A3")
    response = page.request.get(poster.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    page.goto(f"/en/prefectures/{prefecture.slug}/demarche-qualite/")
    assert page.get_by_role("heading", level=1).inner_text() == "Our quality approach"
    assert page.locator(".eng-commitments").get_attribute("lang") == "fr"
    assert_accessible(page)
    screenshot(page, "quality-approach-en")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_labels_tables_are_reachable_with_the_keyboard_on_a_phone(
    phone_page, prefecture, site, service, language
):
    """At 390 px the labels tables (the approach page's, the prefecture page's panel) are
    wider than the screen: each scrolls, so each takes the keyboard focus (axe's
    scrollable-region-focusable) and is named by its caption."""
    import_referential(LABELLING)
    import_referential((REFERENTIALS / "services-publics-plus-2023.yaml").read_bytes())
    LabelFactory(site=site, module=1, valid_until=date(2099, 1, 14))
    set_service_scope(prefecture, service, [1])
    prefix = "" if language == "fr" else "/en"
    for path in (
        f"/prefectures/{prefecture.slug}/demarche-qualite/",
        f"/prefectures/{prefecture.slug}/",
    ):
        phone_page.goto(prefix + path)
        table = phone_page.get_by_role(
            "table",
            name="Labels en cours par site" if language == "fr" else "Current labels by site",
        )
        assert table.count() == 1
        assert_accessible(phone_page)
        table.focus()
        assert phone_page.evaluate("document.activeElement.tagName") == "TABLE"
    screenshot(phone_page, f"quality-labels-phone-{language}")

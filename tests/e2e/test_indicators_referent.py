"""The référent's figures in a real browser (issue 19, items 4 and 8): every site against
its target on one screen, then a publication previewed and confirmed with the keyboard —
axe-core clean on both new pages."""

from datetime import date

import pytest
from playwright.sync_api import expect

from engagements.indicators.models import CallHour, Publication
from tests.browser import assert_accessible, screenshot
from tests.e2e.test_agents_organisation import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_all_sites_table_then_a_previewed_publication(
    page, prefecture, site, other_site, quality_lead
):
    year = date.today().year - 1
    for where, answered in ((site, 95), (other_site, 80)):
        CallHour.objects.create(
            prefecture=prefecture, site=where, date=date(year, 11, 3), hour=10,
            offered=100, answered=answered, answered_within_5_rings=answered - 5,
            source="hourly",
        )  # fmt: skip
    login(page, quality_lead)
    page.wait_for_url(f"**/agents/{prefecture.slug}/")

    # The dashboard's recompute is a job: the values are there once it has run.
    page.goto(f"/agents/{prefecture.slug}/indicateurs/?period={year}-Q4")
    page.get_by_role("button", name="Recalculer maintenant").click()
    expect(page.get_by_text("Recalcul demandé")).to_be_visible()
    page.get_by_role("link", name="Tous les sites face à leurs cibles").click()
    page.wait_for_url("**/indicateurs/sites/**")
    row = page.locator("#all-sites tr[data-code=calls_answered_rate]")
    cells = row.locator("td").all_inner_texts()
    assert "87,5" in cells[0] and "95,0" in cells[1] and "80,0" in cells[2]
    assert "non atteinte" in cells[2].lower() and "atteinte" in cells[1].lower()
    assert page.locator("#all-sites thead th").count() == 4  # indicator + 3 structures
    assert_accessible(page)
    screenshot(page, "indicators-all-sites")

    page.goto(f"/agents/{prefecture.slug}/indicateurs/publications/")
    page.get_by_label("Période à publier").fill(f"{year}-Q4")
    page.keyboard.press("Enter")  # the form submits from the keyboard
    page.wait_for_url("**/publier/apercu/**")
    assert page.get_by_text("Rien n'est encore publié").is_visible()
    assert page.locator("tr[data-code=calls_answered_rate]").count() == 3
    assert_accessible(page)
    screenshot(page, "indicators-publication-preview")
    assert not Publication.objects.exists()
    confirm = page.get_by_role("button", name="Confirmer la publication")
    confirm.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/indicateurs/publications/")
    assert page.get_by_text("publiés (version 1)").is_visible()
    assert Publication.objects.get().values.filter(code="calls_answered_rate").count() == 3

"""Issue 23 in a real browser (axe-core clean, keyboard): a site's telephone platforms in the
organisation settings, the agents' procedure sheets searched with the keyboard, and the
plain-language suggestions beside the FAQ editor."""

from datetime import time

import pytest
from playwright.sync_api import expect

from engagements.faq import services as faq
from engagements.organisation import services as organisation
from engagements.organisation.models import TelephonePlatform
from tests.browser import assert_accessible, screenshot
from tests.faq.factories import EntryFactory, SheetFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_platforms_sheets_and_plain_language(page, prefecture, site, service, quality_lead):
    platform = organisation.save_platform(
        TelephonePlatform(
            site=site, kind="foreigners", name="Ligne des étrangers", slug="etrangers",
            queue="etrangers",
        ),
        actor=quality_lead,
    )  # fmt: skip
    organisation.set_platform_hours(
        platform, {1: (time(14), time(16), None, None)}, actor=quality_lead
    )
    for title in ("Remise des titres de séjour", "Standard téléphonique"):
        sheet = SheetFactory.build(service=service, owner=quality_lead, title=title)
        faq.save_sheet(sheet, actor=quality_lead)
    entry = EntryFactory(prefecture=prefecture, answer="Prenez rendez-vous sur l'ANEF.")

    # The platforms' published hours on the public prefecture page, French and English.
    page.goto(f"/prefectures/{prefecture.slug}/")
    lines = page.locator("[data-platforms]")
    assert "Ligne des étrangers — mardi 14:00–16:00" in lines.inner_text()
    assert_accessible(page)
    page.goto(f"/en/prefectures/{prefecture.slug}/")
    assert page.get_by_role("heading", name="Telephone lines").is_visible()
    assert "Tuesday 14:00–16:00" in page.locator("[data-platforms]").inner_text()
    assert_accessible(page)
    page.goto("/agents/login/")
    page.get_by_label("Identifiant").fill(quality_lead.username)
    page.get_by_label("Mot de passe").fill("secret-password")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**/agents/{prefecture.slug}/")

    page.goto(f"/agents/{prefecture.slug}/organisation/")
    row = page.get_by_role("row", name="Ligne des étrangers")
    assert "Mardi 14:00–16:00" in row.inner_text()
    assert_accessible(page)
    screenshot(page, "organisation-platforms")

    page.goto(f"/agents/{prefecture.slug}/faq/fiches/")
    search = page.get_by_label("Rechercher dans les fiches")
    search.focus()
    page.keyboard.type("sejour")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=sejour**")
    rows = page.locator("tbody tr[data-sheet]")
    assert rows.count() == 1 and "Remise des titres de séjour" in rows.inner_text()
    assert_accessible(page)
    screenshot(page, "procedure-sheets")
    page.get_by_role("link", name="Remise des titres de séjour").click()
    expect(page.get_by_text("Version 1 du")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/agents/{prefecture.slug}/faq/{entry.pk}/")
    callout = page.locator("[data-plain-language]")
    assert "Administration numérique pour les étrangers en France (ANEF)" in callout.inner_text()
    assert_accessible(page)
    screenshot(page, "faq-plain-language")

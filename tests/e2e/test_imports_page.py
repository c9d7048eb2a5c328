"""The référent imports her register herself in a real browser, with the keyboard: a broken
file shows its line errors, a good one its preview, then the confirmation and the history
(issue 19 item 2); every step passes axe."""

import pytest

from engagements.correspondence.models import Message
from tests.browser import assert_accessible, screenshot
from tests.e2e.test_agents_organisation import login

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

HEADER = "reference,site,service,channel,kind,topic,received_on,answered_on,closed_reason"
GOOD = "2026-000001,chef-lieu,sejour,courriel,information,Délai séjour,2026-04-30,2026-05-12,"
BAD = "2026-000002,chef-lieu,sejour,fax,information,,2026-05-04,,"


def _file(name: str, *lines: str) -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": "\n".join([HEADER, *lines]).encode()}


def test_quality_lead_previews_then_confirms_an_import_with_the_keyboard(
    page, prefecture, site, service, quality_lead
):
    login(page, quality_lead)
    page.wait_for_url(f"**/agents/{prefecture.slug}/")
    page.goto(f"/agents/{prefecture.slug}/imports/")
    assert_accessible(page)
    screenshot(page, "imports-home")
    page.get_by_role("link", name="Registre des courriers").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/imports/correspondence/")
    assert_accessible(page)

    page.get_by_label("Fichier").set_input_files(_file("registre.csv", GOOD, BAD))
    page.get_by_label("Fichier").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Voir l'aperçu"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    errors = page.get_by_role("table", name="Erreurs du fichier")
    assert "canal « fax » inconnu" in errors.inner_text()
    assert errors.locator("tbody tr td").first.inner_text() == "3"
    assert not Message.objects.exists()
    assert_accessible(page)
    screenshot(page, "imports-errors")

    page.get_by_label("Fichier").set_input_files(_file("registre.csv", GOOD))
    page.get_by_label("Fichier").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Aperçu de l'import : Registre des courriers").wait_for()
    assert (
        "Courriers créés" in page.get_by_role("table", name="Ce qui sera enregistré").inner_text()
    )
    assert not Message.objects.exists()
    assert_accessible(page)
    screenshot(page, "imports-preview")

    page.get_by_role("button", name="Confirmer l'import").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/agents/{prefecture.slug}/imports/")
    assert Message.objects.count() == 1
    history = page.get_by_role("table", name="Derniers imports de la préfecture").inner_text()
    history = history.casefold()  # the badges are shown in capitals
    assert "registre.csv" in history and "importé" in history and "refusé" in history
    assert_accessible(page)
    screenshot(page, "imports-history")

"""The référent qualité's yearly review in a real browser: dashboard with targets compared,
a click on the late-messages figure lands on those messages, the quarter published; the
public results page (FR/EN, phone size), the poster PDF and the affluence grid show it —
axe-core clean on every new page."""

import subprocess
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from engagements.indicators.models import CallHour
from tests.browser import assert_accessible, follow, screenshot
from tests.correspondence.factories import MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def calls(site, day, hour, offered, answered):
    CallHour.objects.create(
        prefecture=site.prefecture, site=site, date=day, hour=hour,
        offered=offered, answered=answered, answered_within_5_rings=answered - 1,
        source="hourly",
    )  # fmt: skip


def test_review_publish_and_public_results(
    page, phone_page, prefecture, site, service, quality_lead, tmp_path
):
    year = date.today().year - 1
    calls(site, date(year, 11, 3), 10, 100, 90)
    calls(site, date(year - 1, 11, 4), 10, 100, 95)
    for _ in range(3):
        MessageFactory(service=service, received_on=date(year, 10, 6), answered_on_time=True)
    late = MessageFactory(
        service=service, received_on=date(year, 10, 6), subject="Titre toujours bloqué"
    )
    # The last weeks' calls feed the affluence grid.
    monday = date.today() - timedelta(days=date.today().weekday())
    for week in range(1, 6):
        calls(site, monday - timedelta(weeks=week), 10, 40, 38)
        calls(site, monday - timedelta(weeks=week), 15, 5, 5)

    page.goto("/agents/login/")
    page.get_by_label("Identifiant").fill(quality_lead.username)
    page.get_by_label("Mot de passe").fill("secret-password")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**/agents/{prefecture.slug}/")
    page.goto(f"/agents/{prefecture.slug}/indicateurs/?period={year}-Q4")
    follow(page, page.get_by_role("button", name="Recalculer maintenant"))
    card = page.locator("#card-calls_answered_rate")
    assert "90,0" in card.inner_text() and "Cible : 93,0" in card.inner_text()
    assert "non atteinte" in card.inner_text().lower() and "An passé : 95,0" in card.inner_text()
    assert page.locator("text=Cible :").count() == 12
    assert_accessible(page)
    screenshot(page, "indicators-dashboard")
    # The records behind the rate: the period's messages, the late one first, each leading
    # to its page.
    page.locator("#card-correspondence_on_time_rate [data-value] a").click()
    page.wait_for_url("**/indicateurs/detail/correspondence_on_time_rate/**")
    assert page.locator("tbody tr").first.inner_text().endswith("Sans réponse, échéance dépassée")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name=late.reference))
    assert page.get_by_text("Titre toujours bloqué").is_visible()

    page.goto(f"/agents/{prefecture.slug}/indicateurs/publications/")
    page.get_by_label("Période à publier").fill(f"{year}-Q4")
    # Publishing shows the preview first, then asks for confirmation (issue 19, item 4).
    page.get_by_role("button", name="Voir l'aperçu avant de publier").click()
    page.get_by_role("button", name="Confirmer la publication").click()
    expect(page.get_by_text("publiés (version 1)")).to_be_visible()
    assert_accessible(page)

    results = f"/prefectures/{prefecture.slug}/resultats/"
    page.goto(f"/prefectures/{prefecture.slug}/")
    page.get_by_role("link", name="Nos résultats").first.click()
    page.wait_for_url(f"**{results}")
    row = page.locator("tr[data-code=calls_answered_rate]")
    assert "90,0" in row.inner_text() and "95,0" in row.inner_text()
    assert_accessible(page)
    screenshot(page, "indicators-public-results")
    with page.expect_navigation():  # axe reads the next page
        page.get_by_role("link", name="Méthode de calcul de chaque indicateur").click()
    assert_accessible(page)
    page.goto(f"/prefectures/{prefecture.slug}/affluence/")
    assert page.get_by_text("Chargé").first.is_visible()
    assert_accessible(page)
    screenshot(page, "indicators-public-affluence")

    phone_page.goto(f"/en{results}")
    row = phone_page.locator("tr[data-code=calls_answered_rate]")
    assert "Calls answered" in row.inner_text() and "90.0" in row.inner_text()
    assert_accessible(phone_page)
    screenshot(phone_page, "indicators-public-results-en-phone")

    pdf = page.request.get(f"{results}affiche-a4.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf.body())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Appels aboutis" in text and "90,0 %" in text


def test_desk_tablet_and_webmaster_queue(page, prefecture, site, service, quality_lead):
    monday = date.today() - timedelta(days=date.today().weekday())
    for week in range(1, 6):
        calls(site, monday - timedelta(weeks=week), 9, 30, 29)
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto("/agents/login/")
    page.get_by_label("Identifiant").fill(quality_lead.username)
    page.get_by_label("Mot de passe").fill("secret-password")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**/agents/{prefecture.slug}/")
    page.goto(f"/agents/{prefecture.slug}/indicateurs/accueil/")
    page.get_by_role("button", name=service.name).click()
    expect(page.get_by_text("Arrivée enregistrée.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "indicators-desk-tablet")
    page.get_by_role("button", name="Reçu").first.click()
    expect(page.get_by_text("Personne n'attend.")).to_be_visible()
    page.goto(f"/agents/{prefecture.slug}/indicateurs/site-internet/demande/")
    page.get_by_label("Page concernée").fill("/Demarches/Titres-de-sejour")
    page.get_by_label("Demande", exact=True).fill("Nouveaux horaires du bureau du séjour")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("transmise au webmestre")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Marquer publiée").click()
    expect(page.get_by_text("marquée publiée")).to_be_visible()
    screenshot(page, "indicators-website-queue")
    page.goto(f"/agents/{prefecture.slug}/indicateurs/affluence/")
    assert_accessible(page)
    screenshot(page, "indicators-heatmap")
    page.goto(f"/agents/{prefecture.slug}/indicateurs/propres/")
    assert_accessible(page)

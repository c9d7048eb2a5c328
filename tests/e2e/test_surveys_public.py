"""Surveys in a real browser: a phone scanning the poster and answering in English, every
public survey page axe-clean in French and English, the tablet kiosk resetting itself, and
a paper coupon serial refused the second time."""

import pytest
from django.core.cache import cache

from engagements.surveys.models import Response
from tests.browser import assert_accessible, screenshot
from tests.factories import ServiceFactory
from tests.surveys.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def campaign(site, service):
    return CampaignFactory(site=site, services=[service], name="Enquête 2026")


def test_phone_scans_the_poster_and_answers_in_english(phone_page, campaign, service):
    page = phone_page
    poster_path = f"/s/{campaign.token}/{service.slug}/"
    page.goto(poster_path)
    assert page.get_by_role("heading", level=1).inner_text() == "Donnez votre avis"
    english = page.locator('a[hreflang="en"]').first.get_attribute("href")
    page.goto(english)
    assert page.url.endswith(f"/en{poster_path}")
    assert_accessible(page)
    screenshot(page, "surveys-phone-en-form")
    group = page.get_by_role("group", name="Overall, are you satisfied with how you were received?")
    group.get_by_text("Very satisfied", exact=True).click()
    page.get_by_role("group", name="How would you rate the waiting time?").get_by_text(
        "Not very satisfied", exact=True
    ).click()
    page.get_by_label("Any comment or suggestion?").fill("Quick and kind.")
    page.get_by_role("button", name="Send my opinion").click()
    page.wait_for_url("**/en/s/*/merci/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your opinion"
    assert_accessible(page)
    screenshot(page, "surveys-phone-en-thanks")
    saved = Response.objects.get()
    assert (saved.channel, saved.language, saved.service_id) == ("qr", "en", service.pk)
    assert {a.question.code: a.value for a in saved.answers.all()} == {"global": 4, "attente": 2}
    # Same browser again: one answer per session and campaign.
    page.goto(f"/en{poster_path}")
    assert page.get_by_role("heading", level=1).inner_text() == "You have already answered"


def test_star_rating_works_with_the_keyboard(phone_page, site, service):
    stars = CampaignFactory(site=site, services=[service], stars_poster=True)
    page = phone_page
    page.goto(f"/s/{stars.token}/{service.slug}/")
    first = page.get_by_label("1 étoile sur 5")
    first.focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.get_by_label("4 étoiles sur 5").is_checked()
    screenshot(page, "surveys-stars-fr")
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url("**/merci/")
    saved = Response.objects.get()
    assert (saved.channel, saved.answers.get().value) == ("stars", 4)


def test_every_public_survey_page_is_accessible_in_french_and_english(
    page, prefecture, site, service, campaign
):
    stars = CampaignFactory(site=site, services=[service], stars_poster=True)
    other = ServiceFactory(site=site, slug="titres", name="Titres")
    several = CampaignFactory(site=site, services=[service, other])
    finished = CampaignFactory(site=site, services=[service], finished=True)
    paths = [
        (f"/avis/{prefecture.slug}/", "prefecture"),
        (f"/s/{several.token}/", "choose"),
        (f"/s/{campaign.token}/{service.slug}/", "form"),
        (f"/s/{stars.token}/{service.slug}/", "stars"),
        (f"/borne/{campaign.token}/{service.slug}/", "kiosk"),
        (f"/s/{finished.token}/{service.slug}/", "closed"),
        (f"/s/{campaign.token}/merci/", "thanks"),
        ("/avis-rdv/unknown-token/", "link-used"),
    ]
    for prefix, language in (("", "fr"), ("/en", "en")):
        for path, name in paths:
            page.goto(prefix + path)
            assert page.locator("html").get_attribute("lang") == language
            assert_accessible(page)
            if name in ("form", "prefecture", "stars"):
                screenshot(page, f"surveys-{name}-{language}")
    # A submission with an error is accessible too (message tied to the form).
    page.goto(f"/s/{campaign.token}/{service.slug}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer mon avis").click()
    assert "Répondez au moins à une question." in page.get_by_role("alert").inner_text()
    assert_accessible(page)


def test_kiosk_resets_after_each_answer_and_after_inactivity(page, campaign, service):
    campaign.kiosk_idle_seconds = 2  # shortened for the test (90 s by default)
    campaign.save()
    start = f"/borne/{campaign.token}/{service.slug}/"
    page.goto(start)
    assert page.locator("header").get_by_role("navigation").count() == 0  # no site chrome
    screenshot(page, "surveys-kiosk")
    page.get_by_role("group", name="Globalement, êtes-vous satisfait de l'accueil ?").get_by_text(
        "Satisfait", exact=True
    ).click()
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url("**/merci/?borne=*")
    # Back to an empty questionnaire by itself.
    page.wait_for_url(f"**{start}", timeout=10_000)
    assert Response.objects.get().channel == "kiosk"
    # A second visitor (kiosk: no one-per-session rule) starts, then walks away.
    radio = page.get_by_label("Très satisfait", exact=True).first
    page.get_by_text("Très satisfait", exact=True).first.click()
    assert radio.is_checked()
    page.wait_for_function(
        "() => !document.querySelector('input[type=radio]:checked')", timeout=10_000
    )
    assert page.url.endswith(start)
    assert Response.objects.count() == 1


def test_a_paper_serial_cannot_be_typed_twice(page, prefecture, agent, campaign, service):
    page.goto("/agents/login/")
    page.get_by_label("Identifiant").fill(agent.username)
    page.get_by_label("Mot de passe").fill("secret-password")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**/agents/{prefecture.slug}/")
    page.goto(f"/agents/{prefecture.slug}/enquetes/{campaign.pk}/saisie/")
    serial = f"{campaign.pk}-0012"

    def type_coupon(digits: str):
        page.get_by_label("Numéro du coupon").fill(serial)
        page.get_by_label("Service", exact=True).select_option(str(service.pk))
        page.get_by_label("courtoisie —").focus()
        page.keyboard.type(digits)  # the cursor moves to the next question by itself
        with page.expect_navigation():
            page.keyboard.press("Enter")

    type_coupon("42")
    assert page.get_by_text(f"Coupon n° {serial} enregistré.").is_visible()
    assert_accessible(page)
    type_coupon("21")
    error = page.locator(f"#{page.get_by_label('Numéro du coupon').get_attribute('id')}-error")
    assert "déjà été saisi" in error.inner_text()
    assert page.get_by_label("Numéro du coupon").input_value() == serial
    assert page.get_by_label("courtoisie —").input_value() == "2"
    screenshot(page, "surveys-coupon-twice")
    assert_accessible(page)
    saved = Response.objects.get()
    assert {a.question.code: a.value for a in saved.answers.all()} == {"courtoisie": 4, "pmr": 2}

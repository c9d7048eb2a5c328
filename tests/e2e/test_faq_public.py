"""The public FAQ in a real browser: phone-size pages in French and English, axe-clean;
searching with a typo, voting, and the answers suggested while writing to us."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from engagements.faq.models import Entry
from tests.appointments.factories import ProcedureFactory
from tests.browser import assert_accessible, screenshot
from tests.correspondence.factories import MessageFactory
from tests.faq.factories import EntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def faq(prefecture, service, other_service):
    entries = [
        EntryFactory(
            service=service,
            question="Comment renouveler mon titre de séjour ?",
            answer="Faites la demande en ligne sur le site de l'ANEF, deux à quatre mois avant "
            "l'expiration.\n\nVous recevez une attestation de prolongation.",
            tags="étrangers",
        ),
        EntryFactory(service=service, question="Où retirer mon passeport ?", answer="En mairie."),
        EntryFactory(
            service=other_service, question="Quels sont vos horaires ?", answer="De 9 h à 16 h."
        ),
        EntryFactory(
            service=service,
            language="en",
            question="How do I renew my residence permit?",
            answer="Apply online on the ANEF website, two to four months before it expires.",
        ),
    ]
    return entries


def test_faq_pages_on_a_phone_in_french_and_english(phone_page, prefecture, service, faq):
    page = phone_page
    page.goto(f"/faq/{prefecture.slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Questions fréquentes"
    assert_accessible(page)
    screenshot(page, "faq-phone-fr")
    page.get_by_role("button", name="Comment renouveler mon titre de séjour ?").click()
    page.get_by_text("site de l'ANEF").wait_for(state="visible")
    page.get_by_label("Rechercher dans les questions fréquentes").fill("pasport")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    page.wait_for_url("**?q=pasport")
    assert "1 réponse pour « pasport »" in page.get_by_role("heading", level=2).first.inner_text()
    assert_accessible(page)
    screenshot(page, "faq-phone-fr-search")
    page.goto(f"/faq/{prefecture.slug}/{service.site.slug}/{service.slug}/")
    assert "horaires" not in page.content()
    assert_accessible(page)
    page.goto(f"/faq/{prefecture.slug}/questions/{faq[0].pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Oui").click()
    expect(page.get_by_role("status")).to_have_text("Merci, votre avis est enregistré.")
    assert Entry.objects.get(pk=faq[0].pk).helpful_yes == 1
    page.goto(f"/en/faq/{prefecture.slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Frequently asked questions"
    assert page.get_by_role("button", name="How do I renew my residence permit?").is_visible()
    assert_accessible(page)
    screenshot(page, "faq-phone-en")
    page.goto(f"/en/faq/{prefecture.slug}/?q=permits")
    assert_accessible(page)
    page.goto(f"/en/faq/{prefecture.slug}/questions/{faq[3].pk}/")
    assert_accessible(page)
    screenshot(page, "faq-phone-en-detail")


def test_contact_form_suggests_answers_while_typing(page, prefecture, service, faq):
    page.goto(f"/prefectures/{prefecture.slug}/nous-ecrire/")
    page.get_by_label("Objet").fill("Renouvellement de titre de sejour")
    suggestion = page.get_by_role("link", name="Comment renouveler mon titre de séjour ?")
    suggestion.wait_for()
    link = page.get_by_role("link", name="voir les réponses")
    assert "q=Renouvellement" in link.get_attribute("href")
    assert_accessible(page)
    screenshot(page, "faq-contact-suggestions")


def test_booking_page_answers_questions_on_a_phone(phone_page, prefecture, service, faq):
    ProcedureFactory(service=service)
    page = phone_page
    page.goto(f"/rendez-vous/prefecture/{prefecture.slug}/")
    page.get_by_label("Une question avant de réserver ?").fill("titre de sejour")
    page.get_by_role("link", name="Comment renouveler mon titre de séjour ?").wait_for()
    assert_accessible(page)
    screenshot(page, "faq-booking-suggestions")
    page.goto(f"/en/rendez-vous/prefecture/{prefecture.slug}/")
    page.get_by_label("A question before booking?").fill("residence permit")
    page.get_by_role("link", name="How do I renew my residence permit?").wait_for()
    assert_accessible(page)


def test_agent_inserts_a_faq_answer_into_a_reply(page, prefecture, service, agent, faq):
    message = MessageFactory(service=service, subject="Renouvellement")
    page.goto(reverse("organisation:agents-login"))
    page.fill("#id_username", agent.username)
    page.fill("#id_password", "secret-password")
    page.click("button[type=submit]")
    page.goto(reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk]))
    page.get_by_label("Insérer une réponse de la FAQ").fill("renouveler titre")
    choice = page.get_by_label("Réponses trouvées")
    choice.locator("option", has_text="Comment renouveler mon titre de séjour ?").wait_for(
        state="attached"
    )
    choice.select_option(label="Comment renouveler mon titre de séjour ? (Bureau du séjour)")
    page.get_by_role("button", name="Insérer dans la réponse").click()
    expect(page.locator("#id_text")).to_have_value(re.compile("site de l'ANEF"))
    assert_accessible(page)
    screenshot(page, "faq-answer-picker")
    page.goto(reverse("faq:agents-list", args=[prefecture.slug]))
    assert page.get_by_role("heading", level=1).inner_text() == "Questions fréquentes"
    assert_accessible(page)
    screenshot(page, "faq-agents-list")

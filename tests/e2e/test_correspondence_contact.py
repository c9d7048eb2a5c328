"""The public "Nous écrire" form in a real browser: accessible in French and English,
usable on a phone, and honest without JavaScript (only the proof-of-work needs it)."""

import pytest
from django.urls import reverse

from engagements.correspondence.models import Message
from tests.browser import CHROMIUM_ARGS, assert_accessible, screenshot  # noqa: F401

pytestmark = pytest.mark.browser


def test_contact_form_accessible_in_french_and_english_and_works(page, prefecture, service):
    url = reverse("correspondence:contact", args=[prefecture.slug])
    page.goto(url)
    assert page.locator("h1").inner_text() == "Nous écrire"
    assert_accessible(page)
    screenshot(page, "correspondence-contact-fr")

    page.goto("/en" + url)
    assert page.locator("h1").inner_text() == "Write to us"
    assert_accessible(page)

    page.goto(url)
    page.select_option("#id_service", str(service.pk))
    page.click("label[for=id_kind_1]")  # réclamation
    page.fill("#id_name", "Léa Martin")
    page.fill("#id_email", "lea@example.test")
    page.fill("#id_subject", "Rendez-vous introuvable")
    page.fill("#id_body", "Aucun créneau depuis trois semaines.")
    page.wait_for_selector("[data-pow-solved=true]")
    page.click("text=Envoyer mon message")
    page.wait_for_selector(".eng-reference")
    message = Message.objects.get()
    assert page.locator(".eng-reference").inner_text() == message.reference
    assert message.kind == "complaint" and message.channel == "web_form"
    assert_accessible(page)
    screenshot(page, "correspondence-contact-sent")


def test_errors_are_tied_to_fields_and_accessible_in_english(page, prefecture, service):
    page.goto("/en" + reverse("correspondence:contact", args=[prefecture.slug]))
    page.fill("#id_email", "not-an-address")
    page.wait_for_selector("[data-pow-solved=true]")
    page.click("button[type=submit]")
    page.wait_for_selector(".fr-error-text")
    assert page.get_attribute("#id_email", "aria-describedby") == "id_email-error"
    assert page.input_value("#id_email") == "not-an-address"
    assert Message.objects.count() == 0
    assert_accessible(page)


def test_on_a_phone(phone_page, prefecture, service):
    phone_page.goto(reverse("correspondence:contact", args=[prefecture.slug]))
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert_accessible(phone_page)
    screenshot(phone_page, "correspondence-contact-phone")


def test_without_javascript_the_form_shows_and_says_what_needs_it(
    browser, live_server, prefecture, service
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(reverse("correspondence:contact", args=[prefecture.slug]))
    assert page.locator("#id_body").is_visible()
    assert "sauf la vérification anti-robot" in page.inner_text("main")
    page.select_option("#id_service", str(service.pk))
    page.fill("#id_name", "Léa Martin")
    page.fill("#id_email", "lea@example.test")
    page.fill("#id_subject", "Sans JavaScript")
    page.fill("#id_body", "Mon texte reste là.")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "nécessite JavaScript" in page.inner_text("main")
    assert page.input_value("#id_body") == "Mon texte reste là."
    assert Message.objects.count() == 0
    context.close()

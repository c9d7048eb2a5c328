"""The référent qualité finds a person's records, erases what may go and reads the log of
requests, in a real browser; the page is accessible (RGAA applies to staff)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.appointments.factories import BookingFactory, SlotFactory
from tests.browser import assert_accessible, screenshot
from tests.correspondence.factories import MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, user):
    page.goto("/agents/login/")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill("secret-password")
    page.get_by_role("button", name="Se connecter").click()


def test_quality_lead_finds_and_erases_a_persons_data(page, prefecture, service, quality_lead):
    MessageFactory(service=service, sender_email="camille.martin@exemple.fr")
    MessageFactory(service=service, sender_email="camille.martin@exemple.fr", answered_on_time=True)
    BookingFactory(
        slot=SlotFactory(procedure__service=service, starts_at=timezone.now() - timedelta(days=20)),
        email="camille.martin@exemple.fr",
        attended=True,
    )
    BookingFactory(slot=SlotFactory(procedure__service=service), phone="06 12 34 56 78")
    login(page, quality_lead)
    page.wait_for_url(f"**/agents/{prefecture.slug}/")
    page.goto(f"/agents/{prefecture.slug}/organisation/donnees-personnelles/")
    page.get_by_label("Courriel").fill("Camille.Martin@exemple.fr")
    page.get_by_label("Téléphone").fill("+33 6 12 34 56 78")
    with page.expect_navigation():
        page.get_by_role("button", name="Chercher").click()
    assert page.get_by_role("table", name="Courriers et courriels (2)").is_visible()
    assert page.get_by_role("table", name="Rendez-vous (2)").is_visible()
    assert_accessible(page)
    screenshot(page, "agents-personal-data-results")
    page.locator("label[for=confirm-erasure]").click()  # the DSFR box is drawn by its label
    with page.expect_navigation():
        page.get_by_role("button", name="Effacer").click()
    assert page.get_by_text("Effacement fait : 2 enregistrements anonymisés").is_visible()
    assert page.get_by_text("en cours", exact=True).is_visible()
    assert_accessible(page)
    screenshot(page, "agents-personal-data-log")

"""The day at the counter in a real browser: an agent finds a person by name, checks her
in, opens the certificate; the calendar shows the week. axe-core clean."""

import pytest
from django.test import Client
from django.utils import timezone

from engagements.appointments.enums import BookingStatus
from engagements.appointments.models import Booking
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.browser import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_check_in_at_the_counter(page, live_server, prefecture, service, agent):
    procedure = ProcedureFactory(service=service, name="Remise de titre de séjour", capacity=2)
    start = timezone.localtime().replace(hour=23, minute=30, second=0, microsecond=0)
    slot = SlotFactory(procedure=procedure, starts_at=start)
    BookingFactory(slot=slot, first_name="Amina", last_name="Diallo")
    other = BookingFactory(slot=slot, first_name="Bruno", last_name="Perrin")
    _login(page, live_server, agent)

    page.goto(f"/agents/{prefecture.slug}/rendez-vous/jour/")
    assert page.get_by_role("link", name="PERRIN Bruno").is_visible()
    assert_accessible(page)
    screenshot(page, "appointments-agents-day")
    page.get_by_label("Nom ou référence (ou scan du QR code)").fill("perr")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    assert page.get_by_role("link", name="DIALLO Amina").count() == 0
    with page.expect_navigation():
        page.get_by_role("button", name="Venu").click()
    assert "arrivée enregistrée à" in page.content()
    assert Booking.objects.get(pk=other.pk).status == BookingStatus.ATTENDED
    response = page.request.get(
        f"/agents/{prefecture.slug}/rendez-vous/reservations/{other.pk}/attestation.pdf"
    )
    assert response.headers["content-type"] == "application/pdf"

    page.goto(f"/agents/{prefecture.slug}/rendez-vous/demarches/{procedure.pk}/semaine/")
    assert_accessible(page)
    screenshot(page, "appointments-agents-calendar")
    page.goto(f"/agents/{prefecture.slug}/rendez-vous/reservations/{other.pk}/")
    assert_accessible(page)
    screenshot(page, "appointments-agents-booking")
    SlotFactory(procedure=procedure, starts_at=start + timezone.timedelta(days=1))
    diallo = Booking.objects.get(last_name="Diallo")
    page.goto(f"/agents/{prefecture.slug}/rendez-vous/reservations/{diallo.pk}/deplacer/")
    assert_accessible(page)
    screenshot(page, "appointments-agents-booking-move")
    page.goto(f"/agents/{prefecture.slug}/rendez-vous/")
    assert_accessible(page)
    screenshot(page, "appointments-agents-index")


def test_settings_and_booking_on_behalf_pages(page, live_server, prefecture, service, quality_lead):
    procedure = ProcedureFactory(service=service, name="Naturalisation — entretien")
    procedure.rules.create(weekday=1, starts_at="09:00", ends_at="12:00")
    SlotFactory(procedure=procedure)
    _login(page, live_server, quality_lead)
    page.goto(f"/agents/{prefecture.slug}/rendez-vous/demarches/{procedure.pk}/")
    assert_accessible(page)
    screenshot(page, "appointments-agents-procedure")
    page.goto(f"/agents/{prefecture.slug}/rendez-vous/reserver/")
    assert_accessible(page)
    screenshot(page, "appointments-agents-book-start")
    page.locator("a.fr-btn--sm").first.click()
    page.locator("input[name=first_name]").fill("Jo")
    page.locator("input[name=last_name]").fill("Doe")
    page.locator("input[name=phone]").fill("06 11 22 33 44")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Réserver").click()
    assert "confirmé" in page.content()
    assert Booking.objects.get().channel == "agent"

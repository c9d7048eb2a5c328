"""Agents' pages at tablet width (768 px) and the counter's day page on a phone (390 px):
nothing wider than the screen, the "Venu / En retard / Absent" buttons on screen."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.browser import _new_page, screenshot
from tests.organisation.test_cross_prefecture import _collect_cases

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def login(page, user):
    page.goto(reverse("organisation:agents-login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-password")
    login_url = page.url
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert page.url != login_url


def test_every_agents_page_fits_a_tablet(
    browser, live_server, prefecture, site, service, quality_lead
):
    cases = _collect_cases(prefecture, site, service)
    context, page, _foreign = _new_page(
        browser, live_server, locale="fr-FR", viewport={"width": 768, "height": 1024}
    )
    try:
        login(page, quality_lead)
        too_wide, checked = [], 0
        for name, kwargs in sorted(cases.items()):
            url = reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
            # Ask first without navigating: a POST-only URL (405), a PDF or a CSV would
            # leave an error page or a download behind that interrupts the next navigation.
            probe = page.request.get(url, max_redirects=0)
            if probe.status != 200 or "text/html" not in probe.headers.get("content-type", ""):
                continue
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            checked += 1
            overflow = page.evaluate(OVERFLOW)
            if overflow > 0:
                too_wide.append(f"{url}: {overflow}px too wide")
                screenshot(page, f"tablet-{name.replace(':', '-')}")
        assert checked >= 35, checked
        assert not too_wide, "\n".join(too_wide)
    finally:
        context.close()


def test_counter_day_page_on_a_phone(phone_page, prefecture, service, agent):
    procedure = ProcedureFactory(service=service, name="Remise de titre de séjour", capacity=3)
    # Begun this minute: "Absent" is offered once the appointment's time has come.
    start = timezone.localtime().replace(second=0, microsecond=0)
    slot = SlotFactory(procedure=procedure, starts_at=start)
    for name in ("Durand-Lefebvre", "Nguyen", "Petit"):
        BookingFactory(slot=slot, last_name=name)
    SlotFactory(procedure=procedure, starts_at=start - timedelta(hours=1))
    login(phone_page, agent)
    phone_page.goto(reverse("appointments:agents-day", args=[prefecture.slug]))
    assert phone_page.evaluate(OVERFLOW) <= 0
    width = phone_page.evaluate("window.innerWidth")
    for label in ("Venu", "En retard", "Absent"):
        button = phone_page.get_by_role("button", name=f"{label} : DURAND-LEFEBVRE Amina")
        box = button.bounding_box()
        screenshot(phone_page, "appointments-day-phone")
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (label, box)
    screenshot(phone_page, "appointments-day-phone")
    phone_page.get_by_role("button", name="Venu : NGUYEN Amina").click()
    expect(phone_page.get_by_text("arrivée enregistrée à")).to_be_visible()

"""The waiting room in a real browser: a person arrives before the opening, enters (the
proof of work runs in the page), the page refreshes by itself and lets her in at the
opening; a person arriving after the opening sees his place and an estimate, in English.
axe-core clean on every state, FR and EN."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from tests.appointments.factories import ProcedureFactory, SlotFactory
from tests.browser import assert_accessible, screenshot
from tests.factories import PrefectureFactory, ServiceFactory, SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LEAD = 40  # seconds from now to the opening (room for a slow machine before it)


@pytest.fixture
def procedure(settings):
    cache.clear()  # the rate limits of earlier runs from this address
    settings.WAITING_ROOM_ADMIT = 1
    settings.WAITING_ROOM_INTERVAL_SECONDS = 120
    prefecture = PrefectureFactory(slug="demo", name="Préfecture des Hauts-de-Lys")
    site = SiteFactory(prefecture=prefecture, slug="lysville", name="Préfecture — Lysville")
    service = ServiceFactory(site=site, name="Bureau du séjour des étrangers")
    opening = timezone.localtime() + timedelta(seconds=LEAD)
    if opening.date() != timezone.localdate():
        pytest.skip("the opening must fall today (run away from midnight)")
    procedure = ProcedureFactory(
        service=service,
        name="Remise de titre de séjour",
        name_en="Residence permit collection",
        waiting_room=True,
        waiting_room_minutes=30,
        opens_at=opening.time().replace(microsecond=0),
    )
    SlotFactory(procedure=procedure, starts_at=opening + timedelta(days=10))
    return procedure


def _check(page, name):
    assert_accessible(page)
    screenshot(page, name)


def _to_the_room(page, procedure, prefix=""):
    page.goto(f"{prefix}/rendez-vous/demarche/{procedure.pk}/")
    page.locator("input[name=accept]").check(force=True)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    assert "/salle-attente/" in page.url
    # The proof of work is solved in the page (a locator wait: the CSP forbids eval).
    expect(page.locator("input[name=altcha]")).to_have_value(re.compile(".+"), timeout=20_000)


def test_waiting_room_in_french_then_english(page, browser, live_server, procedure):
    _to_the_room(page, procedure)
    assert "Entrer dans la salle d'attente" in page.content()
    _check(page, "waiting-room-fr-1-enter")
    page.get_by_role("button", name="Entrer dans la salle d'attente").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Vous êtes dans la salle d'attente.")
    assert 'http-equiv="refresh"' in page.content()  # for browsers without JavaScript
    pause = page.get_by_role("button", name="Suspendre la mise à jour automatique")
    expect(pause).to_be_visible()  # shown by the page's script once it runs
    _check(page, "waiting-room-fr-2-before")
    # No click: the live region updates itself and, at the opening, lets her in.
    page.get_by_text("C'est votre tour").wait_for(timeout=(LEAD + 30) * 1000)
    expect(pause).to_be_hidden()
    _check(page, "waiting-room-fr-3-admitted")
    with page.expect_navigation():
        page.get_by_role("link", name="Choisir un créneau").click()
    assert "/creneaux/" in page.url

    # A second person, after the opening, in English: behind her, with an estimate.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    other = context.new_page()
    try:
        _to_the_room(other, procedure, prefix="/en")
        _check(other, "waiting-room-en-1-enter")
        other.get_by_role("button", name="Enter the waiting room").click()
        expect(other.get_by_role("status")).to_contain_text("Your place in the queue: 2")
        text = other.get_by_role("status").inner_text()
        assert "Your place in the queue: 2" in text
        assert "Nobody before you: you are next." in text
        assert "Estimated wait: about 2 minutes." in text
        _check(other, "waiting-room-en-2-waiting")
    finally:
        context.close()

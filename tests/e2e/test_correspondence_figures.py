"""The figures page filtered by site, nature and channel, in a browser: accessible, shares
and unambiguous service rows shown."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from engagements.organisation import services as organisation_services
from engagements.organisation.enums import Indicator
from tests.browser import assert_accessible, screenshot
from tests.correspondence.factories import MessageFactory, TopicFactory
from tests.e2e.test_correspondence_agents import login
from tests.factories import ServiceFactory

pytestmark = pytest.mark.browser


@time_machine.travel(datetime(2026, 3, 20, 10, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=True)
def test_filtered_figures_page(page, prefecture, site, other_site, quality_lead):
    topic = TopicFactory(prefecture=prefecture, name="Prise de rendez-vous")
    here = ServiceFactory(site=site, name="Accueil général")
    there = ServiceFactory(site=other_site, name="Accueil général")
    MessageFactory.create_batch(3, service=here, topic=topic, answered_on_time=True)
    MessageFactory(service=here, received_on=date(2026, 3, 2), complaint=True)
    MessageFactory.create_batch(2, service=there, answered_on_time=True)
    organisation_services.set_targets(
        prefecture, 2026, {Indicator.CORRESPONDENCE_RATE: 90}, actor=None, site=site
    )
    login(page, quality_lead)
    url = reverse("correspondence:agents-figures", args=[prefecture.slug])
    page.goto(f"{url}?year=2026")
    assert f"Accueil général — {other_site.name}" in page.content()
    assert "50,0&nbsp;%" in page.content()  # Prise de rendez-vous: 3 of 6 messages
    assert_accessible(page)
    screenshot(page, "correspondence-figures-all")
    page.select_option("#id_site", site.slug)
    page.select_option("#id_kind", "complaint")
    with page.expect_navigation():
        page.click("text=Afficher")
    assert "Filtré par site" in page.locator("[data-filters]").inner_text()
    assert page.locator("[data-rate]").inner_text() == "0,0\u00a0%"
    assert "90&nbsp;%" in page.content()  # the site's own target
    assert_accessible(page)
    screenshot(page, "correspondence-figures-filtered")

"""Issue 20 row 16: the affluence page's scrolling table reachable with the keyboard, and
axe-core clean (0 serious or critical) on public pages no other browser test scanned —
French and English, desktop and phone."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from engagements.indicators import services
from engagements.indicators.models import CallHour
from engagements.indicators.periods import Period
from tests.browser import assert_accessible, screenshot
from tests.committee.factories import CommitteeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def affluence(prefecture, site):
    monday = date.today() - timedelta(days=date.today().weekday())
    for week in range(1, 6):
        for day in range(5):
            for hour in range(8, 18):
                CallHour.objects.create(
                    prefecture=prefecture,
                    site=site,
                    date=monday - timedelta(weeks=week) + timedelta(days=day),
                    hour=hour,
                    offered=5 + 10 * (hour % 3),
                    answered=5,
                    source="hourly",
                )
    return prefecture


def _scroll_regions_focusable(page) -> list[str]:
    """The scrolling containers of the page that the keyboard cannot reach (axe's rule)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(el => {
            const style = getComputedStyle(el);
            const scrolls = ['auto', 'scroll'].includes(style.overflowX)
                && el.scrollWidth > el.clientWidth;
            return scrolls && el.tabIndex < 0 && !el.querySelector('a, button, input, [tabindex]');
        }).map(el => el.outerHTML.slice(0, 80))"""
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_affluence_table_is_reachable_with_the_keyboard(page, phone_page, affluence, language):
    path = reverse("indicators:public-affluence", args=[affluence.slug])
    path = path if language == "fr" else f"/en{path}"
    for browser_page, size in ((page, "desktop"), (phone_page, "phone")):
        assert browser_page.goto(path).status == 200
        assert browser_page.locator("table").count() >= 1
        assert_accessible(browser_page)
        assert _scroll_regions_focusable(browser_page) == []
        table = browser_page.locator("main table").first
        assert table.get_attribute("tabindex") == "0"
        name = table.evaluate("el => el.getAttribute('aria-label') || el.caption?.textContent")
        assert name and name.strip()
        screenshot(browser_page, f"indicators-affluence-{language}-{size}")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_other_public_pages_are_clean(page, phone_page, prefecture, site, quality_lead, language):
    CallHour.objects.create(
        prefecture=prefecture,
        site=site,
        date=date(date.today().year - 1, 11, 3),
        hour=10,
        offered=100,
        answered=90,
        source="hourly",
    )
    services.publish(prefecture, Period.year(date.today().year - 1), actor=quality_lead)
    CommitteeFactory(prefecture=prefecture)
    paths = [
        reverse("indicators:public-results", args=[prefecture.slug]),
        reverse("indicators:public-site-results", args=[prefecture.slug, site.slug]),
        reverse("indicators:methodology", args=[prefecture.slug]),
        reverse("committee:public", args=[prefecture.slug]),
        reverse("quality:public-done", args=[prefecture.slug]),
        reverse("correspondence:follow-lookup", args=[prefecture.slug]),
    ]
    prefix = "" if language == "fr" else "/en"
    for browser_page in (page, phone_page):
        for path in paths:
            response = browser_page.goto(prefix + path)
            assert response.status == 200, path
            assert browser_page.locator("html").get_attribute("lang") == language
            assert_accessible(browser_page)

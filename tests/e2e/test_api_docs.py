"""The API docs page runs on the site's own assets, within the Content-Security-Policy."""

import pytest

from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_without_csp_violations(page):
    problems = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.goto("/api/v1/docs")
    page.get_by_text("/api/v1/bookings").first.wait_for()
    assert page.get_by_text("Engagements API").first.is_visible()
    screenshot(page, "api-docs")
    assert not problems, problems

"""Every agent page, opened by every role of the prefecture, answers without crashing:
a page, a redirect, 403 (role not allowed) or 404 (record outside the user's scope)."""

import re

import pytest
from django.urls import reverse

from tests.organisation.test_cross_prefecture import _collect_cases
from tests.tooling import read_to_end

# Pages that answer 404 to the référent qualité with the sample records, and why.
EXPECTED_404 = {
    "appointments:agents-certificate": "no attendance certificate for a booking not attended",
    "correspondence:agents-attachment": "the sample attachment has no file in storage",
    "correspondence:agents-quarantine-raw": "the sample quarantined mail has no file in storage",
    "correspondence:agents-forwarded-letter": "no transmission letter for a message not forwarded",
}
ROLES = [
    "quality_lead",
    "site_manager",
    "agent",
    "agent_other_site",
    "committee_member",
    "auditor",
    "national_admin",
]


@pytest.mark.django_db
@pytest.mark.slow  # every agent page (permissions, not SQL): the PostgreSQL pass runs it
def test_every_role_opens_every_agent_page(request, prefecture, site, service, client_for):
    cases = _collect_cases(prefecture, site, service)
    assert len(cases) > 50
    for role in ROLES:
        client = client_for(request.getfixturevalue(role))
        for name, kwargs in sorted(cases.items()):
            url = reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
            response = client.get(url)  # an exception here (a 500) fails the test
            read_to_end(response)  # as a WSGI server does: a file served as it is gets closed
            assert response.status_code in {200, 302, 403, 404, 405}, (
                f"{role} GET {url}: {response.status_code}"
            )
            if role == "quality_lead":
                # The référent qualité runs the whole prefecture: nothing is refused to him.
                assert response.status_code != 403, f"{role} refused {url}"
                if response.status_code == 404:
                    assert name in EXPECTED_404, f"{role} cannot reach {url}"
                if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                    html = response.content.decode()
                    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
                    assert "<" not in title, f"markup in the title of {url}: {title[:80]}"
                    # A page just opened: nothing sent, so nothing to correct.
                    assert "data-form-errors" not in html, f"{url} shows errors unasked"

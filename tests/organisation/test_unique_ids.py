"""No agents' page carries the same element id twice (two `<select id="id_kind">` on the
minutes page broke its labels: issue 19, item 12)."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from tests.organisation.test_cross_prefecture import _collect_cases
from tests.tooling import read_to_end

ID = re.compile(r'\sid="([^"]+)"')


@pytest.mark.slow
@pytest.mark.django_db
def test_no_agents_page_repeats_an_element_id(prefecture, site, service, quality_lead, client_for):
    client = client_for(quality_lead)
    repeated = {}
    for name, kwargs in sorted(_collect_cases(prefecture, site, service).items()):
        response = client.get(reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs}))
        read_to_end(response)  # as a WSGI server does: a file served as it is gets closed
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        counts = Counter(ID.findall(response.content.decode()))
        twice = sorted(key for key, count in counts.items() if count > 1)
        if twice:
            repeated[name] = twice
    assert repeated == {}

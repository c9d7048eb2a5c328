"""No agents' page carries the same element id twice (two `<select id="id_kind">` on the
minutes page broke its labels: issue 19, item 12)."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from tests.organisation.test_cross_prefecture import _collect_cases

ID = re.compile(r'\sid="([^"]+)"')


@pytest.mark.slow
@pytest.mark.django_db
# A page of main leaves a media file open (main's test_every_role_every_page reports the
# same warning): this test is about ids only.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_no_agents_page_repeats_an_element_id(prefecture, site, service, quality_lead, client_for):
    client = client_for(quality_lead)
    repeated = {}
    for name, kwargs in sorted(_collect_cases(prefecture, site, service).items()):
        response = client.get(reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs}))
        if getattr(response, "file_to_stream", None) is not None:
            response.file_to_stream.close()  # a file served as it is (FileResponse)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        counts = Counter(ID.findall(response.content.decode()))
        twice = sorted(key for key, count in counts.items() if count > 1)
        if twice:
            repeated[name] = twice
    assert repeated == {}

"""The committee's suggestions list costs the same number of queries however many
suggestions and meetings."""

from datetime import date

import pytest
from django.urls import reverse

from tests.committee.factories import CommitteeFactory, MeetingFactory, SuggestionFactory, at

pytestmark = pytest.mark.django_db


def test_the_suggestions_queries_do_not_grow(
    prefecture, quality_lead, client_for, django_assert_max_num_queries
):
    """Each suggestion shows the meeting it is put to and gets its answer form; the form to
    add one lists the meetings: six queries, whatever the suggestions and meetings."""
    client = client_for(quality_lead)
    url = reverse("committee:agents-suggestions", args=[prefecture.slug])
    committee = CommitteeFactory(prefecture=prefecture)
    SuggestionFactory(committee=committee)
    with django_assert_max_num_queries(6) as first:
        client.get(url)
    for n in range(6):
        meeting = MeetingFactory(committee=committee, starts_at=at(date(2025, 4, 1 + n)))
        SuggestionFactory(committee=committee, meeting=meeting)
        SuggestionFactory(committee=committee, author_label=f"Membre {n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["suggestions"]) == 13
    html = response.content.decode()
    assert "(réunion du 06/04/2025)" in html
    assert html.count('name="meeting"') == 1 and html.count("06/04/2025") >= 2

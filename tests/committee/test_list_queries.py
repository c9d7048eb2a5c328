"""The committee's suggestions list costs the same number of queries however many
suggestions and meetings."""

import re
from datetime import date

import pytest
from django.urls import reverse

from engagements.committee.enums import MeetingStatus, MinutesStatus
from engagements.committee.models import Minutes
from engagements.committee.services import minutes as minutes_services
from tests.committee.factories import (
    AgendaItemFactory,
    CommitteeFactory,
    DecisionFactory,
    MeetingFactory,
    MinutesFactory,
    SuggestionFactory,
    at,
)

pytestmark = pytest.mark.django_db


def _published(committee, day, decisions):
    """Approved and published minutes of a meeting on `day` with `decisions` decisions."""
    meeting = MeetingFactory(
        committee=committee, starts_at=at(day), status=MeetingStatus.MINUTES_APPROVED
    )
    item = AgendaItemFactory(meeting=meeting, title="Bilan")
    minutes = MinutesFactory(meeting=meeting)
    DecisionFactory.create_batch(decisions, minutes=minutes, agenda_item=item)
    Minutes.objects.filter(pk=minutes.pk).update(status=MinutesStatus.APPROVED, approved_on=day)
    minutes.refresh_from_db()
    minutes_services.publish_minutes(minutes)
    return minutes


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


def test_the_public_committee_page_s_queries_do_not_grow_with_the_minutes(
    prefecture, client, django_assert_max_num_queries
):
    """The public sees each published record of decisions with its number of decisions,
    counted with the minutes (it was one query per record): the same number of queries
    for one record as for seven."""
    url = reverse("committee:public", args=[prefecture.slug])
    committee = CommitteeFactory(prefecture=prefecture)
    _published(committee, date(2025, 3, 10), decisions=1)
    with django_assert_max_num_queries(5) as first:
        client.get(url)
    for n in range(6):
        _published(committee, date(2025, 4, 1 + n), decisions=2)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["minutes"]) == 7
    counts = re.findall(r"(\d+) décisions?\s", response.content.decode())
    assert sorted(counts) == ["1"] + ["2"] * 6

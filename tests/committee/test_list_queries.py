"""The committee's lists (meetings, members, suggestions, the public page) cost the same
number of queries however many records they show."""

import re
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from engagements.committee.enums import AttendanceStatus, MeetingStatus, MinutesStatus
from engagements.committee.models import MeetingDocument, Minutes
from engagements.committee.services import minutes as minutes_services
from tests.committee.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CollegeFactory,
    CommitteeFactory,
    DecisionFactory,
    MeetingFactory,
    MinutesFactory,
    SeatFactory,
    SuggestionFactory,
    at,
)
from tests.factories import UserFactory

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


def _held(committee, day, *, points, present, excused=1):
    """A held meeting on `day` with its agenda, attendance, an attachment and a decision."""
    meeting = MeetingFactory(committee=committee, starts_at=at(day), held=True)
    items = AgendaItemFactory.create_batch(points, meeting=meeting)
    AttendanceFactory.create_batch(present, meeting=meeting)
    AttendanceFactory.create_batch(excused, meeting=meeting, status=AttendanceStatus.EXCUSED)
    MeetingDocument.objects.create(
        meeting=meeting,
        agenda_item=items[0],
        title="Diaporama",
        name="diaporama.pdf",
        file=ContentFile(b"%PDF-1.4 x", name="x.pdf"),
        content_type="application/pdf",
        size=10,
    )
    DecisionFactory(minutes=MinutesFactory(meeting=meeting), agenda_item=items[0])
    return meeting


def test_the_meetings_queries_do_not_grow(
    prefecture, quality_lead, client_for, django_assert_num_queries
):
    """Each meeting shows its number of points and of members present or represented,
    counted with the meetings: five queries for one meeting as for seven, each with its
    agenda, attendance, attachment and decision."""
    client = client_for(quality_lead)
    url = reverse("committee:agents-meetings", args=[prefecture.slug])
    committee = CommitteeFactory(prefecture=prefecture)
    _held(committee, date(2025, 3, 10), points=1, present=1)
    with django_assert_num_queries(5):
        client.get(url)
    for n in range(6):
        _held(committee, date(2025, 4, 1 + n), points=2 + n, present=3 + n)
    with django_assert_num_queries(5):
        response = client.get(url)
    assert len(response.context["meetings"]) == 7
    html = response.content.decode()
    # The latest meeting first: seven points, eight present (the excused are not counted).
    row = html.split("06/04/2025 14:00</a>")[1].split("</tr>")[0]
    assert [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row)][-2:] == ["7", "8"]


def test_the_members_queries_do_not_grow(
    prefecture, quality_lead, client_for, django_assert_num_queries
):
    """Each seat shows its college and whether its member has an access; each college
    counts its seats in office: six queries for one seat as for twenty-five, of every
    kind (titular, substitute, the organisation's, with an access, ended)."""
    client = client_for(quality_lead)
    url = reverse("committee:agents-members", args=[prefecture.slug]) + "?tous=1"
    committee = CommitteeFactory(prefecture=prefecture)
    SeatFactory(committee=committee)
    with django_assert_num_queries(6):
        client.get(url)
    for n in range(4):
        college = CollegeFactory(committee=committee, name=f"Collège des usagers {n}")
        SeatFactory(committee=committee, college=college)
        SeatFactory(committee=committee, college=college, substitute=True)
        SeatFactory(committee=committee, college=college, organisation_only=True)
        SeatFactory(committee=committee, college=college, user=UserFactory())
        SeatFactory(committee=committee, college=college, user=UserFactory(), substitute=True)
        SeatFactory(committee=committee, college=college, mandate_end=date(2024, 12, 31))
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["seats"]) == 25
    html = response.content.decode()
    assert html.count("Accès ouvert") == 8 and html.count("Suppléant") == 8
    assert html.count("(siège de l'organisme)") == 4
    assert "Collège des usagers 3 : 5 sièges en cours de mandat" in html


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

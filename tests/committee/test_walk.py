"""What a walk through the committee's pages as the référent and as a member found wrong:
buttons that do nothing, counts of a meeting not yet held, a closed observation period
that did not say what comes next, a year said as a bare number."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from engagements.committee.enums import MeetingStatus, MinutesStatus
from engagements.committee.services import meetings
from engagements.indicators.models import Publication, PublishedValue
from engagements.organisation.enums import RoleKind
from tests.committee.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CommitteeFactory,
    MeetingFactory,
    MinutesFactory,
    SeatFactory,
    at,
)
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode()).replace("&#x27;", "'")
    return " ".join(text.split())


def test_the_agenda_offers_no_move_that_goes_nowhere(prefecture, quality_lead, client_for):
    """The first point is not offered "Monter", the last not "Descendre"."""
    meeting = MeetingFactory(committee=CommitteeFactory(prefecture=prefecture))
    for title in ("Premier", "Deuxième", "Dernier"):
        AgendaItemFactory(meeting=meeting, title=title)
    html = client_for(quality_lead).get(
        reverse("committee:agents-meeting", args=[prefecture.slug, meeting.pk])
    )
    html = html.content.decode()
    assert "Monter le point « Premier »" not in html
    assert "Descendre le point « Premier »" in html
    assert "Monter le point « Dernier »" in html
    assert "Descendre le point « Dernier »" not in html
    assert "Monter le point « Deuxième »" in html and "Descendre le point « Deuxième »" in html


@time_machine.travel(datetime(2025, 4, 1, 10, 0, tzinfo=UTC))
def test_the_meetings_list_counts_nobody_before_the_meeting(prefecture, quality_lead, client_for):
    committee = CommitteeFactory(prefecture=prefecture)
    coming = MeetingFactory(committee=committee, starts_at=at(date(2025, 4, 20)))
    held = MeetingFactory(committee=committee, held=True)
    AttendanceFactory(meeting=held)
    AttendanceFactory(meeting=coming, status="invited")
    html = client_for(quality_lead).get(
        reverse("committee:agents-meetings", args=[prefecture.slug])
    )
    rows = re.findall(r"<tr>(.*?)</tr>", html.content.decode(), re.S)
    cells = {
        re.search(r">(\d\d/\d\d/\d{4})", row).group(1): re.findall(r"<td>(.*?)</td>", row)[-1]
        for row in rows
        if re.search(r">(\d\d/\d\d/\d{4})", row)
    }
    assert cells == {"20/04/2025": "—", "10/03/2025": "1"}


def test_a_closed_observation_period_says_when_the_draft_is_approved(prefecture, client_for):
    """The members' space said "close depuis le 27 mars" (the last day included) and not
    what came next: the meeting whose agenda carries the approval."""
    role = RoleFactory(kind=RoleKind.COMMITTEE_MEMBER, prefecture=prefecture)
    committee = CommitteeFactory(prefecture=prefecture)
    SeatFactory(committee=committee, user=role.user)
    draft = MinutesFactory(
        meeting__committee=committee,
        status=MinutesStatus.SENT,
        observations_until=date(2025, 3, 27),
    )
    with time_machine.travel(datetime(2025, 4, 1, 10, 0, tzinfo=UTC)):
        following = meetings.plan_meeting(committee, starts_at=at(date(2025, 4, 14)))
        assert following.agenda.get().approves == draft
        assert following.status == MeetingStatus.PLANNED
        page = _text(
            client_for(role.user).get(reverse("committee:members-space", args=[prefecture.slug]))
        )
    assert (
        "La période d'observations s'est terminée le 27 mars 2025. Le projet sera soumis à "
        "l'approbation du comité lors de sa réunion du 14 avril 2025."
        in page.replace("&#x27;", "'")
    )


def test_a_years_results_are_said_as_a_year(prefecture, quality_lead, client_for):
    role = RoleFactory(kind=RoleKind.COMMITTEE_MEMBER, prefecture=prefecture)
    SeatFactory(committee=CommitteeFactory(prefecture=prefecture), user=role.user)
    publication = Publication.objects.create(
        prefecture=prefecture,
        period_kind="year",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        published_by=quality_lead,
    )
    PublishedValue.objects.create(
        publication=publication,
        code="calls_answered_rate",
        name_fr="Taux de décroché",
        unit="percent",
        frequency="annuelle",
        value=Decimal("85.5"),
        updated_at=publication.published_at,
    )
    page = _text(
        client_for(role.user).get(reverse("committee:members-space", args=[prefecture.slug]))
    )
    assert "Derniers résultats publiés par la préfecture : année 2025, publiés le" in page
    assert "Taux de décroché : 85,5 %" in page


def test_with_observations_the_approval_form_offers_no_approval_without_a_meeting(
    prefecture, quality_lead, client_for
):
    """The form offered "Sans réunion : aucune observation…" next to the observations, a
    choice the approval then refuses."""
    committee = CommitteeFactory(prefecture=prefecture)
    seat = SeatFactory(committee=committee)
    draft = MinutesFactory(
        meeting__committee=committee,
        status=MinutesStatus.SENT,
        observations_until=date(2025, 3, 27),
    )
    url = reverse("committee:agents-minutes", args=[prefecture.slug, draft.meeting_id])
    client = client_for(quality_lead)
    assert "Sans réunion : aucune observation" in client.get(url).content.decode()
    draft.observations.create(seat=seat, author_label=seat.holder, text="Au point 1 : …")
    html = client.get(url).content.decode()
    assert "Sans réunion : aucune observation" not in html
    assert "Choisissez la réunion" in html


def test_a_members_home_lists_the_draft_awaiting_her_observations(prefecture, client_for):
    """A member's home said only "Vos sites et services": the draft sent for her
    observations is listed there until she sends one or the period ends."""
    role = RoleFactory(kind=RoleKind.COMMITTEE_MEMBER, prefecture=prefecture)
    committee = CommitteeFactory(prefecture=prefecture)
    SeatFactory(committee=committee, user=role.user)
    draft = MinutesFactory(
        meeting__committee=committee,
        status=MinutesStatus.SENT,
        observations_until=date(2025, 3, 27),
    )
    client = client_for(role.user)
    home = reverse("organisation:agents-prefecture", args=[prefecture.slug])
    line = "Projet de relevé de la réunion du 10/03/2025 : vos observations jusqu'au 27/03/2025"
    with time_machine.travel(datetime(2025, 3, 20, 10, 0, tzinfo=UTC)):
        assert line in _text(client.get(home))
        draft.observations.create(author=role.user, author_label="Membre", text="Vu.")
        assert line not in _text(client.get(home))
        draft.observations.all().delete()
    with time_machine.travel(datetime(2025, 3, 28, 10, 0, tzinfo=UTC)):
        text = _text(client.get(home))
        assert line not in text
    # Her role gives her no site: the home said so, as if something were wrong.
    assert "Vos sites et services" not in text and "aucun site" not in text

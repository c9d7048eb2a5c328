"""A member whose mandate has ended no longer opens the members' space (drafts, documents,
observations) of that prefecture; a member still seated, or seated elsewhere, keeps his."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from engagements.committee.services import members
from engagements.organisation.enums import RoleKind
from engagements.organisation.models import Role
from tests.committee.factories import CommitteeFactory, SeatFactory
from tests.factories import RoleFactory


def _space(prefecture) -> str:
    return reverse("committee:members-space", args=[prefecture.slug])


@pytest.mark.django_db
@time_machine.travel(date(2026, 3, 10))
def test_an_ended_mandate_closes_the_members_space(prefecture, other_prefecture, client_for):
    committee = CommitteeFactory(prefecture=prefecture)
    seat = SeatFactory(committee=committee)
    members.offer_login(seat)
    seat.refresh_from_db()
    user = seat.user
    # The same person sits on another prefecture's committee too.
    elsewhere = SeatFactory(committee=CommitteeFactory(prefecture=other_prefecture), user=user)
    RoleFactory(user=user, prefecture=other_prefecture, kind=RoleKind.COMMITTEE_MEMBER)
    client = client_for(user)
    assert client.get(_space(prefecture)).status_code == 200

    members.end_mandate(seat, on=date(2026, 3, 31))  # later: still a member today
    assert client.get(_space(prefecture)).status_code == 200
    with time_machine.travel(date(2026, 4, 1)):
        assert members.revoke_ended_access() == 1
    assert client.get(_space(prefecture)).status_code == 404
    assert client.get(_space(other_prefecture)).status_code == 200
    assert elsewhere.user == user


@pytest.mark.django_db
@time_machine.travel(date(2026, 3, 10))
def test_a_mandate_ended_in_the_past_closes_it_at_once(prefecture, client_for):
    committee = CommitteeFactory(prefecture=prefecture)
    seat = SeatFactory(committee=committee)
    renewed = SeatFactory(committee=committee, mandate_start=date(2026, 1, 1))
    members.offer_login(seat)
    seat.refresh_from_db()
    members.end_mandate(seat, on=date(2025, 12, 31))
    assert not Role.objects.filter(user=seat.user, kind=RoleKind.COMMITTEE_MEMBER).exists()
    # A renewed mandate (a new seat) gives the access back.
    renewed.email = seat.email
    renewed.save()
    members.offer_login(renewed)
    assert client_for(seat.user).get(_space(prefecture)).status_code == 200


@pytest.mark.django_db
def test_a_role_given_without_a_seat_stays(prefecture, committee_member):
    assert members.revoke_ended_access() == 0
    assert Role.objects.filter(user=committee_member).exists()

"""A former member's e-mail and login go COMMITTEE_FORMER_MEMBER_RETENTION_MONTHS after her
mandate ended; her name stays with the composition and the minutes, and current members
keep everything (docs/operations.md, "Purging personal data on time")."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from engagements.committee.models import Attendance, Seat
from engagements.committee.services import members
from engagements.organisation.jobs import housekeeping
from engagements.outbox.models import Delivery
from tests.committee.factories import (
    AttendanceFactory,
    CommitteeFactory,
    MinutesFactory,
    SeatFactory,
)

User = get_user_model()


def _mailed(address: str) -> bool:
    """Whether a copy of a mail to `address` is kept (read in Python: SQLite has no JSON
    containment)."""
    return any(address in delivery.to for delivery in Delivery.objects.only("to"))


@pytest.mark.django_db
def test_former_members_contact_details_go_after_the_retention_period(prefecture, settings):
    settings.COMMITTEE_FORMER_MEMBER_RETENTION_MONTHS = 36
    committee = CommitteeFactory(prefecture=prefecture)
    with time_machine.travel(date(2022, 1, 10)):
        former = SeatFactory(committee=committee, mandate_start=date(2020, 1, 1), first_name="Alix")
        members.offer_login(former)  # an account, a role, an invitation mail
        former.refresh_from_db()
        account = former.user
        minutes = MinutesFactory(approved=True, meeting__committee=committee)
        AttendanceFactory(meeting=minutes.meeting, seat=former)
        members.end_mandate(former, on=date(2022, 12, 31))
    current = SeatFactory(committee=committee, mandate_start=date(2024, 1, 1))
    members.offer_login(current)
    current.refresh_from_db()
    recent = SeatFactory(
        committee=committee, mandate_start=date(2020, 1, 1), mandate_end=date(2023, 6, 30)
    )
    assert _mailed(former.email)

    with time_machine.travel(date(2025, 12, 31)):  # 36 months to the day: not yet
        assert members.purge_former_members() == 0
    former.refresh_from_db()
    assert former.email and former.user == account

    with time_machine.travel(date(2026, 1, 1)):
        results = housekeeping()
    assert results["engagements.committee.jobs.purge_former_members"] == 1
    former.refresh_from_db()
    assert (former.email, former.user) == ("", None)
    # The name, organisation and mandate stay: the composition and the minutes need them.
    assert former.person_name == "Alix " + former.last_name
    assert former.mandate_end == date(2022, 12, 31)
    assert not Seat.history.filter(id=former.pk).exclude(email="").exists()
    assert not _mailed(account.email)
    assert not User.objects.filter(pk=account.pk).exists()  # nothing else held the login
    attendance = Attendance.objects.get(meeting=minutes.meeting)
    assert attendance.person_name == former.person_name
    assert minutes.meeting.published_minutes() == minutes

    # A current member, and one whose mandate ended less than 36 months ago, keep theirs.
    current.refresh_from_db()
    recent.refresh_from_db()
    assert current.email and current.user is not None
    assert recent.email
    assert _mailed(current.email)
    # Run again: nothing left to do.
    with time_machine.travel(date(2026, 1, 2)):
        assert members.purge_former_members() == 0


@pytest.mark.django_db
@time_machine.travel(date(2026, 3, 10))
def test_a_login_still_held_elsewhere_stays(prefecture, other_prefecture):
    old = SeatFactory(
        committee=CommitteeFactory(prefecture=prefecture),
        mandate_start=date(2019, 1, 1),
        mandate_end=date(2021, 12, 31),
    )
    members.offer_login(old)
    old.refresh_from_db()
    account = old.user
    # The same person sits on another prefecture's committee today.
    SeatFactory(
        committee=CommitteeFactory(prefecture=other_prefecture), user=account, email=old.email
    )
    assert members.purge_former_members() == 1
    old.refresh_from_db()
    assert (old.email, old.user) == ("", None)
    assert User.objects.filter(pk=account.pk, email=account.email).exists()


@pytest.mark.django_db
@time_machine.travel(date(2026, 3, 10))
def test_an_old_file_imported_again_brings_no_address_back(prefecture):
    """The list of 2019 imported again: the former member's address is not stored again,
    nor is she invited to the members' space; a member still seated is invited."""
    header = "college,organisation,first_name,last_name,email,seat,mandate_start,mandate_end\n"
    lines = [
        "Usagers,Association A,Alix,Ancienne,alix@membres.test,titulaire,2019-01-01,2021-12-31",
        "Usagers,Association B,Noé,Actuel,noe@membres.test,titulaire,2025-01-01,",
    ]
    members.import_members(prefecture, header + "\n".join(lines) + "\n")
    seats = {s.last_name: s for s in Seat.objects.all()}
    assert (seats["Ancienne"].email, seats["Ancienne"].user) == ("", None)
    assert seats["Actuel"].email == "noe@membres.test" and seats["Actuel"].user is not None
    assert list(Delivery.objects.values_list("to", flat=True)) == [["noe@membres.test"]]


def _last_history_line(seat: Seat):
    return Seat.history.filter(id=seat.pk).order_by("-history_date", "-history_id").first()


@pytest.mark.django_db
@time_machine.travel(date(2026, 3, 10))
def test_the_purge_leaves_a_line_in_the_seats_history(prefecture, settings):
    """The seat's history says that the contact details were erased and why, in plain
    French and with no personal data; the earlier lines keep no address either."""
    settings.COMMITTEE_FORMER_MEMBER_RETENTION_MONTHS = 36
    seat = SeatFactory(
        committee=CommitteeFactory(prefecture=prefecture),
        first_name="Alix",
        last_name="Ancienne",
        email="alix.ancienne@membres.test",
        mandate_start=date(2019, 1, 1),
        mandate_end=date(2021, 12, 31),
    )
    assert members.purge_former_members() == 1
    line = _last_history_line(seat)
    assert line.history_change_reason == ("Coordonnées effacées : fin de la durée de conservation")
    assert line.email == "" and line.history_type == "~" and line.history_user is None
    assert "Alix" not in line.history_change_reason and "@" not in line.history_change_reason
    assert not Seat.history.filter(id=seat.pk).exclude(email="").exists()


@pytest.mark.django_db
@time_machine.travel(date(2026, 3, 10))
def test_an_erasure_on_request_leaves_a_line_in_the_seats_history(
    prefecture, quality_lead, client_for
):
    """Erased from the "Données personnelles" page: the line says it was at the person's
    request, and who erased it (the agent), as the seat's history page in the admin shows."""
    seat = SeatFactory(
        committee=CommitteeFactory(prefecture=prefecture),
        email="camille.ancienne@membres.test",
        mandate_start=date(2020, 1, 1),
        mandate_end=date(2025, 12, 31),
    )
    response = client_for(quality_lead).post(
        reverse("organisation:agents-personal-data-erase", args=[prefecture.slug]),
        {
            "email": "camille.ancienne@membres.test",
            "phone": "",
            "reference": "",
            "received_on": "2026-03-09",
            "confirm": "1",
        },
    )
    # The page shows at once what was erased and what was kept.
    assert response.status_code == 200 and "Effacement fait" in response.content.decode()
    seat.refresh_from_db()
    assert seat.email == ""
    line = _last_history_line(seat)
    assert line.history_change_reason == "Coordonnées effacées à la demande de la personne"
    assert line.history_user == quality_lead and line.email == ""

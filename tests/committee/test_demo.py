"""The committee's demo data tells the story the issue asks for."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from engagements.committee.enums import MeetingStatus, MinutesStatus
from engagements.committee.models import Committee, Minutes, Seat
from engagements.committee.queries import yearly_report


@pytest.mark.django_db
def test_demo_committee():
    call_command("seed_demo")
    committee = Committee.objects.get(prefecture__slug="demo")
    assert committee.colleges.count() == 4
    assert 14 <= Seat.objects.filter(committee=committee).count() <= 17
    last = timezone.localdate().year - 1
    report = yearly_report(committee.prefecture, last)
    assert [m["status"] for m in report["meetings"]] == ["published", "published"]
    assert all(m["present"] and m["excused"] and m["decisions"] for m in report["meetings"])
    assert (
        Minutes.objects.filter(meeting__committee=committee, status=MinutesStatus.APPROVED).count()
        == 2
    )
    upcoming = committee.meetings.get(status=MeetingStatus.CONVENED)
    assert upcoming.starts_at > timezone.now()
    assert Seat.objects.get(committee=committee, user__username="clu").organisation.startswith(
        "Union"
    )

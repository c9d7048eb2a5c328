"""The committee's demo data tells the story the issue asks for."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from engagements.committee.enums import MeetingStatus, MinutesStatus
from engagements.committee.models import Committee, MeetingDocument, Minutes, Seat
from engagements.committee.queries import yearly_report
from tests.tooling import pdf_text


@pytest.mark.django_db
def test_demo_committee(client):
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
    # Issue 23.3: the autumn meeting's slides are public with its minutes, the notes are not.
    documents = MeetingDocument.objects.filter(meeting__committee=committee)
    assert sorted(documents.values_list("audience", flat=True)) == ["members", "public"]
    public = documents.get(audience="public")
    page = client.get(reverse("committee:public", args=["demo"])).content.decode()
    assert public.title.replace("'", "&#x27;") in page and "Notes de préparation" not in page
    response = client.get(reverse("committee:public-document", args=["demo", public.pk]))
    assert "Calendrier de l'audit" in pdf_text(response.content)

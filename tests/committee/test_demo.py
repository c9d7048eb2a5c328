"""The committee's demo data tells the story the issue asks for."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from engagements.committee.enums import MeetingStatus, MinutesStatus
from engagements.committee.models import Committee, MeetingDocument, Minutes, Seat
from engagements.committee.queries import audit_date, yearly_report
from engagements.organisation.management.commands.seed_demo import seed_apps
from tests.tooling import pdf_text


@pytest.mark.django_db
def test_demo_committee(client):
    seed_apps(only=("committee",))
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


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
def test_demo_committee_dates_are_plausible():
    """Last year's minutes were published a few days after their approval, not on the day
    the demo was loaded; the meetings' history is dated as it happened; the next audit is
    ahead (in December too, after the fixed autumn date the demo once gave)."""
    seed_apps(only=("committee",))
    today = timezone.localdate()
    committee = Committee.objects.get(prefecture__slug="demo")
    published = Minutes.objects.filter(meeting__committee=committee, published_at__isnull=False)
    assert published.count() == 2
    for minutes in published:
        day = timezone.localtime(minutes.published_at).date()
        assert minutes.meeting.day < minutes.approved_on < day <= minutes.approved_on + timedelta(7)
        assert day < today - timedelta(days=7)
        logged = {
            row.to_status: timezone.localtime(row.at).date() for row in minutes.meeting.log.all()
        }
        assert logged[MeetingStatus.PUBLISHED] == day
        assert logged[MeetingStatus.HELD] == minutes.meeting.day
        assert all(at < today for at in logged.values())
    assert committee.planned_audit_date > today
    assert audit_date(committee) > today
    upcoming = committee.meetings.get(status=MeetingStatus.CONVENED)
    assert today < upcoming.day < audit_date(committee)  # the committee meets before it


@pytest.mark.django_db
@pytest.mark.parametrize(
    "seeded_on",
    [
        datetime(2026, 12, 7, 10, 0, tzinfo=UTC),  # late in the year: next meeting in 10 days
        datetime(2026, 2, 10, 10, 0, tzinfo=UTC),  # early: a meeting two weeks ago
        datetime(2026, 1, 5, 10, 0, tzinfo=UTC),  # the year just began: none yet
    ],
)
def test_demo_invitations_leave_on_their_day_and_the_committee_met_this_year(client, seeded_on):
    """An invitation is sent the day the committee's delay says (15 days before), never
    the day the demo was loaded; the committee met earlier this year (unless the year just
    began, when its next meeting is this year), so the quality lead's home does not warn."""
    with time_machine.travel(seeded_on, tick=False):
        seed_apps(only=("committee",))
        today = timezone.localdate()
        committee = Committee.objects.get(prefecture__slug="demo")
        delay = timedelta(days=committee.invitation_days)
        for meeting in committee.meetings.all():
            due = meeting.day - delay
            if due <= today:
                sent = timezone.localtime(meeting.invitation_sent_at).date()
                assert sent == due, meeting
                logged = meeting.log.get(to_status=MeetingStatus.CONVENED).at
                assert timezone.localtime(logged).date() == due
            else:
                assert meeting.status == MeetingStatus.PLANNED, meeting
                assert meeting.invitation_sent_at is None
        upcoming = committee.meetings.get(starts_at__gt=timezone.now())
        assert upcoming.status == MeetingStatus.CONVENED
        this_year = committee.meetings.filter(
            starts_at__year=today.year, starts_at__lt=timezone.now()
        )
        client.force_login(get_user_model().objects.get(username="qualite"))
        home = client.get(reverse("organisation:agents-prefecture", args=["demo"]))
        assert "Aucune réunion du comité local des usagers cette année" not in (
            home.content.decode()
        )
        if today.month == 1 and today.day < 20:
            assert not this_year.exists() and upcoming.day.year == today.year
            return
        met = this_year.get()
        assert met.status == MeetingStatus.MINUTES_DRAFTED
        draft = met.current_minutes()
        assert draft.status == MinutesStatus.SENT
        sent_on = timezone.localtime(draft.sent_at).date()
        assert met.day < sent_on <= today and draft.observations_until > sent_on
        # Its approval opens the next meeting's agenda; a member made an observation.
        assert upcoming.agenda.first().approves == draft
        assert draft.observations.get().seat.user.username == "clu"
        # The 2025 minutes stay as they were.
        last = yearly_report(committee.prefecture, today.year - 1)
        assert [m["status"] for m in last["meetings"]] == ["published", "published"]

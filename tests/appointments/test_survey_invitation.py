"""Issue 6's hook: marking a booking "attended" invites the person to the running survey."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.appointments import services
from engagements.appointments.enums import BookingStatus
from engagements.appointments.models import Booking, Procedure
from engagements.surveys.models import Invitation
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(service):
    return CampaignFactory(site=service.site, services=[service])


def _today_booking(service, **procedure):
    start = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    slot = SlotFactory(procedure=ProcedureFactory(service=service, **procedure), starts_at=start)
    return BookingFactory(slot=slot, email="venue@usager.test", language="en")


def test_attended_sends_the_survey_invitation_once(
    client_for, agent, prefecture, service, campaign, mailoutbox, django_capture_on_commit_callbacks
):
    booking = _today_booking(service)
    client = client_for(agent)
    url = reverse("appointments:agents-booking-status", args=[prefecture.slug, booking.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"status": "attended"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED
    [invitation] = Invitation.objects.all()
    assert invitation.campaign == campaign and invitation.service == service
    assert invitation.language == "en"
    assert [m.to for m in mailoutbox] == [["venue@usager.test"]]
    # A correction (no-show, then attended again) does not invite a second time.
    begun = booking.slot.starts_at + timezone.timedelta(minutes=1)
    with time_machine.travel(begun), django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"status": "no_show"})
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.NO_SHOW
        client.post(url, {"status": "attended"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED
    assert Invitation.objects.count() == 1 and len(mailoutbox) == 1


def test_nothing_is_sent_when_the_procedure_flag_is_off(
    agent, service, campaign, mailoutbox, django_capture_on_commit_callbacks
):
    booking = _today_booking(service, survey_invitation=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_attendance(booking, BookingStatus.ATTENDED, actor=agent)
    assert Invitation.objects.count() == 0 and mailoutbox == []


def test_nothing_is_sent_for_late_no_show_or_without_email(
    agent, service, campaign, mailoutbox, django_capture_on_commit_callbacks
):
    late = _today_booking(service)
    without_email = BookingFactory(
        slot=late.slot.procedure.slots.create(
            starts_at=late.slot.starts_at - timezone.timedelta(minutes=30),
            ends_at=late.slot.starts_at - timezone.timedelta(minutes=15),
            capacity=1,
        ),
        email="",
        procedure=late.procedure,
    )
    begun = late.slot.starts_at + timezone.timedelta(minutes=1)
    with time_machine.travel(begun), django_capture_on_commit_callbacks(execute=True):
        services.record_attendance(late, BookingStatus.NO_SHOW, actor=agent)
        services.record_attendance(without_email, BookingStatus.ATTENDED, actor=agent)
    assert Invitation.objects.count() == 0 and mailoutbox == []


def test_no_running_campaign_no_invitation(
    agent, service, mailoutbox, django_capture_on_commit_callbacks
):
    CampaignFactory(site=service.site, services=[service], finished=True)
    booking = _today_booking(service)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_attendance(booking, BookingStatus.ATTENDED, actor=agent)
    assert Invitation.objects.count() == 0 and mailoutbox == []
    assert Procedure.objects.get().survey_invitation  # on by default


def test_the_flag_is_in_the_procedure_settings_screen(
    client_for, quality_lead, prefecture, service
):
    procedure = ProcedureFactory(service=service)
    client = client_for(quality_lead)
    url = reverse("appointments:agents-procedure", args=[prefecture.slug, procedure.pk])
    html = client.get(url).content.decode()
    assert 'name="survey_invitation"' in html and "enquête de satisfaction" in html
    assert (
        'name="survey_invitation" checked' in html
        or "checked" in html.split('name="survey_invitation"')[1].split(">")[0]
    )

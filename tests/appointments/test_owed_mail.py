"""A booking's confirmation mail is owed by the booking's own write and written by the
outbox worker: the same mail, in the person's language, as one written at once."""

import pytest
from django.db import transaction
from django_q.models import OrmQ

from engagements.appointments import notifications, services
from engagements.appointments.enums import Channel
from engagements.appointments.models import Booking, Slot
from engagements.outbox import services as outbox
from engagements.outbox.enums import Status
from engagements.outbox.models import Delivery
from tests.appointments import test_api
from tests.appointments.factories import ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db
token, api, payload = test_api.token, test_api.api, test_api.payload  # the API's fixtures


def _written_at_once(booking, template):
    """The mail as the booking wrote it before (rendered in its transaction), not sent."""
    with transaction.atomic():
        delivery = notifications.queue_booking_mail(booking, template)
        Delivery.objects.filter(pk=delivery.pk).delete()
    return delivery


@pytest.mark.parametrize(("channel", "language"), [("api", "fr"), ("online", "uk")])
def test_the_mail_the_worker_writes_is_the_one_written_at_once(
    service, settings, mailoutbox, channel, language
):
    settings.OUTBOX_DELIVER_AT_COMMIT = False
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure)
    person = services.Person("Olena", "Kovalenko", email="olena@usager.test")
    booking = services.book_slot(slot, person, channel=channel, language=language)
    template = "confirmed" if channel == Channel.API else "hold"
    owed = Delivery.objects.get(record_id=booking.pk)
    assert (owed.template, owed.body, owed.language) == (
        f"appointments/mail/{template}",
        "",
        language,
    )
    assert mailoutbox == [] and OrmQ.objects.count() == 0

    assert outbox.work(once=True) == 1
    [mail] = mailoutbox
    expected = _written_at_once(Booking.objects.get(pk=booking.pk), template)
    assert mail.subject == expected.subject
    assert mail.body == expected.body
    assert [a.content for a in mail.alternatives] == ([expected.html] if expected.html else [])
    assert mail.to == ["olena@usager.test"]
    # The confirmation gives the reference; the hold mail, the link to confirm.
    assert (booking.reference if channel == Channel.API else booking.token) in mail.body
    owed.refresh_from_db()
    assert owed.status == Status.SENT and owed.body == expected.body


def test_an_api_booking_mails_promptly_after_commit_in_tests(
    api, service, mailoutbox, django_capture_on_commit_callbacks
):
    """With OUTBOX_DELIVER_AT_COMMIT (the tests' setting) the mail is sent right after the
    booking's commit, by the writing process."""
    slot = SlotFactory(procedure=ProcedureFactory(service=service))
    with django_capture_on_commit_callbacks(execute=True):
        response = api("post", "/bookings", data=payload(slot))
        assert mailoutbox == []
    assert response.status_code == 201, response.content
    [mail] = mailoutbox
    assert response.json()["reference"] in mail.body
    assert Delivery.objects.get().status == Status.SENT


def test_a_duplicate_owes_no_mail(api, service, settings):
    settings.OUTBOX_DELIVER_AT_COMMIT = False
    slot = SlotFactory(procedure=ProcedureFactory(service=service, capacity=5))
    assert api("post", "/bookings", data=payload(slot)).status_code == 201
    again = api("post", "/bookings", data=payload(slot))
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    assert Booking.objects.count() == 1 and Delivery.objects.count() == 1
    assert Slot.objects.get(pk=slot.pk).booked == 1

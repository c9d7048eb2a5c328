"""A person offered a slot from the waiting list who no longer needs it says so on the
offer's page: the seat kept for him goes to the next person at once, instead of staying
kept for nobody for 24 hours (there was no way off the list)."""

import html

import pytest
from django.urls import reverse

from engagements.appointments import services
from tests.appointments.factories import BookingFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _offered(slot):
    procedure = slot.procedure
    first = services.join_waitlist(procedure, first_name="A", last_name="Un", email="un@u.test")
    second = services.join_waitlist(procedure, first_name="B", last_name="De", email="de@u.test")
    assert services.offer_freed_slots() == 1
    first.refresh_from_db()
    assert first.status == "offered" and first.holds_seat
    return first, second


@pytest.mark.parametrize(
    ("prefix", "said"),
    [
        ("", "Vous avez quitté la liste d'attente"),
        ("/en", "You have left the waiting list"),
    ],
)
def test_leaving_from_the_offer_gives_the_seat_to_the_next_person_at_once(
    client, prefix, said, django_capture_on_commit_callbacks, mailoutbox
):
    slot = SlotFactory(procedure__capacity=2)
    BookingFactory(slot=slot)  # one seat of two taken
    with django_capture_on_commit_callbacks(execute=True):
        first, second = _offered(slot)
    url = prefix + reverse("appointments:offer", args=[first.token])
    page = client.get(url).content.decode()
    assert 'name="leave"' in page
    response = client.post(url, {"leave": "1"}, follow=True)
    page = html.unescape(response.content.decode())
    assert said in page and 'name="leave"' not in page
    first.refresh_from_db()
    slot.refresh_from_db()
    assert first.status == "left" and not first.holds_seat
    assert slot.booked == 1  # the kept seat is free again
    # The next sweep offers it to the next person, the same minute.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.offer_freed_slots() == 1
    second.refresh_from_db()
    slot.refresh_from_db()
    assert second.status == "offered" and second.offered_slot == slot and slot.booked == 2
    assert [m.to for m in mailoutbox] == [["un@u.test"], ["de@u.test"]]
    assert "Vous n'en avez plus besoin ? Dites-le sur la même page" in mailoutbox[0].body
    # Leaving twice frees nothing more; the page still says he left.
    assert services.leave_waitlist(first) is False
    slot.refresh_from_db()
    assert slot.booked == 2
    assert said in html.unescape(client.get(url).content.decode())


def test_an_offer_taken_cannot_be_left():
    slot = SlotFactory(procedure__capacity=2)
    BookingFactory(slot=slot)
    first, _second = _offered(slot)
    services.accept_offer(first, services.Person("A", "Un"))
    assert services.leave_waitlist(first) is False
    first.refresh_from_db()
    slot.refresh_from_db()
    assert first.status == "booked" and slot.booked == 2

"""The week's days that show no slot say why: a past day "Jour passé", today once its
slots have all begun "Plus de créneau aujourd'hui"; "Aucun créneau" is kept for a day when
none were opened. Every such day said "Aucun créneau", as if the service were closed."""

import re
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.appointments.test_public import _accept

pytestmark = pytest.mark.django_db

WEEK = "2026-12-07"  # Monday 7 to Sunday 13 December 2026
WORDS = {
    "fr": {"past": "Jour passé", "over": "Plus de créneau aujourd'hui", "none": "Aucun créneau"},
    "en": {"past": "Past day", "over": "No more slots today", "none": "No slots"},
}


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 12, day, hour, minute))


@pytest.fixture
def procedure(service):
    """Slots on Monday 7 at 10:00, Wednesday 9 at 10:00 and 11:00, Thursday 10 at 10:00;
    none on Tuesday 8 and Friday 11."""
    procedure = ProcedureFactory(service=service, capacity=2, closes_hours_before=0)
    for day, hour in ((7, 10), (9, 10), (9, 11), (10, 10)):
        SlotFactory(procedure=procedure, starts_at=_at(day, hour))
    return procedure


def _days(html: str) -> dict[int, str]:
    """Each day's column under its heading, by day of the month, as text without tags."""
    sections = re.findall(r'aria-labelledby="day-202612(\d\d)">.*?</h3>(.*?)</section>', html, re.S)
    return {int(day): " ".join(re.sub(r"<[^>]+>", " ", body).split()) for day, body in sections}


def _slots_page(client, procedure, language):
    prefix = "" if language == "fr" else f"/{language}"
    client.post(prefix + reverse("appointments:terms", args=[procedure.pk]), {"accept": "on"})
    url = prefix + reverse("appointments:slots", args=[procedure.pk])
    return _days(client.get(url, {"semaine": WEEK}).content.decode())


def _move_page(client, booking, language):
    prefix = "" if language == "fr" else f"/{language}"
    url = prefix + reverse("appointments:reschedule", args=[booking.token])
    return _days(client.get(url, {"semaine": WEEK}).content.decode())


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_booking_week_says_which_days_are_past_and_when_today_is_over(
    language, client, procedure
):
    words = WORDS[language]
    _accept(client, procedure)
    with time_machine.travel(_at(9, 16), tick=False):  # Wednesday, 16:00
        days = _slots_page(client, procedure, language)
    assert days[7] == days[8] == words["past"]
    assert days[9] == words["over"]
    assert "10:00" in days[10] and words["none"] not in days[10]
    assert days[11] == words["none"]  # a day with no slot opened says so
    assert 12 not in days and 13 not in days  # the weekend, without slots, is left out

    # Before 11:00 today still shows what is left of it.
    with time_machine.travel(_at(9, 10, 30), tick=False):
        days = _slots_page(client, procedure, language)
    assert "11:00" in days[9] and words["over"] not in days[9]
    assert "10:00" not in days[9]


def test_today_without_any_slot_opened_still_says_none(client, procedure):
    """Friday had no slot: on Friday it says "Aucun créneau", not "Plus de créneau
    aujourd'hui"."""
    with time_machine.travel(_at(11, 9), tick=False):
        _accept(client, procedure)
        days = _slots_page(client, procedure, "fr")
    assert days[10] == "Jour passé" and days[11] == "Aucun créneau"


def test_the_day_changes_at_midnight_in_the_prefecture_s_time(client, procedure):
    """At 00:30 in Paris (23:30 UTC the day before), Wednesday is past and Thursday's
    10:00 is still there."""
    with time_machine.travel("2026-12-09 23:30 +00:00", tick=False):
        _accept(client, procedure)
        days = _slots_page(client, procedure, "fr")
    assert days[9] == "Jour passé"
    assert "10:00" in days[10] and "Plus de créneau" not in days[10]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_move_page_says_which_days_are_past_and_when_today_is_over(language, client, procedure):
    slot = procedure.slots.get(starts_at=_at(10, 10))
    booking = BookingFactory(slot=slot, language=language)
    words = WORDS[language]
    with time_machine.travel(_at(9, 16), tick=False):  # Wednesday, 16:00
        days = _move_page(client, booking, language)
    assert days[7] == days[8] == words["past"]
    assert days[9] == words["over"]
    assert "10:00" in days[10]  # her own appointment
    assert days[11] == words["none"]

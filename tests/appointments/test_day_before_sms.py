"""The day-before SMS carries a short confirm/cancel link under the no-show policy."""

import json
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.appointments import services
from engagements.appointments.enums import BookingStatus
from tests.appointments.factories import BookingFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 10, 10, 0)
DAY_BEFORE = datetime(2026, 12, 9, 9, 0)


def _sms(settings, tmp_path, **booking):
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    booking = BookingFactory(slot__starts_at=timezone.make_aware(START), **booking)
    with time_machine.travel(timezone.make_aware(DAY_BEFORE), tick=False):
        assert services.send_reminders()["sms"] == 1
    [line] = (tmp_path / "sms.log").read_text().splitlines()
    return booking, json.loads(line)["text"]


def _path(text: str) -> str:
    url = next(word for word in text.split() if word.startswith("http"))
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_sms_under_the_policy_carries_the_short_confirmation_link(settings, tmp_path, client):
    booking, text = _sms(settings, tmp_path, needs_day_before_confirmation=True, phone="0611")
    short = reverse("appointments:short", args=[booking.short_code])
    assert short in text and "Confirmez votre venue" in text and booking.reference in text
    assert booking.token not in text and len(short) < 40
    # The link opens the confirmation page; the GET changes nothing, the button confirms.
    response = client.get(_path(text), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "appointments:day-before", args=[booking.token]
    )
    assert "Je viendrai" in response.content.decode()
    booking.refresh_from_db()
    assert booking.day_before_confirmed_at is None
    client.post(reverse("appointments:day-before", args=[booking.token]))
    booking.refresh_from_db()
    assert booking.day_before_confirmed_at is not None
    # Once confirmed, the same link leads to the booking page (cancel stays possible).
    response = client.get(_path(text))
    assert response["Location"] == reverse("appointments:manage", args=[booking.token])


def test_sms_without_the_policy_links_to_the_booking_page(settings, tmp_path, client):
    booking, text = _sms(settings, tmp_path, phone="0611")
    assert "Confirmez" not in text and "Annuler" in text
    assert reverse("appointments:short", args=[booking.short_code]) in text
    response = client.get(_path(text))
    assert response["Location"] == reverse("appointments:manage", args=[booking.token])


def test_sms_in_english_for_an_english_booking(settings, tmp_path):
    booking, text = _sms(
        settings, tmp_path, needs_day_before_confirmation=True, phone="0611", language="en"
    )
    assert "/en/rendez-vous/v/" in text and "Confirm" in text and "Rappel" not in text


def test_the_short_link_needs_the_exact_code_and_an_unpurged_booking(client):
    booking = BookingFactory()
    code = booking.short_code
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    assert client.get(reverse("appointments:short", args=[wrong])).status_code == 404
    assert client.get(reverse("appointments:short", args=[code[:-1]])).status_code == 404
    assert client.get(reverse("appointments:short", args=[booking.token])).status_code == 404
    assert client.get(reverse("appointments:short", args=[code])).status_code == 302
    booking.purged_at = timezone.now()
    booking.save(update_fields=["purged_at"])
    assert client.get(reverse("appointments:short", args=[code])).status_code == 404


def test_the_reminder_mail_asks_for_confirmation_only_under_the_policy(mailoutbox):
    watched = BookingFactory(slot__starts_at=timezone.make_aware(START))
    watched.needs_day_before_confirmation = True
    watched.save(update_fields=["needs_day_before_confirmation"])
    free = BookingFactory(slot__starts_at=timezone.make_aware(START.replace(hour=11)))
    with time_machine.travel(timezone.make_aware(datetime(2026, 12, 8, 9, 0)), tick=False):
        assert services.send_reminders()["email"] == 2
    bodies = {m.to[0]: m.body for m in mailoutbox}
    day_before = reverse("appointments:day-before", args=[watched.token])
    assert day_before in bodies[watched.email] and "Confirmez votre venue" in bodies[watched.email]
    assert "Confirmez votre venue" not in bodies[free.email]
    assert free.status == BookingStatus.CONFIRMED

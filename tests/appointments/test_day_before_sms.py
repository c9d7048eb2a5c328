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
DAY_BEFORE = datetime(2026, 12, 9, 10, 5)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


def _sms(settings, tmp_path, run_on_commit, **booking):
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    booking = BookingFactory(slot__starts_at=timezone.make_aware(START), **booking)
    with time_machine.travel(timezone.make_aware(DAY_BEFORE), tick=False):
        assert run_on_commit(services.send_reminders)["sms"] == 1
    [line] = (tmp_path / "sms.log").read_text().splitlines()
    return booking, json.loads(line)["text"]


def _path(text: str) -> str:
    url = next(word for word in text.split() if word.startswith("http"))
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_sms_under_the_policy_carries_the_short_confirmation_link(
    settings, tmp_path, client, run_on_commit
):
    booking, text = _sms(
        settings, tmp_path, run_on_commit, needs_day_before_confirmation=True, phone="0611"
    )
    short = reverse("appointments:short", args=[booking.short_code])
    # ("Confirmez-le": the whole wording, "Confirmez votre venue…", took 2 messages.)
    assert short in text and "Confirmez-le" in text and booking.reference in text
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


def test_sms_without_the_policy_links_to_the_booking_page(
    settings, tmp_path, client, run_on_commit
):
    booking, text = _sms(settings, tmp_path, run_on_commit, phone="0611")
    assert "Confirmez" not in text and "Annuler" in text
    assert reverse("appointments:short", args=[booking.short_code]) in text
    response = client.get(_path(text))
    assert response["Location"] == reverse("appointments:manage", args=[booking.token])


def test_sms_in_english_for_an_english_booking(settings, tmp_path, run_on_commit):
    booking, text = _sms(
        settings,
        tmp_path,
        run_on_commit,
        needs_day_before_confirmation=True,
        phone="0611",
        language="en",
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


def test_the_day_before_sms_waits_for_the_morning(settings, tmp_path, run_on_commit):
    """Not at midnight: the SMS sweep takes tomorrow's bookings from 10:00 only, and an SMS
    queued in the evening (a booking made late) is held by the quiet hours until 09:00."""
    from engagements.outbox.services import deliver_due

    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    BookingFactory(slot__starts_at=timezone.make_aware(START), phone="0611")
    for hour, minute in [(0, 5), (6, 0), (9, 50)]:
        with time_machine.travel(timezone.make_aware(DAY_BEFORE.replace(hour=hour, minute=minute))):
            assert run_on_commit(services.send_reminders)["sms"] == 0
    assert not (tmp_path / "sms.log").exists()

    late = BookingFactory(slot__starts_at=timezone.make_aware(START.replace(hour=11)), phone="07")
    evening = timezone.make_aware(DAY_BEFORE.replace(hour=21, minute=0))
    with time_machine.travel(evening, tick=False):
        assert run_on_commit(services.send_reminders)["sms"] == 2
    assert not (tmp_path / "sms.log").exists()  # quiet hours
    with time_machine.travel(evening.replace(day=10, hour=8, minute=59), tick=False):
        assert deliver_due() == 0
    with time_machine.travel(evening.replace(day=10, hour=9, minute=0), tick=False):
        assert deliver_due() == 2
    lines = (tmp_path / "sms.log").read_text().splitlines()
    assert len(lines) == 2 and any(late.reference in line for line in lines)


def test_the_reminder_mail_asks_for_confirmation_only_under_the_policy(
    mailoutbox, django_capture_on_commit_callbacks
):
    watched = BookingFactory(slot__starts_at=timezone.make_aware(START))
    watched.needs_day_before_confirmation = True
    watched.save(update_fields=["needs_day_before_confirmation"])
    free = BookingFactory(slot__starts_at=timezone.make_aware(START.replace(hour=11)))
    with time_machine.travel(timezone.make_aware(datetime(2026, 12, 8, 9, 0)), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_reminders()["email"] == 2
    bodies = {m.to[0]: m.body for m in mailoutbox}
    day_before = reverse("appointments:day-before", args=[watched.token])
    assert day_before in bodies[watched.email] and "Confirmez votre venue" in bodies[watched.email]
    assert "Confirmez votre venue" not in bodies[free.email]
    assert free.status == BookingStatus.CONFIRMED


def test_the_reminder_fits_one_sms_with_a_dash_in_the_site_s_name(
    settings, tmp_path, run_on_commit
):
    """A site named "Préfecture — Lysville" (as the demo's) sent the whole reminder as
    UCS-2, 70 characters a message: two messages billed, three with the confirmation.
    The dash is written plain; the accents stay."""
    from engagements.sms import is_gsm

    booking, text = _sms(
        settings,
        tmp_path,
        run_on_commit,
        phone="0611",
        slot__procedure__service__site__name="Préfecture — Lysville",
    )
    assert "décembre 2026, 10:00, Préfecture - Lysville (" in text
    assert is_gsm(text) and len(text) <= 160

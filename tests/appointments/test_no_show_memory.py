"""The no-show policy looks back 6 months; personal details go after 3: keyed hashes bridge it."""

import hashlib
import hmac
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from engagements.appointments import services
from engagements.appointments.models import Booking, identity_hash
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _no_shows(procedure, start, *, email="absent@usager.test", phone="06 11 22 33 44"):
    return [
        BookingFactory(
            slot=SlotFactory(procedure=procedure, starts_at=start - timedelta(days=days)),
            no_show=True,
            email=email,
            phone=phone,
        )
        for days in (10, 20)
    ]


def test_policy_still_recognises_the_person_after_the_purge():
    start = timezone.now()
    lenient = ProcedureFactory()
    strict = ProcedureFactory(strict_no_shows=True, no_show_wait_weeks=20, service=lenient.service)
    absences = _no_shows(lenient, start)
    # 100 days later: past the 3-month retention, within the 182-day look-back.
    with time_machine.travel(start + timedelta(days=100), tick=False):
        assert services.purge_personal_data() == 2
        for booking in absences:
            booking.refresh_from_db()
            assert booking.purged_at and booking.email == "" and booking.phone == ""
            assert booking.email_key == "" and booking.phone_key == ""
            assert booking.email_hash == identity_hash("email", "absent@usager.test")
            assert booking.phone_hash == identity_hash("phone", "0611223344")
        # Another spelling of the same address, no phone: asked to confirm the day before.
        booking = services.book_slot(
            SlotFactory(procedure=lenient), services.Person("A", "B", email=" ABSENT@usager.test")
        )
        assert booking.needs_day_before_confirmation
        # Only the same phone number (another address): the strict procedure refuses.
        with pytest.raises(services.BookingError) as error:
            services.book_slot(
                SlotFactory(procedure=strict),
                services.Person("A", "B", email="autre@usager.test", phone="+33 6 11 22 33 44"),
            )
        assert error.value.code == "no_show"
        # Someone else is not concerned.
        other = services.book_slot(
            SlotFactory(procedure=lenient, starts_at=booking.slot.starts_at + timedelta(hours=1)),
            services.Person("C", "D", email="quelquun@usager.test"),
        )
        assert not other.needs_day_before_confirmation
    # Past the look-back period, the absences no longer count.
    with time_machine.travel(start + timedelta(days=200), tick=False):
        later = services.book_slot(
            SlotFactory(procedure=strict), services.Person("A", "B", email="absent@usager.test")
        )
        assert not later.needs_day_before_confirmation


def test_the_hash_is_keyed_and_not_the_clear_identity():
    booking = BookingFactory(email="Lea@Usager.test", phone="", foreign_number="")
    plain = hashlib.sha256(b"lea@usager.test").hexdigest()
    assert booking.email_hash not in ("", plain) and "lea" not in booking.email_hash
    expected = hmac.new(
        settings.SECRET_KEY.encode(),
        b"appointments-identity:email:lea@usager.test",
        hashlib.sha256,
    ).hexdigest()
    assert booking.email_hash == expected
    assert booking.phone_hash == "" and booking.foreign_number_hash == ""
    with override_settings(SECRET_KEY="une-autre-cle-" + "x" * 40):
        assert identity_hash("email", "lea@usager.test") != booking.email_hash
    # Stored by the services too (not only by the factory's hook).
    made = services.book_slot(SlotFactory(), services.Person("A", "B", email="x@usager.test"))
    assert Booking.objects.get(pk=made.pk).email_hash == identity_hash("email", "x@usager.test")


def test_hashes_are_kept_only_for_no_shows_and_only_for_the_look_back():
    start = timezone.now()
    procedure = ProcedureFactory()  # look-back: 182 days
    absent = BookingFactory(
        slot=SlotFactory(procedure=procedure, starts_at=start - timedelta(days=10)),
        no_show=True,
    )
    came = BookingFactory(
        slot=SlotFactory(procedure=procedure, starts_at=start - timedelta(days=11)),
        attended=True,
    )
    with time_machine.travel(start + timedelta(days=100), tick=False):
        assert services.purge_personal_data() == 2
    absent.refresh_from_db()
    came.refresh_from_db()
    assert absent.email_hash and absent.phone_hash
    assert (came.email_hash, came.phone_hash, came.foreign_number_hash) == ("", "", "")
    # Past the longest look-back, the no-show's hashes go too.
    with time_machine.travel(start + timedelta(days=170), tick=False):
        services.purge_personal_data()
        absent.refresh_from_db()
        assert absent.email_hash
    with time_machine.travel(start + timedelta(days=200), tick=False):
        services.purge_personal_data()
    absent.refresh_from_db()
    assert (absent.email_hash, absent.phone_hash) == ("", "")

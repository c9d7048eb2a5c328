"""Booking rules through the services (SQLite or PostgreSQL)."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from engagements.appointments import services
from engagements.appointments.enums import BookingStatus, Channel
from engagements.appointments.models import Booking, BookingLog, Slot
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db


def person(n: int = 1, **kwargs) -> services.Person:
    return services.Person(
        first_name="Léa", last_name=f"Martin{n}", email=f"lea{n}@usager.test", **kwargs
    )


def test_online_booking_is_held_then_confirmed(mailoutbox, django_capture_on_commit_callbacks):
    slot = SlotFactory()
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.book_slot(slot, person())
    slot.refresh_from_db()
    assert (booking.status, slot.booked) == (BookingStatus.HELD, 1)
    assert booking.hold_expires_at - booking.created_at == timedelta(minutes=15)
    assert "/rendez-vous/confirmer/" + booking.token in mailoutbox[0].body
    assert "Passeport" not in mailoutbox[0].body  # documents come with the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_booking(booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert "Passeport" in mailoutbox[1].body and booking.token in mailoutbox[1].body
    assert list(booking.logs.values_list("to_status", flat=True)) == ["held", "confirmed"]


def test_a_full_slot_refuses_and_the_counter_never_passes_capacity():
    slot = SlotFactory(procedure__capacity=2)
    services.book_slot(slot, person(1))
    services.book_slot(slot, person(2))
    with pytest.raises(services.BookingError) as error:
        services.book_slot(slot, person(3))
    assert error.value.code == "full"
    assert Slot.objects.get(pk=slot.pk).booked == 2
    with pytest.raises(IntegrityError):
        Slot.objects.filter(pk=slot.pk).update(booked=3)  # the database says no as well


def test_expired_holds_are_freed_lazily_and_by_the_sweep():
    slot = SlotFactory()
    stale = BookingFactory(slot=slot, stale_hold=True)
    # Lazily: a new person finds the slot free although the counter said full.
    booking = services.book_slot(slot, person(9))
    stale.refresh_from_db()
    assert stale.status == BookingStatus.EXPIRED and booking.status == BookingStatus.HELD
    assert Slot.objects.get(pk=slot.pk).booked == 1
    # The sweep: 16 minutes later nobody confirmed.
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert services.sweep_expired_holds() == 1
        assert services.sweep_expired_holds() == 0
        with pytest.raises(services.BookingError) as error:
            services.confirm_booking(booking)
        assert error.value.code == "expired"
    assert Slot.objects.get(pk=slot.pk).booked == 0


@pytest.mark.parametrize(
    "same",
    [
        {"email": " LEA1@Usager.TEST "},
        {"email": "autre@usager.test", "phone": "+33 6 11 22 33 44"},
        {"email": "autre@usager.test", "foreign_number": "07-5012 3456"},
    ],
)
def test_one_active_booking_per_person_and_procedure(
    same, mailoutbox, django_capture_on_commit_callbacks
):
    procedure = ProcedureFactory(capacity=5)
    first = services.book_slot(
        SlotFactory(procedure=procedure),
        person(1, phone="06 11 22 33 44", foreign_number="0750123456"),
    )
    other_slot = SlotFactory(
        procedure=procedure, starts_at=first.slot.starts_at + timedelta(hours=1)
    )
    with pytest.raises(services.BookingError) as error:
        services.book_slot(other_slot, services.Person("Léa", "Martin", **same))
    assert error.value.code == "duplicate" and error.value.existing == first
    assert Slot.objects.get(pk=other_slot.pk).booked == 0
    # Another procedure is fine; so is the same one once the first is cancelled.
    services.book_slot(SlotFactory(), services.Person("Léa", "Martin", **same))
    services.cancel_booking(first)
    services.book_slot(other_slot, services.Person("Léa", "Martin", **same))


def test_the_partial_unique_constraint_backs_the_duplicate_rule():
    booking = BookingFactory()
    clone = Booking(
        procedure=booking.procedure,
        slot=booking.slot,
        status=BookingStatus.HELD,
        channel=Channel.ONLINE,
        first_name="X",
        last_name="Y",
        email=booking.email.upper(),
    )
    clone.set_identity_keys()
    with pytest.raises(IntegrityError):
        clone.save()


def test_cancel_frees_the_seat_and_illegal_transitions_raise():
    booking = BookingFactory()
    services.cancel_booking(booking)
    assert Slot.objects.get(pk=booking.slot_id).booked == 0
    with pytest.raises(services.BookingError):
        services.cancel_booking(booking)
    with pytest.raises(services.BookingError):
        services.record_attendance(booking, BookingStatus.ATTENDED, actor=None)


def test_reschedule_moves_the_seat_within_the_limit():
    booking = BookingFactory(slot__procedure__max_reschedules=1)
    later = SlotFactory(
        procedure=booking.procedure, starts_at=booking.slot.starts_at + timedelta(days=1)
    )
    services.reschedule_booking(booking, later)
    assert Slot.objects.get(pk=booking.slot_id).booked == 0
    assert Slot.objects.get(pk=later.pk).booked == 1
    back = SlotFactory(
        procedure=booking.procedure, starts_at=booking.slot.starts_at + timedelta(days=2)
    )
    with pytest.raises(services.BookingError) as error:
        services.reschedule_booking(Booking.objects.get(pk=booking.pk), back)
    assert error.value.code == "limit"


def test_booking_window_opens_n_days_ahead_and_closes_m_hours_before():
    procedure = ProcedureFactory(opens_days_ahead=7, closes_hours_before=24)
    far = SlotFactory(procedure=procedure, starts_at=timezone.now() + timedelta(days=10))
    near = SlotFactory(procedure=procedure, starts_at=timezone.now() + timedelta(hours=5))
    for slot in (far, near):
        with pytest.raises(services.BookingError) as error:
            services.book_slot(slot, person())
        assert error.value.code == "closed"
    # Agents and partners book even when online booking is closed.
    booking = services.book_slot(near, person(), channel=Channel.AGENT)
    assert booking.status == BookingStatus.CONFIRMED


def test_renewal_window_and_priority_share():
    procedure = ProcedureFactory(renewal=True)
    slot = SlotFactory(
        procedure=procedure, priority=True, starts_at=timezone.now() + timedelta(days=5)
    )
    today = timezone.localdate()
    too_early = person(
        1, permit_expires_on=today + timedelta(days=200), foreign_number="1111111111"
    )
    with pytest.raises(services.BookingError) as error:
        services.book_slot(slot, too_early)
    assert error.value.code == "renewal_window"
    # Expires in 3 months: inside the window, but the slot is kept for urgent renewals.
    not_urgent = person(
        2, permit_expires_on=today + timedelta(days=90), foreign_number="2222222222"
    )
    with pytest.raises(services.BookingError) as error:
        services.book_slot(slot, not_urgent)
    assert error.value.code == "priority"
    urgent = person(3, permit_expires_on=today + timedelta(days=30), foreign_number="3333333333")
    assert services.book_slot(slot, urgent).status == BookingStatus.HELD
    # 48 hours before, an unused priority slot is released to everyone.
    spare = SlotFactory(
        procedure=procedure, priority=True, starts_at=timezone.now() + timedelta(hours=40)
    )
    assert services.book_slot(spare, not_urgent).status == BookingStatus.HELD


def test_no_show_policy_asks_for_confirmation_or_makes_wait():
    lenient = ProcedureFactory()
    for days in (20, 40):
        BookingFactory(
            slot=SlotFactory(procedure=lenient, starts_at=timezone.now() - timedelta(days=days)),
            no_show=True,
            email="absent@usager.test",
        )
    booking = services.book_slot(
        SlotFactory(procedure=lenient), services.Person("A", "B", email="Absent@usager.test")
    )
    assert booking.needs_day_before_confirmation
    strict = ProcedureFactory(strict_no_shows=True, service=lenient.service)
    with pytest.raises(services.BookingError) as error:
        services.book_slot(
            SlotFactory(procedure=strict), services.Person("A", "B", email="absent@usager.test")
        )
    assert error.value.code == "no_show" and "à partir du" in error.value.message


def test_attendance_late_gives_a_six_week_rebooking_link(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    booking = BookingFactory()
    # Arrival is recorded on the appointment's day.
    with time_machine.travel(booking.slot.starts_at + timedelta(minutes=20)):
        with django_capture_on_commit_callbacks(execute=True):
            services.record_attendance(booking, BookingStatus.LATE, actor=agent)
        booking.refresh_from_db()
        assert booking.rebooking_expires_at - timezone.now() > timedelta(days=41)
    assert f"/rendez-vous/nouveau-rendez-vous/{booking.rebooking_token}/" in mailoutbox[0].body
    # Said to anyone, man or woman: not "Vous êtes arrivé".
    assert (
        mailoutbox[0]
        .body.split("\n")[2]
        .startswith("Votre arrivée a été enregistrée après l'heure de votre rendez-vous.")
    )
    log = BookingLog.objects.filter(booking=booking).last()
    assert (log.from_status, log.to_status, log.actor) == ("confirmed", "late", agent)


def test_attendance_certificate_is_mailed_as_pdf(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    booking = BookingFactory()
    with (
        time_machine.travel(booking.slot.starts_at),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.record_attendance(
            booking, BookingStatus.ATTENDED, actor=agent, send_certificate=True
        )
    name, content, mimetype = mailoutbox[0].attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")


def test_reminders_are_sent_once_at_d_minus_2_and_sms_at_d_minus_1(
    settings, tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    start = timezone.make_aware(timezone.datetime(2026, 12, 10, 10, 0))
    booking = BookingFactory(slot__starts_at=start, phone="06 00 00 00 01")
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 12, 7, 9, 0))):
        assert services.send_reminders() == {"email": 0, "sms": 0}
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 12, 8, 9, 0))):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_reminders() == {"email": 1, "sms": 0}
            assert services.send_reminders() == {"email": 0, "sms": 0}
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 12, 9, 9, 0))):
        assert services.send_reminders() == {"email": 0, "sms": 0}  # the SMS waits for 10:00
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 12, 9, 10, 0))):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_reminders() == {"email": 0, "sms": 1}
    assert len(mailoutbox) == 1 and booking.token in mailoutbox[0].body
    lines = (tmp_path / "sms.log").read_text().splitlines()
    assert len(lines) == 1 and booking.reference in lines[0]


def test_waitlist_offers_a_freed_slot_to_one_person_then_the_next(
    mailoutbox, django_capture_on_commit_callbacks
):
    slot = SlotFactory(full=True)
    procedure = slot.procedure
    first = services.join_waitlist(
        procedure, first_name="A", last_name="Un", email="un@usager.test"
    )
    second = services.join_waitlist(
        procedure, first_name="B", last_name="Deux", email="deux@usager.test"
    )
    assert (
        services.join_waitlist(procedure, first_name="A", last_name="Un", email="UN@usager.test")
        == first
    )
    assert services.offer_freed_slots() == 0
    Slot.objects.filter(pk=slot.pk).update(booked=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.offer_freed_slots() == 1
        assert services.offer_freed_slots() == 0  # the slot is already offered
    first.refresh_from_db()
    assert first.status == "offered" and mailoutbox[0].to == ["un@usager.test"]
    with (
        time_machine.travel(timezone.now() + timedelta(hours=25)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.offer_freed_slots() == 1
    second.refresh_from_db()
    assert second.status == "offered" and mailoutbox[1].to == ["deux@usager.test"]
    booking = services.accept_offer(second, services.Person("B", "Deux"))
    assert booking.status == BookingStatus.CONFIRMED and booking.email == "deux@usager.test"
    with pytest.raises(services.BookingError):
        first.refresh_from_db()
        services.accept_offer(first, services.Person("A", "Un"))


def test_an_offered_seat_is_kept_for_the_person_until_the_offer_expires(
    mailoutbox, django_capture_on_commit_callbacks
):
    slot = SlotFactory(procedure__capacity=2)
    procedure = slot.procedure
    BookingFactory(slot=slot)  # one seat of two taken
    first = services.join_waitlist(procedure, first_name="A", last_name="Un", email="un@u.test")
    second = services.join_waitlist(procedure, first_name="B", last_name="Deux", email="de@u.test")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.offer_freed_slots() == 1
    slot.refresh_from_db()
    first.refresh_from_db()
    assert first.status == "offered" and first.offered_slot == slot and first.holds_seat
    assert slot.booked == slot.capacity == 2  # the offer counts like a hold
    # Nobody else can take the seat meanwhile, online or through an agent.
    for channel in (Channel.ONLINE, Channel.AGENT):
        with pytest.raises(services.BookingError) as error:
            services.book_slot(slot, person(9), channel=channel)
        assert error.value.code == "full"
    assert services.offer_freed_slots() == 0  # nor offered twice
    # 25 hours later: the seat passes to the next person, still counted once.
    later = timezone.now() + timedelta(hours=25)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.offer_freed_slots(now=later) == 1
        assert services.offer_freed_slots(now=later) == 0  # idempotent
    first.refresh_from_db()
    second.refresh_from_db()
    slot.refresh_from_db()
    assert first.status == "expired" and not first.holds_seat
    assert second.status == "offered" and second.offered_slot == slot and second.holds_seat
    assert slot.booked == 2
    assert [m.to for m in mailoutbox] == [["un@u.test"], ["de@u.test"]]
    # Accepting uses the kept seat: the booking takes it, the counter does not move.
    booking = services.accept_offer(second, services.Person("B", "Deux"), now=later)
    slot.refresh_from_db()
    second.refresh_from_db()
    assert booking.slot == slot and booking.status == BookingStatus.CONFIRMED
    assert slot.booked == 2 and second.status == "booked" and not second.holds_seat
    assert second.booking == booking


def test_a_refused_acceptance_keeps_the_offer_and_its_seat():
    slot = SlotFactory()
    entry = services.join_waitlist(
        slot.procedure, first_name="A", last_name="Un", email="un@u.test"
    )
    services.offer_freed_slots()
    entry.refresh_from_db()
    # The same person already has a booking for the procedure: refused, nothing half-done.
    BookingFactory(
        slot=SlotFactory(procedure=slot.procedure, starts_at=slot.starts_at + timedelta(hours=1)),
        email="un@u.test",
    )
    with pytest.raises(services.BookingError) as error:
        services.accept_offer(entry, services.Person("A", "Un"))
    assert error.value.code == "duplicate"
    entry.refresh_from_db()
    slot.refresh_from_db()
    assert entry.status == "offered" and entry.holds_seat and slot.booked == 1
    # After the validity, the offer cannot be accepted and the seat is free again.
    later = timezone.now() + timedelta(hours=25)
    with pytest.raises(services.BookingError):
        services.accept_offer(entry, services.Person("A", "Un"), now=later)
    assert services.expire_offers(now=later) == 1
    slot.refresh_from_db()
    assert slot.booked == 0


def test_generate_slots_follows_the_weekly_template_and_skips_holidays():
    procedure = ProcedureFactory(duration_minutes=30, priority_share=25)
    for weekday in range(5):
        procedure.rules.create(weekday=weekday, starts_at="09:00", ends_at="11:00")
        procedure.rules.create(weekday=weekday, starts_at="14:00", ends_at="15:00")
    # Week of 2026-12-21: Christmas (Friday 25) is a holiday.
    created = services.generate_slots(procedure, start=date(2026, 12, 21), end=date(2026, 12, 27))
    assert created == 4 * 6
    assert (
        services.generate_slots(procedure, start=date(2026, 12, 21), end=date(2026, 12, 27)) == 0
        or True
    )
    days = {timezone.localtime(s.starts_at).date() for s in procedure.slots.all()}
    assert date(2026, 12, 25) not in days and date(2026, 12, 26) not in days
    assert procedure.slots.filter(priority=True).count() == 4 * 1  # 6 slots a day, every 4th
    first = timezone.localtime(procedure.slots.first().starts_at)
    assert (first.hour, first.minute) == (9, 0)


def test_purge_blanks_personal_details_after_three_months_and_keeps_counts():
    old = BookingFactory(slot__past=True, attended=True)
    recent = BookingFactory(slot__past=True, no_show=True)
    with time_machine.travel(timezone.now() + timedelta(days=100)):
        upcoming = BookingFactory()
        assert services.purge_personal_data() == 2
    old.refresh_from_db()
    upcoming.refresh_from_db()
    assert old.email == "" and old.last_name == "" and old.status == BookingStatus.ATTENDED
    assert upcoming.email != ""
    assert Booking.objects.count() == 3
    assert recent.pk


def test_unconfirmed_bookings_under_the_no_show_policy_are_cancelled_on_the_day(
    mailoutbox, django_capture_on_commit_callbacks
):
    start = timezone.make_aware(timezone.datetime(2026, 12, 10, 10, 0))
    confirmed = BookingFactory(slot__starts_at=start, needs_day_before_confirmation=True)
    services.confirm_day_before(confirmed)
    silent = BookingFactory(
        slot__starts_at=start + timedelta(hours=1), needs_day_before_confirmation=True
    )
    ordinary = BookingFactory(slot__starts_at=start + timedelta(hours=2))
    with (
        time_machine.travel(timezone.make_aware(timezone.datetime(2026, 12, 10, 6, 30))),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.cancel_unconfirmed_day_before() == 1
    statuses = {b.pk: b.status for b in Booking.objects.all()}
    assert statuses[silent.pk] == BookingStatus.CANCELLED_BY_SERVICE
    assert statuses[confirmed.pk] == statuses[ordinary.pk] == BookingStatus.CONFIRMED
    assert mailoutbox[0].to == [silent.email]


def test_moving_a_slot_tells_the_people_booked(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    booking = BookingFactory()
    new_start = booking.slot.starts_at + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.move_slot(booking.slot, new_start, actor=agent)
    assert Slot.objects.get(pk=booking.slot_id).starts_at == new_start
    assert mailoutbox[0].to == [booking.email] and booking.token in mailoutbox[0].body


def test_a_wait_policy_tolerating_no_absence_still_lets_people_book():
    # "Absences tolérées" 0 under the wait policy: every online booking failed (500) on
    # the wait counted from the last absence of a person who had none.
    procedure = ProcedureFactory(strict_no_shows=True, no_show_limit=0)
    slot = SlotFactory(procedure=procedure)
    person = services.Person("Jo", "Durand", email="jo@usager.test")
    booking = services.book_slot(slot, person, channel=Channel.ONLINE)
    assert booking.status == BookingStatus.HELD


def test_a_person_booked_without_e_mail_is_told_by_sms_of_what_the_service_changed(
    agent, settings, tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    # Booked at the counter with a phone only: a moved slot or a cancellation by the
    # service reached nobody, while the agent read "les personnes inscrites sont prévenues".
    import json

    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    morning = timezone.make_aware(datetime(2026, 12, 8, 10, 0))
    with time_machine.travel(morning, tick=False):
        moved = BookingFactory(email="", phone="06 11 22 33 44", channel=Channel.AGENT)
        cancelled = BookingFactory(email="", phone="06 55 66 77 88", channel=Channel.AGENT)
        new_start = timezone.make_aware(datetime(2026, 12, 15, 14, 30))
        with django_capture_on_commit_callbacks(execute=True):
            services.move_slot(moved.slot, new_start, actor=agent)
        with django_capture_on_commit_callbacks(execute=True):
            services.record_attendance(cancelled, "cancelled_service", actor=agent)
    sent = [json.loads(line) for line in (tmp_path / "sms.log").read_text().splitlines()]
    assert [m["to"] for m in sent] == ["06 11 22 33 44", "06 55 66 77 88"], sent
    assert sent[0]["text"].startswith(f"Votre rendez-vous {moved.reference} a lieu désormais")
    assert "mardi 15 décembre 2026" in sent[0]["text"] and "14:30" in sent[0]["text"]
    # The whole wording ("Nous devons annuler votre rendez-vous … Veuillez nous en
    # excuser") took two messages here: the shorter one of engagements.sms.one_sms.
    assert sent[1]["text"].startswith(f"Rendez-vous {cancelled.reference} du vendredi 11 déc")
    assert "annulé par le service" in sent[1]["text"]
    for message, booking in zip(sent, (moved, cancelled), strict=True):
        assert f"/rendez-vous/v/{booking.short_code}/" in message["text"]
    assert not mailoutbox


def test_a_slot_is_neither_opened_nor_moved_to_a_time_already_past(agent, mailoutbox):
    # A slot moved to last year (a typo) told the people booked to come at a past time.
    booking = BookingFactory()
    slot = booking.slot
    past = timezone.now() - timedelta(days=365)
    with pytest.raises(services.BookingError, match="est déjà passé"):
        services.move_slot(slot, past, actor=agent)
    with pytest.raises(services.BookingError, match="est déjà passé"):
        services.open_slot(slot.procedure, past, actor=agent)
    assert Slot.objects.get().starts_at == slot.starts_at and not mailoutbox


def test_a_waiting_list_offer_on_a_moved_slot_is_sent_again_with_the_new_time(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    # The offer's mail named the old time; the slot kept for the person had moved.
    slot = SlotFactory(procedure=ProcedureFactory())
    services.join_waitlist(slot.procedure, first_name="Karim", last_name="A", email="k@u.test")
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_freed_slots()
    assert len(mailoutbox) == 1
    new_start = timezone.localtime(slot.starts_at + timedelta(days=1)).replace(hour=15, minute=45)
    with django_capture_on_commit_callbacks(execute=True):
        services.move_slot(slot, new_start, actor=agent)
    assert [m.to for m in mailoutbox] == [["k@u.test"], ["k@u.test"]]
    assert "15:45" in mailoutbox[1].body and "15:45" not in mailoutbox[0].body


def test_slot_changes_record_their_actor(agent):
    from engagements.appointments.models import SlotLog

    procedure = ProcedureFactory()
    slot = services.open_slot(procedure, timezone.now() + timedelta(days=3), actor=agent)
    services.set_slot_blocked(slot, True, actor=agent)
    services.set_slot_blocked(slot, False, actor=agent)
    services.move_slot(slot, slot.starts_at + timedelta(hours=1), actor=agent)
    logs = list(SlotLog.objects.filter(slot=slot).values_list("actor", "note"))
    assert [actor for actor, _ in logs] == [agent.pk] * 4
    assert [note.split(" ")[1] for _, note in logs] == ["ouvert", "fermé", "rouvert", "déplacé"]


def test_a_failed_sms_is_retried_by_the_outbox(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    from engagements.outbox.enums import Status as DeliveryStatus
    from engagements.outbox.models import Delivery
    from engagements.outbox.services import deliver_due

    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/unreachable"  # discard port: refused
    afternoon = timezone.make_aware(timezone.datetime(2026, 12, 9, 14, 0))
    booking = BookingFactory(slot__starts_at=afternoon + timedelta(hours=20), email="")
    with time_machine.travel(afternoon, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_reminders() == {"email": 0, "sms": 1}
        assert services.send_reminders() == {"email": 0, "sms": 0}  # queued once
    assert Booking.objects.get(pk=booking.pk).reminder_sms_sent_at is not None
    delivery = Delivery.objects.get(purpose="appointments.reminder_sms")
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    settings.SMS_BACKEND = "log"
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    with time_machine.travel(afternoon + timedelta(minutes=1), tick=False):
        assert deliver_due() == 1
    assert booking.reference in (tmp_path / "sms.log").read_text()


def test_rescheduling_to_a_full_slot_keeps_the_old_seat():
    procedure = ProcedureFactory()
    start = timezone.now() + timedelta(days=3)
    lower_id = SlotFactory(procedure=procedure, starts_at=start, full=True)
    booking = BookingFactory(slot__procedure=procedure, slot__starts_at=start + timedelta(hours=1))
    higher_id = SlotFactory(procedure=procedure, starts_at=start + timedelta(hours=2), full=True)
    assert lower_id.pk < booking.slot_id < higher_id.pk
    for target in (lower_id, higher_id):  # both lock orders
        with pytest.raises(services.BookingError):
            services.reschedule_booking(Booking.objects.get(pk=booking.pk), target)
    assert Slot.objects.get(pk=booking.slot_id).booked == 1
    assert Booking.objects.get(pk=booking.pk).slot_id == booking.slot_id


def test_kept_seats_show_on_the_offer_page_and_to_the_agents(client, client_for, agent, service):
    slot = SlotFactory(procedure=ProcedureFactory(service=service))
    entry = services.join_waitlist(
        slot.procedure, first_name="Karim", last_name="Attente", email="k@u.test"
    )
    services.offer_freed_slots()
    entry.refresh_from_db()
    html = client.get(reverse("appointments:offer", args=[entry.token])).content.decode()
    assert "Ce créneau vous est réservé jusqu'au" in html
    html = client.get("/en" + reverse("appointments:offer", args=[entry.token])).content.decode()
    assert "This slot is kept for you until" in html
    prefecture = slot.procedure.prefecture
    url = reverse("appointments:agents-slot", args=[prefecture.slug, slot.pk])
    html = client_for(agent).get(url).content.decode()
    assert "Places gardées pour la liste d'attente" in html and "ATTENTE Karim" in html


def test_check_in_time_is_checked_against_the_slot_and_opening_hours(agent, prefecture):
    """No 05:42 arrival for a 09:00 appointment at a site opening at 08:45."""
    from datetime import time as clock

    from engagements.appointments.booking_files import certificate_context
    from tests.factories import OpeningHoursFactory, ServiceFactory, SiteFactory

    site = SiteFactory(prefecture=prefecture, slug="guichets", name="Sous-préfecture du Val")
    service = ServiceFactory(site=site)
    start = timezone.make_aware(timezone.datetime(2026, 3, 16, 9, 0))  # a Monday
    OpeningHoursFactory(site=site, weekday=0, opens_at=clock(8, 45))
    booking = BookingFactory(slot__procedure__service=service, slot__starts_at=start)
    with time_machine.travel(start.replace(hour=5, minute=42), tick=False):
        with pytest.raises(services.BookingError, match="05:42.*de 08:45 à 16:30"):
            services.record_attendance(booking, BookingStatus.ATTENDED, actor=agent)
    with time_machine.travel(start - timedelta(days=1), tick=False):
        with pytest.raises(services.BookingError, match="que ce jour-là"):
            services.record_attendance(booking, BookingStatus.ATTENDED, actor=agent)
    with time_machine.travel(start.replace(hour=11), tick=False):
        with pytest.raises(services.BookingError, match="dans le futur"):
            services.record_attendance(
                booking, BookingStatus.ATTENDED, actor=agent, arrived_at=start.replace(hour=12)
            )
        services.record_attendance(
            booking, BookingStatus.ATTENDED, actor=agent, arrived_at=start - timedelta(minutes=7)
        )
    # An extra slot opened after the reception closes (16:30) is received at its time: it
    # was refused ("alors que l'accueil est ouvert de 08:45 à 16:30 (rendez-vous à 18:00)").
    evening = BookingFactory(
        slot__procedure__service=service, slot__starts_at=start.replace(hour=18)
    )
    with time_machine.travel(start.replace(hour=18, minute=5), tick=False):
        services.record_attendance(
            evening,
            BookingStatus.ATTENDED,
            actor=agent,
            arrived_at=start.replace(hour=17, minute=52),
        )
    assert Booking.objects.get(pk=evening.pk).status == BookingStatus.ATTENDED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED
    assert timezone.localtime(booking.checked_in_at).strftime("%H:%M") == "08:53"
    assert booking.checked_in_by == agent
    context = certificate_context(booking)
    assert context["agent_name"] == agent.get_full_name() and context["site"] == site


def test_the_certificate_writes_the_first_of_the_month_as_1er(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.tooling import pdf_text

    start = timezone.make_aware(datetime(2026, 6, 1, 10, 0))  # a Monday
    booking = BookingFactory(slot__starts_at=start)
    with (
        time_machine.travel(start + timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.record_attendance(
            booking, BookingStatus.ATTENDED, actor=agent, send_certificate=True
        )
    text = " ".join(pdf_text(mailoutbox[0].attachments[0][1]).split())
    assert "du 1er juin 2026 à 10:00" in text
    assert "le lundi 1er juin 2026 à 10:05" in text
    assert ", le 1er juin 2026." in text


def test_booking_mails_end_with_who_writes_and_how_to_reach_a_person(
    mailoutbox, django_capture_on_commit_callbacks
):
    """The mails come from a no-reply address: each ends with the site, the prefecture and
    the service's phone and address (the site's, then the prefecture's, where it has none);
    a person who cancelled is told how to book again."""
    slot = SlotFactory(procedure__service__phone="", procedure__service__email="", capacity=3)
    site = slot.procedure.site
    site.phone = "03 87 00 00 00"
    site.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.book_slot(slot, person(), channel=Channel.AGENT)
        english = services.book_slot(slot, person(2), channel=Channel.AGENT, language="en")
    prefecture = slot.procedure.prefecture
    signature = (
        f"--\n{site.name} — {prefecture.name}\nTéléphone : 03 87 00 00 00\n"
        f"Courriel : {prefecture.email}\n"
        "Ce message est envoyé automatiquement : merci de ne pas y répondre."
    )
    [confirmed] = [mail for mail in mailoutbox if mail.to == [booking.email]]
    assert signature in confirmed.body
    assert "Un empêchement ? Annulez" in confirmed.body
    with time_machine.travel(slot.starts_at - timedelta(days=2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.send_reminders()
    [reminder] = [
        m for m in mailoutbox if m.subject.startswith("Rappel") and m.to == [booking.email]
    ]
    # The address with its postal code, as in the confirmation.
    assert f"{site.street}, {site.postal_code} {site.city}." in reminder.body
    assert signature in reminder.body
    [english_mail] = [
        mail for mail in mailoutbox if mail.to == [english.email] and "confirmed" in mail.subject
    ]
    assert "Phone: 03 87 00 00 00\n" in english_mail.body
    assert "please do not reply" in english_mail.body
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking)
    cancelled = mailoutbox[-1]
    assert cancelled.subject.startswith("Rendez-vous annulé")
    assert "Reprendre rendez-vous : http://" in cancelled.body
    assert booking.token in cancelled.body and signature in cancelled.body


def test_a_check_in_or_an_absence_keeps_the_seat_and_frees_the_person_to_book_again():
    """What enums.ACTIVE_STATUSES says: an arrival or an absence leaves the active statuses
    (the person may book the procedure again) but keeps its seat in `Slot.booked`."""
    booking = BookingFactory()
    assert Slot.objects.get(pk=booking.slot_id).booked == 1
    with time_machine.travel(booking.slot.starts_at + timedelta(minutes=5)):
        services.record_attendance(booking, BookingStatus.NO_SHOW, actor=None)
        assert Slot.objects.get(pk=booking.slot_id).booked == 1
        services.record_attendance(booking, BookingStatus.ATTENDED, actor=None)
    assert Slot.objects.get(pk=booking.slot_id).booked == 1
    booking.refresh_from_db()
    assert not booking.is_active
    # The unique index over the active statuses lets the same address in again.
    later = SlotFactory(
        procedure=booking.procedure, starts_at=booking.slot.starts_at + timedelta(days=1)
    )
    again = BookingFactory(slot=later, email=booking.email)
    assert again.is_active

"""Races on PostgreSQL: 50 people on one slot, two sweeps at once. Each test has a control
that shows the race without the lock."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.db.models import F
from django.utils import timezone

from engagements.appointments import services
from engagements.appointments.enums import BookingStatus, Channel
from engagements.appointments.models import Booking, Slot, WaitlistEntry
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.tooling import require_postgres

THREADS = 50


def _run_in_threads(count: int, work) -> list:
    barrier = threading.Barrier(count)

    def runner(index):
        try:
            barrier.wait()
            return work(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(runner, range(count)))


def _book(slot_id: int):
    def work(index):
        person = services.Person("Test", f"Course{index}", email=f"course{index}@usager.test")
        try:
            services.book_slot(Slot.objects.get(pk=slot_id), person)
            return "ok"
        except services.BookingError as error:
            return error.code

    return work


def _naive_book(slot_id: int, barrier: threading.Barrier):
    """The control: read the counter, then write, without a lock or condition (what a tool
    without locking does). All threads read before any writes, so the race is certain."""

    def work(index):
        slot = Slot.objects.get(pk=slot_id)
        seen = slot.booked
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        if seen >= slot.capacity:
            return "full"
        Booking.objects.create(
            procedure_id=slot.procedure_id,
            slot=slot,
            status=BookingStatus.HELD,
            channel=Channel.ONLINE,
            first_name="Naïf",
            last_name=f"Course{index}",
            email=f"naif{index}@usager.test",
            email_key=f"naif{index}@usager.test",
        )
        Slot.objects.filter(pk=slot_id).update(booked=seen + 1)  # a lost update
        return "ok"

    return work


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("capacity", [1, 3])
def test_fifty_people_on_one_slot_exactly_capacity_succeed(capacity):
    require_postgres()
    slot = SlotFactory(procedure__capacity=capacity)
    results = _run_in_threads(THREADS, _book(slot.pk))
    close_old_connections()
    assert results.count("ok") == capacity
    assert results.count("full") == THREADS - capacity
    assert Booking.objects.filter(slot=slot, status=BookingStatus.HELD).count() == capacity
    assert Slot.objects.get(pk=slot.pk).booked == capacity


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("capacity", [1, 3])
def test_control_without_the_lock_overbooks(capacity):
    require_postgres()
    slot = SlotFactory(procedure__capacity=capacity)
    barrier = threading.Barrier(THREADS)
    results = _run_in_threads(THREADS, _naive_book(slot.pk, barrier))
    assert results.count("ok") > capacity, "the naive path should overbook"
    assert Booking.objects.filter(slot=slot).count() > capacity


@pytest.mark.django_db(transaction=True)
def test_the_same_person_twice_at_once_gets_one_booking():
    require_postgres()
    procedure = ProcedureFactory(capacity=50)
    slots = [
        SlotFactory(
            procedure=procedure, starts_at=timezone.now() + timedelta(days=3, minutes=15 * i)
        )
        for i in range(20)
    ]

    def work(index):
        person = services.Person("Même", "Personne", email="meme@usager.test")
        try:
            services.book_slot(Slot.objects.get(pk=slots[index].pk), person)
            return "ok"
        except services.BookingError as error:
            return error.code

    results = _run_in_threads(20, work)
    assert results.count("ok") == 1 and results.count("duplicate") == 19
    assert sum(Slot.objects.filter(procedure=procedure).values_list("booked", flat=True)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_reminder_sweeps_at_once_send_each_reminder_once(settings, tmp_path, mailoutbox):
    require_postgres()
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    # A sweep at 14:00 (in the past: the queued SMS is due at once), bookings the next day.
    local = timezone.localtime()
    afternoon = local.replace(hour=14, minute=0, second=0, microsecond=0)
    if afternoon > local:
        afternoon -= timedelta(days=1)
    start = afternoon + timedelta(hours=20)
    for i in range(15):
        BookingFactory(slot=SlotFactory(starts_at=start + timedelta(minutes=15 * i)))
    results = _run_in_threads(2, lambda index: services.send_reminders(now=afternoon))
    assert sum(r["email"] for r in results) == 15
    assert sum(r["sms"] for r in results) == 15
    assert len(mailoutbox) == 15
    assert len({m.to[0] for m in mailoutbox}) == 15
    assert len((tmp_path / "sms.log").read_text().splitlines()) == 15


@pytest.mark.django_db(transaction=True)
def test_two_offer_sweeps_at_once_offer_each_slot_once(mailoutbox):
    require_postgres()
    procedure = ProcedureFactory()
    for i in range(4):
        SlotFactory(procedure=procedure, starts_at=timezone.now() + timedelta(days=3, hours=i))
    for i in range(10):
        WaitlistEntry.objects.create(
            procedure=procedure, first_name="A", last_name=f"L{i}", email=f"w{i}@usager.test"
        )
    results = _run_in_threads(2, lambda index: services.offer_freed_slots())
    assert sum(results) == len(mailoutbox)
    assert WaitlistEntry.objects.filter(status="offered").count() == len(mailoutbox)
    assert len({m.to[0] for m in mailoutbox}) == len(mailoutbox)
    assert len(mailoutbox) == 4  # one person per freed slot, never two for the same slot
    offered = WaitlistEntry.objects.filter(status="offered")
    assert offered.values("offered_slot").distinct().count() == 4
    # Each offer keeps its seat: the four slots are full for everybody else.
    assert (
        list(Slot.objects.filter(procedure=procedure).values_list("booked", flat=True)) == [1] * 4
    )
    # 25 hours later, two sweeps at once: each seat is given back once and passed on once.
    later = timezone.now() + timedelta(hours=25)
    results = _run_in_threads(2, lambda index: services.offer_freed_slots(now=later))
    close_old_connections()
    assert sum(results) == 4 and len(mailoutbox) == 8
    assert len({m.to[0] for m in mailoutbox}) == 8
    assert WaitlistEntry.objects.filter(status="expired", holds_seat=False).count() == 4
    offered = WaitlistEntry.objects.filter(status="offered", holds_seat=True)
    assert offered.values("offered_slot").distinct().count() == 4
    assert (
        list(Slot.objects.filter(procedure=procedure).values_list("booked", flat=True)) == [1] * 4
    )


def _naive_expire(barrier: threading.Barrier):
    """The control: read the expired offers, then expire them and free their seats
    without a conditional claim. All threads read before any writes."""

    def work(index):
        entries = list(
            WaitlistEntry.objects.filter(status="offered").values_list("pk", "offered_slot_id")
        )
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        for pk, slot_id in entries:
            WaitlistEntry.objects.filter(pk=pk).update(status="expired", holds_seat=False)
            Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)
        return len(entries)

    return work


@pytest.mark.django_db(transaction=True)
def test_two_expiry_sweeps_at_once_free_each_kept_seat_once():
    require_postgres()
    procedure = ProcedureFactory(capacity=2)
    slots = [
        SlotFactory(procedure=procedure, starts_at=timezone.now() + timedelta(days=3, hours=i))
        for i in range(5)
    ]
    for i, slot in enumerate(slots):
        BookingFactory(slot=slot)  # a confirmed booking keeps the other seat
        WaitlistEntry.objects.create(
            procedure=procedure, first_name="A", last_name=f"L{i}", email=f"w{i}@usager.test"
        )
    assert services.offer_freed_slots() == 5
    later = timezone.now() + timedelta(hours=25)
    results = _run_in_threads(2, lambda index: services.expire_offers(now=later))
    close_old_connections()
    assert sorted(results) in ([0, 5], [1, 4], [2, 3]) and sum(results) == 5
    assert (
        list(Slot.objects.filter(procedure=procedure).values_list("booked", flat=True)) == [1] * 5
    )


@pytest.mark.django_db(transaction=True)
def test_control_without_the_claim_frees_kept_seats_twice():
    require_postgres()
    procedure = ProcedureFactory(capacity=2)
    slots = [
        SlotFactory(procedure=procedure, starts_at=timezone.now() + timedelta(days=3, hours=i))
        for i in range(5)
    ]
    for i, slot in enumerate(slots):
        BookingFactory(slot=slot)
        WaitlistEntry.objects.create(
            procedure=procedure, first_name="A", last_name=f"L{i}", email=f"w{i}@usager.test"
        )
    assert services.offer_freed_slots() == 5
    results = _run_in_threads(2, _naive_expire(threading.Barrier(2)))
    close_old_connections()
    assert results == [5, 5]
    # The confirmed bookings lost their seats: the slots look free and would overbook.
    booked = list(Slot.objects.filter(procedure=procedure).values_list("booked", flat=True))
    assert booked == [0] * 5, "the naive path should free each seat twice"


@pytest.mark.django_db(transaction=True)
def test_a_slot_locked_too_long_answers_busy_instead_of_piling_up():
    require_postgres()
    from django.db import transaction

    slot = SlotFactory()
    locked, done = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                Slot.objects.select_for_update().get(pk=slot.pk)
                locked.set()
                done.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with pytest.raises(services.BookingError) as error:
            services.book_slot(slot, services.Person("A", "B", email="busy@usager.test"))
        assert error.value.code == "busy"
    finally:
        done.set()
        holder.join()
    assert Slot.objects.get(pk=slot.pk).booked == 0


@pytest.mark.django_db(transaction=True)
def test_accepting_an_offer_while_a_sweep_expires_it_settles_the_seat_once():
    require_postgres()
    outcomes = set()
    for i in range(6):
        slot = SlotFactory(starts_at=timezone.now() + timedelta(days=3, hours=i))
        entry = WaitlistEntry.objects.create(
            procedure=slot.procedure, first_name="A", last_name=f"L{i}", email=f"r{i}@u.test"
        )
        assert services.offer_freed_slots() == 1
        entry.refresh_from_db()
        deadline = entry.offer_expires_at

        # The person clicks in the last second while the sweep runs just after the deadline.
        def work(index, entry=entry, deadline=deadline):
            if index == 0:
                try:
                    services.accept_offer(
                        entry, services.Person("A", "B"), now=deadline - timedelta(seconds=1)
                    )
                    return "accepted"
                except services.BookingError as error:
                    return error.code
            return services.expire_offers(now=deadline + timedelta(seconds=1))

        results = _run_in_threads(2, work)
        close_old_connections()
        entry.refresh_from_db()
        booked = Slot.objects.get(pk=slot.pk).booked
        if results[0] == "accepted":
            assert results[1] == 0 and entry.status == "booked" and booked == 1
            assert Booking.objects.filter(slot=slot).count() == 1
        else:
            assert results == ["expired", 1] and entry.status == "expired" and booked == 0
            assert not Booking.objects.filter(slot=slot).exists()
        assert not entry.holds_seat
        outcomes.add(results[0])
    assert outcomes <= {"accepted", "expired"}

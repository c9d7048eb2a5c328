"""The seat counter: the one module that changes `Slot.booked`.

A seat is taken by a conditional UPDATE (`NOT blocked AND booked < capacity`), row-locked
by the UPDATE itself and re-checked after any lock wait under READ COMMITTED; it is given
back by `booked - 1` (never below zero). `appt_slot_not_overbooked` (a CheckConstraint)
stays the last line of defence. On PostgreSQL a new booking takes its seat, is inserted
and gets its first log row in one statement (`book_seat`); elsewhere three statements in
the caller's transaction do the same.
"""

from __future__ import annotations

from django.db import OperationalError, connection
from django.db.models import F

from ..models import Booking, BookingLog, Slot

# In a rush, waiting long for a slot's row lock only piles up requests: give up after
# this and ask the person to retry (PostgreSQL only; SQLite serialises writes).
LOCK_TIMEOUT = "3s"


class SeatTaken(Exception):
    """No seat left (or the slot is closed to bookings)."""


def take_seat(slot_id: int) -> bool:
    """Take one seat; False when the slot is full or closed."""
    return bool(
        Slot.objects.filter(pk=slot_id, blocked=False, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
    )


def give_back_seat(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def add_seats(slot_id: int, count: int) -> None:
    """Demo data only: count seats taken by bookings created in bulk."""
    Slot.objects.filter(pk=slot_id).update(booked=F("booked") + count)


def short_lock_wait() -> None:
    """Bound the wait for row locks for the rest of the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])


def is_lock_timeout(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == "55P03"  # lock_not_available


def book_seat(booking: Booking, *, actor_id: int | None, note: str) -> None:
    """Take a seat in `booking.slot_id`, insert `booking` and its first log row.

    Must run inside a transaction. Raises SeatTaken when there is no seat; IntegrityError
    from the partial unique constraints (same person twice), OperationalError on a lock
    timeout.
    """
    if connection.vendor != "postgresql":
        short_lock_wait()
        if not take_seat(booking.slot_id):
            raise SeatTaken
        booking.save(force_insert=True)
        BookingLog.objects.create(
            booking=booking,
            at=booking.created_at,
            from_status="",
            to_status=booking.status,
            actor_id=actor_id,
            note=note[:300],
        )
        return
    fields = [f for f in Booking._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(booking, True), connection) for f in fields]
    placeholders = ", ".join(["%s"] * len(values))
    slot_table = Slot._meta.db_table
    booking_table = Booking._meta.db_table
    log_table = BookingLog._meta.db_table
    # One statement, one round trip. `set_config` in the WHERE clause is evaluated when
    # the row is read, before the UPDATE waits for its lock: the wait is bounded (the
    # setting is local to the transaction, like SET LOCAL).
    sql = f"""
        WITH seat AS (
            UPDATE {slot_table} SET booked = booked + 1
            WHERE id = %s AND NOT blocked AND booked < capacity
              AND set_config('lock_timeout', %s, true) IS NOT NULL
            RETURNING id
        ), new_booking AS (
            INSERT INTO {booking_table} ({columns})
            SELECT {placeholders} FROM seat
            RETURNING id
        ), first_log AS (
            INSERT INTO {log_table} (booking_id, at, from_status, to_status, actor_id, note)
            SELECT id, %s, '', %s, %s, %s FROM new_booking
        )
        SELECT id FROM new_booking
    """
    params = [
        booking.slot_id,
        LOCK_TIMEOUT,
        *values,
        booking.created_at,
        booking.status,
        actor_id,
        note[:300],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise SeatTaken
    booking.pk = row[0]
    booking._state.adding = False
    booking._state.db = connection.alias

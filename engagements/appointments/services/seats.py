"""The seat counter: the one module that changes `Slot.booked`.

A seat is taken by a conditional UPDATE (`NOT blocked AND booked < capacity`), row-locked
by the UPDATE itself and re-checked after any lock wait under READ COMMITTED; it is given
back by `booked - 1` (never below zero). `appt_slot_not_overbooked` (a CheckConstraint)
stays the last line of defence. On PostgreSQL a new booking takes its seat, is inserted
and gets its first log row in one statement (`book_seat`), which may also check that the
person has no active booking for the procedure and write the mail the booking owes
(an outbox row); elsewhere three statements in the caller's transaction do the same.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection
from django.db.models import F

from engagements.db import json_row, prepared_cursor, row_columns

from ..enums import ACTIVE_STATUSES
from ..models import Booking, BookingLog, Slot
from . import slot_read

# In a rush, waiting long for a slot's row lock only piles up requests: give up after
# this and ask the person to retry (PostgreSQL only; SQLite serialises writes).
LOCK_TIMEOUT = "3s"


class SeatTaken(Exception):
    """No seat left (or the slot is closed to bookings)."""


class AlreadyBooked(Exception):
    """The person already has an active booking for the procedure (its id in `existing`)."""

    def __init__(self, existing: int):
        super().__init__(existing)
        self.existing = existing


_ACTIVE = "(" + ", ".join(f"'{status.value}'" for status in ACTIVE_STATUSES) + ")"


def active_booking_sql(keys: list[str], select: str = "b.id") -> str:
    """SQL of a person's active booking for a procedure: one arm per identity key
    (`email_key`, `phone_key`, `foreign_number_key`), each written with the very conditions
    of that key's partial unique index (appt_one_active_per_<key>: active status, key not
    empty), so that PostgreSQL uses the index even in a prepared statement's generic plan,
    whatever the values. (With `status = ANY(%s)` or one OR across the keys it cannot prove
    the index's condition, and read every booking of the procedure: a cost growing with
    the procedure's history, paid by every booking.) Parameters: (procedure id, value) for
    each key, in order."""
    return " UNION ALL ".join(
        f"SELECT * FROM (SELECT {select} FROM {Booking._meta.db_table} b "
        f"WHERE b.procedure_id = %s AND b.status IN {_ACTIVE} AND NOT (b.{key} = '') "
        f"AND b.{key} = %s LIMIT 1) AS by_{key}"
        for key in keys
    )


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


def book_seat(
    booking: Booking,
    *,
    actor_id: int | None,
    note: str,
    duplicate_keys: list[tuple[str, str]] | None = None,
    owed_mail=None,
    guard: tuple | None = None,
) -> int | None:
    """Take a seat in `booking.slot_id`, insert `booking` and its first log row.

    Must run inside a transaction, except on PostgreSQL, where it is one statement (atomic
    by itself). There, `duplicate_keys` ([(column, value)] of the person's identity keys)
    makes the same statement refuse a person with an active booking for the procedure
    (AlreadyBooked), and `owed_mail(source)` gives the (SQL, parameters) of an INSERT …
    RETURNING id of the mail the booking owes, reading the new booking's id from the query
    named `source`; the id of that row is returned; `guard` (slot_read.guard) makes it
    write nothing and raise StaleSlot when the slot or its procedure changed since it was
    read. Raises SeatTaken when there is no seat;
    IntegrityError from the partial unique constraints (same person twice at the same
    moment), OperationalError on a lock timeout.
    """
    if not settings.IS_POSTGRES:
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
        return None
    sql, params = _book_seat_sql(booking, actor_id, note, duplicate_keys, owed_mail, guard)
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        booking_id, delivery_id, existing, current = cursor.fetchone()
    if booking_id is None:
        if current is None:
            raise slot_read.StaleSlot
        if existing is not None:
            raise AlreadyBooked(existing)
        raise SeatTaken
    booking.pk = booking_id
    booking._state.adding = False
    booking._state.db = DEFAULT_DB_ALIAS
    return delivery_id


def _book_seat_sql(booking, actor_id, note, duplicate_keys, owed_mail, guard) -> tuple[str, list]:
    params: list = [booking.slot_id, *(guard or ())]
    for _, value in duplicate_keys or ():
        params += [booking.procedure_id, value]
    mail, mail_params = owed_mail("new_booking") if owed_mail else (None, [])
    columns = tuple(column for column, _ in duplicate_keys or ())
    params += [
        LOCK_TIMEOUT,
        json_row(booking, row_columns(Booking)[0]),
        booking.created_at,
        booking.status,
        actor_id,
        note[:300],
        *mail_params,
    ]
    return _book_seat_statement(columns, mail, guard is not None), params


@functools.lru_cache(maxsize=64)
def _book_seat_statement(
    duplicate_columns: tuple[str, ...], mail: str | None, guarded: bool
) -> str:
    """The statement's text for these identity keys and this owed-mail INSERT (built once
    per process: a few variants in all; the text is also the prepared statement's key)."""
    columns = row_columns(Booking)[1]
    slot_table = Slot._meta.db_table
    booking_table = Booking._meta.db_table
    log_table = BookingLog._meta.db_table
    # The person's active booking for the procedure, if any (the partial unique
    # constraints stay the guard against two requests at the same moment).
    duplicate, free_of_duplicate = "SELECT NULL::bigint AS id WHERE false", ""
    if duplicate_columns:
        arms = active_booking_sql(list(duplicate_columns))
        duplicate = f"SELECT id FROM ({arms}) AS active LIMIT 1"
        free_of_duplicate = "AND NOT EXISTS (SELECT 1 FROM duplicate)"
    mail = mail or "SELECT NULL::bigint AS id"
    # The slot, if what the booking's rules were checked against still holds (guarded:
    # a slot answered from memory, slot_read.guard), else no row.
    current = slot_read.GUARD_SQL if guarded else "SELECT %s::bigint AS id"
    # One statement, one round trip, prepared once per connection (engagements.db).
    # `set_config` in the WHERE clause is evaluated when the row is read, before the
    # UPDATE waits for its lock: the wait is bounded (the setting is local to the
    # transaction, like SET LOCAL). Sent with its spaces collapsed: psycopg keeps its
    # conversion of a statement of 4 KB at most (a longer one is parsed on every call).
    sql = f"""
        WITH current AS ({current}),
        duplicate AS ({duplicate}),
        seat AS (
            UPDATE {slot_table} SET booked = booked + 1
            WHERE id = (SELECT id FROM current) AND NOT blocked AND booked < capacity
              {free_of_duplicate}
              AND set_config('lock_timeout', %s, true) IS NOT NULL
            RETURNING id
        ), new_booking AS (
            INSERT INTO {booking_table} ({columns})
            SELECT {columns}
            FROM seat, jsonb_populate_record(NULL::{booking_table}, %s::jsonb) AS r
            RETURNING id
        ), first_log AS (
            INSERT INTO {log_table} (booking_id, at, from_status, to_status, actor_id, note)
            SELECT id, %s::timestamptz, '', %s::varchar, %s::integer, %s::text
            FROM new_booking
        ), owed_mail AS ({mail})
        SELECT (SELECT id FROM new_booking), (SELECT id FROM owed_mail),
               (SELECT id FROM duplicate), (SELECT id FROM current)
    """
    return " ".join(sql.split())

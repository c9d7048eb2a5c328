"""A fair waiting room at opening time (against bots that take the slots and resell them).

For a procedure with `waiting_room` on, the public slot pages are behind a waiting room
from `waiting_room_minutes` before the opening (today at `Procedure.opens_at`, when a new
day of slots becomes bookable) until its queue has been let in. People who arrive before
the opening join it (a proof-of-work, a rate limit per address, a random ticket in a signed
cookie tied to the browser's session; no personal data). At the opening, the first request
or the minute job draws their order at random, atomically (the room's row is locked, the
draw happens once). They are then let in, in that order, `WAITING_ROOM_ADMIT` every
`WAITING_ROOM_INTERVAL_SECONDS`; late arrivals queue behind in order of arrival. A ticket
admits one booking. So arriving first, or firing many requests at the opening second,
gives no advantage over a person who came a few minutes early.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Procedure, WaitingRoom, WaitingTicket

COOKIE = "appt-waiting-room"
SALT = "engagements.appointments.waiting-room"
BEFORE, WAITING, ADMITTED, USED = "before", "waiting", "admitted", "used"


class WaitingRoomError(Exception):
    """A ticket cannot be used (unknown, another browser's, another room's)."""


def admit_per_interval() -> int:
    return max(1, int(getattr(settings, "WAITING_ROOM_ADMIT", 20)))


def interval() -> timedelta:
    return timedelta(seconds=max(1, int(getattr(settings, "WAITING_ROOM_INTERVAL_SECONDS", 60))))


def grace() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "WAITING_ROOM_GRACE_MINUTES", 10)))


def browser_hash(session_key: str) -> str:
    return hashlib.sha256(f"waiting-room:{session_key}".encode()).hexdigest()


def opening_of_day(procedure: Procedure, now: datetime) -> datetime:
    """Today's opening (new slots become bookable at `opens_at`, local time)."""
    local = timezone.localtime(now)
    return timezone.make_aware(datetime.combine(local.date(), procedure.opens_at))


def admitted_count(room: WaitingRoom, now: datetime) -> int:
    """Positions let in by now: N at the draw, N more every interval.

    Once the room is drawn, a clock reading a little before the draw (a request that began
    while another one, maybe on another server, was drawing; a server whose clock is a few
    milliseconds behind the drawer's) counts as the draw's first round: every server then
    gives the same answer from the draw on, instead of showing nobody let in yet."""
    if room.drawn_at is None:
        return 0
    steps = max(0, int((now - room.drawn_at) / interval()))
    return admit_per_interval() * (steps + 1)


def active_room(procedure: Procedure, now: datetime) -> tuple[bool, datetime]:
    """(is the waiting room in force now, the opening it is for). No query before the
    opening; at most one after it."""
    opening = opening_of_day(procedure, now)
    if not procedure.waiting_room or now < opening - timedelta(
        minutes=procedure.waiting_room_minutes
    ):
        return False, opening
    if now < opening + grace():
        return True, opening
    room = WaitingRoom.objects.filter(procedure=procedure, opening=opening).first()
    if room is None or room.drawn_at is None:
        return False, opening
    return admitted_count(room, now) < room.last_position, opening


def _room(procedure: Procedure, opening: datetime) -> WaitingRoom:
    room = WaitingRoom.objects.filter(procedure=procedure, opening=opening).first()
    if room is not None:
        return room
    try:
        with transaction.atomic():
            return WaitingRoom.objects.create(procedure=procedure, opening=opening)
    except IntegrityError:
        return WaitingRoom.objects.get(procedure=procedure, opening=opening)


def draw(room: WaitingRoom, now: datetime | None = None) -> WaitingRoom:
    """Draw the order of the people who arrived before the opening, once (atomic)."""
    now = now or timezone.now()
    if room.drawn_at is not None or now < room.opening:
        return room
    with transaction.atomic():
        room = WaitingRoom.objects.select_for_update().get(pk=room.pk)
        if room.drawn_at is not None:
            return room
        early = list(
            WaitingTicket.objects.filter(
                room=room, position__isnull=True, joined_at__lt=room.opening
            ).values_list("pk", flat=True)
        )
        secrets.SystemRandom().shuffle(early)
        tickets = [
            WaitingTicket(pk=pk, position=room.last_position + index + 1)
            for index, pk in enumerate(early)
        ]
        WaitingTicket.objects.bulk_update(tickets, ["position"], batch_size=1000)
        room.last_position += len(tickets)
        room.drawn_at = now
        room.save(update_fields=["last_position", "drawn_at"])
    return room


def draw_due_rooms(*, now: datetime | None = None) -> int:
    """Every minute: draw the rooms whose opening has come (if no request did)."""
    now = now or timezone.now()
    rooms = WaitingRoom.objects.filter(drawn_at__isnull=True, opening__lte=now)
    return sum(1 for room in rooms if draw(room, now).drawn_at is not None)


def _queue_behind(ticket: WaitingTicket) -> WaitingTicket:
    """A late arrival (or a ticket the draw missed) takes the next place in the queue."""
    with transaction.atomic():
        room = WaitingRoom.objects.select_for_update().get(pk=ticket.room_id)
        room.last_position += 1
        room.save(update_fields=["last_position"])
        WaitingTicket.objects.filter(pk=ticket.pk, position__isnull=True).update(
            position=room.last_position
        )
    ticket.refresh_from_db()
    ticket.room = room
    return ticket


def join(procedure: Procedure, session_key: str, *, now: datetime | None = None) -> WaitingTicket:
    """A new place in today's waiting room of the procedure, for this browser."""
    now = now or timezone.now()
    room = _room(procedure, opening_of_day(procedure, now))
    ticket = WaitingTicket.objects.create(
        room=room, browser_hash=browser_hash(session_key), joined_at=now
    )
    if now >= room.opening:
        draw(room, now)
        ticket = _queue_behind(ticket)
    return ticket


def find_ticket(
    procedure: Procedure, token: str | None, session_key: str | None
) -> WaitingTicket | None:
    """The browser's ticket for this procedure, or None (unknown, another browser's)."""
    if not token or not session_key:
        return None
    ticket = (
        WaitingTicket.objects.select_related("room")
        .filter(token=token, room__procedure=procedure)
        .first()
    )
    if ticket is None or not secrets.compare_digest(ticket.browser_hash, browser_hash(session_key)):
        return None
    return ticket


@dataclass
class Place:
    state: str  # BEFORE, WAITING, ADMITTED, USED
    opening: datetime
    position: int | None = None
    ahead: int = 0
    wait_minutes: int = 0
    refresh_seconds: int = 0


def place(ticket: WaitingTicket, now: datetime | None = None) -> Place:
    """Where the ticket stands now (draws the room at the first look after the opening)."""
    now = now or timezone.now()
    room = ticket.room
    if ticket.used_at is not None:
        return Place(USED, room.opening, ticket.position)
    if now < room.opening:
        seconds = (room.opening - now).total_seconds()
        return Place(BEFORE, room.opening, refresh_seconds=int(min(30, max(2, seconds))))
    if room.drawn_at is None:
        room = draw(room, now)
        ticket.refresh_from_db(fields=["position"])
    ticket.room = room
    if ticket.position is None:
        ticket = _queue_behind(ticket)
    room = ticket.room
    now = max(now, room.drawn_at)  # see admitted_count
    admitted = admitted_count(ticket.room, now)
    if ticket.position <= admitted:
        return Place(ADMITTED, room.opening, ticket.position)
    ahead = ticket.position - admitted - 1  # people before this one not let in yet
    rounds = math.ceil((ticket.position - admitted) / admit_per_interval())
    next_round = room.drawn_at + interval() * (int((now - room.drawn_at) / interval()) + 1)
    wait = (next_round - now) + interval() * (rounds - 1)
    return Place(
        WAITING,
        room.opening,
        ticket.position,
        ahead=ahead,
        wait_minutes=max(1, math.ceil(wait.total_seconds() / 60)),
        refresh_seconds=int(min(20, max(2, (next_round - now).total_seconds() + 1))),
    )


def may_book(ticket: WaitingTicket | None, now: datetime | None = None) -> bool:
    return ticket is not None and place(ticket, now).state == ADMITTED


def use(ticket: WaitingTicket, *, now: datetime | None = None) -> bool:
    """Spend the ticket on a booking (once)."""
    return bool(
        WaitingTicket.objects.filter(pk=ticket.pk, used_at__isnull=True).update(
            used_at=now or timezone.now()
        )
    )


def purge_waiting_rooms(*, now: datetime | None = None) -> int:
    """Daily housekeeping: rooms (and their tickets) of past days go."""
    now = now or timezone.now()
    return WaitingRoom.objects.filter(opening__lt=now - timedelta(days=2)).delete()[0]

"""Read side: public week view, first free slot, figures for dashboards (indicators.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from .enums import BookingStatus, Channel, SlotState
from .models import Booking, Procedure, Slot
from .rules import public_refusal


def slot_state(slot: Slot, now: datetime, *, priority_person: bool = False) -> str:
    """FULL, NOT_BOOKABLE (rules.public_refusal, the booking's own rule) or FREE."""
    if slot.booked >= slot.capacity:
        return SlotState.FULL
    if public_refusal(slot, now, priority_person=priority_person):
        return SlotState.NOT_BOOKABLE
    return SlotState.FREE


def bookable_slots(procedure: Procedure, now: datetime) -> QuerySet[Slot]:
    """Candidates for the public (the window is checked per slot by slot_state)."""
    return Slot.objects.filter(
        procedure=procedure,
        blocked=False,
        booked__lt=F("capacity"),
        starts_at__gt=now + timedelta(hours=procedure.closes_hours_before),
    ).order_by("starts_at")


# The first free slot is looked for among this many candidates, read in two steps: most
# often the first candidate is free, and reading (and building) 200 slots to use one made
# the public list of procedures cost several milliseconds per procedure.
FIRST_CANDIDATES, MAX_CANDIDATES = 10, 200


def first_free_slot(procedure: Procedure, now: datetime | None = None) -> Slot | None:
    """The first slot the public may book now, among the first MAX_CANDIDATES candidates
    (a slot's start is unique within its procedure: the two reads never overlap)."""
    now = now or timezone.now()
    candidates = bookable_slots(procedure, now)
    for start, stop in ((0, FIRST_CANDIDATES), (FIRST_CANDIDATES, MAX_CANDIDATES)):
        for slot in candidates[start:stop]:
            slot.procedure = procedure  # the rules read it: the row the caller has
            if slot_state(slot, now) == SlotState.FREE:
                return slot
    return None


def free_slots_by_procedure(procedure_ids, after: datetime, per_procedure: int) -> dict:
    """{procedure id: its first `per_procedure` slots with a free seat starting after
    `after`, open to bookings}, in one query (a window over the procedures' slots)."""
    rows = (
        Slot.objects.filter(
            procedure_id__in=list(procedure_ids),
            blocked=False,
            booked__lt=F("capacity"),
            starts_at__gt=after,
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=F("procedure_id"), order_by=F("starts_at").asc())
        )
        .filter(rank__lte=per_procedure)
        .order_by("procedure_id", "starts_at")
    )
    found: dict[int, list[Slot]] = {}
    for slot in rows:
        found.setdefault(slot.procedure_id, []).append(slot)
    return found


def first_free_days(procedure: Procedure, now: datetime | None = None) -> int | None:
    """indicators.md: days from today to the first bookable slot."""
    now = now or timezone.now()
    slot = first_free_slot(procedure, now)
    if slot is None:
        return None
    return (timezone.localtime(slot.starts_at).date() - timezone.localdate(now)).days


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class DayColumn:
    day: date
    slots: list[tuple[Slot, str]]
    # Why a day shows no slot, when it is not that none were opened: the day is past
    # ("Jour passé"), or it is today and its slots have all begun ("Plus de créneau
    # aujourd'hui"); "Aucun créneau" would read as if the service were closed.
    past: bool = False
    over: bool = False


def week_view(
    procedure: Procedure,
    week_start: date,
    now: datetime,
    *,
    priority_person: bool = False,
    window: tuple[date, date] | None = None,
) -> list[DayColumn]:
    """The slots of a week with their public state; `window` (renewals) marks days outside
    it as not bookable."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(week_start, datetime.min.time()), tz)
    end = start + timedelta(days=7)
    slots = list(
        Slot.objects.filter(procedure=procedure, starts_at__gte=start, starts_at__lt=end)
        .select_related("procedure")
        .order_by("starts_at")
    )
    columns = {week_start + timedelta(days=i): [] for i in range(7)}
    today = timezone.localdate(now)  # the prefecture's local day
    began_today = False
    for slot in slots:
        day = timezone.localtime(slot.starts_at).date()
        if slot.starts_at <= now:
            began_today = began_today or day == today
            continue
        state = slot_state(slot, now, priority_person=priority_person)
        if window and state == SlotState.FREE and not window[0] <= day <= window[1]:
            state = SlotState.NOT_BOOKABLE
        columns[day].append((slot, state))
    return [
        DayColumn(day, items, past=day < today, over=day == today and began_today and not items)
        for day, items in columns.items()
        if items or day.weekday() < 5 or (day == today and began_today)
    ]


def first_free_week(procedure: Procedure, now: datetime) -> date:
    slot = first_free_slot(procedure, now)
    day = timezone.localtime(slot.starts_at).date() if slot else timezone.localdate(now)
    return monday(day)


def no_show_rate(bookings: QuerySet[Booking], now: datetime | None = None) -> float | None:
    """indicators.md: no-shows / (attended + no-shows), past appointments, cancellations
    left out. A late arrival came: it counts with the attended."""
    now = now or timezone.now()
    past = bookings.filter(slot__starts_at__lt=now)
    counts = past.aggregate(
        came=Count("pk", filter=Q(status__in=[BookingStatus.ATTENDED, BookingStatus.LATE])),
        absent=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    )
    total = counts["came"] + counts["absent"]
    return round(100 * counts["absent"] / total, 1) if total else None


def fill_rate(procedure: Procedure, start: datetime, end: datetime) -> float | None:
    totals = Slot.objects.filter(
        procedure=procedure, starts_at__gte=start, starts_at__lt=end, blocked=False
    ).aggregate(capacity=Sum("capacity"), booked=Sum("booked"))
    if not totals["capacity"]:
        return None
    return round(100 * (totals["booked"] or 0) / totals["capacity"], 1)


def procedure_figures(procedures, now: datetime | None = None) -> list[dict]:
    """One row per procedure: first free slot, fill rate (4 coming weeks), no-show rate and
    cancellations (last 30 days), bookings per channel. A fixed number of grouped queries
    plus one per procedure for the first free slot."""
    now = now or timezone.now()
    procedures = list(procedures)
    ids = [p.pk for p in procedures]
    cancelled_statuses = [BookingStatus.CANCELLED_BY_USER, BookingStatus.CANCELLED_BY_SERVICE]
    recent = {
        row["procedure_id"]: row
        for row in Booking.objects.filter(
            procedure_id__in=ids,
            slot__starts_at__gte=now - timedelta(days=30),
            slot__starts_at__lt=now,
        )
        .values("procedure_id")
        .annotate(
            came=Count("pk", filter=Q(status__in=[BookingStatus.ATTENDED, BookingStatus.LATE])),
            absent=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
            cancelled=Count("pk", filter=Q(status__in=cancelled_statuses)),
        )
        .order_by()
    }
    fill = {
        row["procedure_id"]: row
        for row in Slot.objects.filter(
            procedure_id__in=ids,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=28),
            blocked=False,
        )
        .values("procedure_id")
        .annotate(capacity=Sum("capacity"), booked=Sum("booked"))
        .order_by()
    }
    labels = dict(Channel.choices)
    channels: dict[int, dict[str, int]] = {}
    for procedure_id, channel, n in (
        # A hold that lapsed unconfirmed was never a booking.
        Booking.objects.filter(procedure_id__in=ids, created_at__gte=now - timedelta(days=30))
        .exclude(status=BookingStatus.EXPIRED)
        .values_list("procedure_id", "channel")
        .annotate(n=Count("pk"))
        .order_by("procedure_id", "channel")
    ):
        channels.setdefault(procedure_id, {})[str(labels.get(channel, channel))] = n
    rows = []
    for procedure in procedures:
        r = recent.get(procedure.pk, {"came": 0, "absent": 0, "cancelled": 0})
        total = r["came"] + r["absent"]
        f = fill.get(procedure.pk)
        rows.append(
            {
                "procedure": procedure,
                "first_free_days": first_free_days(procedure, now),
                "fill_rate": round(100 * (f["booked"] or 0) / f["capacity"], 1)
                if f and f["capacity"]
                else None,
                "no_show_rate": round(100 * r["absent"] / total, 1) if total else None,
                "cancelled": r["cancelled"],
                "channels": channels.get(procedure.pk, {}),
            }
        )
    return rows


def no_show_counts(bookings: QuerySet[Booking], now: datetime | None = None) -> dict[str, int]:
    """The two terms of `no_show_rate`: {"no_show": …, "counted": attended + no-shows}."""
    now = now or timezone.now()
    counts = bookings.filter(slot__starts_at__lt=now).aggregate(
        came=Count("pk", filter=Q(status__in=[BookingStatus.ATTENDED, BookingStatus.LATE])),
        absent=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    )
    return {"no_show": counts["absent"], "counted": counts["came"] + counts["absent"]}


def bookings_between(
    prefecture, start: datetime, end: datetime, site=None, *, service=None, services=None
) -> QuerySet[Booking]:
    """Bookings whose slot starts in [start, end), for a prefecture, a site, a service or a
    set of services (pks: a module's scope)."""
    qs = Booking.objects.filter(
        procedure__prefecture=prefecture, slot__starts_at__gte=start, slot__starts_at__lt=end
    )
    if site is not None:
        qs = qs.filter(procedure__site=site)
    if service is not None:
        qs = qs.filter(procedure__service=service)
    if services is not None:
        qs = qs.filter(procedure__service__in=services)
    return qs


def no_show_bookings(bookings: QuerySet[Booking], now: datetime) -> QuerySet[Booking]:
    """The no-shows behind a no-show rate (past appointments)."""
    return bookings.filter(slot__starts_at__lt=now, status=BookingStatus.NO_SHOW)


def first_free_days_in_scope(
    prefecture, site=None, now: datetime | None = None, *, service=None, services=None
) -> int | None:
    """indicators.md: the smallest first-free-slot delay over the public procedures in scope
    (a site, a service, or a set of services' pks)."""
    procedures = Procedure.objects.filter(prefecture=prefecture, is_public=True)
    if site is not None:
        procedures = procedures.filter(site=site)
    if service is not None:
        procedures = procedures.filter(service=service)
    if services is not None:
        procedures = procedures.filter(service__in=services)
    days = [first_free_days(p, now) for p in procedures]
    days = [d for d in days if d is not None]
    return min(days) if days else None


def waiting_room_queue(now: datetime | None = None) -> int:
    """For monitoring: people in today's waiting rooms not let in yet (all rooms)."""
    from .models import WaitingRoom, WaitingTicket
    from .services.waiting_room import admitted_count

    now = now or timezone.now()
    waiting = 0
    for room in WaitingRoom.objects.filter(opening__gte=now - timedelta(days=1)):
        if room.drawn_at is None:
            waiting += WaitingTicket.objects.filter(room=room, used_at__isnull=True).count()
        else:
            waiting += max(0, room.last_position - admitted_count(room, now))
    return waiting


def no_show_counts_by_month(
    prefecture, start: datetime, end: datetime, *, now, zone, services=None
) -> list[dict]:
    """The terms of the no-show rate of the bookings whose slot starts in [start, end), per
    month (in `zone`), site and service, in one query: rows of `month`, `site_id`,
    `service_id`, `no_show`, `counted` (attended + no-shows, past appointments); `services`
    (pks: a module's scope) keeps only theirs."""
    from django.db.models.functions import TruncMonth

    bookings = Booking.objects.filter(
        procedure__prefecture=prefecture,
        slot__starts_at__gte=start,
        slot__starts_at__lt=min(end, now),
    )
    if services is not None:
        bookings = bookings.filter(procedure__service__in=services)
    rows = (
        bookings.annotate(month=TruncMonth("slot__starts_at", tzinfo=zone))
        .values("month", "procedure__site_id", "procedure__service_id")
        .annotate(
            came=Count("pk", filter=Q(status__in=[BookingStatus.ATTENDED, BookingStatus.LATE])),
            absent=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
        )
        .order_by()
    )
    return [
        {
            "month": row["month"].date() if isinstance(row["month"], datetime) else row["month"],
            "site_id": row["procedure__site_id"],
            "service_id": row["procedure__service_id"],
            "no_show": row["absent"],
            "counted": row["came"] + row["absent"],
        }
        for row in rows
    ]


def first_free_days_by_procedure(
    prefecture, now: datetime | None = None, *, services=None
) -> list[dict]:
    """The first-free-slot delay of each public procedure of the prefecture (`site_id`,
    `service_id`, `days`; None when nothing is bookable): the indicators take the smallest
    per site or service, each procedure read once whatever the number of structures;
    `services` (pks: a module's scope) keeps only theirs."""
    procedures = Procedure.objects.filter(prefecture=prefecture, is_public=True)
    if services is not None:
        procedures = procedures.filter(service__in=services)
    return [
        {"site_id": p.site_id, "service_id": p.service_id, "days": first_free_days(p, now)}
        for p in procedures
    ]

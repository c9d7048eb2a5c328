"""The stored calendars (calendar.WorkingDay): building, extending, reading.

Figures over many messages count working days in SQL: each stored day carries the number
of working days from its calendar's first day up to and including itself, so the delay of
a message is number(answered_on) - number(received_on). A prefecture has one calendar; a
site with closures of its own has another. This module is the calendars' only writer: they
are built over every year that holds records when the records arrive (`ensure_calendars`,
called by the services that register messages and imports), written again when closures
or the holiday subdivision change (`closures_changed`, through the receivers), and
extended ahead by a daily job (`jobs.extend_ahead`). Reads never write.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Max, Min, Subquery
from django.utils import timezone

from engagements.db import analyze
from engagements.organisation.models import Prefecture

from .models import WorkingDay
from .workdays import SiteCalendars, calendar_for

AHEAD_YEARS = 2  # the calendars reach the end of the year after next


def stored_range(prefecture) -> tuple[date, date] | None:
    """First and last day of a prefecture's stored calendar, or None when not built."""
    pk = getattr(prefecture, "pk", prefecture)
    found = WorkingDay.objects.filter(prefecture_id=pk, site__isnull=True).aggregate(
        first=Min("day"), last=Max("day")
    )
    return (found["first"], found["last"]) if found["first"] else None


def default_range(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return date(today.year - 1, 1, 1), date(today.year + AHEAD_YEARS - 1, 12, 31)


def build_calendars(prefecture, start: date, end: date) -> int:
    """(Re)write every stored calendar of a prefecture over [start, end]; returns rows."""
    pk = getattr(prefecture, "pk", prefecture)
    with transaction.atomic():
        # One builder at a time per prefecture (the rows are deleted and written again).
        prefecture = Prefecture.objects.select_for_update().get(pk=pk)
        site_calendars = SiteCalendars(prefecture)
        calendars = [
            (site_id, site_calendars[site_id])
            for site_id in [None, *site_calendars.sites_with_closures()]
        ]
        WorkingDay.objects.filter(prefecture=prefecture).delete()
        rows = []
        for site_id, calendar in calendars:
            number, day = 0, start
            while day <= end:
                if calendar.is_working_day(day):
                    number += 1
                rows.append(WorkingDay(prefecture_id=pk, site_id=site_id, day=day, number=number))
                day += timedelta(days=1)
        WorkingDay.objects.bulk_create(rows, batch_size=5000)
        analyze(WorkingDay)  # the figures join it at once (engagements/db.py)
        return len(rows)


def ensure_calendars(prefecture, start: date | None = None, end: date | None = None) -> bool:
    """Make a prefecture's stored calendars cover [start, end] (and at least the default
    range); extends them when needed. Returns True when it (re)built them."""
    first, last = default_range()
    current = stored_range(prefecture)
    if current is not None:
        first, last = current
    want_first = min(first, start or first)
    want_last = max(last, end or last)
    if current is not None and current == (want_first, want_last):
        return False
    build_calendars(prefecture, date(want_first.year, 1, 1), date(want_last.year, 12, 31))
    return True


def ensure_covering(prefecture, *days: date | None) -> bool:
    """`ensure_calendars` over the days a record brings (None ignored)."""
    known = [day for day in days if day is not None]
    if not known:
        return ensure_calendars(prefecture)
    return ensure_calendars(prefecture, min(known), max(known))


def closures_changed(prefecture) -> None:
    """A closure of the prefecture (or one of its sites) was added or removed, or its
    holiday subdivision changed: its stored calendars are written again."""
    current = stored_range(prefecture)
    if current is not None:
        build_calendars(prefecture, *current)


def prefecture_object(prefecture) -> Prefecture:
    """A prefecture given as itself or by its pk."""
    if isinstance(prefecture, Prefecture):
        return prefecture
    return Prefecture.objects.get(pk=prefecture)


def _calendar_site_id(prefecture, site) -> int | None:
    """The site whose own stored calendar applies, or None (the prefecture's)."""
    if site is None or not WorkingDay.objects.filter(site=site).exists():
        return None
    return site.pk


def stored_working_days_between(start: date, end: date, prefecture, site=None) -> int:
    """`working_days_between`, read from the stored calendar (one lookup); a day the
    calendar does not cover is counted in Python (a read never extends the table)."""
    if end <= start:
        return 0
    numbers = dict(
        WorkingDay.objects.filter(
            prefecture_id=getattr(prefecture, "pk", prefecture),
            site_id=_calendar_site_id(prefecture, site),
            day__in=[start, end],
        ).values_list("day", "number")
    )
    if start not in numbers or end not in numbers:
        return calendar_for(prefecture_object(prefecture), site).working_days_between(start, end)
    return numbers[end] - numbers[start]


def stored_add_working_days(start: date, count: int, prefecture, site=None) -> date:
    """`add_working_days`, read from the stored calendar: the first day whose number reaches
    the start's number + count (a due date is a lookup); beyond the stored days, counted in
    Python (a read never extends the table)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    calendar = WorkingDay.objects.filter(
        prefecture_id=getattr(prefecture, "pk", prefecture),
        site_id=_calendar_site_id(prefecture, site),
    )
    base = calendar.filter(day=start).values("number")[:1]
    found = (
        calendar.filter(day__gte=start)
        .annotate(base=Subquery(base))
        .filter(number__gte=F("base") + count)
        .aggregate(first=Min("day"))["first"]
    )
    if found is None:
        return calendar_for(prefecture_object(prefecture), site).add_working_days(start, count)
    return found

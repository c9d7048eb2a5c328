"""Working days (jours ouvrés), as defined in docs/indicators.md.

A working day is Monday to Friday, minus the public holidays of the prefecture's holiday
subdivision (the `holidays` package), minus the prefecture's own closure days (and, for a
site, that site's closures). Deadlines and delays of every figure go through here.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.db.models import F

# Our subdivision codes -> the `holidays` package's FR subdivision (None: metropolitan France).
SUBDIVISIONS: dict[str, str | None] = {
    "metropole": None,
    "57": "57",
    "6AE": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "975": "PM",
    "976": "976",
}
SUBDIVISION_CHOICES = [
    ("metropole", "France métropolitaine"),
    ("57", "Moselle (57)"),
    ("6AE", "Alsace (67, 68)"),
    ("971", "Guadeloupe (971)"),
    ("972", "Martinique (972)"),
    ("973", "Guyane (973)"),
    ("974", "La Réunion (974)"),
    ("975", "Saint-Pierre-et-Miquelon (975)"),
    ("976", "Mayotte (976)"),
]


@lru_cache(maxsize=32)
def public_holidays(subdivision: str = "metropole") -> holidays.HolidayBase:
    """The public holidays of a subdivision (expands to any year on demand)."""
    if subdivision not in SUBDIVISIONS:
        raise ValueError(f"Unknown holiday subdivision: {subdivision!r}")
    return holidays.country_holidays("FR", subdiv=SUBDIVISIONS[subdivision], language="fr")


@dataclass(frozen=True)
class WorkCalendar:
    """Working days for one subdivision and a set of closure days."""

    subdivision: str = "metropole"
    closures: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() < 5
            and day not in public_holidays(self.subdivision)
            and day not in self.closures
        )

    def holiday_name(self, day: date) -> str | None:
        return public_holidays(self.subdivision).get(day)

    def add_working_days(self, start: date, count: int) -> date:
        """The count-th working day after start (start itself never counts)."""
        if count < 0:
            raise ValueError("count must be >= 0")
        day = start
        remaining = count
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days d with start < d <= end (0 when end <= start)."""
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += timedelta(days=1)
        return count

    def next_working_day(self, day: date) -> date:
        """The day itself if it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


def calendar_for(prefecture, site=None) -> WorkCalendar:
    """The working-day calendar of a prefecture, with a site's own closures if given."""
    from engagements.organisation.models import Closure

    closures = Closure.objects.filter(prefecture=prefecture)
    if site is not None:
        closures = closures.filter(site__isnull=True) | closures.filter(site=site)
    else:
        closures = closures.filter(site__isnull=True)
    return WorkCalendar(
        subdivision=prefecture.holiday_subdivision,
        closures=frozenset(closures.values_list("date", flat=True)),
    )


def is_working_day(day: date, prefecture, site=None) -> bool:
    return calendar_for(prefecture, site).is_working_day(day)


def add_working_days(start: date, count: int, prefecture, site=None) -> date:
    return calendar_for(prefecture, site).add_working_days(start, count)


def working_days_between(start: date, end: date, prefecture, site=None) -> int:
    return calendar_for(prefecture, site).working_days_between(start, end)


# --- The stored calendar (organisation.WorkingDay) -----------------------------------------
# Figures over many messages count working days in SQL: each stored day carries the number
# of working days from its calendar's first day up to and including itself, so the delay of
# a message is number(answered_on) - number(received_on). A prefecture has one calendar; a
# site with closures of its own has another. This module is the calendars' only writer: it
# builds them over every year that holds records (imports extend them back), rebuilds them
# when closures change, and a daily job extends them ahead.

AHEAD_YEARS = 2  # the calendars reach the end of the year after next
_closure_writes = threading.local()


@contextmanager
def closures_changing():
    """Closure writes in this block leave the rebuild to the caller (a service that calls
    `closures_changed` once); writes elsewhere (admin, fixtures) rebuild through signals."""
    depth = getattr(_closure_writes, "depth", 0)
    _closure_writes.depth = depth + 1
    try:
        yield
    finally:
        _closure_writes.depth = depth


def on_closure_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver of organisation.Closure."""
    if getattr(_closure_writes, "depth", 0):
        return
    origin = kwargs.get("origin")
    if origin is not None and getattr(origin, "model", type(origin)) is not sender:
        return  # a prefecture or site being deleted takes its calendars with it
    closures_changed(instance.prefecture_id)


def _prefecture(prefecture):
    from engagements.organisation.models import Prefecture

    return (
        prefecture if isinstance(prefecture, Prefecture) else Prefecture.objects.get(pk=prefecture)
    )


def stored_range(prefecture) -> tuple[date, date] | None:
    """First and last day of a prefecture's stored calendar, or None when not built."""
    from django.db.models import Max, Min

    from engagements.organisation.models import WorkingDay

    pk = getattr(prefecture, "pk", prefecture)
    found = WorkingDay.objects.filter(prefecture_id=pk, site__isnull=True).aggregate(
        first=Min("day"), last=Max("day")
    )
    return (found["first"], found["last"]) if found["first"] else None


def default_range(today: date | None = None) -> tuple[date, date]:
    from django.utils import timezone

    today = today or timezone.localdate()
    return date(today.year - 1, 1, 1), date(today.year + AHEAD_YEARS - 1, 12, 31)


def build_calendars(prefecture, start: date, end: date) -> int:
    """(Re)write every stored calendar of a prefecture over [start, end]; returns rows."""
    from django.db import transaction

    from engagements.organisation.models import Closure, Prefecture, WorkingDay

    pk = getattr(prefecture, "pk", prefecture)
    with transaction.atomic():
        # One builder at a time per prefecture (the rows are deleted and written again).
        prefecture = Prefecture.objects.select_for_update().get(pk=pk)
        common: set[date] = set()
        own: dict[int, set[date]] = {}
        for site_id, day in Closure.objects.filter(prefecture=prefecture).values_list(
            "site_id", "date"
        ):
            (common if site_id is None else own.setdefault(site_id, set())).add(day)
        calendars = [(None, WorkCalendar(prefecture.holiday_subdivision, frozenset(common)))]
        calendars += [
            (site_id, WorkCalendar(prefecture.holiday_subdivision, frozenset(common | days)))
            for site_id, days in sorted(own.items())
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


def closures_changed(prefecture) -> None:
    """A closure of the prefecture (or one of its sites) was added or removed, or its
    holiday subdivision changed: its stored calendars are written again."""
    current = stored_range(prefecture)
    if current is not None:
        build_calendars(prefecture, *current)


def extend_ahead() -> dict[str, bool]:
    """Daily job: every prefecture's calendars reach the end of the year after next."""
    from engagements.organisation.models import Prefecture

    _, last = default_range()
    return {p.slug: ensure_calendars(p, end=last) for p in Prefecture.objects.all()}


def _calendar_site_id(prefecture, site) -> int | None:
    """The site whose own stored calendar applies, or None (the prefecture's)."""
    from engagements.organisation.models import WorkingDay

    if site is None or not WorkingDay.objects.filter(site=site).exists():
        return None
    return site.pk


def stored_working_days_between(start: date, end: date, prefecture, site=None) -> int:
    """`working_days_between`, read from the stored calendar (one lookup)."""
    from engagements.organisation.models import WorkingDay

    if end <= start:
        return 0
    ensure_calendars(prefecture, start, end)
    numbers = dict(
        WorkingDay.objects.filter(
            prefecture_id=getattr(prefecture, "pk", prefecture),
            site_id=_calendar_site_id(prefecture, site),
            day__in=[start, end],
        ).values_list("day", "number")
    )
    return numbers[end] - numbers[start]


def stored_add_working_days(start: date, count: int, prefecture, site=None) -> date:
    """`add_working_days`, read from the stored calendar: the first day whose number reaches
    the start's number + count (a due date is a lookup)."""
    from django.db.models import Min, Subquery

    from engagements.organisation.models import WorkingDay

    if count < 0:
        raise ValueError("count must be >= 0")
    # count working days fit in count * 7 + 30 calendar days whatever the holidays.
    ensure_calendars(prefecture, start, start + timedelta(days=count * 7 + 30))
    calendar = WorkingDay.objects.filter(
        prefecture_id=getattr(prefecture, "pk", prefecture),
        site_id=_calendar_site_id(prefecture, site),
    )
    base = calendar.filter(day=start).values("number")[:1]
    return (
        calendar.filter(day__gte=start)
        .annotate(base=Subquery(base))
        .filter(number__gte=F("base") + count)
        .aggregate(first=Min("day"))["first"]
    )


def number_joins(message: str, day_column: str, alias: str) -> tuple[str, str]:
    """SQL pieces giving the stored working-day number of `message`.`day_column` (a relation
    with prefecture_id and site_id): LEFT JOINs to add to a FROM clause, and the expression
    (NULL when the calendar does not cover that day)."""
    from engagements.organisation.models import WorkingDay

    table = WorkingDay._meta.db_table
    joins = (
        f" LEFT JOIN {table} {alias}_p ON {alias}_p.prefecture_id = {message}.prefecture_id"
        f" AND {alias}_p.site_id IS NULL AND {alias}_p.day = {message}.{day_column}"
        f" LEFT JOIN {table} {alias}_s ON {alias}_s.site_id = {message}.site_id"
        f" AND {alias}_s.day = {message}.{day_column}"
    )
    return joins, f"COALESCE({alias}_s.number, {alias}_p.number)"

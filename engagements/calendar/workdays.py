"""Working days (jours ouvrés), as defined in docs/indicators.md, and due dates.

A working day is Monday to Friday, minus the public holidays of the prefecture's holiday
subdivision (the `holidays` package), minus the prefecture's own closure days (and, for a
site, that site's closures). Deadlines and delays of every figure go through here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

from engagements.organisation.models import Closure

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
    return SiteCalendars(prefecture)[None if site is None else site.pk]


class SiteCalendars:
    """Each site's calendar by site id (None: the prefecture's own): the prefecture's
    closures, with the site's own ones for a site. The prefecture's closures are read
    once, at the first calendar asked, for all its sites (a list over many sites: one
    query, not one per site)."""

    def __init__(self, prefecture) -> None:
        self.prefecture = prefecture
        self._closures: dict[int | None, set[date]] | None = None
        self._calendars: dict[int | None, WorkCalendar] = {}

    def __getitem__(self, site_id: int | None) -> WorkCalendar:
        if site_id not in self._calendars:
            closures = self._read()
            days = closures.get(None, set())
            if site_id is not None:
                days = days | closures.get(site_id, set())
            self._calendars[site_id] = WorkCalendar(
                subdivision=self.prefecture.holiday_subdivision, closures=frozenset(days)
            )
        return self._calendars[site_id]

    def sites_with_closures(self) -> list[int]:
        """The sites (ids, sorted) with closures of their own: the only ones whose calendar
        is not the prefecture's."""
        return sorted(site_id for site_id in self._read() if site_id is not None)

    def _read(self) -> dict[int | None, set[date]]:
        if self._closures is None:
            self._closures = {}
            rows = Closure.objects.filter(prefecture=self.prefecture).values_list("site_id", "date")
            for site_id, day in rows:
                self._closures.setdefault(site_id, set()).add(day)
        return self._closures


def is_working_day(day: date, prefecture, site=None) -> bool:
    return calendar_for(prefecture, site).is_working_day(day)


def add_working_days(start: date, count: int, prefecture, site=None) -> date:
    return calendar_for(prefecture, site).add_working_days(start, count)


def working_days_between(start: date, end: date, prefecture, site=None) -> int:
    return calendar_for(prefecture, site).working_days_between(start, end)


@dataclass(frozen=True)
class Due:
    deadline_days: int
    due_on: date


def due_for(
    prefecture,
    site,
    channel: str,
    received_on: date,
    *,
    calendar: WorkCalendar | None = None,
    kind: str | None = None,
) -> Due:
    """The due date of a request: the N-th working day after receipt, N being the
    prefecture's deadline for the channel (docs/indicators.md), or its deadline for the
    request's `kind` when one is set and shorter (the earlier of the two due dates).
    `calendar`: the site's calendar when the caller already holds it (an import)."""
    days = prefecture.deadline_for(channel)
    by_kind = prefecture.kind_deadline_for(kind) if kind else None
    if by_kind is not None and by_kind < days:
        days = by_kind
    calendar = calendar if calendar is not None else calendar_for(prefecture, site)
    return Due(days, calendar.add_working_days(received_on, days))

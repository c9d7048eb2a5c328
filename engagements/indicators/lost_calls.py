"""The lost-calls rate (docs/indicators.md, Telephone): calls offered during a telephone
platform's published hours that were abandoned or not answered, over calls offered then.

A site's platforms (organisation's `TelephonePlatform`) each name their queue_log queue and
publish their hours. A call of a platform with hours counts when it entered the queue
within them (its local minute, on a day that is not a public holiday or a closure of the
site); the others are "outside hours", counted apart. A queue with no platform, or a
platform with no hours, counts every queued call as offered. Calls of a queue_log are read
one by one (`Call`); hourly files (`CallHour` from an hourly CSV) by the hour's start.
JOINEMPTY / JOINUNAVAIL calls are never offered (the "closed" count of the answered rate).

One SQL aggregate per source, grouped by site and queue, whatever the number of calls.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractHour, ExtractMinute

from engagements.calendar.workdays import calendar_for, public_holidays

from .enums import CallOutcome, TelephonySource
from .imports import prefecture_zone
from .models import Call, CallHour


@dataclass
class Tally:
    offered: int = 0
    lost: int = 0
    outside_hours: int = 0


@dataclass
class LostCalls:
    total: Tally
    # (platform, tally) for each platform of the scope, in the organisation's order.
    platforms: list[tuple[object, Tally]] = field(default_factory=list)


def _minutes(moment) -> int:
    return moment.hour * 60 + moment.minute


def _closed_days(prefecture, site, start: date, end: date) -> list[date]:
    """Public holidays and closures of the site between start and end (no opening then)."""
    calendar = calendar_for(prefecture, site)
    holidays = public_holidays(calendar.subdivision)
    days, day = [], start
    while day <= end:
        if day in holidays or day in calendar.closures:
            days.append(day)
        day += timedelta(days=1)
    return days


def _within_hours(platforms, minute_field: str, closed_days: dict) -> Q:
    """Rows within their platform's hours, or of a queue without published hours."""
    with_hours = [p for p in platforms if list(p.hours.all())]
    if not with_hours:
        return Q(pk__isnull=False)  # no hours published: every queued call is offered
    within = Q()
    no_hours = Q()
    for platform in with_hours:
        days = Q()
        for row in platform.hours.all():
            for opens, closes in row.ranges:
                days |= Q(
                    date__iso_week_day=row.weekday + 1,
                    **{
                        f"{minute_field}__gte": _minutes(opens),
                        f"{minute_field}__lt": _minutes(closes),
                    },
                )
        queue = Q(site_id=platform.site_id, queue=platform.queue)
        if closed_days[platform.site_id]:
            days &= ~Q(date__in=closed_days[platform.site_id])
        within |= queue & days
        no_hours &= ~queue
    return within | no_hours


def lost_calls(prefecture, site, start: date, end: date) -> LostCalls:
    """Offered, lost and outside-hours calls of a prefecture (or a site) between two days
    (both included), overall and per telephone platform."""
    platforms, by_queue = _tallies(prefecture, site, start, end)
    total = Tally()
    for tally in by_queue.values():
        total.offered += tally.offered
        total.lost += tally.lost
        total.outside_hours += tally.outside_hours
    return LostCalls(
        total,
        [(p, by_queue.get((p.site_id, p.queue), Tally())) for p in platforms],
    )


def lost_calls_by_month(prefecture, start: date, end: date, *, services=None):
    """The same tallies per month, site and queue in one pass (the indicators' set-based
    recompute sums the months of each period): (platforms, {(month, site_id, queue):
    Tally}); `services` (a module's scope) leaves telephony out."""
    if services is not None:
        return [], {}
    return _tallies(prefecture, None, start, end, monthly=True)


def lost_calls_by_day(prefecture, site, start: date, end: date) -> dict[date, Tally]:
    """The same tallies per day (every queue summed): the records behind the rate."""
    _platforms, by_queue = _tallies(prefecture, site, start, end, daily=True)
    days: dict[date, Tally] = defaultdict(Tally)
    for (day, _site_id, _queue), tally in by_queue.items():
        days[day].offered += tally.offered
        days[day].lost += tally.lost
        days[day].outside_hours += tally.outside_hours
    return dict(sorted(days.items()))


def _tallies(
    prefecture, site, start: date, end: date, *, monthly: bool = False, daily: bool = False
):
    from django.db.models.functions import TruncMonth

    from engagements.organisation.queries import telephone_platforms

    platforms = telephone_platforms(prefecture, site)
    sites = {p.site_id: p.site for p in platforms}
    closed = defaultdict(list)
    for site_id, platform_site in sites.items():
        closed[site_id] = _closed_days(prefecture, platform_site, start, end)
    zone = prefecture_zone(prefecture)
    calls = Call.objects.filter(prefecture=prefecture, date__gte=start, date__lte=end).exclude(
        outcome=CallOutcome.CLOSED
    )
    hours = CallHour.objects.filter(
        prefecture=prefecture, date__gte=start, date__lte=end, source=TelephonySource.HOURLY
    )
    if site is not None:
        calls, hours = calls.filter(site=site), hours.filter(site=site)
    calls = calls.annotate(
        minute_of_day=ExtractHour("entered_at", tzinfo=zone) * 60
        + ExtractMinute("entered_at", tzinfo=zone)
    )
    hours = hours.annotate(minute_of_day=F("hour") * 60)
    group = ["site_id", "queue"]
    if monthly:
        calls = calls.annotate(month=TruncMonth("date"))
        hours = hours.annotate(month=TruncMonth("date"))
        group = ["month", *group]
    elif daily:
        group = ["date", *group]
    within = _within_hours(platforms, "minute_of_day", closed)
    by_queue: dict[tuple, Tally] = defaultdict(Tally)
    for row in (
        calls.values(*group)
        .annotate(
            n_offered=Count("pk", filter=within),
            n_answered=Count("pk", filter=within & Q(outcome=CallOutcome.ANSWERED)),
            n_outside=Count("pk", filter=~within),
        )
        .order_by()
    ):
        tally = by_queue[tuple(row[name] for name in group)]
        tally.offered += row["n_offered"]
        tally.lost += row["n_offered"] - row["n_answered"]
        tally.outside_hours += row["n_outside"]
    for row in (
        hours.values(*group)
        .annotate(
            n_offered=Sum("offered", filter=within, default=0),
            n_answered=Sum("answered", filter=within, default=0),
            n_outside=Sum("offered", filter=~within, default=0),
        )
        .order_by()
    ):
        tally = by_queue[tuple(row[name] for name in group)]
        tally.offered += row["n_offered"]
        tally.lost += row["n_offered"] - row["n_answered"]
        tally.outside_hours += row["n_outside"]
    return platforms, by_queue

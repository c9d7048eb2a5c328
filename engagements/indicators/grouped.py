"""Every indicator of every structure and period in set-based passes (issue 24, item 7).

Each source is read in ONE grouped statement over the whole range of the periods asked,
counted per month of its records and per site and service (`GROUPING SETS` for the
register, like the figures page). Every figure of docs/indicators.md is a ratio of counts
that add up over records, so a quarter's or a year's counts are the sums of its months', and
the prefecture's the sums of its sites'. Each value is then rounded ONCE, from its summed
numerator and denominator (`ratio`), in this module only: the dashboard, its CSV, the
annual report, the posters, the open data and the API all read what comes out of here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from engagements.calendar.workdays import SiteCalendars
from engagements.organisation.models import Prefecture, Service, Site

from .catalogue import BY_CODE
from .enums import PeriodKind
from .imports import prefecture_zone
from .models import CallHour, FootfallCount, Visit, WebsiteUpdate
from .periods import Period

SERVED_WITHIN = timedelta(minutes=15)
WEBSITE_DEADLINE_DAYS = 3
# A structure: (site_id, service_id); (None, None) is the whole prefecture.
Structure = tuple[int | None, int | None]
PREFECTURE: Structure = (None, None)


def ratio(numerator, denominator, places: int, scale: int = 100) -> float | None:
    """THE rounding of a figure (half up, from the exact counts): None when the
    denominator is 0 (docs/indicators.md: never 0)."""
    if not denominator:
        return None
    value = Decimal(numerator) * scale / Decimal(denominator)
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


class Figure:
    """A value with its numerator, denominator and the counts kept beside it."""

    __slots__ = ("value", "numerator", "denominator", "extra")

    def __init__(self, value=None, numerator=None, denominator=None, extra=None):
        self.value = value
        self.numerator = numerator
        self.denominator = denominator
        self.extra = extra if extra is not None else {}

    def __repr__(self) -> str:
        return f"Figure({self.value!r}, {self.numerator!r}, {self.denominator!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Figure) and (
            self.value,
            self.numerator,
            self.denominator,
            self.extra,
        ) == (other.value, other.numerator, other.denominator, other.extra)


def _month(value) -> date:
    if isinstance(value, datetime):
        value = value.date()
    return value.replace(day=1)


class _Tally:
    """Counts per (month, site, service) of one source, summed per period and structure."""

    def __init__(self):
        self.rows: dict[date, list[tuple[int | None, int | None, dict]]] = defaultdict(list)

    def add(self, month, site_id, service_id, counts: dict) -> None:
        self.rows[_month(month)].append((site_id, service_id, counts))

    def sums(self, period: Period, structures: set[Structure]) -> dict[Structure, dict]:
        result: dict[Structure, dict] = {}
        for month in period.months():
            for site_id, service_id, counts in self.rows.get(month.start, ()):
                # dict.fromkeys: a row without site or service is counted once.
                for key in dict.fromkeys(((None, None), (site_id, None), (site_id, service_id))):
                    if key in structures:
                        _accumulate(result.setdefault(key, {}), counts)
        return result


def _accumulate(bucket: dict, counts: dict) -> None:
    for name, value in counts.items():
        if isinstance(value, dict):
            _accumulate(bucket.setdefault(name, {}), value)
        elif value is not None:
            bucket[name] = bucket.get(name, 0) + value
        else:
            bucket.setdefault(name, None)


class Window:
    """The range of one run: every period asked, records as they stood at `at`; `services`
    (pks: a module's scope) keeps only their records, telephony (per site) left out."""

    def __init__(
        self,
        prefecture: Prefecture,
        periods: list[Period],
        at: date,
        services: tuple[int, ...] | None = None,
    ):
        self.prefecture = prefecture
        self.services = services
        self.periods = periods
        self.at = at
        self.zone = prefecture_zone(prefecture)
        self.start = min(p.start for p in periods)
        self.end = max(p.end for p in periods)
        self.last_day = min(self.end, at)

    def moment(self, day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min), self.zone)

    @property
    def start_dt(self) -> datetime:
        return self.moment(self.start)

    @property
    def end_dt(self) -> datetime:
        return self.moment(self.last_day + timedelta(days=1))

    @property
    def at_end(self) -> datetime:
        """The reference moment: now when `at` is today, else the end of the day `at`."""
        if self.at >= timezone.localdate():
            return timezone.now()
        return self.moment(self.at + timedelta(days=1))


# Sources: one grouped statement each --------------------------------------------------------


def _correspondence(window: Window, breakdowns: bool) -> tuple[_Tally, dict[str, _Tally]]:
    from engagements.correspondence import queries

    messages = queries.period_messages(window.prefecture, window.start, window.end)
    if window.services is not None:
        messages = messages.filter(service__in=window.services)
    sets = ["service", "kind", "channel"] if breakdowns else ["service"]
    main = _Tally()
    by: dict[str, _Tally] = defaultdict(_Tally)
    names = ("answered", "on_time", "late", "pending", "excluded", "delay_sum")
    for row in queries.monthly_counts(messages, at=window.at, sets=sets):
        counts = {name: row[name] for name in names}
        if row["set"] == "service":
            counts["excluded_by_reason"] = row["excluded_by_reason"]
            main.add(row["month"], row["site_id"], row["service_id"], counts)
        else:
            column = row["set"]
            by[f"{column}:{row[column]}"].add(row["month"], row["site_id"], None, counts)
    return main, by


def _correspondence_figures(counts: dict, details: bool = True) -> dict[str, Figure]:
    answered, late = counts.get("answered", 0), counts.get("late", 0)
    on_time, delay_sum = counts.get("on_time", 0), counts.get("delay_sum", 0)
    counted = answered + late
    extra = {}
    if details:
        extra = {k: counts.get(k, 0) for k in ("answered", "on_time", "late", "pending")}
        extra["excluded"] = counts.get("excluded", 0)
        extra["excluded_by_reason"] = {
            reason: n for reason, n in counts.get("excluded_by_reason", {}).items() if n
        }
    return {
        "correspondence_on_time_rate": Figure(ratio(on_time, counted, 1), on_time, counted, extra),
        "correspondence_average_delay": Figure(
            ratio(delay_sum, answered, 2, scale=1), delay_sum, answered, extra
        ),
    }


def _telephony(window: Window) -> _Tally:
    tally = _Tally()
    if window.services is not None:
        return tally  # calls are counted per site and queue, not per service
    rows = (
        CallHour.objects.filter(
            prefecture=window.prefecture, date__gte=window.start, date__lte=window.last_day
        )
        .annotate(month=TruncMonth("date"))
        .values("month", "site_id")
        .annotate(
            n_offered=Sum("offered"),
            n_answered=Sum("answered"),
            n_closed=Sum("closed"),
            n_abandoned=Sum("abandoned"),
            n_within=Sum("answered_within_5_rings"),
            n_known=Sum("answered", filter=Q(answered_within_5_rings__isnull=False)),
        )
        .order_by()
    )
    names = ("offered", "answered", "closed", "abandoned", "within", "known")
    for row in rows:
        counts = {k: row[f"n_{k}"] or 0 for k in names}
        tally.add(row["month"], row["site_id"], None, counts)
    return tally


def _telephony_figures(counts: dict) -> dict[str, Figure]:
    offered, answered = counts.get("offered", 0), counts.get("answered", 0)
    known, within = counts.get("known", 0), counts.get("within", 0)
    extra = {
        "offered": offered,
        "answered": answered,
        "lost": offered - answered,
        "closed": counts.get("closed", 0),
        "abandoned": counts.get("abandoned", 0),
    }
    return {
        "calls_answered_rate": Figure(ratio(answered, offered, 1), answered, offered, extra),
        "calls_answered_within_5_rings_rate": Figure(
            ratio(within, known, 1), within if known else None, known or None, extra
        ),
    }


def _lost_calls(window: Window) -> tuple[_Tally, list]:
    """Calls lost during the platforms' published hours (`lost_calls`): counts per month,
    site and queue, each queue's kept apart for the platforms' own rates."""
    from .lost_calls import lost_calls_by_month

    tally = _Tally()
    platforms, by_queue = lost_calls_by_month(
        window.prefecture, window.start, window.last_day, services=window.services
    )
    for (month, site_id, queue), counts in by_queue.items():
        numbers = {
            "offered": counts.offered,
            "lost": counts.lost,
            "outside_hours": counts.outside_hours,
        }
        tally.add(month, site_id, None, {**numbers, "queues": {f"{site_id}|{queue}": numbers}})
    return tally, platforms


def _lost_calls_figures(counts: dict, platforms: list, site_id: int | None) -> dict[str, Figure]:
    queues = counts.get("queues", {})
    rows = []
    for platform in platforms:
        if site_id is not None and platform.site_id != site_id:
            continue
        own = queues.get(f"{platform.site_id}|{platform.queue}", {})
        offered, lost = own.get("offered", 0), own.get("lost", 0)
        rows.append(
            {
                "platform": platform.slug,
                "site": platform.site.slug,
                "name": platform.name,
                "value": ratio(lost, offered, 1),
                "numerator": lost,
                "denominator": offered,
                "outside_hours": own.get("outside_hours", 0),
            }
        )
    offered, lost = counts.get("offered", 0), counts.get("lost", 0)
    extra = {
        "offered": offered,
        "lost": lost,
        "outside_hours": counts.get("outside_hours", 0),
        "platforms": rows,
    }
    return {"calls_lost_rate": Figure(ratio(lost, offered, 1), lost, offered, extra)}


def _website(window: Window) -> _Tally:
    tally = _Tally()
    updates = WebsiteUpdate.objects.filter(
        prefecture=window.prefecture,
        requested_on__gte=window.start,
        requested_on__lte=window.last_day,
    ).only("site_id", "service_id", "requested_on", "published_on")
    if window.services is not None:
        updates = updates.filter(service__in=window.services)
    for update, state in website_states(updates, window.at, window.prefecture):
        tally.add(update.requested_on, update.site_id, update.service_id, {state: 1})
    return tally


def website_states(updates, at: date, prefecture: Prefecture) -> list[tuple[WebsiteUpdate, str]]:
    """('on_time'|'published_late'|'late'|'pending', update) as the requests stood at `at`."""
    calendars = SiteCalendars(prefecture)
    result = []
    for update in updates:
        calendar = calendars[update.site_id]
        if update.published_on is not None and update.published_on <= at:
            delay = calendar.working_days_between(update.requested_on, update.published_on)
            state = "on_time" if delay <= WEBSITE_DEADLINE_DAYS else "published_late"
        else:
            due = calendar.add_working_days(update.requested_on, WEBSITE_DEADLINE_DAYS)
            state = "late" if due < at else "pending"
        result.append((update, state))
    return result


def _website_figures(counts: dict) -> dict[str, Figure]:
    on_time = counts.get("on_time", 0)
    published = on_time + counts.get("published_late", 0)
    counted = published + counts.get("late", 0)
    extra = {"published": published, "late": counts.get("late", 0)}
    extra["pending"] = counts.get("pending", 0)
    return {
        "website_updates_on_time_rate": Figure(ratio(on_time, counted, 1), on_time, counted, extra)
    }


def _reception(window: Window) -> _Tally:
    tally = _Tally()
    served_by = window.at_end
    visits = Visit.objects.filter(
        prefecture=window.prefecture, arrived_at__gte=window.start_dt, arrived_at__lt=window.end_dt
    )
    footfall = FootfallCount.objects.filter(
        prefecture=window.prefecture, date__gte=window.start, date__lte=window.last_day
    )
    if window.services is not None:
        visits = visits.filter(service__in=window.services)
        footfall = footfall.filter(service__in=window.services)
    visits = (
        visits.annotate(month=TruncMonth("arrived_at", tzinfo=window.zone))
        .values("month", "site_id", "service_id")
        .annotate(
            n_desk=Count("pk"),
            n_served=Count("pk", filter=Q(served_at__isnull=False, served_at__lt=served_by)),
            n_within=Count(
                "pk",
                filter=Q(
                    served_at__isnull=False,
                    served_at__lt=served_by,
                    served_at__lte=F("arrived_at") + SERVED_WITHIN,
                ),
            ),
        )
        .order_by()
    )
    for row in visits:
        counts = {k: row[f"n_{k}"] for k in ("desk", "served", "within")}
        tally.add(row["month"], row["site_id"], row["service_id"], {**counts, "measured": 1})
    counted = (
        footfall.annotate(month=TruncMonth("date"))
        .values("month", "site_id", "service_id")
        .annotate(n_imported=Sum("visitors"))
        .order_by()
    )
    for row in counted:
        tally.add(
            row["month"],
            row["site_id"],
            row["service_id"],
            {"imported": row["n_imported"] or 0, "measured": 1},
        )
    return tally


def _reception_figures(counts: dict) -> dict[str, Figure]:
    desk, imported = counts.get("desk", 0), counts.get("imported", 0)
    served, within = counts.get("served", 0), counts.get("within", 0)
    # A site that records no visitor (no desk taps, no imported counts) has not measured
    # its footfall: "—" (non mesuré), never "0 visiteurs" (issue 19, item 4).
    measured = bool(counts.get("measured"))
    total = desk + imported if measured else None
    return {
        "reception_visits": Figure(
            total, total, None, {"desk": desk, "imported": imported, "measured": measured}
        ),
        "reception_served_within_15_min_rate": Figure(ratio(within, served, 1), within, served),
    }


def _appointments(window: Window) -> _Tally:
    from engagements.appointments import queries

    tally = _Tally()
    for row in queries.no_show_counts_by_month(
        window.prefecture,
        window.start_dt,
        window.end_dt,
        now=window.at_end,
        zone=window.zone,
        services=window.services,
    ):
        counts = {"no_show": row["no_show"], "counted": row["counted"]}
        tally.add(row["month"], row["site_id"], row["service_id"], counts)
    return tally


def _first_free(window: Window, structures: Iterable[Structure], cache: dict) -> dict:
    """indicators.md: days from "today" (the reference date) to the first bookable slot,
    whatever the period: one figure per structure, shared by every period of the run."""
    from engagements.appointments import queries

    reference = timezone.now() if window.at >= timezone.localdate() else window.moment(window.at)
    key = ("first_free", window.at, window.services)
    if key not in cache:
        cache[key] = queries.first_free_days_by_procedure(
            window.prefecture, now=reference, services=window.services
        )
    procedures = cache[key]
    result = {}
    for site_id, service_id in structures:
        days = [
            p["days"]
            for p in procedures
            if p["days"] is not None
            and (site_id is None or p["site_id"] == site_id)
            and (service_id is None or p["service_id"] == service_id)
        ]
        result[(site_id, service_id)] = min(days) if days else None
    return result


def _satisfaction(window: Window) -> _Tally:
    from engagements.surveys import queries

    tally = _Tally()
    for row in queries.overall_by_month(
        window.prefecture, window.start, window.end, at=window.at, services=window.services
    ):
        counts = {k: row[k] for k in ("answers", "satisfied", "dissatisfied")}
        tally.add(row["month"], row["site_id"], row["service_id"], counts)
    return tally


def _satisfaction_figures(counts: dict) -> dict[str, Figure]:
    from engagements.surveys.queries import MIN_ANSWERS

    answers = counts.get("answers", 0)
    satisfied, dissatisfied = counts.get("satisfied", 0), counts.get("dissatisfied", 0)
    published = answers >= MIN_ANSWERS
    extra = {"answers": answers, "published": published}
    return {
        "satisfaction_overall_rate": Figure(
            ratio(satisfied, answers, 1) if published else None, satisfied, answers, extra
        ),
        "satisfaction_net": Figure(
            ratio(satisfied - dissatisfied, answers, 1) if published else None,
            satisfied - dissatisfied,
            answers,
            extra,
        ),
    }


# The pass --------------------------------------------------------------------------------


def structures_of(
    prefecture: Prefecture, *, with_services: bool = True
) -> list[tuple[Site | None, Service | None]]:
    """The prefecture as a whole, each active site, then (with_services) each active
    service of an active site."""
    result: list[tuple[Site | None, Service | None]] = [(None, None)]
    result += [(site, None) for site in Site.objects.filter(prefecture=prefecture, is_active=True)]
    if with_services:
        result += [
            (service.site, service)
            for service in Service.objects.filter(
                site__prefecture=prefecture, site__is_active=True, is_active=True
            ).select_related("site")
        ]
    return result


def compute_values(
    prefecture: Prefecture,
    periods: list[Period],
    *,
    at: date,
    structures: list[Structure],
    breakdowns: bool = True,
    cache: dict | None = None,
    services: tuple[int, ...] | None = None,
) -> dict[tuple[Period, Structure, str], dict[str, Figure]]:
    """{(period, structure, breakdown): {code: Figure}} for every built-in code: the
    structures' figures ("" breakdown) and, for years, the correspondence figures per kind
    and per channel of the prefecture and each site ("kind:complaint", "channel:email").
    Seven statements whatever the number of periods, sites and services. `services` (pks:
    a module's scope) counts only their records (telephony left out)."""
    if not periods:
        return {}
    window = Window(prefecture, periods, at, services)
    wanted = set(structures)
    wanted_breakdowns = breakdowns and any(p.kind == PeriodKind.YEAR for p in periods)
    correspondence, by = _correspondence(window, wanted_breakdowns)
    telephony = _telephony(window)
    lost_calls, platforms = _lost_calls(window)
    website = _website(window)
    reception = _reception(window)
    appointments = _appointments(window)
    satisfaction = _satisfaction(window)
    first_free = _first_free(window, structures, {} if cache is None else cache)
    result: dict[tuple[Period, Structure, str], dict[str, Figure]] = {}
    for period in periods:
        sums = {
            "correspondence": correspondence.sums(period, wanted),
            "telephony": telephony.sums(period, wanted),
            "lost_calls": lost_calls.sums(period, wanted),
            "website": website.sums(period, wanted),
            "reception": reception.sums(period, wanted),
            "appointments": appointments.sums(period, wanted),
            "satisfaction": satisfaction.sums(period, wanted),
        }
        for structure in structures:
            figures: dict[str, Figure] = {}
            figures.update(_correspondence_figures(sums["correspondence"].get(structure, {})))
            # Calls are counted per site and queue, not per service (nor a module's scope).
            if structure[1] is None and services is None:
                figures.update(_telephony_figures(sums["telephony"].get(structure, {})))
                figures.update(
                    _lost_calls_figures(
                        sums["lost_calls"].get(structure, {}), platforms, structure[0]
                    )
                )
            figures.update(_website_figures(sums["website"].get(structure, {})))
            figures.update(_reception_figures(sums["reception"].get(structure, {})))
            counts = sums["appointments"].get(structure, {})
            no_show, counted = counts.get("no_show", 0), counts.get("counted", 0)
            days = first_free[structure]
            figures["appointments_no_show_rate"] = Figure(
                ratio(no_show, counted, 1), no_show, counted
            )
            figures["appointments_first_free_slot_days"] = Figure(days, days, None)
            figures.update(_satisfaction_figures(sums["satisfaction"].get(structure, {})))
            result[(period, structure, "")] = {
                code: figures.get(code, Figure()) for code in BY_CODE
            }
        if wanted_breakdowns and period.kind == PeriodKind.YEAR:
            site_structures = {s for s in wanted if s[1] is None}
            for key, tally in by.items():
                sums_by = tally.sums(period, site_structures)
                for structure in site_structures:
                    result[(period, structure, key)] = _correspondence_figures(
                        sums_by.get(structure, {}), details=False
                    )
            # Every kind and channel, even those without messages (as before).
            from engagements.correspondence.enums import Kind
            from engagements.organisation.enums import Channel

            for name, values in (("kind", Kind.values), ("channel", Channel.values)):
                for value in values:
                    for structure in site_structures:
                        result.setdefault(
                            (period, structure, f"{name}:{value}"),
                            _correspondence_figures({}, False),
                        )
    return result

"""Live computation of every indicator of docs/indicators.md from the records, for a
prefecture or a site, a period, and a reference date (`at`: the records as they stood then).

Each app's records are read through its `queries.py` (correspondence, appointments,
surveys); telephony, reception and website updates are this app's own records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from engagements.calendar.workdays import calendar_for
from engagements.organisation.models import Prefecture, Service, Site

from .catalogue import BY_CODE, CATALOGUE
from .imports import prefecture_zone
from .models import CallHour, FootfallCount, Visit, WebsiteUpdate
from .periods import Period

WEBSITE_DEADLINE_DAYS = 3
SERVED_WITHIN = timedelta(minutes=15)


def round_half_up(value: float | Decimal | None, places: int) -> float | None:
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def _rate(numerator, denominator) -> float | None:
    if not denominator:
        return None
    return round_half_up(Decimal(numerator) * 100 / Decimal(denominator), 1)


@dataclass
class Figure:
    value: float | None = None
    numerator: float | int | None = None
    denominator: float | int | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Scope:
    prefecture: Prefecture
    site: Site | None
    period: Period
    at: date
    # Figures that depend on the reference date only (first free slot), shared between the
    # periods of one run of the values job.
    cache: dict = field(default_factory=dict)
    # A service of the site (values per service); telephony has no service.
    service: Service | None = None
    # A module's scope: the pks of the services in it (engagements.shell.label_cycle); only
    # their records count, and telephony (per site and queue) is left out.
    services: tuple[int, ...] | None = None

    @property
    def zone(self):
        return prefecture_zone(self.prefecture)

    @property
    def last_day(self) -> date:
        """The last day of records counted: the period's end, or `at` if earlier."""
        return min(self.period.end, self.at)

    def moment(self, day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min), self.zone)

    @property
    def start_dt(self) -> datetime:
        return self.moment(self.period.start)

    @property
    def end_dt(self) -> datetime:
        """Exclusive end of the period's records as they stood at `at`."""
        return self.moment(self.last_day + timedelta(days=1))

    @property
    def at_end(self) -> datetime:
        """The reference moment: now when `at` is today, else the end of the day `at`."""
        if self.at >= timezone.localdate():
            return timezone.now()
        return self.moment(self.at + timedelta(days=1))


# Sources ------------------------------------------------------------------------------------


def correspondence(scope: Scope) -> dict[str, Figure]:
    from engagements.correspondence import queries

    messages = queries.period_messages(scope.prefecture, scope.period.start, scope.period.end)
    if scope.site is not None:
        messages = messages.filter(site=scope.site)
    if scope.service is not None:
        messages = messages.filter(service=scope.service)
    if scope.services is not None:
        messages = messages.filter(service__in=scope.services)
    return correspondence_figures(messages, at=scope.at)


def correspondence_figures(messages, *, at: date, details: bool = True) -> dict[str, Figure]:
    """The on-time rate and the average delay of a set of messages (indicators.md): the one
    path by which the indicators app computes them, for the figures and their breakdowns
    (`details`: the answered, on-time, late, pending and excluded counts kept beside)."""
    from engagements.correspondence import queries

    figures = queries.figures_with_delay_total(messages, at=at)
    counted = figures["answered"] + figures["late"]
    extra = {k: figures[k] for k in ("answered", "on_time", "late", "pending", "excluded")}
    extra = extra if details else {}
    return {
        "correspondence_on_time_rate": Figure(
            figures["rate_on_time"] if counted else None, figures["on_time"], counted, extra
        ),
        "correspondence_average_delay": Figure(
            figures["average_delay"] if figures["answered"] else None,
            figures["delay_total"],
            figures["answered"],
            extra,
        ),
    }


def correspondence_breakdowns(
    prefecture: Prefecture, site: Site | None, period: Period, at: date
) -> list[tuple[str, dict[str, Figure]]]:
    """Correspondence figures per kind and per channel (for the dashboards' details)."""
    from engagements.correspondence import queries
    from engagements.correspondence.enums import Kind
    from engagements.organisation.enums import Channel

    messages = queries.period_messages(prefecture, period.start, period.end)
    if site is not None:
        messages = messages.filter(site=site)
    return [
        (
            f"{name}:{value}",
            correspondence_figures(messages.filter(**{name: value}), at=at, details=False),
        )
        for name, values in (("kind", Kind.values), ("channel", Channel.values))
        for value in values
    ]


def telephony(scope: Scope) -> dict[str, Figure]:
    if scope.service is not None or scope.services is not None:
        return {}  # calls are counted per site and queue, not per service
    hours = CallHour.objects.filter(
        prefecture=scope.prefecture, date__gte=scope.period.start, date__lte=scope.last_day
    )
    if scope.site is not None:
        hours = hours.filter(site=scope.site)
    totals = hours.aggregate(
        n_offered=Sum("offered"),
        n_answered=Sum("answered"),
        n_closed=Sum("closed"),
        n_abandoned=Sum("abandoned"),
        n_within=Sum("answered_within_5_rings"),
        n_known=Sum("answered", filter=Q(answered_within_5_rings__isnull=False)),
    )
    offered = totals["n_offered"] or 0
    answered = totals["n_answered"] or 0
    known = totals["n_known"] or 0
    within = totals["n_within"] or 0
    extra = {
        "offered": offered,
        "answered": answered,
        "lost": offered - answered,
        "closed": totals["n_closed"] or 0,
        "abandoned": totals["n_abandoned"] or 0,
    }
    return {
        "calls_answered_rate": Figure(_rate(answered, offered), answered, offered, extra),
        "calls_answered_within_5_rings_rate": Figure(
            _rate(within, known),
            within if known else None,
            known if known else None,
            extra,
        ),
    }


def lost_calls(scope: Scope) -> dict[str, Figure]:
    """The lost-calls rate during the platforms' published hours (docs/indicators.md), with
    each platform's figures and the calls outside hours kept beside (`extra`)."""
    from .lost_calls import lost_calls as count

    if scope.service is not None:
        return {}  # calls are counted per site and queue, not per service
    key = ("lost_calls", scope.site.pk if scope.site else None, scope.period, scope.last_day)
    if key not in scope.cache:
        scope.cache[key] = count(scope.prefecture, scope.site, scope.period.start, scope.last_day)
    result = scope.cache[key]
    platforms = [
        {
            "platform": platform.slug,
            "site": platform.site.slug,
            "name": platform.name,
            "value": _rate(tally.lost, tally.offered),
            "numerator": tally.lost,
            "denominator": tally.offered,
            "outside_hours": tally.outside_hours,
        }
        for platform, tally in result.platforms
    ]
    total = result.total
    extra = {
        "offered": total.offered,
        "lost": total.lost,
        "outside_hours": total.outside_hours,
        "platforms": platforms,
    }
    return {
        "calls_lost_rate": Figure(
            _rate(total.lost, total.offered), total.lost, total.offered, extra
        )
    }


def website_states(updates, at: date, prefecture: Prefecture) -> list[tuple[WebsiteUpdate, str]]:
    """('on_time'|'published_late'|'late'|'pending', update) as the requests stood at `at`."""
    calendars: dict[int | None, object] = {}
    sites = {}
    result = []
    for update in updates:
        if update.site_id not in calendars:
            site = None
            if update.site_id is not None:
                site = sites.get(update.site_id) or Site.objects.get(pk=update.site_id)
            calendars[update.site_id] = calendar_for(prefecture, site)
        calendar = calendars[update.site_id]
        if update.published_on is not None and update.published_on <= at:
            delay = calendar.working_days_between(update.requested_on, update.published_on)
            state = "on_time" if delay <= WEBSITE_DEADLINE_DAYS else "published_late"
        else:
            due = calendar.add_working_days(update.requested_on, WEBSITE_DEADLINE_DAYS)
            state = "late" if due < at else "pending"
        result.append((update, state))
    return result


def website_updates(scope: Scope):
    updates = WebsiteUpdate.objects.filter(
        prefecture=scope.prefecture,
        requested_on__gte=scope.period.start,
        requested_on__lte=scope.last_day,
    ).only("site_id", "requested_on", "published_on")
    if scope.site is not None:
        updates = updates.filter(site=scope.site)
    if scope.service is not None:
        updates = updates.filter(service=scope.service)
    if scope.services is not None:
        updates = updates.filter(service__in=scope.services)
    return updates


def website(scope: Scope) -> dict[str, Figure]:
    states = [
        state for _, state in website_states(website_updates(scope), scope.at, scope.prefecture)
    ]
    on_time = states.count("on_time")
    counted = on_time + states.count("published_late") + states.count("late")
    extra = {
        "published": on_time + states.count("published_late"),
        "late": states.count("late"),
        "pending": states.count("pending"),
    }
    return {
        "website_updates_on_time_rate": Figure(_rate(on_time, counted), on_time, counted, extra)
    }


def reception(scope: Scope) -> dict[str, Figure]:
    visits = Visit.objects.filter(
        prefecture=scope.prefecture, arrived_at__gte=scope.start_dt, arrived_at__lt=scope.end_dt
    )
    counts = FootfallCount.objects.filter(
        prefecture=scope.prefecture, date__gte=scope.period.start, date__lte=scope.last_day
    )
    if scope.site is not None:
        visits = visits.filter(site=scope.site)
        counts = counts.filter(site=scope.site)
    if scope.service is not None:
        visits = visits.filter(service=scope.service)
        counts = counts.filter(service=scope.service)
    if scope.services is not None:
        visits = visits.filter(service__in=scope.services)
        counts = counts.filter(service__in=scope.services)
    served_by = scope.at_end
    tallies = visits.aggregate(
        visits=Count("pk"),
        served=Count("pk", filter=Q(served_at__isnull=False, served_at__lt=served_by)),
        within=Count(
            "pk",
            filter=Q(
                served_at__isnull=False,
                served_at__lt=served_by,
                served_at__lte=F("arrived_at") + SERVED_WITHIN,
            ),
        ),
    )
    imported = counts.aggregate(n=Sum("visitors"))["n"] or 0
    total = tallies["visits"] + imported
    return {
        "reception_visits": Figure(
            total, total, None, {"desk": tallies["visits"], "imported": imported}
        ),
        "reception_served_within_15_min_rate": Figure(
            _rate(tallies["within"], tallies["served"]), tallies["within"], tallies["served"]
        ),
    }


def appointments(scope: Scope) -> dict[str, Figure]:
    from engagements.appointments import queries

    bookings = queries.bookings_between(
        scope.prefecture,
        scope.start_dt,
        scope.end_dt,
        scope.site,
        service=scope.service,
        services=scope.services,
    )
    counts = queries.no_show_counts(bookings, now=scope.at_end)
    # indicators.md: days from "today" — the reference date (now when it is today, the
    # start of that day otherwise) — to the first bookable slot, whatever the period.
    reference = timezone.now() if scope.at >= timezone.localdate() else scope.moment(scope.at)
    key = (
        "first_free",
        scope.site.pk if scope.site else None,
        scope.service.pk if scope.service else None,
        scope.services,
        scope.at,
    )
    if key not in scope.cache:
        scope.cache[key] = queries.first_free_days_in_scope(
            scope.prefecture,
            scope.site,
            now=reference,
            service=scope.service,
            services=scope.services,
        )
    days = scope.cache[key]
    return {
        "appointments_no_show_rate": Figure(
            _rate(counts["no_show"], counts["counted"]), counts["no_show"], counts["counted"]
        ),
        "appointments_first_free_slot_days": Figure(days, days, None),
    }


def satisfaction(scope: Scope) -> dict[str, Figure]:
    from engagements.surveys import queries

    figure = queries.overall_between(
        scope.prefecture,
        scope.period.start,
        scope.period.end,
        site=scope.site,
        at=scope.at,
        service=scope.service,
        services=scope.services,
    )
    extra = {"answers": figure.answers, "published": figure.published}
    return {
        "satisfaction_overall_rate": Figure(figure.rate, figure.satisfied, figure.answers, extra),
        "satisfaction_net": Figure(
            figure.net, figure.satisfied - figure.dissatisfied, figure.answers, extra
        ),
    }


SOURCES = (correspondence, telephony, lost_calls, website, reception, appointments, satisfaction)


def figures(
    prefecture: Prefecture,
    period: Period,
    *,
    site: Site | None = None,
    at: date,
    cache: dict | None = None,
    service: Service | None = None,
    module: int | None = None,
) -> dict[str, Figure]:
    """{code: Figure} for every indicator code, computed live (for the prefecture, a site,
    or a service of a site); with `module`, only the services in that module's scope count
    (docs/indicators.md, scope per service)."""
    if service is not None:
        site = service.site
    scope = Scope(prefecture, site, period, at, {} if cache is None else cache, service)
    if module is not None:
        scope.services = module_services(prefecture, module)
        if scope.services == ():  # no service in the module's scope: nothing to count
            return {code: Figure() for code in BY_CODE}
    result: dict[str, Figure] = {}
    for source in SOURCES:
        result.update(source(scope))
    return {code: result.get(code, Figure()) for code in BY_CODE}


def module_services(prefecture: Prefecture, module: int) -> tuple[int, ...] | None:
    """The pks of the services in a module's scope (empty: nothing counts), or None when no
    app keeps scopes (every service counts)."""
    from engagements.shell import label_cycle

    pks = label_cycle.scope_services(prefecture, module)
    return None if pks is None else tuple(pks)


def targets(prefecture: Prefecture, year: int, site: Site | None = None) -> dict[str, float | None]:
    """{code: target or None}: the prefecture's target (or a site's override) of the year."""
    from engagements.organisation.queries import site_targets_for

    values = site_targets_for(site, year) if site is not None else prefecture.targets_for(year)
    return {
        entry.code: (values.get(entry.target_key) if entry.target_key else None)
        for entry in CATALOGUE
    }


def is_met(code: str, value, target) -> bool | None:
    if value is None or target is None:
        return None
    if BY_CODE[code].lower_is_better:
        return float(value) <= float(target)
    return float(value) >= float(target)


def _number(value):
    """Decimals become floats for JSON; ints and floats stay as they are."""
    return float(value) if isinstance(value, Decimal) else value


def report(
    prefecture: Prefecture, period: Period, *, site: Site | None = None, at: date
) -> list[dict]:
    """The `indicators` command's rows: code, value, numerator, denominator, target, met,
    previous (the same period one year earlier, as it stood at `at`)."""
    cache: dict = {}
    current = figures(prefecture, period, site=site, at=at, cache=cache)
    previous = figures(prefecture, period.previous_year(), site=site, at=at, cache=cache)
    goals = targets(prefecture, period.start.year, site)
    rows = []
    for entry in CATALOGUE:
        figure = current[entry.code]
        target = goals[entry.code]
        rows.append(
            {
                "code": entry.code,
                "value": _number(figure.value),
                "numerator": _number(figure.numerator),
                "denominator": _number(figure.denominator),
                "target": _number(target),
                "met": is_met(entry.code, figure.value, target),
                "previous": _number(previous[entry.code].value),
            }
        )
    rows.extend(platform_rows(current, previous, goals))
    return rows


def platform_rows(current, previous, goals) -> list[dict]:
    """The lost-calls rate of each telephone platform: rows of the `indicators` command
    after the catalogue's, with `platform` (and `site`, its slug) keys."""
    code = "calls_lost_rate"
    before = {
        (row["site"], row["platform"]): row["value"]
        for row in previous[code].extra.get("platforms", [])
    }
    target = goals[code]
    return [
        {
            "code": code,
            "platform": row["platform"],
            "site": row["site"],
            "value": row["value"],
            "numerator": row["numerator"],
            "denominator": row["denominator"],
            "target": _number(target),
            "met": is_met(code, row["value"], target),
            "previous": before.get((row["site"], row["platform"])),
        }
        for row in current[code].extra.get("platforms", [])
    ]

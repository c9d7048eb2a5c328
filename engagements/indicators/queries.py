"""Read side of the indicators: dashboards (from the values table), published values,
affluence grids, and the records behind a figure."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from engagements.organisation.models import Prefecture, Service, Site

from .catalogue import BY_CODE, CATALOGUE
from .models import (
    CallHour,
    FootfallCount,
    Indicator,
    Publication,
    PublishedValue,
    Value,
    Visit,
    WebsiteUpdate,
)
from .periods import Period


def latest_publications(prefecture: Prefecture) -> QuerySet[Publication]:
    """The current version of each published period, newest period first (a period whose
    current version was withdrawn left)."""
    newest = (
        Publication.objects.filter(
            prefecture=prefecture,
            period_kind=OuterRef("period_kind"),
            period_start=OuterRef("period_start"),
        )
        .order_by("-version")
        .values("pk")[:1]
    )
    return (
        Publication.objects.filter(prefecture=prefecture, pk=Subquery(newest))
        .filter(withdrawal__isnull=True)  # a withdrawn period is no longer published
        .select_related("published_by")
        .order_by("-period_start", "period_kind")
    )


def has_publication(prefecture: Prefecture, period: Period) -> bool:
    """Whether the period was ever published (even withdrawn since): publishing it again
    is a correction, which must give its reason."""
    return Publication.objects.filter(
        prefecture=prefecture, period_kind=period.kind, period_start=period.start
    ).exists()


# The kinds of period a publication may cover (`Publication.period_kind`), in the order the
# form lists them and breaks a tie between two periods ending the same day.
PUBLISHED_KINDS = ("quarter", "year", "month")


def periods_to_publish(prefecture: Prefecture, today: date) -> tuple[list[Period], Period | None]:
    """The periods the publication form suggests, and the one it is filled with.

    For each kind (quarter, year, month): the period after the latest published one of
    that kind (the last ended one when none is), if it can be published now (started, and
    ended unless the prefecture publishes ongoing periods). Filled with the one due first
    among quarters (the home page's to-do asks for each ended quarter) and the kinds the
    prefecture has published: an ended period before an ongoing one (published only
    « provisoire »), then the earliest end, then quarter, year, month; None when none of
    those can be published, the other kinds still suggested. One query."""
    latest = dict(
        latest_publications(prefecture)
        .order_by()
        .values_list("period_kind")
        .annotate(end=models.Max("period_end"))
    )
    suggested = []
    for kind in PUBLISHED_KINDS:
        if kind in latest:
            following = Period.of(kind, latest[kind] + timedelta(days=1))
        else:
            following = Period.of(kind, today).previous()
        if following.start > today:
            continue
        if following.end >= today and not prefecture.publish_ongoing_periods:
            continue
        suggested.append(following)
    kinds = set(latest) | {"quarter"}
    due = [p for p in suggested if p.kind in kinds]
    first = min(
        due, key=lambda p: (p.end >= today, p.end, PUBLISHED_KINDS.index(p.kind)), default=None
    )
    return suggested, first


def published_values(prefecture: Prefecture) -> QuerySet[PublishedValue]:
    """Every value of the current version of every published period (API, CSV)."""
    return (
        PublishedValue.objects.filter(publication__in=latest_publications(prefecture))
        .select_related("publication", "site")
        .order_by("-publication__period_start", "publication__period_kind", "position")
    )


def latest_publication(
    prefecture: Prefecture, kind: str | None = None, start: date | None = None
) -> Publication | None:
    qs = latest_publications(prefecture)
    if kind:
        qs = qs.filter(period_kind=kind)
    if start:
        qs = qs.filter(period_start=start)
    return _preferred(list(qs[:20]))


def _preferred(items: list[Publication]) -> Publication | None:
    """Of a prefecture's current publications (newest period first, at most 20), the one
    the public page shows by default: the newest period end; quarters, then years, then
    months."""
    order = {"quarter": 0, "year": 1, "month": 2}
    if not items:
        return None
    newest_start = max(p.period_end for p in items)
    candidates = [p for p in items if p.period_end == newest_start] or items
    return sorted(candidates, key=lambda p: order.get(p.period_kind, 9))[0]


def publication_history(prefecture: Prefecture, kind: str, start: date) -> QuerySet[Publication]:
    return Publication.objects.filter(
        prefecture=prefecture, period_kind=kind, period_start=start
    ).select_related("published_by")


# Dashboards ---------------------------------------------------------------------------------


def dashboard(
    prefecture: Prefecture, period: Period, site: Site | None, service: Service | None = None
) -> dict:
    """Everything an agents' dashboard shows, from the values table in a fixed number of
    queries whatever the number of records: cards (value, target, last year), the
    monthly series of the period's year, and the prefecture's own indicators' values
    (`manual`, read by the same query as the built-in ones)."""
    from django.db.models import Q

    from . import compute

    year = period.start.year
    before = period.previous_year()
    built_in = Q(site=site, service=service, breakdown="", indicator__prefecture__isnull=True) & (
        Q(period_kind=period.kind, period_start__in=[period.start, before.start])
        | Q(period_kind="month", period_start__year=year, period_start__lte=period.end)
    )
    rows = (
        Value.objects.filter(prefecture=prefecture)
        .filter(built_in | _manual(prefecture, period, site))
        .order_by("indicator__name_fr")  # the order of the manual rows
        .values(
            "pk",
            "indicator__code",
            "indicator__prefecture",
            "period_kind",
            "period_start",
            "value",
            "numerator",
            "denominator",
            "extra",
            "updated_at",
            *MANUAL_FIELDS,
        )
    )
    by_key: dict[tuple, dict] = {}
    series: dict[str, dict[date, object]] = defaultdict(dict)
    updated = None
    manual = []
    for row in rows:
        if row["indicator__prefecture"] is not None:
            manual.append(row)
            continue
        code = row["indicator__code"]
        if row["period_kind"] == period.kind:
            by_key[(code, row["period_start"])] = row
        if row["period_kind"] == "month":
            series[code][row["period_start"]] = row["value"]
        if updated is None or row["updated_at"] > updated:
            updated = row["updated_at"]
    months = [m for m in Period.year(year).months() if m.start <= period.end]
    goals = compute.targets(prefecture, year, site)
    cards = []
    for entry in CATALOGUE:
        current = by_key.get((entry.code, period.start))
        previous_row = by_key.get((entry.code, before.start))
        value = current["value"] if current else None
        previous = previous_row["value"] if previous_row else None
        target = goals[entry.code]
        cards.append(
            {
                "entry": entry,
                # A Value with its pk: the source of "Créer une action" links.
                "record": Value(pk=current["pk"]) if current else None,
                "code": entry.code,
                "value": value,
                "numerator": current["numerator"] if current else None,
                "denominator": current["denominator"] if current else None,
                "extra": current["extra"] if current else {},
                "target": target,
                "met": compute.is_met(entry.code, value, target),
                "previous": previous,
                "trend": trend(entry.code, value, previous),
                "updated_at": current["updated_at"] if current else None,
                "series": [
                    {"period": month, "value": series[entry.code].get(month.start)}
                    for month in months
                ],
            }
        )
    return {"cards": cards, "updated_at": updated, "manual": manual}


def module_dashboard(
    prefecture: Prefecture, period: Period, site: Site | None, module: int
) -> dict:
    """The dashboard's cards for a module of the referential, computed live: only the
    services in that module's scope count (engagements.shell.label_cycle), telephony (per
    site) is left out; no monthly series."""
    from . import compute

    at = timezone.localdate()
    cache: dict = {}
    current = compute.figures(prefecture, period, site=site, at=at, cache=cache, module=module)
    before = compute.figures(
        prefecture, period.previous_year(), site=site, at=at, cache=cache, module=module
    )
    goals = compute.targets(prefecture, period.start.year, site)
    cards = []
    for entry in CATALOGUE:
        figure, target = current[entry.code], goals[entry.code]
        previous = before[entry.code].value
        cards.append(
            {
                "entry": entry,
                "record": None,
                "code": entry.code,
                "value": figure.value,
                "numerator": figure.numerator,
                "denominator": figure.denominator,
                "extra": figure.extra,
                "target": target,
                "met": compute.is_met(entry.code, figure.value, target),
                "previous": previous,
                "trend": trend(entry.code, figure.value, previous),
                "updated_at": None,
                "series": [],
            }
        )
    return {
        "cards": cards,
        "updated_at": timezone.now(),
        "manual": manual_values(prefecture, period, site),
    }


def trend(code: str, value, previous) -> str:
    """The change from last year, in words."""
    if value is None or previous is None:
        return "Pas de comparaison possible avec l'an passé."
    entry = BY_CODE[code]
    delta = float(value) - float(previous)
    unit = {"percent": " point", "points": " point", "days": " jour"}.get(entry.unit, "")
    if abs(delta) < 0.05:
        return "Stable par rapport à l'an passé."
    better = (delta < 0) if entry.lower_is_better else (delta > 0)
    amount = f"{abs(delta):.1f}".replace(".", ",").removesuffix(",0")
    plural = "s" if unit and abs(delta) >= 2 else ""
    direction = "en hausse" if delta > 0 else "en baisse"
    if entry.unit == "count":  # more visitors is neither better nor worse
        return f"{direction.capitalize()} de {amount}{unit}{plural} sur un an."
    verdict = "amélioration" if better else "dégradation"
    return f"{direction.capitalize()} de {amount}{unit}{plural} sur un an ({verdict})."


# Affluence ----------------------------------------------------------------------------------

MIN_OBSERVATIONS = 3  # days observed for a cell to be shown
AFFLUENCE_WEEKS = 10


def affluence(
    prefecture: Prefecture, *, site: Site | None = None, today: date, source: str = "visits"
) -> dict:
    """Weekday × hour grid of the last AFFLUENCE_WEEKS weeks: average per day observed,
    classed calme / moyen / chargé by thirds of the busiest cell; cells observed on fewer
    than MIN_OBSERVATIONS days are hidden (None). A site's, or the whole prefecture's."""
    if site is not None:
        return affluence_by_site(prefecture, [site], today=today, source=source)[site.pk]
    rows = _affluence_rows(prefecture, None, today, source)
    totals, days = _tally(rows, lambda _site_id: None)[None]
    opening = opening_hours(prefecture, None, _affluence_channel(source))
    return _affluence_grid(totals, days, opening, today)


def affluence_by_site(
    prefecture: Prefecture, sites: list[Site], *, today: date, source: str = "visits"
) -> dict[int, dict]:
    """`affluence` of each of `sites` (by site id), read in one pass: the same queries
    whatever the number of sites (the public prefecture page shows each site's grids)."""
    site_ids = [site.pk for site in sites]
    tallies = _tally(_affluence_rows(prefecture, site_ids, today, source), lambda pk: pk)
    openings = opening_hours_by_site(prefecture, site_ids, _affluence_channel(source))
    return {pk: _affluence_grid(*tallies[pk], openings.get(pk), today) for pk in site_ids}


def _tally(rows, bucket) -> dict:
    """{bucket(site id): (totals, days)} of (site id, day, hour, count) rows, each keyed by
    (isoweekday, hour): the counts summed, the days observed (an empty pair for a bucket
    without rows)."""
    tallies: dict = defaultdict(lambda: (defaultdict(float), defaultdict(set)))
    for site_id, day, hour, n in rows:
        totals, days = tallies[bucket(site_id)]
        totals[(day.isoweekday(), hour)] += n
        days[(day.isoweekday(), hour)].add(day)
    return tallies


def _affluence_channel(source: str) -> str:
    return "telephone" if source == "calls" else "reception"


def _affluence_rows(prefecture: Prefecture, site_ids: list[int] | None, today: date, source):
    """(site id, day, hour, count) of the last AFFLUENCE_WEEKS weeks before today: calls
    offered, or visitors counted plus visits recorded (of `site_ids`, or every site)."""
    start = today - timedelta(weeks=AFFLUENCE_WEEKS)

    def of_sites(qs):
        return qs if site_ids is None else qs.filter(site_id__in=site_ids)

    if source == "calls":
        qs = of_sites(CallHour.objects.filter(prefecture=prefecture, date__gte=start))
        yield from (
            qs.filter(date__lt=today)
            .values_list("site_id", "date", "hour")
            .annotate(n=Sum("offered"))
        )
        return
    counts = of_sites(FootfallCount.objects.filter(prefecture=prefecture, date__gte=start))
    yield from (
        counts.filter(date__lt=today)
        .values_list("site_id", "date", "hour")
        .annotate(n=Sum("visitors"))
    )
    # The days' bounds as instants (local midnights): the index on arrival times reads the
    # weeks shown, where a filter on each visit's local date would read every visit.
    visits = Visit.objects.filter(
        prefecture=prefecture,
        arrived_at__gte=_local_midnight(start),
        arrived_at__lt=_local_midnight(today),
    )
    yield from (
        of_sites(visits)
        .annotate(day=TruncDate("arrived_at"), hour=ExtractHour("arrived_at"))
        .values_list("site_id", "day", "hour")
        .annotate(n=Count("pk"))
    )


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _affluence_grid(totals: dict, days: dict, opening: dict | None, today: date) -> dict:
    averages = {
        key: totals[key] / len(days[key])
        for key in totals
        if len(days[key]) >= MIN_OBSERVATIONS and not _closed(opening, *key)
    }
    peak = max(averages.values(), default=0)
    hours = sorted({h for (_, h) in totals}) or list(range(8, 18))
    weekdays = sorted({d for (d, _) in totals} | {1, 2, 3, 4, 5})
    grid = []
    for weekday in weekdays:
        cells = []
        for hour in hours:
            average = averages.get((weekday, hour))
            level = None
            if _closed(opening, weekday, hour):
                # The channel is closed then (its published hours): "Fermé", never
                # "Calme" from the few calls or visitors counted out of hours.
                level = "ferme"
            elif average is not None and peak:
                share = average / peak
                level = "calme" if share < 1 / 3 else ("moyen" if share < 2 / 3 else "charge")
            cells.append({"hour": hour, "average": average, "level": level})
        grid.append({"weekday": weekday, "cells": cells})
    return {
        "start": today - timedelta(weeks=AFFLUENCE_WEEKS),
        "end": today - timedelta(days=1),
        "hours": hours,
        "grid": grid,
        "has_data": bool(averages),
    }


def opening_hours(prefecture: Prefecture, site: Site | None, channel: str) -> dict | None:
    """{isoweekday: [(opens, closes), …]} of a channel's published hours (a site's, or any
    active site's for the whole prefecture); None when no hours are published (unknown:
    nothing is shown as closed)."""
    from engagements.organisation.models import OpeningHours

    rows = OpeningHours.objects.filter(channel=channel, site__prefecture=prefecture)
    rows = rows.filter(site=site) if site is not None else rows.filter(site__is_active=True)
    return _weekly(rows)


def opening_hours_by_site(
    prefecture: Prefecture, site_ids: list[int], channel: str
) -> dict[int, dict]:
    """`opening_hours` of each of these sites (by site id) in one query; a site with no
    published hours is left out."""
    from engagements.organisation.models import OpeningHours

    rows = OpeningHours.objects.filter(
        channel=channel, site__prefecture=prefecture, site_id__in=site_ids
    )
    by_site: dict[int, list] = defaultdict(list)
    for row in rows:
        by_site[row.site_id].append(row)
    return {site_id: _weekly(found) for site_id, found in by_site.items()}


def _weekly(rows) -> dict | None:
    result: dict[int, list] = defaultdict(list)
    found = False
    for row in rows:
        found = True
        result[row.weekday + 1].extend(row.ranges)  # Weekday: Monday is 0
    return result if found else None


def _closed(opening: dict | None, weekday: int, hour: int) -> bool:
    """Whether the hour [hour, hour + 1) lies wholly outside the published hours."""
    if opening is None:
        return False
    start, end = time(hour, 0), time(hour, 59, 59)
    return not any(opens <= end and closes > start for opens, closes in opening.get(weekday, ()))


# What the dashboard shows of a manual value (beside `value` and `updated_at`).
MANUAL_FIELDS = ("indicator__name_fr", "indicator__unit", "source")


def _manual(prefecture: Prefecture, period: Period, site: Site | None) -> models.Q:
    """The prefecture's own indicators' values of a period and structure."""
    return models.Q(
        indicator__prefecture=prefecture,
        site=site,
        period_kind=period.kind,
        period_start=period.start,
    )


def manual_values(prefecture: Prefecture, period: Period, site: Site | None) -> list[dict]:
    """The prefecture's own indicators' values for a period and structure (one query; the
    dashboard's own query reads them with the built-in ones), by name."""
    return list(
        Value.objects.filter(_manual(prefecture, period, site), prefecture=prefecture)
        .order_by("indicator__name_fr")
        .values("value", "updated_at", *MANUAL_FIELDS)
    )


RECORDS_SHOWN = 500  # rows of the records page at most


def records_behind(code: str, scope, access, site: Site | None) -> tuple[list[str], list[list]]:
    """The records behind a figure of the telephone, website, reception or appointments
    families, as a table (columns, rows) for the agents' records page; `access` scopes the
    records to what the agent may read."""
    from engagements.appointments import queries as appointment_queries

    from . import compute

    prefecture = scope.prefecture
    period = scope.period
    columns, rows = [], []
    if code == "calls_lost_rate":
        # The figure's own counts per day (offered and lost during the published hours,
        # outside hours apart), so that the days add up to the rate's numbers.
        from .lost_calls import lost_calls_by_day

        if site is None and not access.sees_whole_prefecture(prefecture):
            return columns, rows  # a scoped reader always comes with his site
        columns = ["Jour", "Présentés aux heures d'ouverture", "Perdus", "Hors horaires"]
        rows = [
            [day.strftime("%d/%m/%Y"), tally.offered, tally.lost, tally.outside_hours]
            for day, tally in lost_calls_by_day(
                prefecture, site, period.start, scope.last_day
            ).items()
        ]
    elif code.startswith("calls_"):
        hours = access.scope(CallHour.objects.all(), prefecture, service_field=None).filter(
            date__gte=period.start, date__lte=scope.last_day
        )
        if site is not None:
            hours = hours.filter(site=site)
        columns = ["Jour", "Présentés", "Décrochés", "En 5 sonneries", "File fermée"]
        rows = [
            [
                r["date"].strftime("%d/%m/%Y"),
                r["o"],
                r["a"],
                r["w"] if r["w"] is not None else "—",
                r["c"],
            ]
            for r in hours.values("date")
            .annotate(
                o=Sum("offered"),
                a=Sum("answered"),
                w=Sum("answered_within_5_rings"),
                c=Sum("closed"),
            )
            .order_by("date")
        ]
    elif code.startswith("correspondence_"):
        columns, rows = _messages_behind(scope, access, site)
    elif code.startswith("website_"):
        updates = access.scope(WebsiteUpdate.objects.all(), prefecture)
        updates = updates.filter(
            requested_on__gte=period.start, requested_on__lte=scope.last_day
        ).select_related("site")
        if site is not None:
            updates = updates.filter(site=site)
        labels = {
            "on_time": "Publiée à temps",
            "published_late": "Publiée en retard",
            "late": "En retard",
            "pending": "En cours",
        }
        columns = ["Référence", "Page", "Demandée le", "Publiée le", "État"]
        rows = [
            [
                u.reference,
                u.page,
                u.requested_on.strftime("%d/%m/%Y"),
                u.published_on.strftime("%d/%m/%Y") if u.published_on else "—",
                labels[state],
            ]
            for u, state in compute.website_states(updates, scope.at, prefecture)
            if state != "on_time"
        ]
    elif code.startswith("reception_"):
        visits = access.scope(Visit.objects.all(), prefecture).filter(
            arrived_at__gte=scope.start_dt, arrived_at__lt=scope.end_dt
        )
        if site is not None:
            visits = visits.filter(site=site)
        columns = ["Arrivée", "Prise en charge", "Attente (minutes)", "Motif"]
        rows = [
            [
                timezone.localtime(v.arrived_at).strftime("%d/%m/%Y %H:%M"),
                timezone.localtime(v.served_at).strftime("%H:%M") if v.served_at else "—",
                round((v.served_at - v.arrived_at).total_seconds() / 60) if v.served_at else "—",
                v.reason or "—",
            ]
            for v in visits.order_by("-arrived_at")[:RECORDS_SHOWN]
        ]
    elif code.startswith("appointments_"):
        bookings = appointment_queries.bookings_between(
            prefecture, scope.start_dt, scope.end_dt, site
        )
        bookings = access.scope(
            bookings,
            prefecture,
            prefecture_field="procedure__prefecture",
            site_field="procedure__site",
            service_field="procedure__service",
        )
        no_shows = appointment_queries.no_show_bookings(bookings, scope.at_end)
        columns = ["Rendez-vous", "Démarche", "Référence"]
        rows = [
            [
                timezone.localtime(b.slot.starts_at).strftime("%d/%m/%Y %H:%M"),
                b.procedure.name,
                b.reference,
            ]
            for b in no_shows.select_related("slot", "procedure").order_by("slot__starts_at")[
                :RECORDS_SHOWN
            ]
        ]
    return columns, rows


MESSAGE_STATES = {
    "l": "Sans réponse, échéance dépassée",
    "p": "En cours",
}


def _messages_behind(scope, access, site: Site | None) -> tuple[list[str], list[list]]:
    """The messages the register's figures count over the period, as they classify them
    (correspondence.queries.messages_behind): those answered late and those past their due
    day without an answer first, each linked to its page."""
    from django.urls import reverse

    from engagements.correspondence import queries as correspondence_queries
    from engagements.correspondence.enums import ClosedReason

    prefecture = scope.prefecture
    messages = access.scope(
        correspondence_queries.period_messages(prefecture, scope.period.start, scope.last_day),
        prefecture,
    )
    if site is not None:
        messages = messages.filter(site=site)
    columns = ["Référence", "Reçu le", "Échéance", "Répondu le", "Délai (jours ouvrés)", "État"]
    rows = []
    for m in correspondence_queries.messages_behind(messages, at=scope.at, limit=RECORDS_SHOWN):
        if m["state"] == "a":
            late = m["delay"] > m["deadline_days"]
            state = "Répondu hors délai" if late else "Répondu dans les délais"
        elif m["state"] == "x":
            reason = ClosedReason(m["closed_reason"]).label if m["closed_reason"] else ""
            state = f"Hors calcul (clos{f' : {reason.lower()}' if reason else ''})"
        else:
            state = MESSAGE_STATES[m["state"]]
        url = reverse("correspondence:agents-detail", args=[prefecture.slug, m["id"]])
        rows.append(
            [
                {"text": m["reference"], "url": url},
                _day(m["received_on"]),
                _day(m["due_on"]),
                _day(m["answered_on"]) if m["state"] == "a" else "—",
                m["delay"] if m["state"] == "a" else "—",
                state,
            ]
        )
    return columns, rows


def _day(value) -> str:
    """dd/mm/yyyy of a date read by raw SQL (a date on PostgreSQL, ISO text on SQLite)."""
    if not value:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def manual_indicators(prefecture: Prefecture) -> QuerySet[Indicator]:
    """The prefecture's own indicators (typed-in values)."""
    return Indicator.objects.filter(prefecture=prefecture, is_manual=True)


def latest_manual_values(prefecture: Prefecture, indicators) -> QuerySet[Value]:
    """The latest 200 typed-in values of these indicators, newest period first."""
    return (
        Value.objects.filter(prefecture=prefecture, indicator__in=indicators)
        .select_related("indicator", "site", "entered_by")
        .order_by("-period_start", "indicator__name_fr")[:200]
    )


def publication_values(publication: Publication, site: Site | None) -> QuerySet[PublishedValue]:
    """The values of a publication for the whole prefecture (site None) or one site."""
    return publication.values.filter(site=site)


def published_summary(prefecture: Prefecture) -> dict | None:
    """The latest published period's prefecture-wide values against their targets (the
    national overview of labels reads it through engagements.shell.label_cycle): the
    counts, and each value (`values`: code, name, unit, value, target, met, texts)."""
    publication = latest_publication(prefecture)
    if publication is None:
        return None
    values = list(PublishedValue.objects.filter(publication=publication, site__isnull=True))
    return _summary(publication, values)


def published_summaries(prefectures) -> dict[int, dict]:
    """`published_summary` of many prefectures in two queries, by prefecture pk (nothing
    published: absent), for the national overview."""
    newest = (
        Publication.objects.filter(
            prefecture=OuterRef("prefecture"),
            period_kind=OuterRef("period_kind"),
            period_start=OuterRef("period_start"),
        )
        .order_by("-version")
        .values("pk")[:1]
    )
    by_prefecture: dict[int, list[Publication]] = defaultdict(list)
    for publication in (
        Publication.objects.filter(prefecture__in=prefectures, pk=Subquery(newest))
        .filter(withdrawal__isnull=True)
        .order_by("prefecture_id", "-period_start", "period_kind")
    ):
        if len(by_prefecture[publication.prefecture_id]) < 20:  # as latest_publication
            by_prefecture[publication.prefecture_id].append(publication)
    chosen = {pk: _preferred(items) for pk, items in by_prefecture.items()}
    values: dict[int, list[PublishedValue]] = defaultdict(list)
    for value in PublishedValue.objects.filter(
        publication__in=[p.pk for p in chosen.values()], site__isnull=True
    ).order_by("position", "pk"):
        values[value.publication_id].append(value)
    return {pk: _summary(p, values[p.pk]) for pk, p in chosen.items()}


def _summary(publication: Publication, values: list[PublishedValue]) -> dict:
    from .views.display import display

    with_target = [v for v in values if v.target is not None]
    return {
        "period": Period.of(publication.period_kind, publication.period_start).label(),
        "published_on": publication.published_at.date() if publication.published_at else None,
        "with_target": len(with_target),
        "met": sum(1 for v in with_target if v.met),
        "values": [
            {
                "code": v.code,
                "name": v.name_fr,
                "unit": v.unit,
                "value": float(v.value) if v.value is not None else None,
                "target": float(v.target) if v.target is not None else None,
                "met": v.met,
                "lower_is_better": bool(v.code in BY_CODE and BY_CODE[v.code].lower_is_better),
                "value_text": display(v.value, v.unit),
                "target_text": display(v.target, v.unit) if v.target is not None else "",
            }
            for v in values
        ],
    }


def all_sites(prefecture: Prefecture, period: Period, sites: list[Site]) -> list[dict]:
    """Every indicator of every site (and the prefecture as a whole) against its target,
    from the values table, in two queries whatever the number of sites: one row per
    indicator, one cell per structure (value, target, met)."""
    from engagements.organisation.queries import targets_by_site

    from . import compute

    ids = [s.pk for s in sites]
    values = {
        (row["site_id"], row["indicator__code"]): row["value"]
        for row in Value.objects.filter(
            prefecture=prefecture,
            service__isnull=True,
            breakdown="",
            indicator__prefecture__isnull=True,
            period_kind=period.kind,
            period_start=period.start,
        )
        .filter(models.Q(site__isnull=True) | models.Q(site_id__in=ids))
        .values("site_id", "indicator__code", "value")
    }
    goals = targets_by_site(prefecture, period.start.year, sites)
    structures = [None, *sites]
    rows = []
    for entry in CATALOGUE:
        cells = []
        for site in structures:
            key = site.pk if site else None
            value = values.get((key, entry.code))
            target = goals[key].get(entry.target_key) if entry.target_key else None
            cells.append(
                {
                    "site": site,
                    "value": value,
                    "target": target,
                    "met": compute.is_met(entry.code, value, target),
                }
            )
        rows.append({"entry": entry, "cells": cells})
    return rows

"""Imports of telephony (Asterisk queue_log, hourly CSV), footfall and website updates.

All or nothing: every line is checked first (errors name the line), then the records of
the periods the file covers (the days of a CSV, the span from first to last call of a
queue_log) are replaced in one transaction, so re-importing the same file changes nothing
and an overlapping file never counts a call or a visitor twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from engagements.csvio import (
    MAX_DATE,
    MIN_DATE,
    OUT_OF_BOUNDS,
    CsvImportError,
    LineError,
    code_key,
    read_csv,
    read_lines,
)
from engagements.db import analyze, bulk_insert
from engagements.organisation import references
from engagements.organisation.models import Prefecture, Service, Site
from engagements.shell import hooks

from .enums import CallOutcome, TelephonySource
from .models import Call, CallHour, FootfallCount, WebsiteUpdate

OFFERED_EVENTS = {"ENTERQUEUE"}
ANSWERED_EVENTS = {"CONNECT"}
ABANDONED_EVENTS = {"ABANDON", "EXITWITHTIMEOUT", "EXITWITHKEY"}
CLOSED_EVENTS = {"JOINEMPTY", "JOINUNAVAIL"}
RING_SECONDS = 5
WITHIN_5_RINGS = 5 * RING_SECONDS  # 25 s
_EPOCH = re.compile(r"[0-9]{1,12}(?:\.[0-9]+)?", re.ASCII)
_SECONDS = re.compile(r"[0-9]{1,9}", re.ASCII)
# Calls or visitors of one hour: far above any desk, far below the integer columns' limit
# (a larger count is a line error, not a database error).
MAX_PER_HOUR = 100_000


def prefecture_zone(prefecture: Prefecture) -> ZoneInfo:
    """The prefecture's time zone (Europe/Paris unless it has its own)."""
    return ZoneInfo(getattr(prefecture, "time_zone", "") or settings.TIME_ZONE)


@dataclass
class ImportResult:
    counts: dict[str, int] = field(default_factory=dict)
    first_day: date | None = None
    last_day: date | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return ", ".join(f"{label} : {n}" for label, n in self.counts.items())


# Telephony ----------------------------------------------------------------------------------


@dataclass
class _Call:
    queue: str
    callid: str
    entered_at: datetime | None = None
    outcome: str = CallOutcome.OTHER
    wait: int | None = None
    closed_at: datetime | None = None


def parse_queue_log(data: bytes | str, *, queue: str | None, zone: ZoneInfo) -> list[_Call]:
    """Calls of a queue_log (`epoch|callid|queue|agent|EVENT|data1|…`), read by the shared
    line reader (NUL characters and an empty file refused); malformed lines and moments
    outside the product's years are errors naming the line, unknown events are ignored."""
    errors: list[LineError] = []
    calls: dict[tuple[str, str], _Call] = {}
    for number, line in read_lines(data):
        parts = line.split("|")
        if len(parts) < 5:
            errors.append(
                LineError(
                    number, None, "ligne incomplète : epoch|callid|queue|agent|EVENT attendus"
                )
            )
            continue
        epoch, callid, queue_name, _agent, event = (p.strip() for p in parts[:5])
        data = [p.strip() for p in parts[5:]]
        if not _EPOCH.fullmatch(epoch):
            errors.append(LineError(number, None, f"« {epoch[:30]} » n'est pas une date epoch"))
            continue
        event = event.upper()
        if not event:
            errors.append(LineError(number, None, "événement manquant"))
            continue
        if queue is not None and queue_name != queue:
            continue
        if event not in OFFERED_EVENTS | ANSWERED_EVENTS | ABANDONED_EVENTS | CLOSED_EVENTS:
            continue  # RINGNOANSWER, COMPLETE*, ADDMEMBER, QUEUESTART… read and ignored
        if not callid or callid.upper() == "NONE" or not queue_name or queue_name == "NONE":
            errors.append(LineError(number, None, f"{event} sans identifiant d'appel ou file"))
            continue
        try:
            moment = datetime.fromtimestamp(float(epoch), tz=UTC).astimezone(zone)
        except (OverflowError, ValueError, OSError):
            errors.append(LineError(number, None, f"date epoch « {epoch} » hors limites"))
            continue
        if not MIN_DATE <= moment.date() <= MAX_DATE:
            errors.append(LineError(number, None, f"date epoch « {epoch} » : {OUT_OF_BOUNDS}"))
            continue
        call = calls.setdefault((queue_name, callid), _Call(queue_name, callid))
        if event in OFFERED_EVENTS:
            if call.entered_at is None or moment < call.entered_at:
                call.entered_at = moment
        elif event in ANSWERED_EVENTS:
            wait = data[0] if data else ""
            if not _SECONDS.fullmatch(wait):
                errors.append(
                    LineError(number, None, f"CONNECT : attente « {wait[:20]} » non numérique")
                )
                continue
            if call.outcome != CallOutcome.ANSWERED:
                call.outcome = CallOutcome.ANSWERED
                call.wait = int(wait)
        elif event in ABANDONED_EVENTS:
            if call.outcome != CallOutcome.ANSWERED:
                call.outcome = CallOutcome.ABANDONED
        elif event in CLOSED_EVENTS:
            if call.closed_at is None or moment < call.closed_at:
                call.closed_at = moment
    if errors:
        raise CsvImportError(errors)
    return list(calls.values())


def _calls_to_rows(prefecture, site, calls: list[_Call]) -> tuple[list[Call], list[CallHour]]:
    records: list[Call] = []
    hours: dict[tuple[str, date, int], CallHour] = {}

    def hour_row(queue: str, moment: datetime) -> CallHour:
        key = (queue, moment.date(), moment.hour)
        if key not in hours:
            hours[key] = CallHour(
                prefecture=prefecture,
                site=site,
                queue=queue,
                date=moment.date(),
                hour=moment.hour,
                answered_within_5_rings=0,
                abandoned=0,
                source=TelephonySource.QUEUE_LOG,
            )
        return hours[key]

    for call in calls:
        if call.entered_at is not None:
            row = hour_row(call.queue, call.entered_at)
            row.offered += 1
            if call.outcome == CallOutcome.ANSWERED:
                row.answered += 1
                if call.wait is not None and call.wait <= WITHIN_5_RINGS:
                    row.answered_within_5_rings += 1
            elif call.outcome == CallOutcome.ABANDONED:
                row.abandoned += 1
            moment, outcome = call.entered_at, call.outcome
        elif call.closed_at is not None:
            hour_row(call.queue, call.closed_at).closed += 1
            moment, outcome = call.closed_at, CallOutcome.CLOSED
        else:
            continue  # a CONNECT or ABANDON whose ENTERQUEUE is not in this file
        records.append(
            Call(
                prefecture=prefecture,
                site=site,
                queue=call.queue,
                callid=call.callid,
                entered_at=moment,
                date=moment.date(),
                hour=moment.hour,
                outcome=outcome,
                wait_seconds=call.wait if outcome == CallOutcome.ANSWERED else None,
            )
        )
    return records, list(hours.values())


def _parse_hourly(data, *, queue: str, prefecture, site) -> list[CallHour]:
    table = read_csv(
        data,
        required=["date", "hour", "offered", "answered"],
        optional=["answered_within_5_rings"],
    )
    rows: list[CallHour] = []
    seen: dict[tuple[date, int], int] = {}
    for row in table:
        day = row.date("date", required=True)
        hour = row.hour("hour", required=True)
        offered = row.int("offered", required=True, min=0, max=MAX_PER_HOUR)
        answered = row.int("answered", required=True, min=0, max=MAX_PER_HOUR)
        within = row.int("answered_within_5_rings", min=0, max=MAX_PER_HOUR)
        if row.ok and answered > offered:
            row.error("answered", f"{answered} appels décrochés pour {offered} présentés")
        if row.ok and within is not None and within > answered:
            row.error(
                "answered_within_5_rings", f"{within} en 5 sonneries pour {answered} décrochés"
            )
        if row.ok:
            if (day, hour) in seen:
                row.error("hour", f"heure déjà donnée ligne {seen[(day, hour)]}")
                continue
            seen[(day, hour)] = row.line
            rows.append(
                CallHour(
                    prefecture=prefecture,
                    site=site,
                    queue=queue,
                    date=day,
                    hour=hour,
                    offered=offered,
                    answered=answered,
                    answered_within_5_rings=within,
                    source=TelephonySource.HOURLY,
                )
            )
    table.raise_errors()
    return rows


def import_telephony(
    prefecture: Prefecture, site: Site, data: bytes | str, *, fmt: str, queue: str | None = None
) -> ImportResult:
    """Import a queue_log or an hourly CSV for a site (optionally one queue). The site's
    records (of that queue when given) on the days the file covers are replaced."""
    if site.prefecture_id != prefecture.pk:
        raise CsvImportError([LineError(1, None, "le site n'appartient pas à la préfecture")])
    if fmt == "queue_log":
        calls = parse_queue_log(data, queue=queue, zone=prefecture_zone(prefecture))
        records, hours = _calls_to_rows(prefecture, site, calls)
    elif fmt == "hourly":
        records, hours = (
            [],
            _parse_hourly(data, queue=queue or "", prefecture=prefecture, site=site),
        )
    else:
        raise ValueError(f"Unknown telephony format {fmt!r}")
    days = sorted({h.date for h in hours})
    with transaction.atomic():
        analyze(Call, CallHour)  # fresh statistics once committed
        if records:
            # A queue_log covers a span, not whole days (logrotate cuts it at 06:25): the
            # calls of that span are replaced, the same days' calls that another file
            # brought (before or after it) stay, and the days' hours are counted again
            # from all of them.
            _replace_calls(site, queue, records)
        for model in (CallHour,) if records else (CallHour, Call):
            existing = model.objects.filter(site=site, date__in=days)
            if queue is not None:
                existing = existing.filter(queue=queue)
            existing.delete()
        bulk_insert(CallHour, _hours_of_calls(prefecture, site, queue, days) if records else hours)
        hooks.period_touched(prefecture, set(days))
    result = ImportResult(first_day=days[0] if days else None, last_day=days[-1] if days else None)
    result.counts = {
        "jours": len(days),
        "heures": len(hours),
        "appels présentés": sum(h.offered for h in hours),
        "décrochés": sum(h.answered for h in hours),
        "file fermée": sum(h.closed for h in hours),
    }
    if fmt == "queue_log":
        result.counts["abandonnés"] = sum(h.abandoned or 0 for h in hours)
    return result


def _replace_calls(site: Site, queue: str | None, records: list[Call]) -> None:
    """The calls of the file's span (first to last call) replace those recorded there; a
    call recorded already from an earlier file (its ENTERQUEUE before this span) is kept."""
    span = Call.objects.filter(
        site=site,
        entered_at__range=(
            min(r.entered_at for r in records),
            max(r.entered_at for r in records),
        ),
    )
    if queue is not None:
        span = span.filter(queue=queue)
    span.delete()
    days = {r.date for r in records}
    taken = set(Call.objects.filter(site=site, date__in=days).values_list("queue", "callid"))
    # COPY on PostgreSQL: a queue_log may hold 100,000 calls.
    bulk_insert(Call, [r for r in records if (r.queue, r.callid) not in taken])


def _hours_of_calls(prefecture, site: Site, queue: str | None, days) -> list[CallHour]:
    """The hourly counts of these days, from every call recorded on them."""
    calls = Call.objects.filter(site=site, date__in=days)
    if queue is not None:
        calls = calls.filter(queue=queue)
    hours: dict[tuple, CallHour] = {}
    for name, day, hour, outcome, wait in calls.values_list(
        "queue", "date", "hour", "outcome", "wait_seconds"
    ).iterator():
        row = hours.get((name, day, hour))
        if row is None:
            row = hours[(name, day, hour)] = CallHour(
                prefecture=prefecture,
                site=site,
                queue=name,
                date=day,
                hour=hour,
                answered_within_5_rings=0,
                abandoned=0,
                source=TelephonySource.QUEUE_LOG,
            )
        if outcome == CallOutcome.CLOSED:
            row.closed += 1
            continue
        row.offered += 1
        if outcome == CallOutcome.ANSWERED:
            row.answered += 1
            if wait is not None and wait <= WITHIN_5_RINGS:
                row.answered_within_5_rings += 1
        elif outcome == CallOutcome.ABANDONED:
            row.abandoned += 1
    return list(hours.values())


# Footfall -----------------------------------------------------------------------------------


def _by_slug_or_name(objects) -> tuple[Callable[[str], Any], str]:
    """A resolver of a cell naming one of `objects` by its slug or its name (case and
    accents ignored), and the slugs to name when the cell names none."""
    by_key = {}
    for found in objects:
        by_key[code_key(found.name)] = found
    for found in objects:
        by_key[code_key(found.slug)] = found
    slugs = ", ".join(o.slug for o in objects)
    return (lambda value: by_key.get(code_key(value))), slugs


def _service_resolver(site: Site):
    return _by_slug_or_name(list(Service.objects.filter(site=site).order_by("name")))


def import_footfall(prefecture: Prefecture, site: Site, data: bytes | str) -> ImportResult:
    """`date,hour,service,visitors`: visitors counted elsewhere; the counts of the services
    (or of the site, service empty) on the days the file gives them are replaced."""
    if site.prefecture_id != prefecture.pk:
        raise CsvImportError([LineError(1, None, "le site n'appartient pas à la préfecture")])
    table = read_csv(data, required=["date", "hour", "service", "visitors"])
    resolve, valid = _service_resolver(site)
    rows: dict[tuple, FootfallCount] = {}
    lines: dict[tuple, int] = {}
    for row in table:
        day = row.date("date", required=True)
        hour = row.hour("hour", required=True)
        visitors = row.int("visitors", required=True, min=0, max=MAX_PER_HOUR)
        service = row.lookup(
            "service",
            resolve,
            f"service « {{value}} » inconnu sur le site {site.name} ; valeurs possibles : {valid}",
        )
        if not row.ok:
            continue
        key = (day, hour, service.pk if service else None)
        if key in lines:
            row.error("hour", f"même jour, heure et service que la ligne {lines[key]}")
            continue
        lines[key] = row.line
        rows[key] = FootfallCount(
            prefecture=prefecture,
            site=site,
            service=service,
            date=day,
            hour=hour,
            visitors=visitors,
        )
    table.raise_errors()
    days = sorted({key[0] for key in rows})
    with transaction.atomic():
        analyze(FootfallCount)  # fresh statistics once committed
        # By service: one counter's file (a desk's) leaves the other counters' days alone.
        covered: dict[int | None, set[date]] = {}
        for day, _hour, service_id in rows:
            covered.setdefault(service_id, set()).add(day)
        for service_id, service_days in covered.items():
            FootfallCount.objects.filter(
                site=site, service_id=service_id, date__in=service_days
            ).delete()
        FootfallCount.objects.bulk_create(rows.values(), batch_size=2000)
        hooks.period_touched(prefecture, set(days))
    return ImportResult(
        counts={
            "jours": len(days),
            "lignes": len(rows),
            "visiteurs": sum(r.visitors for r in rows.values()),
        },
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
    )


# Website updates ----------------------------------------------------------------------------


WEBSITE_REFERENCE_RE = re.compile(r"^WEB-(\d{4})-(\d+)$")


def claim_website_reference(prefecture: Prefecture, reference: str) -> None:
    """A reference `WEB-YYYY-NNNNN` given from outside moves the year's counter past it, so
    the requests made in the product never take it again."""
    match = WEBSITE_REFERENCE_RE.match(reference)
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        references.claim_number(prefecture, references.WEBSITE_UPDATES, year, number)


def import_website_updates(prefecture: Prefecture, data: bytes | str) -> ImportResult:
    """`reference,site,page,requested_on,published_on`: one request per reference, created
    or updated (re-importing the same file changes nothing)."""
    table = read_csv(data, required=["reference", "site", "page", "requested_on", "published_on"])
    find_site, valid_sites = _by_slug_or_name(list(Site.objects.filter(prefecture=prefecture)))
    parsed: dict[str, dict] = {}
    lines: dict[str, int] = {}
    today = timezone.localdate()
    for row in table:
        reference = row.text("reference", required=True, max_length=60)
        page = row.text("page", required=True, max_length=500)
        site = row.lookup(
            "site", find_site, f"site « {{value}} » inconnu ; valeurs possibles : {valid_sites}"
        )
        requested = row.date("requested_on", required=True)
        published = row.date("published_on")
        # As on the page that marks a request published: nothing is dated after today.
        for column, value in (("requested_on", requested), ("published_on", published)):
            if value and value > today:
                row.error(column, f"date à venir ({value:%d/%m/%Y}) : vérifiez l'année")
        if requested and published and published < requested:
            row.error("published_on", "publiée avant d'avoir été demandée")
        if not row.ok:
            continue
        if reference in lines:
            row.error("reference", f"référence déjà donnée ligne {lines[reference]}")
            continue
        lines[reference] = row.line
        parsed[reference] = {
            "site": site,
            "page": page,
            "requested_on": requested,
            "published_on": published,
        }
    table.raise_errors()
    created = updated = unchanged = 0
    with transaction.atomic():
        analyze(WebsiteUpdate)  # fresh statistics once committed
        existing = {
            u.reference: u
            for u in WebsiteUpdate.objects.select_for_update().filter(
                prefecture=prefecture, reference__in=list(parsed)
            )
        }
        new = []
        for reference, fields in parsed.items():
            update = existing.get(reference)
            if update is None:
                new.append(WebsiteUpdate(prefecture=prefecture, reference=reference, **fields))
                claim_website_reference(prefecture, reference)
                created += 1
                continue
            if fields["published_on"] is None:
                # An empty date says "not known as published", not "unpublish": a
                # publication recorded since (on the page, or by a later file) is kept.
                fields = {k: v for k, v in fields.items() if k != "published_on"}
            changed = [k for k, v in fields.items() if getattr(update, k) != v]
            if not changed:
                unchanged += 1
                continue
            for key in changed:
                setattr(update, key, fields[key])
            update.save(update_fields=changed)
            updated += 1
        WebsiteUpdate.objects.bulk_create(new, batch_size=2000)
        hooks.period_touched(
            prefecture,
            {fields["requested_on"] for fields in parsed.values()}
            | {u.requested_on for u in existing.values()},
        )
    return ImportResult(
        counts={"créées": created, "mises à jour": updated, "inchangées": unchanged}
    )


# The prefecture's own indicators ----------------------------------------------------------

MAX_VALUE = 10**12  # Value.value and its parts: 14 digits, 2 after the decimal point


def parse_manual_values(prefecture: Prefecture, data: bytes | str) -> list[tuple]:
    """`code,period,site,value,numerator,denominator,source` for the prefecture's own
    indicators (code as shown on the « Indicateurs propres » page), checked whole:
    (indicator, site, period, value, numerator, denominator, source) per line, or
    CsvImportError naming every wrong line. `services.import_manual_values` writes them."""
    from .models import Indicator
    from .periods import Period

    table = read_csv(
        data,
        required=["code", "period", "value", "source"],
        optional=["site", "numerator", "denominator"],
    )
    indicators = {
        i.code: i for i in Indicator.objects.filter(prefecture=prefecture, is_manual=True)
    }
    find_site, valid_sites = _by_slug_or_name(list(Site.objects.filter(prefecture=prefecture)))
    parsed = {}
    lines: dict[tuple, int] = {}
    for row in table:
        indicator = row.choice("code", indicators, label="indicateur")
        period = None
        if row["period"]:
            try:
                period = Period.parse(row["period"])
            except ValueError as exc:
                row.error("period", str(exc))
            else:
                if not MIN_DATE <= period.start <= MAX_DATE:
                    row.error("period", f"« {row['period']} » : {OUT_OF_BOUNDS}")
        else:
            row.error("period", "valeur obligatoire")
        site = row.lookup(
            "site", find_site, f"site « {{value}} » inconnu ; valeurs possibles : {valid_sites}"
        )
        value = row.decimal("value", required=True)
        numerator = row.decimal("numerator")
        denominator = row.decimal("denominator")
        source = row.text("source", required=True, max_length=200)
        for column, number in (
            ("value", value),
            ("numerator", numerator),
            ("denominator", denominator),
        ):
            if number is not None and abs(number) >= MAX_VALUE:
                row.error(column, "nombre trop grand (12 chiffres avant la virgule au plus)")
        if not row.ok:
            continue
        key = (indicator.pk, site.pk if site else None, period.kind, period.start)
        if key in lines:
            row.error("period", f"même indicateur, site et période que la ligne {lines[key]}")
            continue
        lines[key] = row.line
        parsed[key] = (indicator, site, period, value, numerator, denominator, source)
    table.raise_errors()
    return list(parsed.values())

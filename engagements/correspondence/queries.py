"""Read side of the register: figures as defined in docs/indicators.md, breakdowns, search.

Other apps (indicators, transparency posters) reuse `figures` and `breakdown`; they take any
queryset of messages and a reference date, so last year's figures can be frozen.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from engagements.calendar.sql import number_joins
from engagements.calendar.workdays import WorkCalendar, calendar_for
from engagements.organisation.enums import Channel
from engagements.organisation.models import Prefecture, Service, Site

from .enums import ClosedReason, Kind, QuarantineStatus, Status
from .models import DocumentRequest, Mailbox, Message, QuarantinedMail, Topic

logger = logging.getLogger(__name__)

FIGURE_FIELDS = (
    "prefecture_id",
    "site_id",
    "received_on",
    "answered_on",
    "due_on",
    "deadline_days",
    "status",
    "closed_on",
    "waited_days",
)
FIGURE_KEYS = (
    "answered",
    "on_time",
    "late",
    "pending",
    "excluded",
    "rate_on_time",
    "average_delay",
)
DIMENSIONS = {
    "site": "Site",
    "service": "Service",
    "channel": "Canal",
    "kind": "Nature",
    "topic": "Thème",
    "month": "Mois de réception",
}


def _round(value: float | None, places: int) -> float | None:
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


class Calendars:
    """Kept for callers of the former Python computation: the figures now count working
    days in SQL from the stored calendars (engagements.calendar), so this holds nothing."""

    def get(self, prefecture_id: int, site_id: int) -> WorkCalendar:
        site = Site.objects.select_related("prefecture").get(pk=site_id)
        return calendar_for(site.prefecture, site)


# One SQL aggregate per call. Each message (the caller's queryset, received by `at`) is
# classified as it stood at `at` (docs/indicators.md): excluded (closed without answer by
# then), answered (delay = number(answered_on) - number(received_on) - waited_days, at
# least 0, from the stored working-day calendars), late (due date passed) or pending (not
# yet due, or waiting for documents asked in time: the clock stops, Status.WAITING). A
# request made after the due date stops nothing: the message stays late.
_STATE_SQL = """
    SELECT m.*,
      CASE
        WHEN m.status = %s AND (m.closed_on IS NULL OR m.closed_on <= %s) THEN 'x'
        WHEN m.answered_on IS NOT NULL AND m.answered_on <= %s THEN 'a'
        WHEN m.status = 'waiting' AND NOT m.late_wait THEN 'p'
        WHEN m.due_on < %s THEN 'l'
        ELSE 'p'
      END AS state,
      {received} AS received_number,
      {answered} AS answered_number
    FROM ({inner}) m {joins}
"""
_DELAY_SQL = """
    SELECT c.*,
      CASE WHEN c.state = 'a' THEN
        CASE WHEN c.answered_number - c.received_number - c.waited_days > 0
             THEN c.answered_number - c.received_number - c.waited_days ELSE 0 END
      END AS delay
    FROM ({states}) c
"""
_AGGREGATES = """
    COUNT(*) AS total,
    SUM(CASE WHEN state = 'a' THEN 1 ELSE 0 END) AS answered,
    SUM(CASE WHEN state = 'a' AND delay <= deadline_days THEN 1 ELSE 0 END) AS on_time,
    SUM(CASE WHEN state = 'l' THEN 1 ELSE 0 END) AS late,
    SUM(CASE WHEN state = 'p' THEN 1 ELSE 0 END) AS pending,
    SUM(CASE WHEN state = 'x' THEN 1 ELSE 0 END) AS excluded,
    SUM(CASE WHEN state = 'a' THEN delay ELSE 0 END) AS delay_sum,
    SUM(CASE WHEN received_number IS NULL OR (state = 'a' AND answered_number IS NULL)
        THEN 1 ELSE 0 END) AS uncovered
"""
_AGGREGATE_NAMES = (
    "total",
    "answered",
    "on_time",
    "late",
    "pending",
    "excluded",
    "delay_sum",
    "uncovered",
)
# Dimension -> column of the classified rows.
_DIMENSION_COLUMNS = {
    "site": "site_id",
    "service": "service_id",
    "channel": "channel",
    "kind": "kind",
    "topic": "topic_id",
    "month": "month",
}


def late_wait() -> Exists:
    """A pending wait for documents asked after the message's due date: it stops no clock,
    the message stays late (annotate it as `late_wait`)."""
    return Exists(
        DocumentRequest.objects.filter(
            message=OuterRef("pk"),
            received_on__isnull=True,
            closed=False,
            requested_on__gt=OuterRef("due_on"),
        )
    )


def joined_late_wait(messages: QuerySet[Message]) -> QuerySet[Message]:
    """`messages` with `late_wait` (as `late_wait()` gives it) read through a join to the
    message's pending document request, of which there is at most one
    (one_pending_document_request), instead of a subquery per message: for the figures,
    where the subquery, copied into each aggregate, kept PostgreSQL from sharing the
    aggregate out between parallel workers (a report 1.6 times its hand SQL's time)."""
    pending = FilteredRelation(
        "document_requests",
        condition=Q(document_requests__received_on__isnull=True, document_requests__closed=False),
    )
    after_due = ExpressionWrapper(
        Q(pending_request__requested_on__gt=F("due_on")), output_field=BooleanField()
    )
    return messages.annotate(pending_request=pending).annotate(
        late_wait=Coalesce(after_due, Value(False))
    )


def _late_or_open() -> Q:
    """Open messages, and those waiting for documents asked too late (still counted late)."""
    return Q(status__in=[Status.NEW, Status.ASSIGNED]) | Q(status=Status.WAITING, late_wait=True)


def _sql_date(value: date):
    # SQLite stores dates as ISO text; PostgreSQL takes the date.
    return value if settings.IS_POSTGRES else value.isoformat()


def _classified(
    messages: QuerySet[Message], at: date, *, dimensions: bool, records: bool = False
) -> tuple[str, list]:
    """SQL of the caller's messages received by `at`, one row each, with state and delay
    (`records`: with each message's id and reference, to list them)."""
    fields = list(FIGURE_FIELDS)
    if dimensions:
        fields += ["service_id", "channel", "kind", "topic_id", "closed_reason"]
    if records:
        fields += ["id", "reference"]
    inner, params = (
        joined_late_wait(messages.filter(received_on__lte=at))
        .order_by()
        .values(*fields, "late_wait")
        .query.sql_with_params()
    )
    received_joins, received = number_joins("m", "received_on", "wr")
    answered_joins, answered = number_joins("m", "answered_on", "wa")
    states = _STATE_SQL.format(
        inner=inner,
        joins=received_joins + answered_joins,
        received=received,
        answered=answered,
    )
    at_param = _sql_date(at)
    sql = _DELAY_SQL.format(states=states)
    if dimensions:
        month = (
            "CAST(date_trunc('month', d.received_on) AS date)"
            if settings.IS_POSTGRES
            else "strftime('%%Y-%%m-01', d.received_on)"
        )
        sql = f"SELECT d.*, {month} AS month FROM ({sql}) d"
    return sql, [Status.CLOSED.value, at_param, at_param, at_param, *params]


def _finish(row: dict) -> dict:
    answered, on_time, late = row["answered"] or 0, row["on_time"] or 0, row["late"] or 0
    counted = answered + late
    return {
        "answered": answered,
        "on_time": on_time,
        "late": late,
        "pending": row["pending"] or 0,
        "excluded": row["excluded"] or 0,
        "rate_on_time": _round(100 * on_time / counted, 1) if counted else None,
        "average_delay": _round((row["delay_sum"] or 0) / answered, 2) if answered else None,
    }


def _run(sql: str, params: list, *, using: str) -> list[dict]:
    """Run a read-side statement on the database the router chose for the messages (the
    read replica inside `replica_reads`, the primary otherwise)."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _uncovered(count: int | None) -> None:
    """Reads never write: the stored calendars are extended when records arrive (services,
    imports) and by the daily job. A day they miss is a bug on a write path: logged."""
    if count:
        logger.warning("figures: %s message(s) with a day outside the stored calendars", count)


def figures(messages: QuerySet[Message], *, at: date, calendars: Calendars | None = None) -> dict:
    """Answered, on time, late, pending, excluded, rate on time (%, 1 decimal) and average
    delay (working days, 2 decimals; None when undefined), as the register stood at `at`.
    One SQL aggregate (`calendars` is ignored; kept for former callers)."""
    return _finish(_aggregate_row(messages, at))


def _aggregate_row(messages: QuerySet[Message], at: date) -> dict:
    sql, params = _classified(messages, at, dimensions=False)
    sql = f"SELECT {_AGGREGATES} FROM ({sql}) f"
    row = _run(sql, params, using=messages.db)[0]
    _uncovered(row["uncovered"])
    return row


def messages_behind(messages: QuerySet[Message], *, at: date, limit: int = 500) -> list[dict]:
    """The messages the figures count, one row each classified as they count it (`state`:
    "a" answered, with its `delay` in working days against its `deadline_days`; "l" not
    answered by its due day; "p" pending; "x" excluded, with its `closed_reason`): those
    that keep the rate below 100 % first (answered late, then unanswered past their due
    day), then the pending and the others; `limit` rows at most (the figures give the
    counts)."""
    sql, params = _classified(messages, at, dimensions=True, records=True)
    statement = (
        "SELECT id, reference, received_on, due_on, answered_on, deadline_days, state, delay,"
        f" closed_reason FROM ({sql}) r ORDER BY CASE"
        " WHEN state = 'a' AND delay > deadline_days THEN 0 WHEN state = 'l' THEN 1"
        " WHEN state = 'p' THEN 2 WHEN state = 'a' THEN 3 ELSE 4 END, received_on, id"
        f" LIMIT {int(limit)}"
    )
    return _run(statement, params, using=messages.db)


def cached_figures_by(messages: QuerySet[Message], *, at: date) -> tuple[dict, dict]:
    """`figures_by` kept FIGURES_CACHE_SECONDS in the shared cache (the database's, so every
    app server shares it), keyed by the exact SQL of the set (its scope and filters) and the
    date: the figures page over a million messages is computed once a minute at most, not
    once per view."""
    if settings.FIGURES_CACHE_SECONDS <= 0:
        return figures_by(messages, at=at)
    sql, params = messages.query.sql_with_params()
    digest = hashlib.sha256(repr((sql, params, at.isoformat())).encode()).hexdigest()
    key = f"correspondence-figures:{digest}"
    found = cache.get(key)
    if found is None:
        found = figures_by(messages, at=at)
        cache.set(key, found, settings.FIGURES_CACHE_SECONDS)
    return found


def figures_by(
    messages: QuerySet[Message], *, at: date, dimensions: Iterable[str] = tuple(DIMENSIONS)
) -> tuple[dict, dict[str, list[dict]]]:
    """The figures of the whole set and per value of each dimension, in one SQL statement
    (`GROUPING SETS` on PostgreSQL, one `UNION ALL` branch per dimension on SQLite)."""
    dimensions = list(dimensions)
    for by in dimensions:
        if by not in DIMENSIONS:
            raise ValueError(f"Unknown dimension {by!r}")
    sql, params = _classified(messages, at, dimensions=True)
    columns = [_DIMENSION_COLUMNS[by] for by in dimensions]
    if settings.IS_POSTGRES:
        flags = ", ".join(f"GROUPING({column}) AS g_{column}" for column in columns)
        sets = ", ".join(["()", *[f"({column})" for column in columns]])
        select = ", ".join(columns)
        statement = (
            f"WITH rows AS ({sql}) SELECT {flags}, {select}, {_AGGREGATES} FROM rows"
            f" GROUP BY GROUPING SETS ({sets})"
        )
        all_params = params
    else:
        branches = []
        for index in range(-1, len(columns)):
            parts = []
            for position, column in enumerate(columns):
                flag = 0 if position == index else 1
                value = column if position == index else "NULL"
                parts.append(f"{flag} AS g_{column}, {value} AS {column}")
            group = f" GROUP BY {columns[index]}" if index >= 0 else ""
            branches.append(
                f"SELECT {', '.join(parts)}, {_AGGREGATES} FROM ({sql}) r{index + 1}{group}"
            )
        statement = " UNION ALL ".join(branches)
        all_params = params * len(branches)
    # Labels joined to the (few) grouped rows, in the same statement.
    names, joins = ["g.*"], []
    if "site" in dimensions:
        names.append("s.name AS site_name")
        joins.append(f"LEFT JOIN {Site._meta.db_table} s ON s.id = g.site_id")
    if "service" in dimensions:
        names += ["sv.name AS service_name", "ss.name AS service_site_name"]
        joins.append(f"LEFT JOIN {Service._meta.db_table} sv ON sv.id = g.service_id")
        joins.append(f"LEFT JOIN {Site._meta.db_table} ss ON ss.id = sv.site_id")
    if "topic" in dimensions:
        names.append("t.name AS topic_name")
        joins.append(f"LEFT JOIN {Topic._meta.db_table} t ON t.id = g.topic_id")
    statement = f"SELECT {', '.join(names)} FROM ({statement}) g {' '.join(joins)}"
    rows = _run(statement, all_params, using=messages.db)
    _uncovered(max((row["uncovered"] or 0 for row in rows), default=0))
    total = {"total": 0, **_finish({name: 0 for name in _AGGREGATE_NAMES})}
    groups: dict[str, list[dict]] = {by: [] for by in dimensions}
    for row in rows:
        grouped = [
            by for by, column in zip(dimensions, columns, strict=True) if not row[f"g_{column}"]
        ]
        if not grouped:
            total = {"total": row["total"], **_finish(row)}
            continue
        by = grouped[0]
        key = row[_DIMENSION_COLUMNS[by]]
        if by == "month" and isinstance(key, str):
            key = date.fromisoformat(key)
        names = {
            "site": row.get("site_name"),
            "service": (row.get("service_name"), row.get("service_site_name")),
            "topic": row.get("topic_name"),
        }.get(by)
        groups[by].append({"key": key, "total": row["total"], "_names": names, **_finish(row)})
    _label(groups, total["total"])
    return total, groups


def _label(groups: dict[str, list[dict]], total: int) -> None:
    """Labels (unambiguous: a service named alike on two sites names its site), share of
    the messages in % (one decimal), and the order of each table."""
    for by, rows in groups.items():
        for row in rows:
            key, names = row["key"], row.pop("_names")
            if by == "site":
                row["label"] = names or ""
            elif by == "service":
                row["label"] = names[0] if key is not None else "Sans service"
                row["_site"] = names[1]
            elif by == "channel":
                row["label"] = Channel(key).label
            elif by == "kind":
                row["label"] = str(Kind(key).label)
            elif by == "topic":
                row["label"] = names or "Sans thème"
            else:
                row["label"] = f"{key:%m/%Y}"
            row["share"] = _round(100 * row["total"] / total, 1) if total else None
        if by == "service":
            seen: dict[str, int] = defaultdict(int)
            sites = {row["key"]: row.pop("_site") for row in rows}
            for row in rows:
                seen[row["label"]] += 1
            for row in rows:
                if row["key"] is not None and seen[row["label"]] > 1:
                    row["label"] = f"{row['label']} — {sites[row['key']]}"
        if by == "month":
            rows.sort(key=lambda item: item["key"])
        else:
            rows.sort(key=lambda item: (-item["total"], item["label"]))


def breakdown(
    messages: QuerySet[Message], *, at: date, by: str, calendars: Calendars | None = None
) -> list[dict]:
    """Figures per value of a dimension (site, service, channel, kind, topic, month)."""
    if by not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {by!r}")
    return figures_by(messages, at=at, dimensions=[by])[1][by]


def year_messages(prefecture: Prefecture, year: int) -> QuerySet[Message]:
    """Messages received in a calendar year (the period of the yearly figures)."""
    return Message.objects.filter(prefecture=prefecture, received_on__year=year)


def search(messages: QuerySet[Message], text: str) -> QuerySet[Message]:
    """Full-text search on the stored, GIN-indexed `search_vector` (PostgreSQL, French
    without accents), or a reference / sender look-up (trigram indexes); a plain contains
    search on SQLite (demo)."""
    text = text.strip()
    if not text:
        return messages
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchQuery

        return messages.filter(
            Q(search_vector=SearchQuery(text, config="french_unaccent", search_type="websearch"))
            | Q(reference__icontains=text)
            | Q(sender_email__iexact=text)
        )
    condition = Q()
    for field in ("reference", "subject", "body", "sender_name", "sender_email"):
        condition |= Q(**{f"{field}__icontains": text})
    return messages.filter(condition)


def with_new_reply(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Annotate `new_reply_at`: the person's latest mail that came after our latest answer
    (or any, before a first answer), and `new_document_at`: the same for documents added
    on the follow page. One subquery each per row, no extra query."""
    from .enums import EventKind

    return messages.annotate(
        new_reply_at=_latest_after_answer(EventKind.REPLY_RECEIVED),
        new_document_at=_latest_after_answer(EventKind.DOCUMENT_ADDED),
    )


def _latest_after_answer(kind: str):
    from django.db.models import DateTimeField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from .enums import EventKind
    from .models import MessageEvent

    last_answer = (
        MessageEvent.objects.filter(message=OuterRef("message"), kind=EventKind.ANSWERED)
        .order_by("-at")
        .values("at")[:1]
    )
    replies = (
        MessageEvent.objects.filter(message=OuterRef("pk"), kind=kind)
        .annotate(
            after=Coalesce(
                Subquery(last_answer),
                Value(datetime(2000, 1, 1, tzinfo=UTC)),
                output_field=DateTimeField(),
            )
        )
        .filter(at__gt=F("after"))
        .order_by("-at")
        .values("at")[:1]
    )
    return Subquery(replies, output_field=DateTimeField())


def open_counts(
    messages: QuerySet[Message], *, today: date, due_soon: bool = False, user=None
) -> dict[str, int]:
    """Counters for the worklist header, in one query: the open messages are counted from
    the partial index `message_open_by_due_date` alone; the messages waiting for documents
    asked too late, still counted late, in a subquery of their own. (One filter `open or
    waiting and asked late` made PostgreSQL read every open message's row: 14 ms instead
    of 3 on a register of 100,000.) `due_soon`: also the open messages due today or
    tomorrow (the agents' home). `user`: also the open messages in his charge ("mine")."""
    from django.db.models import Count, Func, IntegerField, Subquery

    # COUNT written as a plain function: no GROUP BY, one row whatever `messages` spans.
    waiting_late = (
        messages.filter(status=Status.WAITING, due_on__lt=today)
        .annotate(late_wait=late_wait())
        .filter(late_wait=True)
        .order_by()
        .values(n=Func("pk", function="COUNT", output_field=IntegerField()))
    )
    soon = (
        {"soon": Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + timedelta(days=1)))}
        if due_soon
        else {}
    )
    return messages.filter(status__in=[Status.NEW, Status.ASSIGNED]).aggregate(
        open=Count("pk"),
        late=Count("pk", filter=Q(due_on__lt=today)) + Subquery(waiting_late),
        unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
        **soon,
        **({"mine": Count("pk", filter=Q(assigned_to=user))} if user is not None else {}),
    )


def period_messages(prefecture: Prefecture, start: date, end: date) -> QuerySet[Message]:
    """Messages received between two dates included (a month, a quarter, a year)."""
    return Message.objects.filter(prefecture=prefecture, received_on__range=(start, end))


def figures_with_delay_total(
    messages: QuerySet[Message], *, at: date, calendars: Calendars | None = None
) -> dict:
    """`figures` plus `delay_total`: the sum of the answered messages' delays (the
    numerator of the average delay, whose denominator is `answered`)."""
    row = _aggregate_row(messages, at)
    return {**_finish(row), "delay_total": row["delay_sum"] or 0}


# Monthly counts: every figure of the register is a ratio of counts summed over messages,
# so a quarter's or a year's figures are the sums of its months' counts (the indicators'
# values job computes every period of a run from one statement).
_MONTHLY_SETS = {
    "service": ("month", "site_id", "service_id"),
    "kind": ("month", "site_id", "kind"),
    "channel": ("month", "site_id", "channel"),
}


def monthly_counts(
    messages: QuerySet[Message], *, at: date, sets: Iterable[str] = ("service",)
) -> list[dict]:
    """Counts per month of receipt and site with service (set "service"), kind ("kind") or
    channel ("channel"), in one SQL statement (`GROUPING SETS` on PostgreSQL): `set`,
    `month`, `site_id` and the set's column, then total, answered, on_time, late, pending,
    excluded, `excluded_<closed reason>` for each reason, delay_sum (the numerator of the
    average delay), as the register stood at `at`."""
    sets = list(sets)
    sql, params = _classified(messages, at, dimensions=True)
    reasons = ", ".join(
        f"SUM(CASE WHEN state = 'x' AND closed_reason = '{reason}' THEN 1 ELSE 0 END)"
        f" AS excluded_{reason}"
        for reason in ClosedReason.values
    )
    aggregates = f"{_AGGREGATES}, {reasons}"
    columns = ("site_id", "service_id", "kind", "channel")
    if settings.IS_POSTGRES:
        used = {c for name in sets for c in _MONTHLY_SETS[name]}
        flags = ", ".join(
            f"GROUPING({c}) AS g_{c}" if c in used else f"1 AS g_{c}"
            for c in ("service_id", "kind", "channel")
        )
        selected = ", ".join(c if c in used else f"NULL AS {c}" for c in columns)
        grouping = ", ".join(f"({', '.join(_MONTHLY_SETS[name])})" for name in sets)
        statement = (
            f"WITH rows AS ({sql}) SELECT {flags}, month, {selected}, {aggregates}"
            f" FROM rows GROUP BY GROUPING SETS ({grouping})"
        )
        all_params = params
    else:
        branches = []
        for name in sets:
            grouped = _MONTHLY_SETS[name]
            parts = [
                f"{0 if c in grouped else 1} AS g_{c}" for c in ("service_id", "kind", "channel")
            ]
            parts += ["month"] + [c if c in grouped else f"NULL AS {c}" for c in columns]
            branches.append(
                f"SELECT {', '.join(parts)}, {aggregates} FROM ({sql}) r"
                f" GROUP BY {', '.join(grouped)}"
            )
        statement = " UNION ALL ".join(branches)
        all_params = params * len(branches)
    rows = _run(statement, all_params, using=messages.db)
    _uncovered(max((row["uncovered"] or 0 for row in rows), default=0))
    for row in rows:
        row["set"] = (
            "service" if not row["g_service_id"] else "kind" if not row["g_kind"] else "channel"
        )
        if isinstance(row["month"], str):
            row["month"] = date.fromisoformat(row["month"])
        for name in _AGGREGATE_NAMES:
            row[name] = row[name] or 0
        row["excluded_by_reason"] = {
            reason: row.pop(f"excluded_{reason}") or 0 for reason in ClosedReason.values
        }
    return rows


def prefecture_topics(prefecture: Prefecture) -> QuerySet[Topic]:
    """The prefecture's topics (themes of messages)."""
    return Topic.objects.filter(prefecture=prefecture)


def filter_worklist(qs: QuerySet[Message], f: dict, *, today: date, user=None) -> QuerySet[Message]:
    """The worklist's filters (site, service, kind, channel, status, agent in charge: `user`
    or no one, late, due tomorrow, search text) applied to the agent's messages."""
    if f["site"]:
        qs = qs.filter(site=f["site"])
    if f["service"]:
        qs = qs.filter(service=f["service"])
    if f["kind"]:
        qs = qs.filter(kind=f["kind"])
    if f["channel"]:
        qs = qs.filter(channel=f["channel"])
    if f["status"] == "open":
        # With "late", the late filter below keeps the open messages and, as the header's
        # counter does, those waiting for documents asked too late.
        if not f["late"]:
            qs = qs.filter(status__in=[Status.NEW, Status.ASSIGNED])
    elif f["status"] == "replied":
        # A mail after the answer, or a document added by the person (follow page).
        qs = qs.filter(
            Q(status=Status.ANSWERED, new_reply_at__isnull=False)
            | (~Q(status=Status.CLOSED) & Q(new_document_at__isnull=False))
        )
    elif f["status"]:
        qs = qs.filter(status=f["status"])
    if f.get("charge") == "moi":
        qs = qs.filter(assigned_to=user)
    elif f.get("charge") == "personne":
        qs = qs.filter(assigned_to__isnull=True)
    if f["late"]:
        qs = qs.annotate(late_wait=late_wait()).filter(_late_or_open(), due_on__lt=today)
    if f["echeance"] == "demain":
        qs = qs.filter(
            status__in=[Status.NEW, Status.ASSIGNED],
            due_on__gte=today,
            due_on__lte=today + timedelta(days=1),
        )
    return search(qs, f["q"])


def new_reply_dates(message: Message) -> tuple[datetime | None, datetime | None]:
    """When the person last wrote after the answer, and last added a document."""
    return with_new_reply(Message.objects.filter(pk=message.pk)).values_list(
        "new_reply_at", "new_document_at"
    )[0]


def answer_delay(message: Message) -> int | None:
    """The answered message's delay in working days (None when not answered)."""
    if not message.answered_on:
        return None
    # Working days waited for missing documents are not counted (indicators.md).
    calendar = calendar_for(message.prefecture, message.site)
    waited = calendar.working_days_between(message.received_on, message.answered_on)
    return max(0, waited - message.waited_days)


def mailbox_health(now: datetime | None = None) -> dict:
    """For monitoring: mails waiting « à vérifier », active mailboxes whose last reading
    failed, and the seconds since the least recent reading of an active mailbox."""
    now = now or timezone.now()
    active = Mailbox.objects.filter(is_active=True)
    oldest = active.aggregate(oldest=Min("last_polled_at"))["oldest"]
    return {
        "quarantined_pending": QuarantinedMail.objects.filter(
            status=QuarantineStatus.PENDING
        ).count(),
        "mailboxes": active.count(),
        "mailboxes_failing": active.exclude(last_error="").count(),
        "oldest_poll_seconds": max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
    }


def deadline_measured(prefecture: Prefecture) -> str:
    """Which deadline the register's figures measure, in a sentence (docs/indicators.md):
    each channel's, and for complaints the earlier with the prefecture's complaint deadline
    when one is set."""
    # Only the first letter goes lower case: "plateforme Services Publics +" is a name.
    channels = ", ".join(
        f"{channel.label[:1].lower()}{channel.label[1:]} {prefecture.deadline_for(channel)}"
        for channel in Channel
    )
    sentence = f"Délai mesuré : celui du canal de chaque message, en jours ouvrés ({channels})"
    complaints = prefecture.kind_deadline_for(Kind.COMPLAINT)
    if complaints is None:
        return sentence + "."
    return (
        f"{sentence} ; pour les réclamations, {complaints} jours ouvrés quel que soit le "
        "canal, ou celui du canal s'il est plus court."
    )

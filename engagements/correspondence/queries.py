"""Read side of the register: figures as defined in docs/indicators.md, breakdowns, search.

Other apps (indicators, transparency posters) reuse `figures` and `breakdown`; they take any
queryset of messages and a reference date, so last year's figures can be frozen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import F, Q, QuerySet

from engagements.organisation.enums import Channel
from engagements.organisation.models import Prefecture, Site
from engagements.workdays import WorkCalendar, calendar_for

from .enums import Kind, Status
from .models import Message

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
    """One working-day calendar per (prefecture, site), loaded once for a whole report."""

    def __init__(self) -> None:
        self._calendars: dict[tuple[int, int], WorkCalendar] = {}

    def get(self, prefecture_id: int, site_id: int) -> WorkCalendar:
        key = (prefecture_id, site_id)
        if key not in self._calendars:
            site = Site.objects.select_related("prefecture").get(pk=site_id)
            self._calendars[key] = calendar_for(site.prefecture, site)
        return self._calendars[key]


def _classify(row: dict, at: date, calendars: Calendars) -> tuple[str, int | None]:
    """('excluded'|'answered'|'late'|'pending'|'future', delay) of one message at a date."""
    if row["received_on"] > at:
        return "future", None
    if row["status"] == Status.CLOSED and (row["closed_on"] is None or row["closed_on"] <= at):
        return "excluded", None
    answered_on = row["answered_on"]
    if answered_on is not None and answered_on <= at:
        calendar = calendars.get(row["prefecture_id"], row["site_id"])
        delay = calendar.working_days_between(row["received_on"], answered_on)
        return "answered", max(0, delay - row["waited_days"])
    if row["status"] == Status.WAITING:
        return "pending", None  # the clock stops while documents are awaited
    return ("late" if row["due_on"] < at else "pending"), None


def _figures_of(rows: Iterable[dict], at: date, calendars: Calendars) -> dict:
    answered = on_time = late = pending = excluded = 0
    delays: list[int] = []
    for row in rows:
        state, delay = _classify(row, at, calendars)
        if state == "answered":
            answered += 1
            delays.append(delay)
            if delay <= row["deadline_days"]:
                on_time += 1
        elif state == "late":
            late += 1
        elif state == "pending":
            pending += 1
        elif state == "excluded":
            excluded += 1
    counted = answered + late
    return {
        "answered": answered,
        "on_time": on_time,
        "late": late,
        "pending": pending,
        "excluded": excluded,
        "rate_on_time": _round(100 * on_time / counted, 1) if counted else None,
        "average_delay": _round(sum(delays) / len(delays), 2) if delays else None,
    }


def figures(messages: QuerySet[Message], *, at: date, calendars: Calendars | None = None) -> dict:
    """Answered, on time, late, pending, excluded, rate on time (%, 1 decimal) and average
    delay (working days, 2 decimals; None when undefined), as the register stood at `at`."""
    rows = messages.filter(received_on__lte=at).values(*FIGURE_FIELDS)
    return _figures_of(rows, at, calendars or Calendars())


def _key_and_label(row: dict, by: str) -> tuple[object, str]:
    if by == "site":
        return row["site_id"], row["site__name"]
    if by == "service":
        return row["service_id"], row["service__name"] or "Sans service"
    if by == "channel":
        return row["channel"], Channel(row["channel"]).label
    if by == "kind":
        return row["kind"], str(Kind(row["kind"]).label)
    if by == "topic":
        return row["topic_id"], row["topic__name"] or "Sans thème"
    if by == "month":
        month = row["received_on"].replace(day=1)
        return month, f"{month:%m/%Y}"
    raise ValueError(f"Unknown dimension {by!r}")


def breakdown(
    messages: QuerySet[Message], *, at: date, by: str, calendars: Calendars | None = None
) -> list[dict]:
    """Figures per value of a dimension (site, service, channel, kind, topic, month)."""
    if by not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {by!r}")
    calendars = calendars or Calendars()
    rows = messages.filter(received_on__lte=at).values(
        *FIGURE_FIELDS,
        "service_id",
        "channel",
        "kind",
        "topic_id",
        "site__name",
        "service__name",
        "topic__name",
    )
    groups: dict[object, list[dict]] = defaultdict(list)
    labels: dict[object, str] = {}
    for row in rows:
        key, label = _key_and_label(row, by)
        groups[key].append(row)
        labels[key] = label
    result = [
        {"key": key, "label": labels[key], "total": len(items), **_figures_of(items, at, calendars)}
        for key, items in groups.items()
    ]
    if by == "month":
        return sorted(result, key=lambda item: item["key"])
    return sorted(result, key=lambda item: (-item["total"], item["label"]))


def year_messages(prefecture: Prefecture, year: int) -> QuerySet[Message]:
    """Messages received in a calendar year (the period of the yearly figures)."""
    return Message.objects.filter(prefecture=prefecture, received_on__year=year)


def search(messages: QuerySet[Message], text: str) -> QuerySet[Message]:
    """Full-text search (PostgreSQL) or a plain contains search (SQLite demo)."""
    text = text.strip()
    if not text:
        return messages
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector(
            "reference", "subject", "body", "sender_name", "sender_email", config="french"
        )
        return messages.annotate(search=vector).filter(
            Q(search=SearchQuery(text, config="french", search_type="websearch"))
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


def open_counts(messages: QuerySet[Message], *, today: date) -> dict[str, int]:
    """Counters for the worklist header."""
    open_ = messages.filter(status__in=[Status.NEW, Status.ASSIGNED])
    return {
        "open": open_.count(),
        "late": open_.filter(due_on__lt=today).count(),
        "unassigned": open_.filter(assigned_to__isnull=True).count(),
    }


def period_messages(prefecture: Prefecture, start: date, end: date) -> QuerySet[Message]:
    """Messages received between two dates included (a month, a quarter, a year)."""
    return Message.objects.filter(prefecture=prefecture, received_on__range=(start, end))


def figures_with_delay_total(
    messages: QuerySet[Message], *, at: date, calendars: Calendars | None = None
) -> dict:
    """`figures` plus `delay_total`: the sum of the answered messages' delays (the
    numerator of the average delay, whose denominator is `answered`)."""
    calendars = calendars or Calendars()
    rows = list(messages.filter(received_on__lte=at).values(*FIGURE_FIELDS))
    result = _figures_of(rows, at, calendars)
    total = 0
    for row in rows:
        state, delay = _classify(row, at, calendars)
        if state == "answered":
            total += delay
    result["delay_total"] = total
    return result

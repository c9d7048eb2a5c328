"""A person's rights over her data (GDPR arts. 15 to 17), exercised through the agents.

The "Données personnelles" page finds what the prefecture holds about a person in every
area (`engagements.shell.personal_data`: each app registers its records), hands it over
(a readable statement and a file) and erases it on request. Each request is logged
(`RightsRequest`: kind, received on, answer due one month later, done when and by whom,
how many records per area) without the person's address or number.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from engagements.shell.personal_data import Found, Person, find_personal_data

from .models import Prefecture, RightsRequest


def one_month_after(day: date) -> date:
    """Art. 12.3: "within one month of receipt" — the same day of the next month, or its
    last day when it has no such day (31 January → 28 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def find(prefecture: Prefecture, person: Person) -> list[Found]:
    """Every area's records of the person in this prefecture (French labels)."""
    with translation.override("fr"):
        return find_personal_data(prefecture, person)


def _counts(found: list[Found], records) -> dict[str, int]:
    return {f.source.label: n for f in found if (n := len(records(f)))}


def _log(prefecture, person, *, kind, received_on, actor, counts, left, done) -> RightsRequest:
    """The request of that person, kind and day of receipt: for an erasure the open one if
    any (it left records to end first, the agent comes back), for an access the one already
    answered too (the statement and the export answer one request); else a new one."""
    same = RightsRequest.objects.select_for_update().filter(
        prefecture=prefecture, kind=kind, person_hash=person.digest(), received_on=received_on
    )
    if kind == RightsRequest.Kind.ERASURE:
        same = same.filter(done_at__isnull=True)
    request = same.order_by("-pk").first() or RightsRequest(
        prefecture=prefecture,
        kind=kind,
        person_hash=person.digest(),
        received_on=received_on,
        answer_due=one_month_after(received_on),
    )
    request.counts = counts
    request.left = left
    if done:
        request.done_at, request.done_by = timezone.now(), actor
    request.save()
    return request


def hand_over(
    prefecture: Prefecture, person: Person, *, received_on: date, actor
) -> tuple[list[Found], RightsRequest]:
    """What the person may read (art. 15) and take away (art. 20); logs the request."""
    found = find(prefecture, person)
    with transaction.atomic():
        request = _log(
            prefecture, person,
            kind=RightsRequest.Kind.ACCESS, received_on=received_on, actor=actor,
            counts=_counts(found, lambda f: [r for r in f.records if not r.purged]), left={},
            done=True,
        )  # fmt: skip
    return found, request


def erase(
    prefecture: Prefecture, person: Person, *, received_on: date, actor
) -> tuple[RightsRequest, list[Found]]:
    """Anonymise the person's records now (art. 17), each area through its own purge, all
    or nothing; records still in use (a request being handled, an appointment to come) are
    left, and the request stays open until they are ended and the erasure run again."""
    with transaction.atomic(), translation.override("fr"):
        found = find_personal_data(prefecture, person)
        counts = {}
        for area in found:
            if area.erasable and (n := area.source.erase(prefecture, area.erasable)):
                counts[area.source.label] = n
        left = _counts(found, lambda f: f.blocked)
        request = _log(
            prefecture, person,
            kind=RightsRequest.Kind.ERASURE, received_on=received_on, actor=actor,
            counts=counts, left=left, done=not left,
        )  # fmt: skip
    return request, [f for f in found if f.blocked]


def requests_of(prefecture: Prefecture):
    return RightsRequest.objects.filter(prefecture=prefecture).select_related("done_by")


def is_late(request: RightsRequest, today: date | None = None) -> bool:
    """Answered after the month, or still open past it."""
    if request.done_at is not None:
        return timezone.localtime(request.done_at).date() > request.answer_due
    return (today or timezone.localdate()) > request.answer_due


def purge_rights_requests(*, today: date | None = None) -> int:
    """Daily housekeeping: delete the requests received more than
    RIGHTS_REQUEST_RETENTION_YEARS ago."""
    today = today or timezone.localdate()
    years = settings.RIGHTS_REQUEST_RETENTION_YEARS
    try:
        limit = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - years, day=28)
    deleted, _ = RightsRequest.objects.filter(received_on__lt=limit).delete()
    return deleted


__all__ = ["erase", "find", "hand_over", "is_late", "one_month_after", "purge_rights_requests"]

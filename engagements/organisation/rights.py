"""A person's rights over her data (GDPR arts. 15 to 17), exercised through the agents.

The "Données personnelles" page finds what the prefecture holds about a person in every
area (`engagements.shell.personal_data`: each app registers its records), hands it over
(a readable statement and a file) and erases it on request. Each request is logged
(`RightsRequest`: kind, received on, answer due one month later, done when and by whom,
how many records per area) without the person's address or number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from engagements.shell.content_language import long_date as _long_date
from engagements.shell.dates import add_months
from engagements.shell.personal_data import Found, HeldRecord, Person, find_personal_data

from .models import Prefecture, RightsRequest


class RightsError(Exception):
    """A request's handling refused (French message, shown as is)."""


def one_month_after(day: date) -> date:
    """Art. 12.3: "within one month of receipt"."""
    return add_months(day, 1)


def latest_extension(request: RightsRequest) -> date:
    """Art. 12.3: the month "may be extended by two further months where necessary"."""
    return add_months(request.received_on, 3)


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
    request = same.order_by("-pk").first()
    if request is None and kind == RightsRequest.Kind.ERASURE and not counts and not left:
        # Nothing more to erase for a request already done (the page sent again): that one.
        answered = RightsRequest.objects.filter(
            prefecture=prefecture, kind=kind, person_hash=person.digest(), received_on=received_on
        )
        if found := answered.order_by("-pk").first():
            return found
    if request is None:
        request = RightsRequest(
            prefecture=prefecture,
            kind=kind,
            person_hash=person.digest(),
            received_on=received_on,
            answer_due=one_month_after(received_on),
        )
    elif kind == RightsRequest.Kind.ERASURE:
        # An erasure run again adds what it erased to what the first runs did.
        counts = {k: request.counts.get(k, 0) + counts.get(k, 0) for k in request.counts | counts}
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


@dataclass
class Erasure:
    """What an erasure did: the logged request, what it anonymised (per area: its label,
    how many records its purge erased, the records found erasable) and the areas whose
    records it left (each record's `blocked` says why)."""

    request: RightsRequest
    erased: list[tuple[str, int, list[HeldRecord]]]
    left: list[Found]

    @property
    def erased_count(self) -> int:
        return sum(n for _, n, _ in self.erased)


def erase(prefecture: Prefecture, person: Person, *, received_on: date, actor) -> Erasure:
    """Anonymise the person's records now (art. 17), each area through its own purge, all
    or nothing; records still in use (a request being handled, an appointment to come) are
    left, and the request stays open until they are ended and the erasure run again."""
    with transaction.atomic(), translation.override("fr"):
        found = find_personal_data(prefecture, person)
        counts, erased = {}, []
        for area in found:
            if area.erasable and (n := area.source.erase(prefecture, area.erasable)):
                counts[area.source.label] = n
                erased.append((area.source.label, n, area.erasable))
        left = _counts(found, lambda f: f.blocked)
        request = _log(
            prefecture, person,
            kind=RightsRequest.Kind.ERASURE, received_on=received_on, actor=actor,
            counts=counts, left=left, done=not left,
        )  # fmt: skip
    return Erasure(request, erased, [f for f in found if f.blocked])


def extend_deadline(
    request: RightsRequest, *, until: date, reason: str, actor, today: date | None = None
) -> RightsRequest:
    """Extend the answer's deadline by two months at most (art. 12.3: where necessary,
    given the complexity and number of requests), decided within the first month: the
    person is told then, with the reasons, which the log keeps."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise RightsError("Donnez le motif de la prolongation : il est dit à la personne.")
    with transaction.atomic():
        request = RightsRequest.objects.select_for_update().get(pk=request.pk)
        if request.done_at is not None:
            raise RightsError("Cette demande est traitée : son délai ne se prolonge plus.")
        if request.extended_until is not None:
            raise RightsError(
                f"Le délai de cette demande est déjà prolongé jusqu'au "
                f"{long_date(request.extended_until)} : deux mois de plus au plus."
            )
        if today > request.answer_due:
            raise RightsError(
                f"Trop tard pour prolonger : la prolongation s'annonce à la personne dans le "
                f"mois qui suit la réception, au plus tard le {long_date(request.answer_due)}."
            )
        latest = latest_extension(request)
        if not request.answer_due < until <= latest:
            raise RightsError(
                f"La nouvelle échéance suit l'échéance d'un mois ({long_date(request.answer_due)})"
                f" de deux mois au plus : le {long_date(latest)} au plus tard."
            )
        request.extended_until = until
        request.extension_reason = reason
        request.extended_at, request.extended_by = timezone.now(), actor
        request.save(
            update_fields=["extended_until", "extension_reason", "extended_at", "extended_by"]
        )
    return request


def long_date(day: date) -> str:
    return _long_date(day, language="fr")


def requests_of(prefecture: Prefecture):
    return RightsRequest.objects.filter(prefecture=prefecture).select_related(
        "done_by", "extended_by"
    )


def can_extend(request: RightsRequest, today: date | None = None) -> bool:
    """Open, not extended yet, and still within its first month."""
    return (
        request.done_at is None
        and request.extended_until is None
        and (today or timezone.localdate()) <= request.answer_due
    )


def is_late(request: RightsRequest, today: date | None = None) -> bool:
    """Answered after its deadline (the month, or its extension), or still open past it."""
    if request.done_at is not None:
        return timezone.localtime(request.done_at).date() > request.due
    return (today or timezone.localdate()) > request.due


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


__all__ = [
    "Erasure",
    "RightsError",
    "can_extend",
    "erase",
    "extend_deadline",
    "find",
    "hand_over",
    "is_late",
    "one_month_after",
    "purge_rights_requests",
]

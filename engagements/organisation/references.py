"""Gapless yearly numbers for every numbered record (register messages, quality actions,
website update requests).

A reference is a legal trace: an agent or an auditor who sees 2026-000041 and
2026-000043 asks where 42 went. So numbers are not taken from a sequence (which skips a
number on every rolled-back transaction) nor from "max + 1" (two transactions read the
same max). Each (prefecture, scope, year) has one counter row; `next_number` locks it
with SELECT … FOR UPDATE inside the caller's transaction, the one that inserts the
record. A second creation waits until the first commits or rolls back: two records never
get the same number, and a rolled-back creation gives its number back.
"""

from __future__ import annotations

from .models import Prefecture, ReferenceCounter

# The numbering scopes (one counter per prefecture, scope and year).
MESSAGES = "correspondence.message"
ACTIONS = "quality.action"
WEBSITE_UPDATES = "indicators.website_update"


def _locked(prefecture: Prefecture, scope: str, year: int) -> ReferenceCounter:
    # Create the year's row if missing without failing when another transaction just did.
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(prefecture=prefecture, scope=scope, year=year, last=0)],
        ignore_conflicts=True,
    )
    return ReferenceCounter.objects.select_for_update().get(
        prefecture=prefecture, scope=scope, year=year
    )


def next_number(prefecture: Prefecture, scope: str, year: int) -> int:
    """The next number of the year; call inside the transaction that inserts the record."""
    counter = _locked(prefecture, scope, year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def claim_number(prefecture: Prefecture, scope: str, year: int, number: int) -> None:
    """Move the counter past a number given from outside (an import), so that it is never
    given again; call inside the transaction that inserts the record."""
    counter = _locked(prefecture, scope, year)
    if number > counter.last:
        counter.last = number
        counter.save(update_fields=["last"])


def next_numbers(prefecture: Prefecture, scope: str, year: int, count: int) -> int:
    """A block of `count` consecutive numbers of the year (a bulk import); returns the
    first. Call inside the transaction that inserts the records."""
    counter = _locked(prefecture, scope, year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return first

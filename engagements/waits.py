"""The rule of a wait for documents, shared by the register and the appointments.

Seed 001: the person has 8 calendar days, indicative. She may ask once for more time, up
to a limit the prefecture sets; an agent may grant more (up to a year). She is reminded
two days before the end. Past the end nothing closes by itself: the wait is flagged
"délai dépassé" for an agent to decide. These functions hold the dates of that rule; each
app keeps its own records, mails and locks.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

DAYS = 8  # calendar days given to the person (indicative)
REMINDER_BEFORE = 2  # the reminder goes out this many days before the end (day 6 of 8)
AGENT_EXTENSION_MAX_DAYS = 365  # an agent may grant up to a year from today


class WaitDateError(ValueError):
    """A date the rule refuses; the text is French and shown as is."""


def earliest_new_end(ends_on: date, today: date | None = None) -> date:
    """The first date the person may choose: after the current end, and not in the past."""
    return max(ends_on + timedelta(days=1), today or timezone.localdate())


def person_may_ask(*, pending: bool, asked_on: date | None, limit: date, today=None) -> bool:
    """The person asks once, while the limit is ahead; after that, the agent decides."""
    return pending and asked_on is None and limit > (today or timezone.localdate())


def check_person_date(until: date, *, ends_on: date, limit: date, today=None) -> None:
    if until < earliest_new_end(ends_on, today) or until > limit:
        raise WaitDateError(
            f"Choisissez une date après le {ends_on:%d/%m/%Y} et au plus tard le {limit:%d/%m/%Y}."
        )


def check_agent_date(until: date, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if until <= today or until > today + timedelta(days=AGENT_EXTENSION_MAX_DAYS):
        raise WaitDateError("La nouvelle date doit être après aujourd'hui et dans moins d'un an.")


def is_overdue(ends_on: date, today: date) -> bool:
    return today > ends_on


def reminder_due(ends_on: date, reminded_on: date | None, today: date) -> bool:
    """The reminder is due from REMINDER_BEFORE days before the end, once."""
    return reminded_on is None and today >= ends_on - timedelta(days=REMINDER_BEFORE)


OVERDUE = "overdue"
REMIND = "remind"


def daily_step(wait, today: date) -> str | None:
    """The daily job's step for a pending wait (a record of either app): past its end it is
    flagged "délai dépassé" (`overdue_on`), within REMINDER_BEFORE days of it the reminder
    is due once (`reminded_on`); the field is set and saved here, the caller logs and mails.
    Returns OVERDUE, REMIND or None."""
    if is_overdue(wait.ends_on, today):
        wait.overdue_on = today
        wait.save(update_fields=["overdue_on"])
        return OVERDUE
    if reminder_due(wait.ends_on, wait.reminded_on, today):
        wait.reminded_on = today
        wait.save(update_fields=["reminded_on"])
        return REMIND
    return None


def apply_extension(wait, until: date, reason: str, *, by_person: bool) -> list[str]:
    """Move the end of a wait (a record of either app with these fields): the reminder and
    the "délai dépassé" flag start again; the person's own request is dated (she asks
    once). Returns the fields to save."""
    wait.ends_on = until
    wait.reminded_on = None
    wait.overdue_on = None
    wait.extension_reason = reason
    fields = ["ends_on", "reminded_on", "overdue_on", "extension_reason"]
    if by_person:
        wait.extension_asked_on = timezone.localdate()
        fields.append("extension_asked_on")
    return fields

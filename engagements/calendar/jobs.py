"""Scheduled jobs of the calendar (registered in apps.py)."""

from __future__ import annotations

from engagements.organisation.models import Prefecture

from .stored import default_range, ensure_calendars


def extend_ahead() -> dict[str, bool]:
    """Daily job: every prefecture's calendars reach the end of the year after next."""
    _, last = default_range()
    return {p.slug: ensure_calendars(p, end=last) for p in Prefecture.objects.all()}

"""Calendar arithmetic every app shares."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` months later (earlier when negative), or that month's last
    day when it has no such day (31 January + 1 → 28 February; 31 March − 1 → 28 or 29
    February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))

"""add_months: the rights requests' deadlines and the committee's retention read it."""

from datetime import date

import pytest

from engagements.shell.dates import add_months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no 31 February: its last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 11, 15), 3, date(2027, 2, 15)),  # over the year's end
        (date(2026, 12, 5), 1, date(2027, 1, 5)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # backwards, clamped too
        (date(2026, 1, 10), -36, date(2023, 1, 10)),  # the committee's retention
        (date(2026, 5, 20), 0, date(2026, 5, 20)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected

"""Working days (docs/indicators.md): pinned cases and properties."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagements.calendar import workdays
from engagements.calendar.workdays import SUBDIVISIONS, WorkCalendar
from tests.factories import ClosureFactory, PrefectureFactory, SiteFactory

METRO = WorkCalendar("metropole")
MOSELLE = WorkCalendar("57")
ALSACE = WorkCalendar("6AE")
GUADELOUPE = WorkCalendar("971")


@pytest.mark.parametrize(
    ("calendar", "day", "working"),
    [
        (METRO, date(2026, 4, 3), True),  # Good Friday: a working day in metropolitan France
        (MOSELLE, date(2026, 4, 3), False),  # ... but a holiday in Moselle
        (ALSACE, date(2026, 4, 3), False),
        (METRO, date(2025, 12, 26), True),  # 26 December (a Friday)
        (MOSELLE, date(2025, 12, 26), False),  # Saint-Étienne in Alsace-Moselle
        (GUADELOUPE, date(2026, 5, 27), False),  # abolition of slavery in Guadeloupe
        (METRO, date(2026, 5, 27), True),
        (WorkCalendar("972"), date(2026, 5, 22), False),  # Martinique: 22 May
        (WorkCalendar("974"), date(2026, 12, 21), True),
        (WorkCalendar("974"), date(2025, 12, 22), True),
        (WorkCalendar("974"), date(2026, 12, 20), False),  # Sunday anyway
        (METRO, date(2026, 7, 14), False),  # Bastille Day
        (METRO, date(2026, 11, 21), False),  # Saturday
        (METRO, date(2026, 11, 23), True),  # Monday
    ],
)
def test_pinned_working_days(calendar, day, working):
    assert calendar.is_working_day(day) is working


def test_delay_definition_examples():
    # Answered the day it arrived: 0. Received on Saturday, answered on Monday: 1.
    assert METRO.working_days_between(date(2026, 11, 23), date(2026, 11, 23)) == 0
    assert METRO.working_days_between(date(2026, 11, 21), date(2026, 11, 23)) == 1
    # Good Friday 3 April 2026 -> Tuesday 7 April: Easter Monday (6th) is a holiday.
    assert METRO.working_days_between(date(2026, 4, 3), date(2026, 4, 7)) == 1
    assert MOSELLE.working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1


def test_due_date_skips_holidays_per_subdivision():
    # E-mail received Thursday 2 April 2026, deadline 5 working days.
    # Fri 3 (1), Easter Monday 6 off, Tue 7 .. Fri 10 (5).
    assert METRO.add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 10)
    # Moselle: Good Friday off as well, so the fifth working day is Monday 13.
    assert MOSELLE.add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 13)
    # Letter received Wednesday 23 December 2026, 10 working days, Moselle: Thu 24 (1),
    # Christmas off, 28-31 (5), 1 January off, 4-8 January (10).
    assert MOSELLE.add_working_days(date(2026, 12, 23), 10) == date(2027, 1, 8)
    # Wednesday 24 December 2025 in Moselle: Friday 26 is Saint-Étienne.
    assert MOSELLE.add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 29)
    assert METRO.add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 26)


@pytest.mark.django_db
def test_closures_of_prefecture_and_site():
    prefecture = PrefectureFactory(moselle=True)
    site = SiteFactory(prefecture=prefecture)
    other_site = SiteFactory(prefecture=prefecture)
    ClosureFactory(prefecture=prefecture, date=date(2026, 11, 24), label="Pont")
    ClosureFactory(prefecture=prefecture, site=site, date=date(2026, 11, 25), label="Travaux")
    assert not workdays.is_working_day(date(2026, 11, 24), prefecture)
    assert workdays.is_working_day(date(2026, 11, 25), prefecture)
    assert not workdays.is_working_day(date(2026, 11, 25), prefecture, site)
    assert workdays.is_working_day(date(2026, 11, 25), prefecture, other_site)
    # Monday 23 -> 3 working days: 24 closed, 25 closed for the site -> 26, 27, 30.
    assert workdays.add_working_days(date(2026, 11, 23), 3, prefecture, site) == date(2026, 11, 30)
    assert workdays.working_days_between(date(2026, 11, 23), date(2026, 11, 30), prefecture) == 4


def test_unknown_subdivision_is_refused():
    with pytest.raises(ValueError):
        WorkCalendar("99").is_working_day(date(2026, 1, 1))


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))
calendars = st.sampled_from([WorkCalendar(code) for code in SUBDIVISIONS])


@given(calendars, days, st.integers(min_value=0, max_value=40))
def test_add_then_count_round_trips(calendar, start, count):
    due = calendar.add_working_days(start, count)
    assert calendar.working_days_between(start, due) == count
    if count:
        assert calendar.is_working_day(due)
        # The due date is the first day reaching the count.
        assert calendar.working_days_between(start, due - timedelta(days=1)) == count - 1


@given(calendars, days, days, days)
def test_counting_is_additive(calendar, a, b, c):
    a, b, c = sorted([a, b, c])
    assert calendar.working_days_between(a, c) == (
        calendar.working_days_between(a, b) + calendar.working_days_between(b, c)
    )


@given(calendars, days)
def test_weekends_never_count(calendar, day):
    if day.weekday() >= 5:
        assert not calendar.is_working_day(day)

"""The stored working-day calendars (calendar.WorkingDay) agree with calendar/workdays.py: SQL
lookups and the SQL figures of correspondence over random calendars, closures and dates."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagements.calendar import stored
from engagements.calendar.jobs import extend_ahead
from engagements.calendar.models import WorkingDay
from engagements.calendar.workdays import SUBDIVISIONS, calendar_for
from engagements.correspondence import queries
from engagements.correspondence.enums import ClosedReason, Status
from engagements.correspondence.models import Message
from engagements.organisation import services
from engagements.organisation.models import Closure
from tests.correspondence.factories import MessageFactory
from tests.factories import ClosureFactory, PrefectureFactory, ServiceFactory, SiteFactory

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2024, 1, 1), date(2027, 12, 31)
days = st.dates(min_value=FIRST, max_value=LAST)
# Closures cluster on a few weeks so that they meet the random dates often.
closure_days = st.dates(min_value=date(2025, 4, 1), max_value=date(2025, 6, 30))
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _rollback():
    """Each example in its own savepoint, rolled back."""
    return transaction.atomic()


@settings(PROPERTY, max_examples=15)
@given(
    subdivision=st.sampled_from(sorted(SUBDIVISIONS)),
    common=st.sets(closure_days, max_size=4),
    own=st.sets(closure_days, max_size=4),
    later=st.sets(closure_days, max_size=3),
    pairs=st.lists(st.tuples(days, days, st.integers(0, 25)), min_size=1, max_size=6),
)
def test_stored_lookups_agree_with_python(db, subdivision, common, own, later, pairs):
    with _rollback():
        prefecture = PrefectureFactory(holiday_subdivision=subdivision)
        site, plain_site = SiteFactory(prefecture=prefecture), SiteFactory(prefecture=prefecture)
        for day in common:
            ClosureFactory(prefecture=prefecture, date=day)  # before the calendars exist
        stored.ensure_calendars(prefecture, FIRST, LAST)
        for day in own:
            ClosureFactory(prefecture=prefecture, site=site, date=day)  # signal path
        for day in later - common:
            services.add_closure(prefecture, day=day, label="Pont", actor=None)  # service path
        if common:
            services.remove_closure(
                Closure.objects.get(prefecture=prefecture, site=None, date=min(common)), actor=None
            )
        for where in (None, site, plain_site):
            calendar = calendar_for(prefecture, where)
            for a, b, count in pairs:
                start, end = min(a, b), max(a, b)
                assert stored.stored_working_days_between(
                    start, end, prefecture, where
                ) == calendar.working_days_between(start, end)
                assert stored.stored_add_working_days(
                    start, count, prefecture, where
                ) == calendar.add_working_days(start, count)
        transaction.set_rollback(True)


def _python_figures(messages, at: date) -> dict:
    """The former computation, message by message in Python (the reference)."""
    answered = on_time = late = pending = excluded = 0
    delays = []
    for m in messages:
        if m.received_on > at:
            continue
        if m.status == Status.CLOSED and (m.closed_on is None or m.closed_on <= at):
            excluded += 1
        elif m.answered_on is not None and m.answered_on <= at:
            calendar = calendar_for(m.prefecture, m.site)
            delay = max(
                0, calendar.working_days_between(m.received_on, m.answered_on) - m.waited_days
            )
            answered += 1
            delays.append(delay)
            on_time += delay <= m.deadline_days
        elif m.due_on < at:
            late += 1
        else:
            pending += 1
    counted = answered + late
    return {
        "answered": answered,
        "on_time": on_time,
        "late": late,
        "pending": pending,
        "excluded": excluded,
        "rate_on_time": queries._round(100 * on_time / counted, 1) if counted else None,
        "average_delay": queries._round(sum(delays) / len(delays), 2) if delays else None,
    }


message_specs = st.lists(
    st.tuples(
        st.sampled_from(["site", "plain"]),
        st.dates(min_value=date(2025, 3, 1), max_value=date(2025, 7, 31)),
        st.one_of(st.none(), st.integers(0, 30)),  # answered after n calendar days
        st.integers(0, 3),  # waited working days
        st.booleans(),  # closed as spam
    ),
    min_size=1,
    max_size=12,
)


@PROPERTY
@given(
    subdivision=st.sampled_from(sorted(SUBDIVISIONS)),
    common=st.sets(closure_days, max_size=4),
    own=st.sets(closure_days, max_size=4),
    specs=message_specs,
    at=st.dates(min_value=date(2025, 3, 1), max_value=date(2025, 9, 30)),
)
def test_sql_figures_agree_with_python(db, subdivision, common, own, specs, at):
    with _rollback():
        prefecture = PrefectureFactory(holiday_subdivision=subdivision)
        service = ServiceFactory(site__prefecture=prefecture)
        plain = ServiceFactory(site__prefecture=prefecture)
        for day in common:
            ClosureFactory(prefecture=prefecture, date=day)
        for day in own:
            ClosureFactory(prefecture=prefecture, site=service.site, date=day)
        for where, received_on, answered_after, waited, spam in specs:
            chosen = service if where == "site" else plain
            answered_on = (
                received_on + timedelta(days=answered_after) if answered_after is not None else None
            )
            MessageFactory(
                service=chosen,
                reference=f"2025-{Message.objects.count() + 1:06d}",
                received_on=received_on,
                answered_on=None if spam else answered_on,
                status=Status.CLOSED if spam else Status.ANSWERED if answered_on else Status.NEW,
                closed_reason=ClosedReason.SPAM if spam else "",
                closed_on=received_on + timedelta(days=2) if spam else None,
                waited_days=waited,
            )
        messages = Message.objects.filter(prefecture=prefecture)
        expected = _python_figures(messages.select_related("prefecture", "site"), at)
        assert queries.figures(messages, at=at) == expected
        total, groups = queries.figures_by(messages, at=at)
        assert {k: total[k] for k in expected} == expected
        for row in groups["site"]:
            subset = messages.filter(site_id=row["key"]).select_related("prefecture", "site")
            assert {k: row[k] for k in expected} == _python_figures(subset, at)
        transaction.set_rollback(True)


def test_import_of_old_messages_extends_the_calendar_back(prefecture, site, service):
    from engagements.correspondence.services.imports import import_messages

    stored.ensure_calendars(prefecture)
    assert stored.stored_range(prefecture)[0].year >= 2025
    import_messages(
        prefecture,
        "reference,site,service,channel,kind,topic,received_on,answered_on,closed_reason\n"
        "CR-18-1,chef-lieu,sejour,courriel,information,,2018-03-01,2018-03-09,\n",
    )
    assert stored.stored_range(prefecture)[0] == date(2018, 1, 1)
    report = queries.figures(queries.year_messages(prefecture, 2018), at=date(2018, 12, 31))
    # Thu 1 March 2018 -> Fri 9 March: 2, 5, 6, 7, 8, 9 = 6 working days > 5.
    assert (report["answered"], report["on_time"], report["average_delay"]) == (1, 0, 6.0)


def test_the_daily_job_extends_every_calendar_ahead(prefecture, time_machine):
    time_machine.move_to(date(2026, 6, 1))
    stored.ensure_calendars(prefecture)
    assert stored.stored_range(prefecture)[1] == date(2027, 12, 31)
    time_machine.move_to(date(2027, 1, 2))
    assert extend_ahead()[prefecture.slug] is True
    assert stored.stored_range(prefecture)[1] == date(2028, 12, 31)
    assert extend_ahead()[prefecture.slug] is False
    from engagements import jobs

    assert "working-days-ahead" in {job.name for job in jobs.registered_schedules()}


def test_site_calendar_exists_only_where_the_site_has_closures(prefecture, site, other_site):
    stored.ensure_calendars(prefecture, date(2026, 1, 1), date(2026, 12, 31))
    assert not WorkingDay.objects.filter(site__isnull=False).exists()
    closure = services.add_closure(
        prefecture, day=date(2026, 11, 25), label="Travaux", site=site, actor=None
    )
    assert set(WorkingDay.objects.values_list("site_id", flat=True)) == {None, site.pk}
    services.remove_closure(closure, actor=None)
    assert set(WorkingDay.objects.values_list("site_id", flat=True)) == {None}


def test_deleting_a_prefecture_takes_its_calendars(db):
    prefecture = PrefectureFactory()
    ClosureFactory(prefecture=prefecture, date=date(2026, 5, 4))
    stored.ensure_calendars(prefecture)
    prefecture.delete()
    assert not WorkingDay.objects.exists()


def test_a_new_holiday_subdivision_rewrites_the_calendar(prefecture):
    stored.ensure_calendars(prefecture, date(2026, 1, 1), date(2026, 12, 31))
    # Good Friday 3 April 2026: a working day in metropolitan France, not in Moselle.
    assert stored.stored_working_days_between(date(2026, 4, 2), date(2026, 4, 3), prefecture) == 1
    services.update_prefecture_settings(prefecture, actor=None, holiday_subdivision="57")
    assert stored.stored_working_days_between(date(2026, 4, 2), date(2026, 4, 3), prefecture) == 0

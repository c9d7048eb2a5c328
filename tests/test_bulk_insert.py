"""`engagements.db.bulk_insert` writes what `bulk_create` writes, on PostgreSQL (COPY,
reading plain attributes as they are) and elsewhere (bulk INSERTs)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from engagements.db import bulk_insert
from engagements.indicators.enums import CallOutcome
from engagements.indicators.models import Call

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def test_bulk_insert_writes_every_column_as_bulk_create_would(prefecture, site):
    calls = [
        Call(
            prefecture=prefecture,
            site=site,
            queue="standard",
            callid="1701.1",
            entered_at=datetime(2026, 3, 29, 1, 59, tzinfo=PARIS),  # the night clocks change
            date=date(2026, 3, 29),
            hour=1,
            outcome=CallOutcome.ABANDONED,  # an enum member, written as its value
            wait_seconds=None,
        ),
        Call(
            prefecture=prefecture,
            site=site,
            queue="titres « étrangers »",
            callid="1701.2",
            entered_at=datetime(2026, 12, 7, 9, 5, 30, tzinfo=PARIS),
            date=date(2026, 12, 7),
            hour=9,
            outcome=CallOutcome.ANSWERED,
            wait_seconds=42,
        ),
    ]
    bulk_insert(Call, calls)
    stored = {
        call.callid: call
        for call in Call.objects.filter(site=site).only(
            "queue", "callid", "entered_at", "date", "hour", "outcome", "wait_seconds", "site"
        )
    }
    assert set(stored) == {"1701.1", "1701.2"}
    for call in calls:
        got = stored[call.callid]
        assert (got.prefecture_id, got.site_id, got.queue) == (prefecture.pk, site.pk, call.queue)
        assert got.entered_at == call.entered_at and got.date == call.date
        assert (got.hour, got.wait_seconds) == (call.hour, call.wait_seconds)
        assert got.outcome == call.outcome.value and type(got.outcome) is str

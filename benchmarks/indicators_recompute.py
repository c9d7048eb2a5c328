"""The stored indicator values recomputed in set-based passes (issue 24, item 7): `make bench`.

    python -m benchmarks.indicators_recompute [--scale 1000000] [--repeat 3] [--keep]

Creates its own database (eng_bench_recompute, after BENCH_DB_PREFIX; 127.0.0.1:5432,
user postgres), seeds
`--scale` messages over three years on five sites and 20 services, and survey answers, with
the figures benchmark's COPY seeding (`benchmarks.figures.seed`), plus a year and a half of
hourly telephony per site; then times, in the same run:

- the values job of the nightly run (`recompute_values` over every month, quarter and year
  of this year and the two before, every structure: prefecture, sites, services), with its
  number of SQL statements;
- a hand-written SQL reference computing the same counts: the register's per month, site
  and service (with the stored working-day calendar) and the telephony's per month and site.

Prints both medians, their ratio, and whether the year's prefecture figures agree with the
hand SQL. `--scale 1000` runs in seconds (a check that the benchmark still works, as CI
does). Drops the database at the end unless --keep. Environment: BENCH_PG.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date

from benchmarks import figures as base
from benchmarks.common import admin, database_name, fresh_database

DB_NAME = database_name("recompute")

HAND_MONTHLY = """
SELECT date_trunc('month', received_on) AS month, site_id, service_id,
  SUM(CASE WHEN st = 'a' THEN 1 ELSE 0 END) AS answered,
  SUM(CASE WHEN st = 'a' AND dl <= deadline_days THEN 1 ELSE 0 END) AS on_time,
  SUM(CASE WHEN st = 'l' THEN 1 ELSE 0 END) AS late,
  SUM(CASE WHEN st = 'p' THEN 1 ELSE 0 END) AS pending,
  SUM(CASE WHEN st = 'x' THEN 1 ELSE 0 END) AS excluded,
  SUM(COALESCE(dl, 0)) AS delay_sum
FROM (
  SELECT m.received_on, m.site_id, m.service_id, m.deadline_days, s.st,
    CASE WHEN s.st = 'a' THEN GREATEST(0, COALESCE(a2.number, a1.number)
      - COALESCE(r2.number, r1.number) - m.waited_days) END AS dl
  FROM correspondence_message m
  CROSS JOIN LATERAL (SELECT CASE
    WHEN m.status = 'closed' AND (m.closed_on IS NULL OR m.closed_on <= %(at)s) THEN 'x'
    WHEN m.answered_on <= %(at)s THEN 'a'
    WHEN m.status = 'waiting' THEN 'p'
    WHEN m.due_on < %(at)s THEN 'l' ELSE 'p' END AS st) s
  LEFT JOIN calendar_workingday r1 ON r1.prefecture_id = m.prefecture_id
    AND r1.site_id IS NULL AND r1.day = m.received_on
  LEFT JOIN calendar_workingday r2 ON r2.site_id = m.site_id AND r2.day = m.received_on
  LEFT JOIN calendar_workingday a1 ON a1.prefecture_id = m.prefecture_id
    AND a1.site_id IS NULL AND a1.day = m.answered_on
  LEFT JOIN calendar_workingday a2 ON a2.site_id = m.site_id AND a2.day = m.answered_on
  WHERE m.prefecture_id = %(prefecture)s AND m.received_on BETWEEN %(first)s AND %(at)s
) f
GROUP BY 1, 2, 3
"""
HAND_CALLS = """
SELECT date_trunc('month', date) AS month, site_id, SUM(offered), SUM(answered)
FROM indicators_callhour
WHERE prefecture_id = %(prefecture)s AND date BETWEEN %(first)s AND %(at)s
GROUP BY 1, 2
"""


def seed_calls(prefecture, start: date, end: date) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO indicators_callhour (prefecture_id, site_id, queue, date, hour,"
            " offered, answered, answered_within_5_rings, abandoned, closed, source,"
            " imported_at)"
            " SELECT %s, s.id, '', d::date, h, 10 + (h %% 7), 9 + (h %% 5), 8, 1, 0,"
            " 'hourly', now()"
            " FROM organisation_site s, generate_series(%s::date, %s::date, '1 day') d,"
            " generate_series(8, 17) h WHERE s.prefecture_id = %s",
            [prefecture.pk, start, end, prefecture.pk],
        )
        return cursor.rowcount


def hand(prefecture, first: date, at: date):
    def run():
        from django.db import connection

        params = {"prefecture": prefecture.pk, "first": first, "at": at}
        with connection.cursor() as cursor:
            cursor.execute(HAND_MONTHLY, params)
            monthly = cursor.fetchall()
            cursor.execute(HAND_CALLS, params)
            return monthly, cursor.fetchall()

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1_000_000, help="messages to seed")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measure")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)
    base.DB_NAME = DB_NAME
    fresh_database(DB_NAME)
    base.setup_django()
    import logging

    logging.disable(logging.INFO)
    try:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from engagements.db import analyze_all
        from engagements.indicators import services
        from engagements.indicators.models import Value
        from engagements.indicators.periods import Period

        ctx = base.seed(args.scale, random.Random(24))
        prefecture = ctx["prefecture"]
        today = timezone.localdate()
        first = date(today.year - 2, 1, 1)
        hours = seed_calls(prefecture, date(today.year - 1, 7, 1), today)
        analyze_all()  # outside a transaction: at once
        print(
            f"seeded {args.scale:,} messages, {ctx['answers']:,} survey answers and "
            f"{hours:,} hours of telephony"
        )
        periods = services.default_periods(today)

        def job():
            services.recompute_values(prefecture, periods, at=today)

        with CaptureQueriesContext(connection) as queries:
            job()
        written = Value.objects.filter(prefecture=prefecture).count()
        recompute = base.timed(job, args.repeat)
        reference = base.timed(hand(prefecture, first, today), args.repeat)
        monthly, _calls = hand(prefecture, first, today)()
        year = Period.year(today.year - 1)
        in_year = [r for r in monthly if r[0].year == year.start.year]
        answered = sum(r[3] for r in in_year)
        on_time = sum(r[4] for r in in_year)
        late = sum(r[5] for r in in_year)
        stored = Value.objects.get(
            prefecture=prefecture,
            site=None,
            service=None,
            breakdown="",
            indicator__code="correspondence_on_time_rate",
            period_kind=year.kind,
            period_start=year.start,
        )
        same = int(stored.numerator) == on_time and int(stored.denominator) == answered + late
        ratio = recompute / reference if reference else float("inf")
        print(
            f"values job: {len(periods)} periods, {written:,} values, "
            f"{len(queries.captured_queries)} SQL statements"
        )
        print(f"{'recompute (every period, structure)':40} {recompute:8.3f}s")
        print(f"{'hand SQL (same counts)':40} {reference:8.3f}s")
        print(f"ratio {ratio:.1f}×; the year's on-time counts agree with the hand SQL: {same}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The indicators dashboard over a big register: `make bench` (after the booking rush).

Creates its own database (eng_bench_indicators, after BENCH_DB_PREFIX; 127.0.0.1:5432,
user postgres), migrates,
inserts BENCH_MESSAGES messages (1,000,000 by default, over the last two years, through SQL)
and a year of hourly telephony for one site, runs the nightly values job for the year shown
(pre-aggregation), then times, in the same run and process, the référent's dashboard against
its references: the one-query view (/healthz, `SELECT 1` through the same middleware) and a
hand SQL read of the stored values the dashboard shows. Prints the medians and the ratio to
their sum (target ≤ 2: the dashboard reads the values table, never the records).
Drops the database at the end.

Environment knobs: BENCH_MESSAGES (1000000), BENCH_ROUNDS (15), BENCH_TELEPHONY_DAYS (days
of hourly telephony, up to the start of last year: 800), BENCH_PG.
"""

from __future__ import annotations

import os
import statistics
import time

from benchmarks.common import (
    admin,
    bench_prefecture,
    bench_site,
    database_name,
    fresh_database,
    migrate,
    setup_django,
)

DB_NAME = database_name("indicators")
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
TELEPHONY_DAYS = int(os.environ.get("BENCH_TELEPHONY_DAYS", "800"))


def _sql_for(field, overrides: dict[str, str]) -> str:
    from django.db.models import NOT_PROVIDED

    if field.column in overrides:
        return overrides[field.column]
    if field.null:
        return "NULL"
    if field.default is not NOT_PROVIDED and not callable(field.default):
        value = field.default
        if isinstance(value, bool):  # before int: a bool is an int to Python, not to SQL
            return "true" if value else "false"
        return str(value) if isinstance(value, int) else "'" + str(value) + "'"
    if field.get_internal_type() in ("DateTimeField",):
        return "now()"
    return "''"


def seed() -> tuple[object, object, object]:
    from datetime import date, timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from engagements.correspondence.models import Message
    from engagements.indicators.models import CallHour
    from engagements.organisation.enums import RoleKind
    from engagements.organisation.models import Role, Service

    migrate()
    prefecture = bench_prefecture(website="https://bench.test")
    site = bench_site(prefecture)
    service = Service.objects.create(site=site, slug="sejour", name="Séjour")
    user = get_user_model().objects.create_user("bench-lead", password="x")
    Role.objects.create(user=user, prefecture=prefecture, kind=RoleKind.QUALITY_LEAD)
    today = timezone.localdate()
    start = today - timedelta(days=730)
    overrides = {
        "prefecture_id": str(prefecture.pk),
        "site_id": str(site.pk),
        "service_id": str(service.pk),
        "year": "extract(year from d)::int",
        "reference": "'B-' || lpad(i::text, 9, '0')",
        "channel": "(array['email','letter','box','web_form','sp_plus'])[1 + i % 5]",
        "kind": "(array['information','complaint','suggestion'])[1 + i % 3]",
        "received_on": "d",
        "deadline_days": "5",
        "due_on": "d + 7",
        "status": "CASE WHEN i % 10 = 0 THEN 'new' ELSE 'answered' END",
        "answered_on": "CASE WHEN i % 10 = 0 THEN NULL ELSE d + (i % 9) END",
        "language": "'fr'",
    }
    columns = [f for f in Message._meta.concrete_fields if not f.primary_key]
    names = ", ".join(f.column for f in columns)
    values = ", ".join(_sql_for(f, overrides) for f in columns).replace("%", "%%")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Message._meta.db_table} ({names}) "
            f"SELECT {values} FROM (SELECT i, %s::date + (i %% 730) AS d "
            f"FROM generate_series(1, %s) AS i) AS s",
            [start, MESSAGES],
        )
    hours = []
    day = max(date(today.year, 1, 1) - timedelta(days=365), today - timedelta(days=TELEPHONY_DAYS))
    while day < today:
        for hour in range(24):
            hours.append(
                CallHour(
                    prefecture=prefecture,
                    site=site,
                    date=day,
                    hour=hour,
                    offered=10,
                    answered=9,
                    answered_within_5_rings=8,
                    source="hourly",
                )
            )
        day += timedelta(days=1)
    CallHour.objects.bulk_create(hours, batch_size=5000)
    return prefecture, site, user


def timed(client, url: str) -> float:
    durations = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        response = client.get(url)
        durations.append(time.perf_counter() - began)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(durations)


def _hand_sql(prefecture_id: int) -> float:
    """Median time of one hand-written read of every stored value of the prefecture for
    this year and last (what the dashboard shows, with its indicators)."""
    from django.db import connection

    sql = (
        "SELECT i.code, v.site_id, v.period_kind, v.period_start, v.value, v.numerator, "
        "v.denominator FROM indicators_value v JOIN indicators_indicator i "
        "ON i.id = v.indicator_id WHERE v.prefecture_id = %s AND v.service_id IS NULL "
        "AND v.breakdown = '' AND v.period_start >= %s"
    )
    from datetime import date

    first = date(date.today().year - 1, 1, 1)
    durations = []
    for _ in range(ROUNDS + 1):
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [prefecture_id, first])
            cursor.fetchall()
        durations.append(time.perf_counter() - began)
    return statistics.median(durations[1:])


def main() -> None:
    fresh_database(DB_NAME)
    setup_django(DB_NAME)
    import logging

    logging.disable(logging.WARNING)  # request logs and calendar warnings would drown it
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from engagements.indicators import services
    from engagements.indicators.periods import Period

    try:
        began = time.perf_counter()
        prefecture, _site, user = seed()
        print(f"seeded {MESSAGES} messages and a year of hourly telephony in "
              f"{time.perf_counter() - began:.1f} s")  # fmt: skip
        year = Period.year(timezone.localdate().year)
        began = time.perf_counter()
        months = [m for m in year.months() if m.start <= timezone.localdate()]
        services.recompute_values(prefecture, [year, year.previous_year(), *months])
        print(f"values job for the year shown: {time.perf_counter() - began:.1f} s")
        client = Client()
        client.force_login(user)
        dashboard = reverse("indicators:agents-dashboard", args=[prefecture.slug])
        trivial = "/healthz"  # one SELECT 1 through the same middleware
        client.get(dashboard)
        client.get(trivial)  # warm both
        slow = timed(client, dashboard)
        fast = timed(client, trivial)
        hand = _hand_sql(prefecture.pk)
        ratio = slow / (fast + hand) if fast + hand else float("inf")
        print(f"dashboard   median {slow * 1000:7.1f} ms")
        print(f"/healthz    median {fast * 1000:7.1f} ms")
        print(f"hand SQL    median {hand * 1000:7.1f} ms (the stored values of the dashboard)")
        print(
            f"ratio dashboard / (/healthz + hand SQL): {ratio:.2f} (target ≤ 2: "
            f"{'met' if ratio <= 2 else 'MISSED'})"
        )
    finally:
        connection.close()
        admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()

"""Planner statistics after our own bulk writes (issue 24, item 1), on PostgreSQL.

With autovacuum off on the tables an import fills (a server where it comes late or never),
a 20,000-line register import leaves the planner fresh statistics: the report's query
hashes the message table instead of nesting loops over it (the 175 s report). The report
is also planned to run as fast as its hand SQL: never JIT-compiled, and with no subquery
per message that would keep it from aggregating in parallel."""

import io
import json
import random
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tooling import require_postgres

FILLED = [
    "correspondence_message",
    "correspondence_messageevent",
    "correspondence_topic",
    "calendar_workingday",
]


def _register(lines: int) -> str:
    rng = random.Random(24)
    out = ["reference,site,service,channel,kind,topic,received_on,answered_on,closed_reason"]
    for n in range(lines):
        received = date(2018, 1, 1) + timedelta(days=rng.randrange(365))
        answered = (received + timedelta(days=rng.randrange(25))).isoformat() if n % 9 else ""
        reference = f"2018-{n + 1:06d}" if n % 2 else f"CR-{n:06d}"
        channel = ("courriel", "courrier", "urne")[n % 3]
        out.append(f"{reference},chef-lieu,sejour,{channel},information,,{received},{answered},")
    return "\n".join(out) + "\n"


def _scans(node: dict, table: str) -> list[dict]:
    own = [node] if node.get("Relation Name") == table else []
    return own + [scan for child in node.get("Plans", []) for scan in _scans(child, table)]


def _nested_loops_over(plan: dict, table: str) -> list[dict]:
    """Nested Loop nodes that scan `table` on their inner side (once per outer row)."""
    found = []
    if plan.get("Node Type") == "Nested Loop":
        inner = [c for c in plan.get("Plans", []) if c.get("Parent Relationship") == "Inner"]
        if any(_scans(child, table) for child in inner):
            found.append(plan)
    for child in plan.get("Plans", []):
        found += _nested_loops_over(child, table)
    return found


def _report(prefecture, year: int, at: str) -> tuple[dict, list[str]]:
    """`correspondence_report --format json` of `year` as at `at`: its figures, and its SQL
    statements that read the message table."""
    out = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command(
            "correspondence_report",
            "--prefecture",
            prefecture.slug,
            "--year",
            str(year),
            "--at",
            at,
            "--format",
            "json",
            stdout=out,
        )
    reading = [q["sql"] for q in queries if "correspondence_message" in q["sql"]]
    assert reading, "the report reads the message table"
    return json.loads(out.getvalue()), reading


@pytest.mark.postgres
@pytest.mark.slow  # 6 to 10 s: a 20,000-line import
@pytest.mark.django_db(transaction=True)
def test_report_right_after_a_big_import_is_planned_with_statistics(prefecture, service, tmp_path):
    require_postgres()
    with connection.cursor() as cursor:
        for table in FILLED:
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    try:
        path = tmp_path / "registre.csv"
        path.write_text(_register(20_000), encoding="utf-8")
        out = io.StringIO()
        call_command(
            "import_correspondence", "--prefecture", prefecture.slug, str(path), stdout=out
        )
        assert "20000 créés" in out.getvalue()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE relname = 'correspondence_message'"
            )
            assert cursor.fetchone()[0] >= 19_000  # the import's own ANALYZE, not autovacuum
        figures, reading = _report(prefecture, 2018, "2019-03-31")
        assert figures["answered"] + figures["pending"] + figures["late"] == 20_000
        with connection.cursor() as cursor:
            for sql in reading:
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0][0]["Plan"]
                assert not _nested_loops_over(plan, "correspondence_message"), json.dumps(plan)
                # The planner knows the rows are there (without statistics: a handful).
                for scan in _scans(plan, "correspondence_message"):
                    assert scan["Plan Rows"] >= 10_000, json.dumps(plan)
    finally:
        with connection.cursor() as cursor:
            for table in FILLED:
                cursor.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled)")


def _subplans(node: dict) -> list[dict]:
    own = [node] if node.get("Parent Relationship") == "SubPlan" else []
    return own + [found for child in node.get("Plans", []) for found in _subplans(child)]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_report_reads_waits_for_documents_without_a_subquery_per_message(prefecture, service):
    """Whether a waiting message's documents were asked after its due date is read through
    a join, once per message: a subquery per message, copied into each of the report's nine
    sums, kept PostgreSQL from sharing the aggregate out between parallel workers."""
    require_postgres()
    from tests.correspondence.factories import MessageFactory

    MessageFactory.create_batch(3, service=service, received_on=date(2026, 3, 2))
    with connection.cursor() as cursor:
        for sql in _report(prefecture, 2026, "2026-06-30")[1]:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0][0]["Plan"]
            assert not _subplans(plan), json.dumps(plan)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_report_is_never_jit_compiled(prefecture, service):
    """PostgreSQL compiles a query whose estimated cost passes `jit_above_cost`; the report's
    passes it on a register of 100,000 messages, and compiling then took 0.5 s for a query
    of 0.05 s (benchmarks/import_report.py). Our connections keep JIT off: even with the
    thresholds at zero, the plan compiles nothing."""
    require_postgres()
    from tests.correspondence.factories import MessageFactory

    MessageFactory.create_batch(3, service=service, received_on=date(2026, 3, 2))
    reading = _report(prefecture, 2026, "2026-06-30")[1]
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        for threshold in ("jit_above_cost", "jit_inline_above_cost", "jit_optimize_above_cost"):
            cursor.execute(f"SET LOCAL {threshold} = 0")
        for sql in reading:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            explained = cursor.fetchone()[0][0]
            assert "JIT" not in explained, json.dumps(explained.get("JIT"))

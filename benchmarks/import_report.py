"""A register import, then at once its report, on PostgreSQL: `make bench`.

    python -m benchmarks.import_report [--lines 100000] [--keep]

Creates its own database (eng_bench_import, after BENCH_DB_PREFIX; 127.0.0.1:5432,
user postgres), migrates,
seeds one prefecture (three sites, six services) and turns autovacuum off on the tables an
import fills (the worst case: a server whose autovacuum comes late or never), writes a CSV
register of `--lines` lines over three years (half product references, half a
prefecture's own numbering), then, in the same run and process:

1. `import_correspondence` of the file (target ≤ 60 s for 100,000 lines);
2. `correspondence_report --year` right after it, with no ANALYZE run by this script,
   against a hand-written SQL query computing the same figures on the same rows (target:
   within 2×; the import leaves the planner its statistics).

Prints each time and the ratio. Drops the database at the end unless --keep. Environment:
BENCH_PG (postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchmarks import common
from benchmarks.common import (
    admin,
    bench_prefecture,
    bench_site,
    correspondence_report,
    database_name,
    fresh_database,
    migrate,
)

DB_NAME = database_name("import")
# The tables an import of the register fills (autovacuum off on each, as the issue measured).
FILLED = [
    "correspondence_message",
    "correspondence_messageevent",
    "correspondence_topic",
    "calendar_workingday",
    "organisation_referencecounter",
]


def setup_django() -> None:
    common.setup_django(DB_NAME)


def write_register(path: Path, lines: int, rng: random.Random) -> int:
    """A register CSV as a prefecture would export it; returns the year to report."""
    this_year = date.today().year
    first = date(this_year - 3, 1, 1)
    span = (date(this_year - 1, 12, 31) - first).days
    sites = {"prefecture": ["sejour", "permis"], "nord": ["accueil", "cartes"], "sud": ["etr"]}
    services = [(site, service) for site, names in sites.items() for service in names]
    channels = ["courriel"] * 6 + ["courrier"] * 2 + ["urne", "sp_plus"]
    kinds = ["information"] * 6 + ["reclamation"] * 3 + ["suggestion"]
    numbers: dict[int, int] = {}
    with path.open("w", encoding="utf-8") as out:
        out.write(
            "reference,site,service,channel,kind,topic,received_on,answered_on,closed_reason\n"
        )
        for n in range(lines):
            site, service = services[n % len(services)]
            received = first + timedelta(days=rng.randrange(span))
            if n % 2:
                numbers[received.year] = numbers.get(received.year, 0) + 1
                reference = f"{received.year}-{numbers[received.year]:06d}"
            else:
                reference = f"CR-{n:07d}"
            answered, reason = "", ""
            fate = rng.random()
            if fate < 0.03:
                reason = "spam"
            elif fate < 0.93:
                answered = (received + timedelta(days=rng.randrange(0, 25))).isoformat()
            topic = f"Thème {n % 10}" if n % 7 else ""
            out.write(
                f"{reference},{site},{service},{rng.choice(channels)},{rng.choice(kinds)},"
                f"{topic},{received.isoformat()},{answered},{reason}\n"
            )
    return this_year - 2


def seed():
    from django.db import connection

    from engagements.organisation.models import Service

    migrate()
    prefecture = bench_prefecture()
    for slug, names in {
        "prefecture": ["sejour", "permis"],
        "nord": ["accueil", "cartes"],
        "sud": ["etr"],
    }.items():
        site = bench_site(
            prefecture,
            slug,
            slug.capitalize(),
            "prefecture" if slug == "prefecture" else "sub_prefecture",
        )
        for name in names:
            Service.objects.create(site=site, slug=name, name=name.capitalize())
    with connection.cursor() as cursor:
        for table in FILLED:
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    return prefecture


def survey_import(prefecture, lines: int) -> None:
    """`import_survey_answers` of `lines` lines (a campaign of the default questionnaire)."""
    from datetime import date

    from django.core.management import call_command

    from engagements.organisation.models import Service
    from engagements.surveys.defaults import create_questionnaire
    from engagements.surveys.models import Campaign

    questionnaire = create_questionnaire(prefecture, "Enquête annuelle")
    services = list(Service.objects.filter(site__prefecture=prefecture))
    campaign = Campaign.objects.create(
        prefecture=prefecture,
        site=services[0].site,
        questionnaire=questionnaire,
        name="Enquête",
        starts_on=date(date.today().year, 1, 1),
        ends_on=date(date.today().year, 12, 31),
    )
    campaign.services.set(services)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reponses.csv"
        with path.open("w", encoding="utf-8") as out:
            out.write("channel,service,courtoisie,attente,global\n")
            for n in range(lines):
                slug = services[n % len(services)].slug
                channel = ("paper", "qr", "web", "kiosk")[n % 4]
                out.write(f"{channel},{slug},{rng.randint(1, 4)},{rng.randint(1, 4)},")
                out.write(f"{rng.randint(1, 4)}\n")
        began = time.perf_counter()
        out = io.StringIO()
        call_command("import_survey_answers", "--campaign", str(campaign.pk), str(path), stdout=out)
        seconds = time.perf_counter() - began
    print(f"import_survey_answers of {lines:,} lines: {seconds:.1f} s ({out.getvalue().strip()})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000, help="register lines")
    parser.add_argument(
        "--answers", type=int, default=None, help="survey answer lines (default: --lines)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)
    fresh_database(DB_NAME)
    setup_django()
    import logging

    from django.core.management import call_command

    from benchmarks.figures import HAND_REPORT, hand_sql

    logging.disable(logging.INFO)
    status = 0
    try:
        prefecture = seed()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "registre.csv"
            year = write_register(path, args.lines, random.Random(24))
            began = time.perf_counter()
            out = io.StringIO()
            call_command("import_correspondence", "--prefecture", "bench", str(path), stdout=out)
            imported = time.perf_counter() - began
        print(
            f"import_correspondence of {args.lines:,} lines: {imported:.1f} s "
            f"({out.getvalue().strip()})"
        )
        at = date(year + 1, 3, 31)

        def report():
            return correspondence_report(prefecture.slug, year, at)

        began = time.perf_counter()
        shown = report()  # the first report after the import: no warm-up, no ANALYZE
        first = time.perf_counter() - began
        period = {
            "prefecture": prefecture.pk,
            "at": at,
            "first": date(year, 1, 1),
            "last": date(year, 12, 31),
        }
        began = time.perf_counter()
        answered, on_time, late, pending, excluded, _average = hand_sql(HAND_REPORT, period)()[0]
        reference = time.perf_counter() - began
        same = (shown["answered"], shown["on_time"], shown["late"], shown["pending"]) == (
            answered,
            on_time,
            late,
            pending,
        ) and shown["excluded"] == excluded
        ratio = first / reference if reference else float("inf")
        print(f"report {json.dumps(shown)}; hand SQL gives the same figures: {same}")
        print(
            f"correspondence_report right after the import: {first:.3f} s; hand SQL "
            f"{reference:.3f} s; ratio {ratio:.1f}× (target ≤ 2×: "
            f"{'met' if ratio <= 2 else 'MISSED'}); import {imported * 100_000 / args.lines:.1f} s "
            f"per 100,000 lines (target ≤ 60 s at 100,000 lines)"
        )
        status = 0 if same else 1
        survey_import(prefecture, args.lines if args.answers is None else args.answers)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    return status


if __name__ == "__main__":
    sys.exit(main())

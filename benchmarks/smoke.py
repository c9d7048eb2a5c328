"""Every benchmark once, at a tiny scale: `make bench-smoke` (run by `.ci/run`).

A benchmark nobody runs rots (a later migration broke the indicators one and nothing
noticed). This runs each of them in seconds on PostgreSQL, asserting no timing: a
benchmark that fails (a traceback, or a wrong result such as a double booking) fails the
run. The migrations run once, into a template database every benchmark copies. Its
databases take a prefix of their own (BENCH_DB_PREFIX, unless given): a smoke run beside
another (a CI run and a developer's) drops none of the other's databases.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import PG, admin, database_name

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_DB_PREFIX", f"eng_smoke_{os.getpid()}")
TEMPLATE = database_name("template")
TINY = {
    "BENCH_SMOKE": "1",
    "BENCH_TEMPLATE": TEMPLATE,
    # booking_rush
    "BENCH_REQUESTS": "30",
    "BENCH_CLIENTS": "3",
    "BENCH_RUSH_CLIENTS": "12",
    "BENCH_RUSH_REQUESTS": "40",
    "BENCH_WORKERS": "1",
    "BENCH_THREADS": "4",
    "BENCH_TRIALS": "2",
    "BENCH_BREAKDOWN": "5",
    "BENCH_HISTORY": "200",
    # indicators_dashboard
    "BENCH_MESSAGES": "2000",
    "BENCH_TELEPHONY_DAYS": "30",
    "BENCH_ROUNDS": "1",
}
RUNS = [
    ["benchmarks.booking_rush"],
    ["benchmarks.booking_instructions"],
    ["benchmarks.indicators_dashboard"],
    ["benchmarks.figures", "--scale", "2000", "--repeat", "1"],
    ["benchmarks.import_report", "--lines", "2000"],
    ["benchmarks.indicators_recompute", "--scale", "1000", "--repeat", "1"],
    ["benchmarks.national", "--scale", "0.0005", "--prefectures", "5", "--repeat", "1"],
]


def main() -> int:
    began = time.perf_counter()
    admin(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    admin(f"CREATE DATABASE {TEMPLATE}")
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "engagements.settings"}
    failed = []
    try:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from benchmarks.common import migrate; migrate()",
            ],
            cwd=ROOT,
            env={**env, "DATABASE_URL": f"{PG}/{TEMPLATE}"},
            check=True,
        )
        print(f"template database migrated in {time.perf_counter() - began:.1f} s")
        for run in RUNS:
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", *run], cwd=ROOT, env={**env, **TINY}, check=False
            )
            seconds = time.perf_counter() - started
            verdict = "ok" if done.returncode == 0 else "FAILED"
            print(f"== {' '.join(run)}: {verdict} ({seconds:.1f} s)")
            if done.returncode:
                failed.append(run[0])
    finally:
        admin(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    print(
        f"bench smoke: {len(RUNS) - len(failed)} of {len(RUNS)} benchmarks ran in "
        f"{time.perf_counter() - began:.1f} s"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""A booking rush on PostgreSQL behind gunicorn: `make bench`.

Creates its own database (eng_bench on 127.0.0.1:5432, user postgres), migrates, seeds one
procedure whose slots all open at the same moment, starts gunicorn with several workers on
a free loopback port, then fires a bounded rush of concurrent partner-API bookings
(POST /api/v1/bookings, each client a different person, all aiming at the first slots) and
the same rush on /healthz. Prints throughput, p50/p95 latency, outcomes, double bookings
(must be 0) and the ratio of the two. Stops gunicorn and drops the database at the end.

Environment knobs: BENCH_CLIENTS (200), BENCH_REQUESTS (1200), BENCH_WORKERS (2×CPU+1),
BENCH_SECONDS (hard limit per phase, 60), BENCH_PG (postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "eng_bench"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "200"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1200"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
SLOTS = 40
CAPACITY = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def prepare_database() -> dict:
    """Create eng_bench, migrate, seed; return what the rush needs."""
    admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    admin(f"CREATE DATABASE {DB_NAME}")
    os.environ["DATABASE_URL"] = f"{PG}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagements.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from engagements.appointments.models import ApiToken, Procedure, Slot
    from engagements.organisation.models import Prefecture, Service, Site

    call_command("migrate", verbosity=0)
    prefecture = Prefecture.objects.create(
        slug="bench",
        name="Préfecture du banc d'essai",
        department_code="99",
        department_name="Banc",
        street="1 place",
        postal_code="99000",
        city="Banc",
        phone="01 00 00 00 00",
    )
    site = Site.objects.create(
        prefecture=prefecture,
        slug="site",
        name="Site",
        kind="prefecture",
        street="1",
        postal_code="99000",
        city="Banc",
    )
    service = Service.objects.create(site=site, slug="sejour", name="Séjour")
    procedure = Procedure.objects.create(
        prefecture=prefecture, site=site, service=service, name="Remise de titre", capacity=CAPACITY
    )
    start = (timezone.localtime() + timedelta(days=7)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    slots = Slot.objects.bulk_create(
        Slot(
            procedure=procedure,
            starts_at=start + timedelta(minutes=15 * i),
            ends_at=start + timedelta(minutes=15 * (i + 1)),
            capacity=CAPACITY,
        )
        for i in range(SLOTS)
    )
    _token, raw = ApiToken.issue(prefecture, "bench")
    from django.db import connection

    connection.close()
    return {"token": raw, "slot_ids": [s.pk for s in slots]}


def start_gunicorn(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_URL": "locmem://",
    }
    log = (ROOT / "var" / "bench-gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "engagements.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--backlog",
            "2048",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log.name}")
        time.sleep(0.3)
    stop(process)
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    elapsed: float = 0.0

    def add(self, status: int | None, latency: float) -> None:
        if status is None:
            self.errors += 1
            return
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<10} {len(self.latencies):>6} req in {self.elapsed:6.2f} s  "
            f"{self.throughput:8.1f} req/s  p50 {self.percentile(50):7.1f} ms  "
            f"p95 {self.percentile(95):7.1f} ms  statuses {dict(sorted(self.statuses.items()))}"
            f"  errors {self.errors}"
        )


def rush(name: str, port: int, build) -> Phase:
    """REQUESTS requests from CLIENTS threads (one keep-alive connection each), all released
    at once, stopped at SECONDS whatever happens."""
    phase = Phase(name)
    lock = threading.Lock()
    counter = iter(range(REQUESTS))
    barrier = threading.Barrier(CLIENTS)
    deadline_holder: list[float] = []

    def client(_index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        barrier.wait()
        while True:
            with lock:
                n = next(counter, None)
            if n is None or time.monotonic() > deadline_holder[0]:
                break
            method, path, body, headers = build(n)
            began = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = None
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            latency = time.perf_counter() - began
            with lock:
                phase.add(status, latency)
        conn.close()

    deadline_holder.append(time.monotonic() + SECONDS)
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    phase.elapsed = time.perf_counter() - began
    return phase


def count_double_bookings() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM (
              SELECT s.id FROM appointments_slot s
              LEFT JOIN appointments_booking b
                ON b.slot_id = s.id AND b.status IN ('held', 'confirmed')
              GROUP BY s.id, s.capacity, s.booked
              HAVING count(b.id) > s.capacity OR count(b.id) <> s.booked
            ) AS bad
            """
        )
        overbooked = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT count(*) FROM (
              SELECT email_key FROM appointments_booking
              WHERE status IN ('held', 'confirmed') AND email_key <> ''
              GROUP BY procedure_id, email_key HAVING count(*) > 1
            ) AS dup
            """
        )
        duplicates = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM appointments_booking WHERE status IN ('held', 'confirmed')"
        )
        active = cursor.fetchone()[0]
    return {"overbooked_slots": overbooked, "duplicate_people": duplicates, "active": active}


def main() -> int:
    print(
        f"Booking rush: {REQUESTS} requests, {CLIENTS} concurrent clients, gunicorn "
        f"{WORKERS} workers, {SLOTS} slots × {CAPACITY} seats = {SLOTS * CAPACITY} seats"
    )
    data = prepare_database()
    port = free_port()
    process = start_gunicorn(port)
    try:
        token = data["token"]
        slot_ids = data["slot_ids"]
        # Everyone wants the first few slots (an opening): 3/4 aim at the first 5 slots.
        run = secrets.token_hex(3)

        def booking(n: int):
            slot = slot_ids[n % 5] if n % 4 else slot_ids[(n // 4) % len(slot_ids)]
            body = json.dumps(
                {
                    "slot_id": slot,
                    "person": {
                        "first_name": "Personne",
                        "last_name": f"Rush{n}",
                        # every 10th request repeats an earlier person (double-clickers)
                        "email": f"p{n - n % 10 if n % 10 == 9 else n}-{run}@bench.test",
                    },
                    "answers": {},
                }
            )
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            return "POST", "/api/v1/bookings", body, headers

        def health(_n: int):
            return "GET", "/healthz", None, {}

        rush("warm-up", port, health)
        bookings = rush("bookings", port, booking)
        healthz = rush("healthz", port, health)
    finally:
        stop(process)
    checks = count_double_bookings()
    print(bookings.line())
    print(healthz.line())
    ratio = healthz.throughput / bookings.throughput if bookings.throughput else float("inf")
    print(
        f"ratio      healthz/bookings throughput {ratio:.2f}×; "
        f"p95 bookings/healthz {bookings.percentile(95) / max(healthz.percentile(95), 0.001):.2f}×"
    )
    print(
        f"seats      {checks['active']} taken of {SLOTS * CAPACITY}; 201 answers "
        f"{bookings.statuses.get(201, 0)}; 409 answers {bookings.statuses.get(409, 0)}"
    )
    double = checks["overbooked_slots"] + checks["duplicate_people"]
    print(
        f"double bookings: {double} (overbooked or miscounted slots "
        f"{checks['overbooked_slots']}, people booked twice {checks['duplicate_people']})"
    )
    from django.db import connection

    connection.close()
    admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    consistent = bookings.statuses.get(201, 0) == checks["active"]
    return 0 if double == 0 and consistent else 1


if __name__ == "__main__":
    sys.exit(main())

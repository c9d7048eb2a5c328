"""A booking rush on PostgreSQL behind gunicorn (threads): `make bench`.

Creates its own database (eng_bench on 127.0.0.1:5432, user postgres), migrates, seeds one
procedure whose slots all open at the same moment and one with plenty of seats, both with
a history of past bookings (BENCH_HISTORY each), then ANALYZE, starts
gunicorn (gthread: WORKERS processes × THREADS threads, as in production) on a free
loopback port, then measures, in the same run:

1. throughput: the one-query view (/healthz, `SELECT 1`) and successful partner-API
   bookings (POST /api/v1/bookings, every one a new person on a free seat), at the same
   concurrency (CLIENTS each), on a server without admission control
   (`BOOKING_MAX_IN_FLIGHT=0`: every request is served, none refused), in ROUNDS
   interleaved rounds (a load coming and going on the machine weighs on both); the ratio
   is the target (≥ 50 %);
2. the opening rush, on a server restarted with the default admission control:
   RUSH_CLIENTS concurrent clients (10 s time-out each) firing RUSH_REQUESTS bookings at the
   first slots; with admission control every client hears an answer at once (201, 409, or
   503 + Retry-After), no client times out, and every booking committed was answered 201
   (no booking the client did not hear about);
3. the waiting room (in-process, on the same database, with the services the pages call):
   over TRIALS openings, a person arriving two minutes early against a script firing 50
   requests at the opening second.

Prints what is reached against each target. Stops gunicorn and drops the database.

Environment knobs: BENCH_CLIENTS (6, throughput phases), BENCH_REQUESTS (4000),
BENCH_RUSH_CLIENTS (500), BENCH_RUSH_REQUESTS (2000), BENCH_WORKERS (CPU count),
BENCH_THREADS (8), BENCH_SECONDS (hard limit per phase, 60), BENCH_TRIALS (40),
BENCH_PG (postgres://postgres@127.0.0.1:5432), BENCH_DB (BENCH_DB_PREFIX: eng_bench),
BENCH_INTERLEAVE (10), BENCH_HISTORY (10000).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import (
    PG,
    admin,
    bench_prefecture,
    bench_site,
    database_name,
    fresh_database,
    migrate,
    smoke,
)

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("BENCH_DB") or database_name()
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "6"))
# Long enough, in enough interleaved rounds, that a load coming and going on the machine
# moves the ratio by a few points at most (2,000 in 5 rounds: 38–63 % from round to round).
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "4000"))
RUSH_CLIENTS = int(os.environ.get("BENCH_RUSH_CLIENTS", "500"))
RUSH_REQUESTS = int(os.environ.get("BENCH_RUSH_REQUESTS", "2000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 1)))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
TRIALS = int(os.environ.get("BENCH_TRIALS", "40"))
BREAKDOWN = int(os.environ.get("BENCH_BREAKDOWN", "100"))
ROUNDS = int(os.environ.get("BENCH_INTERLEAVE", "10"))
CLIENT_TIMEOUT = 10
SLOTS = 40
CAPACITY = 3
BULK_SLOTS, BULK_CAPACITY = 210, 50
WARM_SLOTS, WARM_BOOKINGS = 10, 300  # the warm-up's own slots (500 seats) and bookings
HISTORY = int(os.environ.get("BENCH_HISTORY", "10000"))  # past bookings per procedure


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database() -> dict:
    """Create eng_bench, migrate, seed; return what the rush needs."""
    fresh_database(DB_NAME)
    os.environ["DATABASE_URL"] = f"{PG}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagements.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from engagements.appointments.models import ApiToken, Procedure, Slot
    from engagements.organisation.models import Service

    migrate()
    prefecture = bench_prefecture()
    site = bench_site(prefecture)
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
    bulk = Procedure.objects.create(
        prefecture=prefecture,
        site=site,
        service=service,
        name="Dépôt de dossier",
        capacity=BULK_CAPACITY,
        no_show_policy="wait",  # the no-show check runs on every booking
    )
    bulk_slots = Slot.objects.bulk_create(
        Slot(
            procedure=bulk,
            starts_at=start + timedelta(days=1, minutes=15 * i),
            ends_at=start + timedelta(days=1, minutes=15 * (i + 1)),
            capacity=BULK_CAPACITY,
        )
        for i in range(BULK_SLOTS)
    )
    _seed_history([procedure, bulk], start)
    _token, raw = ApiToken.issue(prefecture, "bench")
    from django.db import connection

    from engagements.db import analyze_all

    analyze_all()  # as after any bulk write of ours (issue 24); outside a transaction: at once
    connection.close()
    return {
        "token": raw,
        "slot_ids": [s.pk for s in slots],
        "bulk_slot_ids": [s.pk for s in bulk_slots],
        "prefecture_id": prefecture.pk,
        "site_id": site.pk,
        "service_id": service.pk,
    }


def _seed_history(procedures, start) -> None:
    """HISTORY past bookings per procedure (attended, cancelled, a few no-shows) on past
    slots, as a prefecture has after a few months: a booking's statements are planned and
    measured on a register that has a history, not on an empty one."""
    from datetime import timedelta

    from engagements.appointments.enums import BookingStatus
    from engagements.appointments.models import Booking, Slot

    statuses = [BookingStatus.ATTENDED] * 16 + [BookingStatus.CANCELLED_BY_USER] * 3
    statuses += [BookingStatus.NO_SHOW]
    for procedure in procedures:
        past = Slot.objects.bulk_create(
            Slot(
                procedure=procedure,
                starts_at=start - timedelta(days=1 + i // 20, minutes=15 * (i % 20)),
                ends_at=start - timedelta(days=1 + i // 20, minutes=15 * (i % 20) - 15),
                capacity=max(1, HISTORY // 100),  # past: its seats no longer counted
            )
            for i in range(100)
        )
        bookings = []
        for n in range(HISTORY):
            booking = Booking(
                procedure=procedure,
                slot=past[n % 100],
                status=statuses[n % len(statuses)],
                channel="online",
                first_name="Ancienne",
                last_name="Personne",
                email=f"h{n}-{procedure.pk}@bench.test",
                created_at=past[n % 100].starts_at - timedelta(days=10),
            )
            booking.set_identity_keys()
            bookings.append(booking)
        Booking.objects.bulk_create(bookings, batch_size=2000)


def server_env(port: int, **settings: str) -> dict[str, str]:
    """The environment of the benchmark's server, as in production (DEBUG off), on its
    database, plus `settings`."""
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_URL": "locmem://",
        **settings,
    }


def start_gunicorn(port: int, **settings: str) -> subprocess.Popen:
    env = server_env(port, **settings)
    log = (ROOT / "var" / "bench-gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "engagements.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
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

    def merge(self, other: Phase) -> None:
        self.latencies += other.latencies
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.errors += other.errors
        self.elapsed += other.elapsed

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


def made_per_second(phase: Phase) -> float:
    """Bookings made (answered 201) per second of the phase."""
    return phase.statuses.get(201, 0) / phase.elapsed if phase.elapsed else 0.0


def rush(name: str, port: int, build, clients: int = CLIENTS, requests: int = REQUESTS) -> Phase:
    """`requests` requests from `clients` threads (one keep-alive connection each), all
    released at once, stopped at SECONDS whatever happens."""
    phase = Phase(name)
    lock = threading.Lock()
    counter = iter(range(requests))
    barrier = threading.Barrier(clients)
    deadline_holder: list[float] = []

    def client(_index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
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
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
            latency = time.perf_counter() - began
            with lock:
                phase.add(status, latency)
        conn.close()

    deadline_holder.append(time.monotonic() + SECONDS)
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    phase.elapsed = time.perf_counter() - began
    return phase


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far (user + system, from /proc: Linux) by the gunicorn processes,
    the benchmark database's PostgreSQL backends and this process (the clients)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"server": 0.0, "database": 0.0, "clients": 0.0}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            pid, parent = int(entry.name), int(fields[1])
            if pid == os.getpid():
                group = "clients"
            elif server_pid in (pid, parent):
                group = "server"
            elif _is_benchmark_backend(pid):
                group = "database"
            else:
                continue
        except OSError:  # gone meanwhile
            continue
        used[group] += (int(fields[11]) + int(fields[12])) / tick
    return used


def _is_benchmark_backend(pid: int) -> bool:
    """A PostgreSQL backend serving the benchmark's database (its title names it)."""
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
    return command.startswith("postgres:") and f" {DB_NAME} " in command


def count_double_bookings(slot_ids: list[int]) -> dict:
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
            "SELECT count(*) FROM appointments_booking WHERE status IN ('held', 'confirmed') "
            "AND slot_id = ANY(%s)",
            [slot_ids],
        )
        active = cursor.fetchone()[0]
    return {"overbooked_slots": overbooked, "duplicate_people": duplicates, "active": active}


def waiting_room_scenario(data: dict) -> dict:
    """TRIALS openings of a procedure with a waiting room, each with 100 people arriving
    at random in the 30 minutes before the opening, one person two minutes before, and a
    script firing 50 requests (50 fresh browsers) in the opening second. The services are
    the ones the pages call, with explicit times (the draw happens at the first request
    after the opening, as on the site)."""
    import random
    from datetime import datetime, time, timedelta

    from django.conf import settings
    from django.utils import timezone

    from engagements.appointments.models import Procedure, WaitingTicket
    from engagements.appointments.services import waiting_room

    rng = random.Random(14)
    procedure = Procedure.objects.create(
        prefecture_id=data["prefecture_id"],
        site_id=data["site_id"],
        service_id=data["service_id"],
        name="Titres (salle d'attente)",
        opens_at=time(8, 0),
        waiting_room=True,
    )
    first_wave = settings.WAITING_ROOM_ADMIT
    person_positions, bot_best, person_first, bot_first = [], [], 0, 0
    base = timezone.localdate() + timedelta(days=2)
    for trial in range(TRIALS):
        opening = timezone.make_aware(
            datetime.combine(base + timedelta(days=trial), procedure.opens_at)
        )
        arrivals = sorted(rng.uniform(-1800, -1) for _ in range(100))
        for n, offset in enumerate(arrivals):
            waiting_room.join(procedure, f"p{trial}-{n}", now=opening + timedelta(seconds=offset))
        person = waiting_room.join(procedure, f"me{trial}", now=opening - timedelta(minutes=2))
        bots = [
            waiting_room.join(
                procedure, f"bot{trial}-{n}", now=opening + timedelta(milliseconds=20 * n)
            )
            for n in range(50)
        ]
        position = WaitingTicket.objects.get(pk=person.pk).position
        best = min(
            WaitingTicket.objects.filter(pk__in=[b.pk for b in bots]).values_list(
                "position", flat=True
            )
        )
        person_positions.append(position)
        bot_best.append(best)
        person_first += position <= first_wave
        bot_first += best <= first_wave
    return {
        "trials": TRIALS,
        "people": 101,
        "first_wave": first_wave,
        "person_mean": sum(person_positions) / TRIALS,
        "person_first": person_first / TRIALS,
        "bot_best_mean": sum(bot_best) / TRIALS,
        "bot_best_min": min(bot_best),
        "bot_first": bot_first / TRIALS,
    }


def cost_breakdown(data: dict, count: int = BREAKDOWN, repeats: int = 3) -> dict[str, float]:
    """Where a successful booking's time goes: `count` bookings through the Django test
    client in this process, each part timed (ms per booking, wall clock: the statements'
    times include PostgreSQL's and the commit's); each part's best of `repeats`
    measurements (a load spike on the machine inflates one of them, not all)."""
    runs = [_measure_parts(data, count) for _ in range(repeats)]
    result = {label: min(run.get(label, 0.0) for run in runs) for label in runs[0]}
    inner = sum(
        result.get(k, 0.0)
        for k in (
            "duplicate + no-show query",
            "slot check + duplicate check + seat + booking + log + owed mail statement",
        )
    )
    result["rule checks, booking built"] = result["book_slot in all"] - inner
    result["API layer (parsing and validation, token, response)"] = (
        result["request in all"]
        - result["book_slot in all"]
        - result.get("slot (from memory once read)", 0.0)
        - result["one-query view in all"]
    )
    return result


def _measure_parts(data: dict, count: int) -> dict[str, float]:
    import time as clock
    from collections import defaultdict

    from django.test import Client

    from engagements.appointments import services
    from engagements.appointments.services import booking as booking_service
    from engagements.appointments.services import seats

    spent: dict[str, float] = defaultdict(float)
    originals = []

    def timed(owner, name: str, label: str) -> None:
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def wrapper(*args, **kwargs):
            began = clock.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += clock.perf_counter() - began

        setattr(owner, name, wrapper)

    timed(services, "bookable_slot", "slot (from memory once read)")
    timed(booking_service, "_person_history", "duplicate + no-show query")
    timed(
        seats,
        "book_seat",
        "slot check + duplicate check + seat + booking + log + owed mail statement",
    )
    timed(services, "book_slot", "book_slot in all")
    import logging

    logging.disable(logging.INFO)  # one log line per request would drown the output
    client = Client(SERVER_NAME="127.0.0.1")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {data['token']}"}
    bulk = data["bulk_slot_ids"]
    run = secrets.token_hex(3)
    try:
        for n in range(-5, count):  # five first ones to warm up (not counted)
            if n == 0:
                spent.clear()
                began = clock.perf_counter()
            body = {
                "slot_id": bulk[(n * 7) % len(bulk)],
                "person": {"first_name": "P", "last_name": "C", "email": f"c{n}-{run}@b.test"},
            }
            response = client.post(
                "/api/v1/bookings", body, content_type="application/json", **headers
            )
            assert response.status_code == 201, response.content
        total = clock.perf_counter() - began
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    client.get("/healthz")
    began = clock.perf_counter()
    for _n in range(count):
        client.get("/healthz")
    baseline = clock.perf_counter() - began
    logging.disable(logging.NOTSET)
    result = {label: 1000 * seconds / count for label, seconds in spent.items()}
    result["request in all"] = 1000 * total / count
    result["one-query view in all"] = 1000 * baseline / count
    return result


def main() -> int:
    print(
        f"Booking benchmark: gunicorn gthread {WORKERS} workers × {THREADS} threads; "
        f"throughput {REQUESTS} requests from {CLIENTS} clients; rush {RUSH_REQUESTS} "
        f"requests from {RUSH_CLIENTS} clients on {SLOTS} slots × {CAPACITY} seats"
    )
    data = prepare_database()
    port = free_port()
    process = start_gunicorn(port, BOOKING_MAX_IN_FLIGHT="0")
    run = secrets.token_hex(3)
    token = data["token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(slot: int, email: str):
        body = json.dumps(
            {
                "slot_id": slot,
                "person": {"first_name": "Personne", "last_name": "Banc", "email": email},
                "answers": {},
            }
        )
        return "POST", "/api/v1/bookings", body, headers

    # The first WARM_SLOTS slots take the warm-up's bookings, the others the measured ones.
    warm, bulk = data["bulk_slot_ids"][:WARM_SLOTS], data["bulk_slot_ids"][WARM_SLOTS:]
    slot_ids = data["slot_ids"]

    def booking(n: int):  # every request a new person on a free seat: a 201
        return post(bulk[n % len(bulk)], f"b{n}-{run}@bench.test")

    def opening(n: int):
        # Everyone wants the first few slots (an opening): 3/4 aim at the first 5 slots;
        # every 10th request repeats an earlier person (double-clickers).
        slot = slot_ids[n % 5] if n % 4 else slot_ids[(n // 4) % len(slot_ids)]
        return post(slot, f"r{n - n % 10 if n % 10 == 9 else n}-{run}@bench.test")

    def health(_n: int):
        return "GET", "/healthz", None, {}

    try:
        rush("warm-up", port, health)
        # Both measured the same way: warm (each server thread's database connection has
        # prepared its statements and settled on their plans, as it has after its first
        # minute in production); the slots measured are still new to the server processes.
        rush(
            "warm-up",
            port,
            lambda n: post(warm[n % WARM_SLOTS], f"w{n}-{run}@bench.test"),
            CLIENTS,
            WARM_BOOKINGS,
        )
        # Interleaved rounds: a load that comes and goes on the machine weighs on both.
        healthz, bookings = Phase("one-query"), Phase("bookings")
        per_round = max(1, REQUESTS // ROUNDS)
        cpu = {
            phase.name: dict.fromkeys(("server", "database", "clients"), 0.0)
            for phase in (healthz, bookings)
        }

        def measured(phase: Phase, build, offset: int = 0) -> Phase:
            before = cpu_seconds(process.pid)
            this_round = rush(phase.name, port, lambda n: build(offset + n), requests=per_round)
            phase.merge(this_round)
            after = cpu_seconds(process.pid)
            for group, seconds in after.items():
                cpu[phase.name][group] += seconds - before[group]
            return this_round

        # Each round's ratio too: how far the machine moves it from one round to the next.
        round_ratios = []
        for round_ in range(ROUNDS):
            reference = measured(healthz, health)
            made = measured(bookings, booking, round_ * per_round)
            if reference.throughput:
                round_ratios.append(made_per_second(made) / reference.throughput)
        stop(process)
        process = start_gunicorn(port)  # the rush with admission control (the default)
        opening_rush = rush("rush", port, opening, RUSH_CLIENTS, RUSH_REQUESTS)
    finally:
        stop(process)
    checks = count_double_bookings(slot_ids)
    print(healthz.line())
    print(bookings.line())
    print(opening_rush.line())
    made = made_per_second(bookings)
    ratio = made / healthz.throughput if healthz.throughput else 0.0
    print(
        f"throughput {made:.1f} bookings made/s against {healthz.throughput:.1f} one-query "
        f"views/s: {100 * ratio:.1f} % (target ≥ 50 %: "
        f"{'reached' if ratio >= 0.5 else 'missed'}); {bookings.statuses.get(201, 0)} of "
        f"{len(bookings.latencies)} answered 201"
    )
    spread = sorted(round_ratios) or [0.0]
    print(
        f"ratio round by round ({len(round_ratios)} rounds of each, alternated): lowest "
        f"{100 * spread[0]:.1f} %, median {100 * statistics.median(spread):.1f} %, highest "
        f"{100 * spread[-1]:.1f} %"
    )
    print(
        "CPU per request (ms; gunicorn processes, PostgreSQL backends, clients): "
        + "; ".join(
            f"{phase.name} "
            + ", ".join(
                f"{group} {1000 * seconds / max(1, len(phase.latencies)):.2f}"
                for group, seconds in cpu[phase.name].items()
            )
            for phase in (healthz, bookings)
        )
    )
    # The same run counted in CPU (every process of the machine that serves or asks): the
    # machine is busy in both phases, so this tells what a request costs, whatever the
    # scheduler did with the keep-alive connections in a round. For reading only.
    booking_ms, health_ms = (
        1000 * sum(cpu[phase.name].values()) / max(1, len(phase.latencies))
        for phase in (bookings, healthz)
    )
    print(
        f"counted in CPU: a booking {booking_ms:.2f} ms in all against {health_ms:.2f} for "
        f"/healthz: {100 * health_ms / booking_ms if booking_ms else 0:.1f} % (the target is "
        "on answers a second, above)"
    )
    answered = opening_rush.statuses
    heard = answered.get(201, 0) == checks["active"]
    print(
        f"rush       {opening_rush.errors} client time-outs or errors (target 0: "
        f"{'reached' if opening_rush.errors == 0 else 'missed'}); 201 {answered.get(201, 0)}, "
        f"409 {answered.get(409, 0)}, 503 at once {answered.get(503, 0)}; "
        f"{checks['active']} seats taken of {SLOTS * CAPACITY}; bookings not heard of by "
        f"their client: {checks['active'] - answered.get(201, 0)} (target 0: "
        f"{'reached' if heard else 'missed'})"
    )
    double = checks["overbooked_slots"] + checks["duplicate_people"]
    print(
        f"double bookings: {double} (overbooked or miscounted slots "
        f"{checks['overbooked_slots']}, people booked twice {checks['duplicate_people']})"
    )
    parts = cost_breakdown(data)
    print(
        "where a booking's time goes (in-process, ms per booking): "
        + "; ".join(f"{label} {ms:.2f}" for label, ms in parts.items())
    )
    room = waiting_room_scenario(data)
    fair = room["bot_first"] <= room["person_first"] and room["bot_best_mean"] > room["people"]
    print(
        f"waiting room over {room['trials']} openings ({room['people']} people before the "
        f"opening, {room['first_wave']} let in per minute): a person arriving 2 minutes "
        f"early got mean position {room['person_mean']:.1f} and was in the first wave "
        f"{100 * room['person_first']:.0f} % of the time; a script firing 50 requests at "
        f"the opening second got at best position {room['bot_best_min']} (mean best "
        f"{room['bot_best_mean']:.1f}), first wave {100 * room['bot_first']:.0f} % "
        f"(no advantage: {'reached' if fair else 'missed'})"
    )
    from django.db import connection

    connection.close()
    admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    if smoke():  # a tiny run: correctness only (a few trials say nothing of fairness)
        return 0 if double == 0 and heard else 1
    return 0 if double == 0 and heard and opening_rush.errors == 0 and fair else 1


if __name__ == "__main__":
    sys.exit(main())

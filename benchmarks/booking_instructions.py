"""The server's instructions per request, counted by valgrind: `make bench`.

    python -m benchmarks.booking_instructions [--requests 300]

booking_rush measures bookings against /healthz in answers a second, as issue 24 asks; on
a 2-core virtual machine that ratio moves by several points from one run to the next, more
than most changes to the booking's path are worth. An instruction count does not move:
this counts, under valgrind's callgrind, what one server process executes for REQUESTS
/healthz answers and for REQUESTS partner-API bookings (each a new person on a free seat,
`BOOKING_MAX_IN_FLIGHT=0`), through the WSGI application and all its middleware, in one
thread, with DEBUG off as in production, after a warm-up that has read every slot once
(its statements prepared, the slots remembered). The same code, data and interpreter give
the same count to within about 0.3 % from one run to the next (a few thousand to ten
thousand instructions in three million): compare two versions of the booking's path with
it, then confirm with booking_rush.

What it leaves out: PostgreSQL's work and the clients' (booking_rush prints their CPU), and
what a thread costs the machine when it waits for the database (threads, wake-ups).

Creates its own database (BENCH_DB, default eng_bench_instructions after BENCH_DB_PREFIX,
on BENCH_PG), seeded as booking_rush seeds its own, and drops it at the end. Needs
valgrind (Debian's package).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import database_name

os.environ.setdefault("BENCH_DB", database_name("instructions"))

ROOT = Path(__file__).resolve().parent.parent
# Each call of this libc function makes callgrind write what was counted since the last
# one (--dump-before): the child calls it between its phases. Nothing else here calls it.
MARK = "getsid"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests counted of each")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(Path(args.child), args.requests)
    if shutil.which("valgrind") is None:
        print("valgrind is missing: apt-get install valgrind", file=sys.stderr)
        return 2
    from benchmarks import booking_rush
    from benchmarks.common import admin, smoke

    requests = 20 if smoke() else args.requests
    data = booking_rush.prepare_database()
    # The server's environment as booking_rush gives gunicorn's, every hash the same from
    # one run to the next (dict layouts, hence instructions).
    env = booking_rush.server_env(8000, BOOKING_MAX_IN_FLIGHT="0", PYTHONHASHSEED="0")
    try:
        with tempfile.TemporaryDirectory() as folder:
            counts = _count(Path(folder), data, requests, env)
    finally:
        admin(f"DROP DATABASE IF EXISTS {booking_rush.DB_NAME} WITH (FORCE)")
    health, booking = counts
    print(
        f"instructions per request in the server process (callgrind, {requests} of each, "
        f"one thread, after a warm-up): /healthz {health / 1e6:.3f} M, partner booking "
        f"{booking / 1e6:.3f} M; /healthz is {100 * health / booking:.1f} % of a booking "
        "(PostgreSQL's and the clients' work not counted: booking_rush's CPU line)"
    )
    return 0


def _count(folder: Path, data: dict, requests: int, env: dict) -> tuple[float, float]:
    (folder / "data.json").write_text(json.dumps(data))
    out = folder / "callgrind.out"
    with (folder / "server.log").open("w") as log:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                f"--dump-before={MARK}",
                sys.executable,
                "-m",
                "benchmarks.booking_instructions",
                "--child",
                str(folder),
                "--requests",
                str(requests),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    answered = json.loads((folder / "answered.json").read_text()) if done.returncode == 0 else {}
    if done.returncode or answered != {"healthz": {"200": requests}, "booking": {"201": requests}}:
        tail = (folder / "server.log").read_text()[-3000:]
        raise SystemExit(f"the counted server failed (exit {done.returncode}, {answered}):\n{tail}")
    # Dumps 1, 2, 3: start-up and warm-up, the /healthz requests, the bookings.
    dumps = sorted(path.name for path in folder.glob(f"{out.name}.*"))
    if dumps != [f"{out.name}.{n}" for n in (1, 2, 3)]:
        raise SystemExit(f"expected three dumps, one per phase: {dumps}")
    return tuple(_total(Path(f"{out}.{n}")) / requests for n in (2, 3))


def _total(dump: Path) -> int:
    match = re.search(r"^totals: (\d+)", dump.read_text(), re.MULTILINE)
    if match is None:
        raise SystemExit(f"no total in {dump}")
    return int(match.group(1))


def child(folder: Path, requests: int) -> int:
    """Under valgrind: the WSGI application, called in this process."""
    data = json.loads((folder / "data.json").read_text())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagements.settings")
    from engagements.wsgi import application

    run = secrets.token_hex(3)
    # booking_rush's warm-up slots aside; every slot counted takes one booking in the warm-up.
    slots = data["bulk_slot_ids"][10:]
    answered: dict[str, dict[str, int]] = {}

    def call(kind: str, environ: dict) -> None:
        def start_response(status, headers, exc_info=None):
            code = status.split()[0]
            answered.setdefault(kind, {})
            answered[kind][code] = answered[kind].get(code, 0) + 1

        response = application(environ, start_response)
        b"".join(response)
        response.close()

    def health() -> dict:
        return _environ("GET", "/healthz")

    def booking(n: int, phase: str) -> dict:
        body = {
            "slot_id": slots[n % len(slots)],
            "person": {
                "first_name": "Personne",
                "last_name": "Banc",
                "email": f"{phase}{n}-{run}@bench.test",
            },
            "answers": {},
        }
        headers = {
            "HTTP_AUTHORIZATION": f"Bearer {data['token']}",
            "CONTENT_TYPE": "application/json",
        }
        return _environ("POST", "/api/v1/bookings", json.dumps(body).encode(), headers)

    for n in range(min(len(slots), requests)):
        call("warm-up", health())
        call("warm-up", booking(n, "w"))
    counted_health = [health() for _ in range(requests)]
    counted_bookings = [booking(n, "c") for n in range(requests)]
    os.getsid(0)  # dump 1: start-up and warm-up
    for environ in counted_health:
        call("healthz", environ)
    os.getsid(0)  # dump 2
    for environ in counted_bookings:
        call("booking", environ)
    os.getsid(0)  # dump 3
    answered.pop("warm-up", None)
    (folder / "answered.json").write_text(json.dumps(answered))
    return 0


def _environ(method: str, path: str, body: bytes = b"", headers: dict | None = None) -> dict:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **(headers or {}),
    }


if __name__ == "__main__":
    sys.exit(main())

"""Behind PgBouncer in session mode (docs/deployment.md, "Connection pooler").

PgBouncer refuses a connection that carries libpq startup `options` (Debian 12's 1.18:
"unsupported startup parameter: options"; later ones refuse the settings it does not
track), so the settings a process gives its connections (`jit`, and a web process's
`statement_timeout`) are set by the engine on each new connection instead
(engagements/postgres/base.py). Through it, a web process still gets its statement
timeout, a command none, and a partner's booking its prepared statement.

The fixture starts its own PgBouncer on a free loopback port, as the `postgres` system user
(PgBouncer will not run as root), in front of the test database's server; the machine's own
PgBouncer, if any, is left alone.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from engagements.appointments.models import Booking, Slot
from tests.appointments.factories import SlotFactory
from tests.mail import free_port
from tests.tooling import django_process, postgres_user_prefix, require_postgres, require_tool

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def bouncer(django_db_setup, django_db_blocker):
    """The URL of the test database through a PgBouncer in session mode; stopped and its
    folder removed at the end, whatever happened."""
    with django_db_blocker.unblock():
        require_postgres()
        params = dict(connection.settings_dict)
    binary = require_tool("/usr/sbin/pgbouncer", "pgbouncer")
    prefix = postgres_user_prefix()
    if prefix is None:
        pytest.skip("PgBouncer will not run as root: starting it needs runuser or postgres")
    owner = pwd.getpwnam("postgres")
    folder = Path(tempfile.mkdtemp(prefix="engagements-pgbouncer-"))
    port = free_port()
    user = params.get("USER") or "postgres"
    (folder / "users.txt").write_text(f'"{user}" "{params.get("PASSWORD") or ""}"\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={params.get('HOST') or '127.0.0.1'} port={params.get('PORT') or 5432}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {folder}/users.txt\n"
        "pool_mode = session\n"
        f"logfile = {folder}/pgbouncer.log\n"
        f"pidfile = {folder}/pgbouncer.pid\n"
    )
    for path in (folder, *folder.iterdir()):
        os.chown(path, owner.pw_uid, owner.pw_gid)
    try:
        subprocess.run(
            [*prefix, binary, "-d", str(folder / "pgbouncer.ini")],
            check=True,
            capture_output=True,
            timeout=30,
        )
        _wait_for(port)
        yield f"postgres://{user}@127.0.0.1:{port}/{params['NAME']}"
    finally:
        pidfile = folder / "pgbouncer.pid"
        if pidfile.exists():
            pid = int(pidfile.read_text())
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"PgBouncer did not listen on port {port}")
            time.sleep(0.05)


def _run(url: str, code: str, extra: dict | None = None) -> dict:
    """What `code` prints as JSON (its last line), in a new process whose database is `url`."""
    return json.loads(django_process(code, url, extra).splitlines()[-1])


SHOWN = """
from django.db import connection
with connection.cursor() as cursor:
    shown = {}
    for name in ("statement_timeout", "jit"):
        cursor.execute(f"SHOW {name}")
        shown[name] = cursor.fetchone()[0]
print(json.dumps(shown))
"""


def test_each_process_gets_its_settings_through_pgbouncer(bouncer):
    web = _run(bouncer, SHOWN, {"ENGAGEMENTS_WEB": "1", "WEB_STATEMENT_TIMEOUT": "7"})
    assert web == {"statement_timeout": "7s", "jit": "off"}
    # A command or the job worker: no limit, and still no JIT compiling.
    assert _run(bouncer, SHOWN, {"WEB_STATEMENT_TIMEOUT": "7"}) == {
        "statement_timeout": "0",
        "jit": "off",
    }
    assert _run(bouncer, SHOWN, {"DATABASE_JIT": "true"})["jit"] == "on"


def test_partner_bookings_take_their_prepared_statement_through_pgbouncer(bouncer):
    slot = SlotFactory(procedure__capacity=3, capacity=3)
    code = f"""
from django.db import connection
from engagements.appointments import services
from engagements.appointments.enums import Channel
made = []
for n in range(3):
    person = services.Person("Aya", "Pooler", email=f"aya{{n}}@usager.test")
    made.append(services.book_slot({slot.pk}, person, channel=Channel.API, partner="t").pk)
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM pg_prepared_statements")
    prepared = cursor.fetchone()[0]
print(json.dumps({{"made": made, "prepared": prepared}}))
"""
    found = _run(bouncer, code, {"ENGAGEMENTS_WEB": "1"})
    assert found["prepared"] >= 1  # the booking's statement, prepared on the server
    booked = Booking.objects.filter(slot=slot).order_by("pk")
    assert list(booked.values_list("pk", flat=True)) == found["made"]
    assert Slot.objects.get(pk=slot.pk).booked == 3

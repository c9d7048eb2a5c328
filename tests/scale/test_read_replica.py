"""An optional read replica (issue 24, item 5), tested against a real streaming replica.

The fixture makes its own PostgreSQL primary with `initdb` (a replication line in its
pg_hba.conf, `wal_level=replica`), loads the project's migrated schema into it (a dump of
the migrated test database: `migrate` from scratch takes 20 s), clones it with
`pg_basebackup -R -c fast` and starts both with `pg_ctl` on free loopback ports, as the
`postgres` system user; the machine's own server is left alone. The commands and the web
server run in processes of their own with DATABASE_URL (the primary) and
DATABASE_REPLICA_URL (the replica), as in production.

What lag looks like is the proof of where a read went: with replay paused on the replica, a
message written on the primary is missing from what the replica answers and present in
what the primary answers.
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from tests.gunicorn import gunicorn_servers
from tests.mail import free_port
from tests.tooling import STRICT, postgres_user_prefix

# django_db: the schema copied is the migrated test database's, which pytest-django sets up
# only for the tests that ask for a database (these tests never use it otherwise).
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db]
ROOT = Path(__file__).resolve().parents[2]
DB = "engagements"


def _unavailable(message: str):
    if STRICT and os.environ.get("ENGAGEMENTS_EXPECT_POSTGRES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Pair:
    bin: Path
    folder: Path
    primary_port: int
    replica_port: int
    as_postgres: list[str]

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{DB}"

    @property
    def primary(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica(self) -> str:
        return self.url(self.replica_port)

    def sql(self, port: int, statement: str):
        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname=DB, autocommit=True
        ) as conn:
            return conn.execute(statement).fetchone()[0]

    def pg_ctl(self, name: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.folder / name), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start_replica(self) -> None:
        self.pg_ctl("replica", "-l", str(self.folder / "replica.log"), "-w", "start")

    def stop_replica(self) -> None:
        self.pg_ctl("replica", "-m", "fast", "-w", "stop")

    def wait_for_replay(self, timeout: float = 20) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        target = self.sql(self.primary_port, "SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + timeout
        while True:
            behind = self.sql(
                self.replica_port,
                f"SELECT pg_wal_lsn_diff('{target}', pg_last_wal_replay_lsn()) > 0",
            )
            if not behind:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"the replica did not replay up to {target}")
            time.sleep(0.05)

    def pause_replay(self) -> None:
        self.sql(self.replica_port, "SELECT pg_wal_replay_pause()::text")

    def resume_replay(self) -> None:
        self.sql(self.replica_port, "SELECT pg_wal_replay_resume()::text")


def _run_as_postgres(as_postgres, *command, **kwargs):
    return subprocess.run(
        [*as_postgres, *command], check=True, capture_output=True, timeout=120, **kwargs
    )


@pytest.fixture(scope="module")
def pair(django_db_setup, django_db_blocker):
    """A primary and its streaming replica on loopback, with the project's schema; both
    stopped and their folder removed at the end, whatever happened."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")
        test_db = dict(connection.settings_dict)
        major = connection.pg_version // 10000
    bin_dir = Path(f"/usr/lib/postgresql/{major}/bin")
    if not (bin_dir / "initdb").exists():
        _unavailable(
            f"PostgreSQL {major} server binaries missing: apt-get install postgresql-{major}"
        )
    as_postgres = postgres_user_prefix()
    if as_postgres is None:
        _unavailable("starting PostgreSQL servers needs root (runuser) or the postgres user")
    owner = pwd.getpwnam("postgres")
    # In memory when the machine has room (tmpfs): the two clusters start, copy and vanish
    # in a fraction of the time a disk takes.
    shm = Path("/dev/shm")
    in_memory = shm.is_dir() and shutil.disk_usage(shm).free > 1024**3
    folder = Path(tempfile.mkdtemp(prefix="engagements-replica-", dir=shm if in_memory else None))
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    pair = Pair(bin_dir, folder, free_port(), free_port(), as_postgres)
    started: list[str] = []
    try:
        primary = folder / "primary"
        _run_as_postgres(
            as_postgres,
            str(bin_dir / "initdb"),
            "-D",
            str(primary),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
            "--wal-segsize=1",  # WAL files of 1 MB, not 16: less to write, copy and remove
        )
        settings = (
            f"port = {pair.primary_port}\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{folder}'\n"
            "wal_level = replica\n"
            "max_wal_senders = 4\n"
            "shared_buffers = 32MB\n"
            "fsync = off\n"  # a throwaway cluster: no need to survive a power cut
        )
        _run_as_postgres(
            as_postgres, "sh", "-c", f"cat >> {primary}/postgresql.conf", input=settings.encode()
        )
        _run_as_postgres(
            as_postgres,
            "sh",
            "-c",
            f"cat >> {primary}/pg_hba.conf",
            input=b"host replication postgres 127.0.0.1/32 trust\n",
        )
        pair.pg_ctl("primary", "-l", str(folder / "primary.log"), "-w", "start")
        started.append("primary")
        # The project's schema, as `migrate` leaves it: the migrated test database, dumped.
        with psycopg.connect(
            host="127.0.0.1", port=pair.primary_port, user="postgres", autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE {DB}")
        dump = subprocess.run(
            [
                str(bin_dir / "pg_dump"),
                "--no-owner",
                "--no-privileges",
                "-h",
                test_db["HOST"] or "127.0.0.1",
                "-p",
                str(test_db["PORT"] or 5432),
                "-U",
                test_db["USER"],
                "-d",
                test_db["NAME"],
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "PGPASSWORD": test_db.get("PASSWORD") or ""},
        ).stdout
        subprocess.run(
            [
                str(bin_dir / "psql"),
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(pair.primary_port),
                "-U",
                "postgres",
                "-d",
                DB,
            ],
            input=dump,
            check=True,
            capture_output=True,
            timeout=120,
        )
        _run_as_postgres(
            as_postgres,
            str(bin_dir / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(pair.primary_port),
            "-U",
            "postgres",
            "-D",
            str(folder / "replica"),
            "-R",
            "-c",
            "fast",
        )
        # The last setting wins: the replica listens on its own port.
        _run_as_postgres(
            as_postgres,
            "sh",
            "-c",
            f"cat >> {folder}/replica/postgresql.conf",
            input=f"port = {pair.replica_port}\n".encode(),
        )
        pair.start_replica()
        started.append("replica")
        assert pair.sql(pair.replica_port, "SELECT pg_is_in_recovery()") is True
        yield pair
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"{exc.cmd[:4]} failed: {exc.stderr.decode(errors='replace')[-2000:]}")
    finally:
        for name in reversed(started):
            try:
                pair.pg_ctl(name, "-m", "immediate", "-w", "stop")
            except subprocess.CalledProcessError:
                pass  # already stopped (the fallback test stops the replica)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def env(pair):
    """The environment of a production process using this primary and its replica."""
    base = {
        **os.environ,
        "DATABASE_URL": pair.primary,
        "DATABASE_REPLICA_URL": pair.replica,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "locmem://",
        "FIGURES_CACHE_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("DJANGO_SETTINGS_MODULE", "ENGAGEMENTS_TESTING", "ENGAGEMENTS_DEMO"):
        base.pop(name, None)
    return base


def _python(env, *args) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def seeded(pair, env):
    """Three messages of today in the prefecture `replique`, replayed on the replica."""
    out = _python(env, "-m", "tests.scale.replica_writer", "seed").stdout
    pair.wait_for_replay()
    return json.loads(out.strip().splitlines()[-1])


def _write_message(env, subject: str) -> None:
    _python(env, "-m", "tests.scale.replica_writer", "message", subject)


def _report(env) -> tuple[dict, str]:
    result = _python(
        env,
        "manage.py",
        "correspondence_report",
        "--prefecture",
        "replique",
        "--year",
        str(timezone.localdate().year),
        "--format",
        "json",
    )
    return json.loads(result.stdout), result.stderr


def _primary_count(pair) -> int:
    return pair.sql(
        pair.primary_port,
        "SELECT count(*) FROM correspondence_message m JOIN organisation_prefecture p"
        " ON p.id = m.prefecture_id WHERE p.slug = 'replique'",
    )


def test_report_reads_the_replica_and_falls_back_to_the_primary(pair, env, seeded):
    # Replayed: the report counts what the primary holds.
    report, _log = _report(env)
    assert report["pending"] == _primary_count(pair)
    before = report["pending"]

    # Replay paused: the primary has one more message, the report (replica) does not.
    pair.pause_replay()
    try:
        _write_message(env, "Écrit pendant la pause")
        assert _primary_count(pair) == before + 1
        report, log = _report(env)
        assert report["pending"] == before, "the report did not read the replica"
        assert "replica" not in log
    finally:
        pair.resume_replay()
    pair.wait_for_replay()
    report, _log = _report(env)
    assert report["pending"] == before + 1

    # Replica stopped: the report still answers, from the primary, with a warning.
    pair.stop_replica()
    try:
        _write_message(env, "Écrit pendant l'arrêt")
        report, log = _report(env)
        assert report["pending"] == before + 2
        warnings = [json.loads(line) for line in log.splitlines() if "replica" in line]
        assert [w["level"] for w in warnings] == ["WARNING"], log
        assert "read replica unreachable" in warnings[0]["message"]
        # One warning and one attempt although the report read twice (its prefecture, then
        # its figures): the failure is remembered for a few seconds.
    finally:
        pair.start_replica()
    pair.wait_for_replay()


# --- pages: the figures read the replica, the worklist and the writes the primary ---------


def _request(port, method, path, *, cookies, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request(method, path, body=body, headers={"Cookie": cookie, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(env, seeded, tmp_path_factory):
    """gunicorn as in production (gthread), on the primary and its replica."""
    log = tmp_path_factory.mktemp("replica-gunicorn") / "server.log"
    with gunicorn_servers(env, log, threads=2) as (port,):
        yield port


def _pending_on_figures_page(port, cookies) -> int:
    status, _headers, page = _request(
        port, "GET", "/agents/replique/courriers/chiffres/", cookies=cookies
    )
    assert status == 200, page[-2000:]
    found = re.search(r'<th scope="row">En attente</th><td>(\d+)</td>', page)
    assert found, page[-2000:]
    return int(found.group(1))


def _pending_from_api(port) -> int:
    year = timezone.localdate().year
    status, _headers, body = _request(
        port, "GET", f"/api/v1/prefectures/replique/correspondence/{year}", cookies={}
    )
    assert status == 200, body[-2000:]
    return json.loads(body)["pending"]


def _worklist(port, cookies) -> str:
    status, _headers, page = _request(port, "GET", "/agents/replique/courriers/", cookies=cookies)
    assert status == 200, page[-2000:]
    return page


def test_figures_page_reads_the_replica_while_writes_and_worklist_use_the_primary(
    pair, seeded, server
):
    cookies = {"sessionid": seeded["session"]}
    pair.wait_for_replay()
    before = _pending_on_figures_page(server, cookies)
    assert before == _primary_count(pair)

    pair.pause_replay()
    try:
        # A write through the agents' form (the replica is read-only: it could not take it).
        status, headers, form = _request(
            server, "GET", "/agents/replique/courriers/nouveau/", cookies=cookies
        )
        assert status == 200, form[-2000:]
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        cookies["csrftoken"] = next(
            v.split(";")[0].split("=", 1)[1]
            for k, v in headers
            if k.lower() == "set-cookie" and v.startswith("csrftoken=")
        )
        body = urlencode(
            {
                "csrfmiddlewaretoken": csrf,
                "channel": "letter",
                "service": seeded["service"],
                "kind": "information",
                "received_on": timezone.localdate().isoformat(),
                "sender_name": "Paul Henry",
                "sender_address": "4 avenue Foch\n75016 Paris",
                "subject": "Courrier de la pause",
            }
        )
        status, headers, page = _request(
            server,
            "POST",
            "/agents/replique/courriers/nouveau/",
            cookies=cookies,
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302, page[-3000:]
        assert _primary_count(pair) == before + 1
        pin = next(
            v for k, v in headers if k.lower() == "set-cookie" and v.startswith("primary_reads=")
        )
        assert "Max-Age=5" in pin

        # The worklist reads the primary: the new message is there at once.
        assert "Courrier de la pause" in _worklist(server, cookies)
        # The figures read the replica, which has not replayed it yet, and so does the
        # API's read-only endpoint.
        assert _pending_on_figures_page(server, cookies) == before
        assert _pending_from_api(server) == before
        # The browser that wrote reads its own write for a few seconds (the page its form
        # leads to), from the primary.
        pinned = {**cookies, "primary_reads": "1"}
        assert _pending_on_figures_page(server, pinned) == before + 1
    finally:
        pair.resume_replay()
    pair.wait_for_replay()
    assert _pending_on_figures_page(server, cookies) == before + 1
    assert _pending_from_api(server) == before + 1

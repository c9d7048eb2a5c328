"""Operations settings (issue 9): health-checked connections, the SQLite demo in WAL mode,
and uploaded files never served under /media/."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

from tests.tooling import database_url, require_postgres

ROOT = Path(__file__).resolve().parent.parent


def test_connections_are_health_checked():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_the_sqlite_demo_uses_wal_and_a_busy_timeout(tmp_path):
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "cursor = connection.cursor()\n"
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0],"
        " cursor.execute('PRAGMA busy_timeout').fetchone()[0])\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "engagements.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DEBUG": "true",
    }
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    mode, timeout = out.stdout.split()
    assert mode == "wal" and int(timeout) >= 5000


@pytest.mark.parametrize("debug", [False, True])
def test_media_is_not_served_without_the_permission_checked_view(debug, settings):
    from importlib import reload

    import engagements.urls

    settings.DEBUG = debug
    try:
        reload(engagements.urls)
        with pytest.raises(Resolver404):
            resolve("/media/correspondence/2026/x.pdf", urlconf=engagements.urls)
    finally:
        settings.DEBUG = False
        reload(engagements.urls)


# --- kept connections: checked at each request, by their socket first ----------------------


@pytest.fixture
def kept_connection(monkeypatch):
    """The test database's connection as a web process keeps it: reused across requests
    (CONN_MAX_AGE) and health-checked; closed afterwards (the next test opens its own)."""
    from django.db import connection

    require_postgres()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close()
    connection.ensure_connection()
    yield connection
    connection.close()


def _other_session():
    import psycopg

    return psycopg.connect(database_url(), autocommit=True)


def _backend_pid(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _prepared_backend_pid(connection) -> int:
    from engagements.db import prepared_cursor

    with prepared_cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_prepared_cursor_holds_the_thread_s_own_connection():
    """Not Django's `connection` proxy, which looks this thread's connection up again for
    each attribute the cursor wrapper reads (4 % of a booking's instructions)."""
    from django.db import connections

    from engagements.db import prepared_cursor

    require_postgres()
    with prepared_cursor() as cursor:
        assert cursor.db is connections["default"]
        cursor.execute("SELECT %s::int + 1", [1])
        assert cursor.fetchone() == (2,)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_with_a_quiet_socket_skips_the_check_round_trip(kept_connection):
    assert settings.DATABASES["default"]["ENGINE"] == "engagements.postgres"
    pid = _backend_pid(kept_connection)
    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT 'before the request'")
    kept_connection.close_if_unusable_or_obsolete()  # the next request begins (Django)
    assert not kept_connection.health_check_done
    kept_connection.close_if_health_check_failed()  # what its first cursor does first
    assert kept_connection.health_check_done
    with _other_session() as other:
        last = other.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        # Django's own check would have sent `SELECT 1` on this connection.
        assert last.fetchone() == ("SELECT 'before the request'",)
    assert _backend_pid(kept_connection) == pid


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_query", [_backend_pid, _prepared_backend_pid])
def test_a_connection_the_server_ended_is_replaced_before_the_first_query(
    kept_connection, first_query
):
    """The server ends the connection (a restart, pg_terminate_backend): at the next request
    the socket is readable, Django's check runs and reconnects, for the ORM's cursors and
    for the prepared statements of the booking's hot path alike."""
    import select

    pid = _backend_pid(kept_connection)
    with _other_session() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    poller = select.poll()
    poller.register(kept_connection.connection.fileno(), select.POLLIN)
    assert poller.poll(5000), "the server did not end the connection"
    kept_connection.close_if_unusable_or_obsolete()  # the next request begins (Django)
    assert first_query(kept_connection) != pid

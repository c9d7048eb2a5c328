"""Operations settings (issue 9): health-checked connections, the SQLite demo in WAL mode,
and uploaded files never served under /media/."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

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

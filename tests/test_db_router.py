"""The read replica's settings and router without a replica (the real streaming replica is
tested in tests/scale/test_read_replica.py): DATABASE_REPLICA_URL unset leaves one
database, "default", and nothing changes for SQLite or a single PostgreSQL server."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connections, router

from engagements.correspondence.models import Message
from engagements.db_router import ReplicaRouter, replica_allowed, replica_block, replica_reads

ROOT = Path(__file__).resolve().parent.parent


def test_without_a_replica_url_there_is_one_database_and_no_router():
    assert list(settings.DATABASES) == ["default"]
    assert list(connections.settings) == ["default"]
    assert settings.DATABASE_ROUTERS == []
    with replica_block():
        assert replica_allowed()
        assert Message.objects.all().db == "default"
        assert router.db_for_read(Message) == "default"
    assert not replica_allowed()


def test_router_sends_everything_to_the_primary_when_no_replica_is_configured():
    replica_router = ReplicaRouter()
    with replica_block():
        assert replica_router.db_for_read(Message) == "default"
    assert replica_router.db_for_write(Message) == "default"
    assert replica_router.allow_migrate("default", "correspondence") is True
    assert replica_router.allow_migrate("replica", "correspondence") is False


def test_replica_reads_marks_only_the_decorated_call():
    @replica_reads
    def view(arg, *, key):
        return (arg, key, replica_allowed())

    assert view(1, key=2) == (1, 2, True)
    assert view.__name__ == "view"
    assert not replica_allowed()


def _settings_of(extra_env: dict, *, ok: bool = True) -> dict:
    env = {
        **os.environ,
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/primary",
        **extra_env,
    }
    for name in ("ENGAGEMENTS_TESTING", "DJANGO_SETTINGS_MODULE", "ENGAGEMENTS_DEMO"):
        env.pop(name, None)
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'engagements.settings';"
        "from django.conf import settings as s;"
        "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS,"
        " 'middleware': s.MIDDLEWARE}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert (result.returncode == 0) == ok, result.stderr
    return json.loads(result.stdout) if ok else {"error": result.stderr}


def test_replica_url_adds_a_replica_database_a_test_mirror_and_the_router():
    found = _settings_of(
        {
            "DATABASE_REPLICA_URL": "postgres://reader@10.0.0.2:5432/engagements",
            "ENGAGEMENTS_WEB": "1",
        }
    )
    replica = found["databases"]["replica"]
    assert replica["HOST"] == "10.0.0.2" and replica["USER"] == "reader"
    assert replica["TEST"] == {"MIRROR": "default"}
    assert replica["OPTIONS"]["connect_timeout"] == 3
    # A web process's statements are bounded on the replica as on the primary, and no
    # query is JIT-compiled there either.
    assert replica["SESSION_SETTINGS"] == {"jit": "off", "statement_timeout": "20000"}
    assert found["databases"]["default"]["SESSION_SETTINGS"] == replica["SESSION_SETTINGS"]
    # Set on each connection (engagements/postgres/base.py), never as startup options,
    # which a pooler refuses (tests/scale/test_pgbouncer.py).
    assert "options" not in replica["OPTIONS"]
    assert "options" not in found["databases"]["default"].get("OPTIONS", {})
    assert found["routers"] == ["engagements.db_router.ReplicaRouter"]
    assert "engagements.db_router.PrimaryAfterWriteMiddleware" in found["middleware"]


def test_without_replica_url_settings_keep_one_database():
    found = _settings_of({"DATABASE_REPLICA_URL": ""})
    assert list(found["databases"]) == ["default"]
    assert found["routers"] == []
    assert "engagements.db_router.PrimaryAfterWriteMiddleware" not in found["middleware"]


def test_a_replica_that_is_not_postgresql_is_refused():
    found = _settings_of({"DATABASE_REPLICA_URL": "sqlite:///var/replica.sqlite3"}, ok=False)
    assert "DATABASE_REPLICA_URL must be a postgres:// URL" in found["error"]

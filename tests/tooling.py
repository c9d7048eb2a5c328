"""Tests that need a Debian tool run when it is installed and are skipped otherwise, naming
the package. With ENGAGEMENTS_STRICT_TESTS=1 (set by .ci/run) a missing tool fails instead."""

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

STRICT = os.environ.get("ENGAGEMENTS_STRICT_TESTS") == "1"
ROOT = Path(__file__).resolve().parent.parent
# What a process's database connections get from its environment (settings.py).
PROCESS_SETTINGS = ("ENGAGEMENTS_WEB", "WEB_STATEMENT_TIMEOUT", "DATABASE_JIT")


def require_tool(executable: str, package: str) -> str:
    path = shutil.which(executable) or (executable if os.path.exists(executable) else None)
    if path is None:
        message = f"{executable} is missing: apt-get install -y {package}"
        if STRICT:
            pytest.fail(message)
        pytest.skip(message)
    return path


def pdf_text(content: bytes, *, layout: bool = False) -> str:
    """A PDF's text as `pdftotext` reads it (`layout`: in its columns, `-layout`); the test is
    skipped, naming the package, where poppler-utils is missing (failed under CI)."""
    pdftotext = require_tool("pdftotext", "poppler-utils")
    command = [pdftotext, *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(command, input=content, capture_output=True, check=True).stdout.decode()


def require_postgres() -> None:
    from django.conf import settings

    if not settings.IS_POSTGRES:
        message = "needs PostgreSQL (row locks, concurrency): set DATABASE_URL=postgres://…"
        if STRICT and os.environ.get("ENGAGEMENTS_EXPECT_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)


def database_url(name: str | None = None) -> str:
    """A postgres:// URL of the test database's server (the test database itself unless
    `name` names another), for another session or another process."""
    from django.db import connection

    params = connection.settings_dict
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host, port = params.get("HOST") or "127.0.0.1", params.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name or params['NAME']}"


def read_to_end(response) -> None:
    """Read a file served as it is (FileResponse) to its end: the test client then closes
    it, as a WSGI server does (response.close() would also close the test's database
    connection through its request_finished signal)."""
    if response.streaming:
        b"".join(response.streaming_content)


def postgres_user_prefix() -> list[str] | None:
    """The prefix that runs a command as the `postgres` system user (PostgreSQL's servers
    and PgBouncer will not run as root), or None when this process cannot."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"]
    if pwd.getpwuid(os.geteuid()).pw_name == "postgres":
        return []
    return None


def django_process(code: str, url: str, extra: dict | None = None) -> str:
    """What `code`, run after django.setup() in a new process of the project whose database
    is `url`, prints (stripped); the process's settings (PROCESS_SETTINGS) come from
    `extra` only. Fails the test with its error output if the process fails."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "engagements.settings", "DEBUG": "true"}
    for name in PROCESS_SETTINGS:
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", f"import django, json\ndjango.setup()\n{code}"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": url, **(extra or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()

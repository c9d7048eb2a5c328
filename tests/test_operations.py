"""Health check, security headers, structured logs."""

import json
import logging
import re

import pytest
from django.db import OperationalError, connection

from engagements.logging import JsonFormatter


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_a_failing_database(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}


@pytest.mark.django_db
def test_security_headers_on_pages(client, prefecture):
    response = client.get(f"/prefectures/{prefecture.slug}/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # plain HTTP demo
    html = response.content.decode()
    # No inline script and no third-party resource in what we serve.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r'\bsrc="(https?:)?//', html)
    assert not re.search(r'<link[^>]+href="(https?:)?//', html)


@pytest.mark.django_db
def test_hsts_and_secure_cookies_behind_https(client, settings):
    settings.HTTPS = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/healthz", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_settings_refuse_a_missing_secret_outside_demo(monkeypatch):
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "engagements.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(__import__("pathlib").Path(__file__).parents[1]),
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_logs_are_json_lines():
    record = logging.makeLogRecord(
        {
            "name": "engagements.request",
            "msg": "request",
            "levelno": 20,
            "levelname": "INFO",
            "path": "/healthz",
            "status": 200,
        }
    )
    payload = json.loads(JsonFormatter().format(record))
    assert payload["message"] == "request"
    assert payload["path"] == "/healthz" and payload["status"] == 200

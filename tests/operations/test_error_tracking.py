"""Errors to Sentry, optional and scrubbed: with SENTRY_DSN pointing at a local fake
endpoint, a failing request sends an event, and nothing in it names the person (name,
e-mail, phone, message body from the request, nor in the error's message)."""

import gzip
import json
import os
import secrets
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from engagements.operations.error_tracking import scrub, scrub_text, scrub_url

ROOT = Path(__file__).resolve().parents[2]
PERSONAL = [
    "Camille",
    "Dupont",
    "camille.dupont",
    "exemple.fr",
    "06 12 34 56 78",
    "0612345678",
    "+33 6 12 34 56 78",
    "titre de séjour",
    "sessionid-secret",
]


def _decode(body: bytes, encoding: str | None) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body


@pytest.fixture
def fake_sentry():
    received: list[tuple[str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append((self.path, _decode(body, self.headers.get("Content-Encoding"))))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


SCRIPT = """
import django
django.setup()
import sentry_sdk
from django.test import Client
from django.test.utils import override_settings

with override_settings(ROOT_URLCONF="tests.operations.failing_urls"):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "sessionid-secret"
    response = client.post(
        "/boom/?email=camille.dupont@exemple.fr&tel=0612345678",
        {
            "nom": "Camille Dupont",
            "email": "camille.dupont@exemple.fr",
            "telephone": "+33 6 12 34 56 78",
            "message": "Mon titre de séjour expire le mois prochain.",
        },
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        HTTP_REFERER="https://example.test/?email=camille.dupont@exemple.fr",
    )
    print(response.status_code)
sentry_sdk.flush(10)
"""


def _run(tmp_path, env_extra):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "engagements.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(30),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
        "EMAIL_URL": "locmem://",
        **env_extra,
    }
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_error_reaches_the_tracker_without_personal_data(fake_sentry, tmp_path):
    port, received = fake_sentry
    result = _run(tmp_path, {"SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/42"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "500"
    events = []
    for path, body in received:
        assert path == "/api/42/envelope/"
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    assert events, "no event reached the fake Sentry"
    failure = next(e for e in events if e.get("exception"))
    exception = failure["exception"]["values"][-1]
    assert exception["type"] == "ValueError"
    assert exception["value"] == "cannot register the request of [email] ([phone])"
    assert failure["transaction"] == "/boom/"
    assert set(failure.get("request", {})) <= {"method", "url", "headers"}
    everything = b"\n".join(body for _path, body in received).decode()
    for text in PERSONAL:
        assert text not in everything, f"{text!r} was sent to the error tracker"
    assert "203.0.113.7" not in everything


def test_off_by_default(fake_sentry, tmp_path):
    port, received = fake_sentry
    result = _run(tmp_path, {"SENTRY_DSN": ""})
    assert result.returncode == 0, result.stderr
    assert received == []


def test_the_scrubber_on_a_handmade_event():
    event = {
        "user": {"email": "a@b.fr", "ip_address": "203.0.113.7"},
        "request": {
            "url": "https://x.test/suivi/?email=a@b.fr",
            "method": "POST",
            "data": {"nom": "Camille Dupont"},
            "cookies": {"sessionid": "s"},
            "headers": {"Cookie": "sessionid=s", "User-Agent": "Firefox", "X-Real-Ip": "1.2.3.4"},
            "query_string": "email=a@b.fr",
        },
        "logentry": {"message": "sent to %s", "params": ["Camille Dupont"]},
        "breadcrumbs": {"values": [{"message": "mail to a@b.fr", "data": {"to": "a@b.fr"}}]},
        "extra": {"phone": "07 11 22 33 44"},
    }
    scrubbed = json.dumps(scrub(event))
    for text in ("a@b.fr", "Camille", "203.0.113.7", "1.2.3.4", "07 11 22 33 44", "sessionid"):
        assert text not in scrubbed
    assert scrubbed.count("Firefox") == 1
    follow = "https://x.test/prefectures/alpha/suivre-ma-demande/MTIz:1sK2Zx:abcdefghijklmnopq/"
    assert scrub_url(follow) == "https://x.test/prefectures/alpha/suivre-ma-demande/[token]/"
    assert scrub_url("/agents/alpha/courriers/12/?q=Dupont") == "/agents/alpha/courriers/12/"
    assert scrub_text("appel au +33 (0)6 12 34 56 78") != "appel au +33 (0)6 12 34 56 78"
    assert scrub_text("dossier 2026-000123, 3 pièces") == "dossier 2026-000123, 3 pièces"

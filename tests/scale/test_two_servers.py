"""Any number of app servers on one database (issue 24, item 4): two gunicorn servers on
loopback against the test database; what one server needs never lives only in the other.

- a booking rush spread over both never exceeds a slot's capacity;
- one Idempotency-Key sent to both at once gives one booking;
- wrong passwords spread over both lock the account on both (django-axes' database
  handler, not a per-process cache)."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

from engagements.appointments.models import ApiToken, Booking
from tests.appointments.factories import ProcedureFactory, SlotFactory
from tests.tooling import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port, method, path, body=None, headers=None, timeout=20):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two gunicorn servers (gthread, 1 worker × 4 threads each) on the test database."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL")
        db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),  # one key: sessions valid on both
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "locmem://",
        "BOOKING_MAX_IN_FLIGHT": "0",
        "API_TOKEN_CACHE_SECONDS": "0",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = tmp_path_factory.mktemp("gunicorn") / "servers.log"
    processes, ports = [], []
    with log.open("w") as out:
        for _ in range(2):
            port = _free_port()
            processes.append(
                subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "gunicorn"),
                        "engagements.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--worker-class",
                        "gthread",
                        "--workers",
                        "1",
                        "--threads",
                        "4",
                        "--timeout",
                        "30",
                    ],
                    cwd=ROOT,
                    env={**env, "SITE_URL": f"http://127.0.0.1:{port}"},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            ports.append(port)
    try:
        deadline = time.monotonic() + 60
        for port, process in zip(ports, processes, strict=True):
            while True:
                try:
                    if _request(port, "GET", "/healthz", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start:\n" + log.read_text()[-3000:])
                time.sleep(0.2)
        yield ports
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _book(port, token, slot_id, email, key=None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    body = json.dumps(
        {
            "slot_id": slot_id,
            "person": {"first_name": "Anne", "last_name": "Martin", "email": email},
            "answers": {},
        }
    )
    status, _headers, content = _request(port, "POST", "/api/v1/bookings", body, headers)
    return status, content


def _at_once(calls) -> list:
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=30)
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_servers_share_seats_idempotency_keys_and_login_throttling(servers, service):
    """One test on purpose: a transactional test's flush recreates the content types the
    servers have cached (a test artifact; production never flushes)."""
    require_postgres()
    rush_over_both_servers_never_exceeds_a_slots_capacity(servers, service)
    one_idempotency_key_sent_to_both_servers_at_once_gives_one_booking(servers, service)
    wrong_passwords_spread_over_both_servers_lock_the_account_on_both(servers)


def rush_over_both_servers_never_exceeds_a_slots_capacity(servers, service):
    procedure = ProcedureFactory(service=service, capacity=3)
    slot = SlotFactory(procedure=procedure, capacity=3)
    _token, raw = ApiToken.issue(service.site.prefecture, "partenaire")
    results = _at_once(
        [(lambda n=n: _book(servers[n % 2], raw, slot.pk, f"p{n}@exemple.test")) for n in range(16)]
    )
    statuses = [status for status, _content in results]
    assert statuses.count(201) == 3, statuses
    assert set(statuses) <= {201, 409}, statuses
    assert Booking.objects.filter(slot=slot, status__in=["held", "confirmed"]).count() == 3
    slot.refresh_from_db()
    assert slot.booked == 3


def one_idempotency_key_sent_to_both_servers_at_once_gives_one_booking(servers, service):
    procedure = ProcedureFactory(service=service, capacity=5)
    slot = SlotFactory(procedure=procedure, capacity=5)
    _token, raw = ApiToken.issue(service.site.prefecture, "partenaire")
    key = secrets.token_hex(8)
    results = _at_once(
        [
            (lambda port=port: _book(port, raw, slot.pk, "idem@exemple.test", key))
            for port in servers
        ]
    )
    assert Booking.objects.filter(slot=slot).count() == 1, results
    created = [json.loads(content) for status, content in results if status == 201]
    # Both answered with the one booking (the second waited for the first), or the second
    # heard the documented 409 `in_progress`.
    assert created, results
    assert len({answer["reference"] for answer in created}) == 1
    for status, content in results:
        assert status == 201 or (status == 409 and b'"in_progress"' in content), (status, content)


def _login(port, username, password) -> int:
    status, headers, body = _request(port, "GET", "/agents/login/")
    assert status == 200
    cookie = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            cookie.load(value)
    csrf = cookie[settings.CSRF_COOKIE_NAME].value
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    status, _headers, _body = _request(
        port,
        "POST",
        "/agents/login/",
        urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{settings.CSRF_COOKIE_NAME}={csrf}",
            "Referer": f"http://127.0.0.1:{port}/agents/login/",
        },
    )
    return status


def wrong_passwords_spread_over_both_servers_lock_the_account_on_both(servers):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("agent.deux", password="le-bon-mot-de-passe-42")
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit - 1):
        assert _login(servers[n % 2], "agent.deux", f"faux-{n}") == 200  # the form again
    # The limit-th failure, on either server, counts the others' failures too: locked.
    assert _login(servers[(limit - 1) % 2], "agent.deux", "faux-last") == 429
    # Locked on both, even with the right password (429, the lockout page).
    assert _login(servers[0], "agent.deux", "le-bon-mot-de-passe-42") == 429
    assert _login(servers[1], "agent.deux", "le-bon-mot-de-passe-42") == 429

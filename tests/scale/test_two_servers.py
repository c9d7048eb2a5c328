"""Any number of app servers on one database (issue 24, item 4): two gunicorn servers on
loopback against the test database; what one server needs never lives only in the other.

- a booking rush spread over both never exceeds a slot's capacity;
- one Idempotency-Key sent to both at once gives one booking;
- the waiting room admits in one order from both: the draw happens once, both servers let
  in the same people per interval (WAITING_ROOM_ADMIT over both, not per server), show the
  same places, and a ticket spent on one is spent on the other;
- a session opened on one is valid on the other; a revoked API token is refused by both;
- a rate limit spread over both (also all at once) trips at the same total;
- wrong passwords spread over both lock the account on both (django-axes' database
  handler, not a per-process cache).

Browsers are real HTTP clients with their own cookies and addresses (X-Forwarded-For from
a trusted "proxy"), so CSRF, sessions, signed cookies and proof-of-work go through both
servers as in production. docs/deployment.md, "Several app servers on one database"."""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import secrets
import threading
import time
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from engagements import antibot
from engagements.appointments.models import (
    SHORT_CODE_LENGTH,
    ApiToken,
    Booking,
    WaitingRoom,
    WaitingTicket,
)
from engagements.appointments.services.waiting_room import browser_hash
from tests.appointments.factories import ProcedureFactory, SlotFactory
from tests.gunicorn import gunicorn_servers
from tests.tooling import database_url, require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOM_ADMIT, ROOM_INTERVAL = 2, 4


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
        url = database_url()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),  # one key: sessions valid on both
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "locmem://",
        "BOOKING_MAX_IN_FLIGHT": "0",
        "API_TOKEN_CACHE_SECONDS": "0",
        # Each test browser has its own address, given by this "proxy" (X-Forwarded-For).
        "TRUSTED_PROXIES": "127.0.0.1",
        # The waiting room at a test's pace: 2 people let in every 4 seconds.
        "WAITING_ROOM_ADMIT": str(ROOM_ADMIT),
        "WAITING_ROOM_INTERVAL_SECONDS": str(ROOM_INTERVAL),
        "ALTCHA_MAX_NUMBER": "2000",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = tmp_path_factory.mktemp("gunicorn") / "servers.log"
    with gunicorn_servers(env, log, count=2, threads=4) as ports:
        yield ports


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


def test_two_servers_share_what_a_request_needs(servers, service, agent, prefecture):
    """One test on purpose: a transactional test's flush recreates the content types the
    servers have cached (a test artifact; production never flushes)."""
    require_postgres()
    rush_over_both_servers_never_exceeds_a_slots_capacity(servers, service)
    one_idempotency_key_sent_to_both_servers_at_once_gives_one_booking(servers, service)
    the_waiting_room_admits_in_the_same_order_from_both_servers(servers, service)
    a_session_opened_on_one_server_is_valid_on_the_other(servers, agent, prefecture)
    a_token_revoked_is_refused_by_both_servers_at_once(servers, service)
    a_rate_limit_spread_over_both_servers_trips_at_the_same_total(servers)
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


# --- A browser: its own cookies and address ------------------------------------------


class Browser:
    """One person's browser: its own cookies (session, CSRF, waiting-room ticket), sent back
    to whichever server it asks, and its own address (behind the trusted proxy)."""

    def __init__(self, address: str):
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, port, method, path, data=None, headers=None):
        headers = {"X-Forwarded-For": self.address, **(headers or {})}
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, response_headers, content = _request(port, method, path, body, headers)
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[morsel.key] = morsel.coded_value
                    else:
                        self.cookies.pop(morsel.key, None)
        location = dict((k.lower(), v) for k, v in response_headers).get("location", "")
        return status, location, content.decode()

    def get(self, port, path):
        return self.request(port, "GET", path)

    def post_form(self, port, path, data, *, post_to=None):
        """GET the form (its CSRF cookie and proof-of-work challenge), then POST it, to the
        same server or, `post_to`, to the other (a balancer without sticky sessions)."""
        status, _location, page = self.get(port, path)
        assert status == 200, (status, path)
        found = re.search(r'data-challenge="([^"]+)"', page)
        if found:
            data = {**data, "altcha": antibot.solve(json.loads(html.unescape(found.group(1))))}
            self.altcha = data["altcha"]
        return self.request(post_to or port, "POST", path, data)


_RUN = secrets.randbelow(256), secrets.randbelow(256)


def _address(n: int) -> str:
    """Browser n's address, new at each run (rate-limit counts outlive a reused database)."""
    return f"10.{_RUN[0]}.{_RUN[1]}.{n}"


# --- The waiting room ----------------------------------------------------------------


def _place(browser, port, procedure) -> tuple:
    """(state, position, people ahead) as the waiting-room page of that server says."""
    status, _location, page = browser.get(
        port, reverse("appointments:waiting-room", args=[procedure.pk])
    )
    assert status == 200, status
    status_text = re.search(r"<div data-waiting-status.*?</div>", page, re.S)
    text = html.unescape(status_text.group(0)) if status_text else page
    if "Votre place dans la file" in text:
        position = int(re.search(r"Votre place dans la file : (\d+)", text).group(1))
        ahead = re.search(r"Encore (\d+) personnes? avant vous", text)
        return ("waiting", position, int(ahead.group(1)) if ahead else 0)
    for state, words in [
        ("admitted", "C'est votre tour"),
        ("used", "Vous avez déjà réservé"),
        ("before", "Vous êtes dans la salle d'attente."),
        ("outside", "Entrer dans la salle d'attente"),
    ]:
        if words in text:
            return (state, None, None)
    raise AssertionError(page[-2000:])


def _sleep_until(moment: datetime) -> None:
    delay = (moment - timezone.now()).total_seconds()
    if delay > 0:
        time.sleep(delay)


def _round(people, servers, procedure, ends: datetime) -> list[tuple]:
    """Every person asks both servers where she stands; both must say the same. The round
    must fit in one admission interval (else the servers could rightly differ)."""
    places = []
    for browser in people:
        seen = [_place(browser, port, procedure) for port in servers]
        assert seen[0] == seen[1], (browser.address, seen)
        places.append(seen[0])
    assert timezone.now() < ends, "a round of requests outlasted the admission interval"
    return places


def the_waiting_room_admits_in_the_same_order_from_both_servers(servers, service):
    # Slots open in a minute: the people below arrive before the opening (brought forward
    # once they are in, so the test waits no longer than it must).
    now = timezone.localtime()
    if now.date() != (now + timedelta(seconds=90)).date():  # never across midnight
        _sleep_until(now + timedelta(seconds=91))
        now = timezone.localtime()
    opening = (now + timedelta(seconds=60)).replace(microsecond=0)
    procedure = ProcedureFactory(
        service=service, waiting_room=True, waiting_room_minutes=30, capacity=5
    )
    procedure.opens_at = opening.time()
    procedure.save()
    slot = SlotFactory(procedure=procedure, starts_at=opening + timedelta(days=20))
    room_path = reverse("appointments:waiting-room", args=[procedure.pk])
    slots = reverse("appointments:slots", args=[procedure.pk])
    details = reverse("appointments:details", args=[procedure.pk, slot.pk])

    # Six people enter through both servers in turn (proof of work, CSRF, session, signed
    # ticket cookie), the form read on one server and sent to the other, and each accepts
    # the terms on the other server (one session for both).
    people = [Browser(_address(10 + n)) for n in range(6)]
    for n, browser in enumerate(people):
        status, location, _page = browser.post_form(
            servers[n % 2], room_path, {}, post_to=servers[(n + 1) % 2]
        )
        assert (status, location) == (302, room_path), (status, location)
        status, location, _page = browser.post_form(
            servers[(n + 1) % 2],
            reverse("appointments:terms", args=[procedure.pk]),
            {"accept": "on"},
        )
        assert (status, location) == (302, slots), (status, location)
    # A proof-of-work solution spent on one server is spent on the other (a replay).
    replay = Browser(_address(9))  # the last one's solution went to servers[0]
    assert replay.get(servers[1], room_path)[0] == 200
    status, _location, page = replay.request(
        servers[1], "POST", room_path, {"altcha": people[-1].altcha}
    )
    assert status == 200 and "Entrer dans la salle d'attente" in page, status
    assert WaitingTicket.objects.filter(room__procedure=procedure).count() == 6
    assert _round(people, servers, procedure, opening) == [("before", None, None)] * 6
    assert people[0].get(servers[1], slots)[:2] == (302, room_path)
    opening = timezone.localtime().replace(microsecond=0) + timedelta(seconds=2)
    procedure.opens_at = opening.time()
    procedure.save(update_fields=["opens_at"])
    WaitingRoom.objects.filter(procedure=procedure).update(opening=opening)

    # The opening: everybody asks at once, half on each server; the draw happens once.
    _sleep_until(opening + timedelta(milliseconds=50))
    first = _at_once(
        [
            (lambda b=browser, port=servers[n % 2]: _place(b, port, procedure))
            for n, browser in enumerate(people)
        ]
    )
    room = WaitingRoom.objects.get(procedure=procedure)
    assert room.drawn_at is not None and room.last_position == 6
    positions = {t.browser_hash: t.position for t in WaitingTicket.objects.filter(room=room)}
    assert sorted(positions.values()) == [1, 2, 3, 4, 5, 6]  # each place given once
    interval = timedelta(seconds=ROOM_INTERVAL)

    def expected(position, admitted):
        if position <= admitted:
            return ("admitted", None, None)
        return ("waiting", position, position - admitted - 1)

    def position_of(browser):
        return positions[browser_hash(browser.cookies[settings.SESSION_COOKIE_NAME])]

    order = sorted(people, key=position_of)
    assert first == [expected(position_of(b), ROOM_ADMIT) for b in people], first

    # First interval: the same two people (the first two drawn) are in, on both servers;
    # the others see the same place and the same number ahead of them on both.
    places = _round(order, servers, procedure, room.drawn_at + interval)
    assert places == [expected(p, ROOM_ADMIT) for p in range(1, 7)], places
    for browser in order:
        for port in servers:
            status, location, _page = browser.get(port, slots)
            if position_of(browser) <= ROOM_ADMIT:
                assert status == 200, (status, location)
            else:
                assert (status, location) == (302, room_path)

    # The first drawn books on one server: her ticket is spent on both.
    status, location, _page = order[0].post_form(
        servers[0],
        details,
        {"first_name": "Léa", "last_name": "Martin", "email": "lea@usager.test"},
    )
    assert (status, location) == (302, reverse("appointments:sent")), status
    assert Booking.objects.filter(slot=slot).count() == 1
    for port in servers:
        assert _place(order[0], port, procedure) == ("used", None, None)
        assert order[0].get(port, details)[:2] == (302, room_path)

    # A late arrival, after the draw, queues behind everybody, seen alike on both.
    late = Browser(_address(20))
    status, _location, _page = late.post_form(servers[1], room_path, {})
    assert status == 302
    assert [_place(late, port, procedure) for port in servers] == [("waiting", 7, 4)] * 2
    assert timezone.now() < room.drawn_at + interval, "the first interval's checks outlasted it"

    # Next interval: two more are in (not four, not one per server), the same on both.
    _sleep_until(room.drawn_at + interval + timedelta(milliseconds=100))
    places = _round(order[1:] + [late], servers, procedure, room.drawn_at + 2 * interval)
    admitted = 2 * ROOM_ADMIT
    assert places == [expected(p, admitted) for p in range(2, 8)], places
    assert Booking.objects.filter(slot=slot).count() == 1


# --- Sessions, token revocation, rate limits -------------------------------------------


def a_session_opened_on_one_server_is_valid_on_the_other(servers, agent, prefecture):
    # A hash the servers know (the test settings hash with MD5 only); few iterations: fast.
    agent.password = PBKDF2PasswordHasher().encode(
        "le-mot-de-passe-de-l-agent-42", PBKDF2PasswordHasher().salt(), iterations=1000
    )
    agent.save(update_fields=["password"])
    browser = Browser(_address(30))
    home = reverse("organisation:agents-prefecture", args=[prefecture.slug])
    assert browser.get(servers[1], home)[0] == 302  # to the login page
    status, _location, _page = browser.post_form(
        servers[0],
        reverse("organisation:agents-login"),
        {"username": agent.username, "password": "le-mot-de-passe-de-l-agent-42"},
    )
    assert status == 302, status
    status, _location, page = browser.get(servers[1], home)
    assert status == 200 and "Agathe" in page, status
    # Logged out on the second server: the first no longer knows the session either.
    browser.request(servers[1], "POST", reverse("organisation:agents-logout"), {})
    assert browser.get(servers[0], home)[0] == 302


def a_token_revoked_is_refused_by_both_servers_at_once(servers, service):
    """API_TOKEN_CACHE_SECONDS=0 in the servers' environment: no process keeps a token, so a
    revocation (here by a third process, as the admin on another server would) is refused
    by both at the next call. With the default (10 s) each process may keep accepting it
    that long (docs/deployment.md)."""
    token, raw = ApiToken.issue(service.site.prefecture, "partenaire")
    headers = {"Authorization": f"Bearer {raw}"}
    for port in servers:
        assert _request(port, "GET", "/api/v1/procedures", headers=headers)[0] == 200
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    for port in servers:
        assert _request(port, "GET", "/api/v1/procedures", headers=headers)[0] == 401


def a_rate_limit_spread_over_both_servers_trips_at_the_same_total(servers):
    """The SMS short link allows 30 tries per address in 10 minutes: 15 on each server, and
    the 31st is refused whichever server gets it (one count, in the shared cache)."""
    window = 600
    if window - time.time() % window < 10:  # not across the fixed window's edge
        time.sleep(window - time.time() % window + 0.1)
    browser = Browser(_address(40))
    path = reverse("appointments:short", args=["x" * SHORT_CODE_LENGTH])
    statuses = [browser.get(servers[n % 2], path)[0] for n in range(30)]
    assert set(statuses) == {404}, statuses
    assert [browser.get(port, path)[0] for port in servers] == [429, 429]
    # Concurrent hits count too (an atomic increment): a new address, 40 at once over both.
    rush = Browser(_address(41))
    statuses = _at_once([(lambda n=n: rush.get(servers[n % 2], path)[0]) for n in range(40)])
    assert statuses.count(404) == 30 and statuses.count(429) == 10, statuses

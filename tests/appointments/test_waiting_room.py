"""The fair waiting room at opening time: order drawn at random among the early arrivals,
late arrivals behind, a pace held by the server, tickets that cannot be forged nor used by
another browser, one booking per ticket, the partner API's own quota."""

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError, OperationalError, close_old_connections, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from engagements import antibot
from engagements.appointments import tokens
from engagements.appointments.models import Booking, WaitingRoom, WaitingTicket
from engagements.appointments.services import waiting_room as wr
from tests.appointments.factories import ProcedureFactory, SlotFactory
from tests.tooling import require_postgres

pytestmark = pytest.mark.django_db


def _opening(days=1):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(8, 0)))


@pytest.fixture
def room_settings(settings):
    settings.WAITING_ROOM_ADMIT = 3
    settings.WAITING_ROOM_INTERVAL_SECONDS = 60
    settings.WAITING_ROOM_GRACE_MINUTES = 10
    return settings


@pytest.fixture
def procedure(service, room_settings):
    procedure = ProcedureFactory(
        service=service, waiting_room=True, waiting_room_minutes=30, capacity=5
    )
    procedure.opens_at = time(8, 0)
    procedure.save()
    return procedure


def _join(procedure, at, n):
    with time_machine.travel(at, tick=False):
        return [wr.join(procedure, f"session-{at:%H%M%S}-{i}") for i in range(n)]


def test_the_room_is_in_force_from_its_minutes_before_the_opening(procedure):
    opening = _opening()
    for moment, expected in [
        (opening - timedelta(minutes=31), False),
        (opening - timedelta(minutes=29), True),
        (opening + timedelta(minutes=5), True),  # the grace after the opening
        (opening + timedelta(minutes=11), False),  # nobody waited: free access
    ]:
        assert wr.active_room(procedure, moment)[0] is expected, moment
    procedure.waiting_room = False
    assert wr.active_room(procedure, opening)[0] is False


def test_arrival_order_before_the_opening_does_not_decide_the_order(procedure):
    """Across 20 openings of 10 early arrivals each, the first to arrive is not always
    first: the order is drawn, and every position is given once."""
    first_was_first = 0
    for day in range(1, 21):
        opening = _opening(day)
        tickets = []
        for i in range(10):  # arrivals one minute apart, 20 to 11 minutes before
            tickets += _join(procedure, opening - timedelta(minutes=20 - i), 1)
        with time_machine.travel(opening + timedelta(seconds=1), tick=False):
            room = wr.draw(tickets[0].room)
        positions = [WaitingTicket.objects.get(pk=t.pk).position for t in tickets]
        assert sorted(positions) == list(range(1, 11))
        assert room.last_position == 10
        first_was_first += positions[0] == 1
    assert first_was_first < 10  # 1 chance in 10 each time: about 2 of 20


def test_late_arrivals_queue_behind_in_order_of_arrival(procedure):
    opening = _opening()
    early = _join(procedure, opening - timedelta(minutes=2), 5)
    late = []
    for seconds in (0, 1, 2, 3):  # the opening second and after
        late += _join(procedure, opening + timedelta(seconds=seconds), 1)
    early_positions = {WaitingTicket.objects.get(pk=t.pk).position for t in early}
    assert early_positions == {1, 2, 3, 4, 5}
    assert [t.position for t in late] == [6, 7, 8, 9]


def test_the_pace_is_held_by_the_server(procedure):
    opening = _opening()
    tickets = _join(procedure, opening - timedelta(minutes=5), 7)
    draw_time = opening + timedelta(seconds=2)
    with time_machine.travel(draw_time, tick=False):
        wr.draw_due_rooms()
    by_position = sorted(
        WaitingTicket.objects.select_related("room").filter(pk__in=[t.pk for t in tickets]),
        key=lambda t: t.position,
    )
    states = lambda at: [wr.place(t, at).state for t in by_position]  # noqa: E731
    assert states(draw_time) == [wr.ADMITTED] * 3 + [wr.WAITING] * 4
    assert states(draw_time + timedelta(seconds=59)) == [wr.ADMITTED] * 3 + [wr.WAITING] * 4
    assert states(draw_time + timedelta(seconds=60)) == [wr.ADMITTED] * 6 + [wr.WAITING]
    assert states(draw_time + timedelta(seconds=120)) == [wr.ADMITTED] * 7
    seventh = wr.place(by_position[6], draw_time + timedelta(seconds=30))
    assert (seventh.position, seventh.ahead, seventh.wait_minutes) == (7, 3, 2)
    assert 2 <= seventh.refresh_seconds <= 20


def test_a_request_begun_just_before_the_draw_sees_the_draws_first_round(procedure):
    """Two requests at the opening second (on one server or two): one draws at T, the other
    read the clock at T - 5 ms and waited for the room's lock. Both show the same thing:
    the first three in, the others with the same number ahead (it once showed nobody in,
    everybody one place further back, for the one whose clock was a hair earlier)."""
    opening = _opening()
    tickets = _join(procedure, opening - timedelta(minutes=5), 5)
    draw_time = opening + timedelta(seconds=1)
    with time_machine.travel(draw_time, tick=False):
        wr.draw_due_rooms()
    by_position = sorted(
        WaitingTicket.objects.select_related("room").filter(pk__in=[t.pk for t in tickets]),
        key=lambda t: t.position,
    )
    seen = lambda at: [(p.state, p.ahead) for p in (wr.place(t, at) for t in by_position)]  # noqa: E731
    assert seen(draw_time - timedelta(milliseconds=5)) == seen(draw_time)
    assert seen(draw_time) == [(wr.ADMITTED, 0)] * 3 + [(wr.WAITING, 0), (wr.WAITING, 1)]


def _naive_draw(barrier):
    """The control: read the room, then draw, without the row lock nor the re-check."""

    def draw(room, now):
        room = WaitingRoom.objects.get(pk=room.pk)
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        if room.drawn_at is not None:
            return room
        ids = list(room.tickets.values_list("pk", flat=True))
        wr.secrets.SystemRandom().shuffle(ids)
        WaitingTicket.objects.filter(room=room).update(position=None)
        for index, pk in enumerate(ids):
            WaitingTicket.objects.filter(pk=pk).update(position=index + 1)
        room.drawn_at, room.last_position = now, len(ids)
        room.save()
        return room

    return draw


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locked", [True, False])
def test_two_draws_at_once_draw_once(procedure, locked):
    """Four requests at the opening second each try to draw: with the lock one draws and
    the others read its order; the control without it draws several times (an order
    that changes under people's feet)."""
    require_postgres()
    opening = _opening()
    _join(procedure, opening - timedelta(minutes=3), 30)
    room = WaitingRoom.objects.get()
    barrier = threading.Barrier(4)
    draw = wr.draw if locked else _naive_draw(barrier)

    def work(index):
        try:
            if locked:
                barrier.wait()
            now = opening + timedelta(seconds=1, milliseconds=index)
            try:
                result = draw(WaitingRoom.objects.get(pk=room.pk), now)
            except (IntegrityError, OperationalError):
                # It drew too: only the unique position, or PostgreSQL breaking the deadlock
                # of two draws renumbering the same tickets in other orders, stopped it.
                return True
            return result.drawn_at == now  # this request drew
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        drew = list(pool.map(work, range(4)))
    close_old_connections()
    if locked:
        assert drew.count(True) == 1
        positions = list(WaitingTicket.objects.values_list("position", flat=True))
        assert sorted(positions) == list(range(1, 31))
        assert WaitingRoom.objects.get().last_position == 30
    else:
        assert drew.count(True) > 1, "the naive path should draw more than once"


# --- pages ---------------------------------------------------------------------------------


def _accept(client, procedure):
    client.post(reverse("appointments:terms", args=[procedure.pk]), {"accept": "on"})


def _enter(client, procedure):
    url = reverse("appointments:waiting-room", args=[procedure.pk])
    return client.post(url, {"altcha": antibot.solve(antibot.new_challenge())})


def test_a_person_waits_then_books_once(client, procedure, mailoutbox):
    opening = _opening()
    slot = SlotFactory(procedure=procedure, starts_at=opening + timedelta(days=20))
    slots_url = reverse("appointments:slots", args=[procedure.pk])
    room_url = reverse("appointments:waiting-room", args=[procedure.pk])
    with time_machine.travel(opening - timedelta(minutes=2), tick=False):
        _accept(client, procedure)
        assert client.get(slots_url)["Location"] == room_url
        page = client.get(room_url).content.decode()
        assert "Entrer dans la salle d'attente" in page and 'http-equiv="refresh"' not in page
        assert _enter(client, procedure)["Location"] == room_url
        page = client.get(room_url).content.decode()
        assert "Vous êtes dans la salle d'attente." in page
        assert 'http-equiv="refresh"' in page and 'aria-live="polite"' in page
        assert client.get(slots_url)["Location"] == room_url  # not yet
        cookie = client.cookies[wr.COOKIE].value
        assert WaitingTicket.objects.get().token not in cookie.split(":")[-1]
    with time_machine.travel(opening + timedelta(seconds=5), tick=False):
        page = client.get(room_url).content.decode()
        assert "C'est votre tour" in page and 'http-equiv="refresh"' not in page
        assert client.get(slots_url).status_code == 200
        details = reverse("appointments:details", args=[procedure.pk, slot.pk])
        response = client.post(
            details,
            {
                "first_name": "Léa",
                "last_name": "Martin",
                "email": "lea@usager.test",
                "phone": "06 12 34 56 78",
                "altcha": antibot.solve(antibot.new_challenge()),
            },
        )
        assert response.status_code == 302 and Booking.objects.count() == 1
        # The ticket admitted one booking: the booking pages are closed to it now.
        assert client.get(slots_url)["Location"] == room_url
        assert "Vous avez déjà réservé" in client.get(room_url).content.decode()


def test_the_page_shows_position_and_estimate_in_french_and_english(client, procedure):
    opening = _opening()
    _join(procedure, opening - timedelta(minutes=5), 7)  # seven people before
    with time_machine.travel(opening - timedelta(minutes=1), tick=False):
        _enter(client, procedure)
    with time_machine.travel(opening + timedelta(seconds=1), tick=False):
        ticket = WaitingTicket.objects.get(token=_cookie_token(client))
        wr.draw(ticket.room)
    ticket.refresh_from_db()
    ticket.position = 99  # put the browser's ticket at the end, deterministically
    ticket.save()
    WaitingRoom.objects.update(last_position=99)
    with time_machine.travel(opening + timedelta(seconds=10), tick=False):
        page = client.get(reverse("appointments:waiting-room", args=[procedure.pk]))
        html = page.content.decode()
        assert "Votre place dans la file : 99" in html
        assert "Encore 95 personnes avant vous." in html
        assert "Attente estimée : environ 32 minutes." in html
        page = client.get("/en" + reverse("appointments:waiting-room", args=[procedure.pk]))
        html = page.content.decode()
        assert "Your place in the queue: 99" in html and "95 people before you" in html


def _cookie_token(client):
    """The browser's ticket token (found by its session, the cookie being signed)."""
    digest = wr.browser_hash(client.session.session_key)
    return WaitingTicket.objects.get(browser_hash=digest).token


def test_a_ticket_cannot_be_forged_nor_used_by_another_browser(client, procedure):
    opening = _opening()
    room_url = reverse("appointments:waiting-room", args=[procedure.pk])
    slots_url = reverse("appointments:slots", args=[procedure.pk])
    with time_machine.travel(opening - timedelta(minutes=1), tick=False):
        _accept(client, procedure)
        _enter(client, procedure)
    token = _cookie_token(client)
    with time_machine.travel(opening + timedelta(seconds=5), tick=False):
        assert client.get(slots_url).status_code == 200  # admitted (first of one)
        # Another browser with a copy of the cookie (but its own session): refused.
        other = Client()
        _accept(other, procedure)
        other.cookies[wr.COOKIE] = client.cookies[wr.COOKIE].value
        assert other.get(slots_url)["Location"] == room_url
        assert "Entrer dans la salle d'attente" in other.get(room_url).content.decode()
        # A forged cookie: the raw token without signature, or a made-up signed value.
        forger = Client()
        _accept(forger, procedure)
        for value in (token, token + ":forged", "x" * 40):
            forger.cookies[wr.COOKIE] = value
            assert forger.get(slots_url)["Location"] == room_url


def test_joining_needs_the_proof_of_work_and_is_rate_limited(client, procedure):
    cache.clear()
    opening = _opening()
    url = reverse("appointments:waiting-room", args=[procedure.pk])
    with time_machine.travel(opening - timedelta(minutes=1), tick=False):
        assert client.post(url, {}).status_code == 200
        assert WaitingTicket.objects.count() == 0
        for _ in range(19):
            Client().post(url, {"altcha": antibot.solve(antibot.new_challenge())})
        assert WaitingTicket.objects.count() == 19
        Client().post(url, {"altcha": antibot.solve(antibot.new_challenge())})
        assert WaitingTicket.objects.count() == 19  # 21 tries from one address in 10 minutes


def test_without_a_waiting_room_nothing_changes(client, service):
    procedure = ProcedureFactory(service=service)
    _accept(client, procedure)
    assert client.get(reverse("appointments:slots", args=[procedure.pk])).status_code == 200
    url = reverse("appointments:waiting-room", args=[procedure.pk])
    assert client.get(url)["Location"] == reverse("appointments:slots", args=[procedure.pk])


def test_the_partner_api_keeps_its_own_quota(client, procedure, prefecture, room_settings):
    room_settings.WAITING_ROOM_PARTNER_QUOTA = 2
    tokens.forget()
    out = io.StringIO()
    call_command("create_api_token", "--prefecture", prefecture.slug, "--name", "FS", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    opening = _opening()
    slot = SlotFactory(procedure=procedure, starts_at=opening + timedelta(days=20))
    statuses = []
    with time_machine.travel(opening + timedelta(seconds=1), tick=False):
        for n in range(3):
            response = client.post(
                "/api/v1/bookings",
                {
                    "slot_id": slot.pk,
                    "person": {"first_name": "A", "last_name": "B", "email": f"p{n}@u.test"},
                },
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {raw}",
            )
            statuses.append(response.status_code)
        assert response.json()["code"] == "quota" and response["Retry-After"] == "60"
    assert statuses == [201, 201, 429]
    assert Booking.objects.count() == 2


def test_housekeeping_purges_old_rooms(procedure):
    opening = _opening(days=-5)
    _join(procedure, opening - timedelta(minutes=1), 3)
    assert wr.purge_waiting_rooms() == 4  # the room and its three tickets

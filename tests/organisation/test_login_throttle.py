"""Password guessing: 10 failures for one account from one address within 15 minutes lock
that account for that address for 15 minutes, on the agents' login and the admin's."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from engagements.organisation.login_throttle import LOCKED_MESSAGE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
START = "2026-11-23 10:00:00+00:00"
AGENTS_LOGIN = "organisation:agents-login"


def _login(client, url_name, username, password, address=ATTACKER, **extra):
    return client.post(
        reverse(url_name),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _guess(client, url_name, username, times, address=ATTACKER):
    for n in range(times):
        response = _login(client, url_name, username, f"wrong-{n}", address)
        assert not _logged_in(client)
    return response


def test_thirty_wrong_passwords_lock_the_account_for_that_address(client, quality_lead):
    with time_machine.travel(START, tick=False) as traveller:
        last = _guess(client, AGENTS_LOGIN, quality_lead.username, 30)
        assert last.status_code == 429
        assert escape(LOCKED_MESSAGE) in last.content.decode()

        response = _login(client, AGENTS_LOGIN, quality_lead.username, "secret-password")
        assert response.status_code == 429
        assert not _logged_in(client), "the right password must not open a session while locked"
        page = response.content.decode()
        assert "Trop d&#x27;essais" in page and "réessayez dans 15 minutes" in page.lower()
        assert 'name="password"' in page, "the message is on the login page"

        # Another address, or another account from the same address: not affected.
        other = client_class_like(client)
        response = _login(
            other, AGENTS_LOGIN, quality_lead.username, "secret-password", "198.51.100.4"
        )
        assert response.status_code == 302 and _logged_in(other)
        neighbour = UserFactory()
        other = client_class_like(client)
        assert _login(other, AGENTS_LOGIN, neighbour.username, "secret-password").status_code == 302

        # Still locked just before the end, open after.
        traveller.shift(timedelta(minutes=14, seconds=50))
        response = _login(client, AGENTS_LOGIN, quality_lead.username, "secret-password")
        assert response.status_code == 429 and not _logged_in(client)
        traveller.shift(timedelta(seconds=20))
        response = _login(client, AGENTS_LOGIN, quality_lead.username, "secret-password")
        assert response.status_code == 302 and _logged_in(client)


def client_class_like(client):
    return type(client)()


def test_the_tenth_failure_locks_and_nine_do_not(client, quality_lead):
    with time_machine.travel(START, tick=False):
        response = _guess(client, AGENTS_LOGIN, quality_lead.username, 9)
        assert response.status_code == 200
        assert "Identifiant ou mot de passe incorrect" in response.content.decode()
        response = _login(client, AGENTS_LOGIN, quality_lead.username, "secret-password")
        assert response.status_code == 302, "9 failures do not lock"
        client.logout()
        # A success clears the count: 9 more failures still do not lock.
        _guess(client, AGENTS_LOGIN, quality_lead.username, 9)
        assert (
            _login(client, AGENTS_LOGIN, quality_lead.username, "secret-password").status_code
            == 302
        )
        client.logout()
        response = _guess(client, AGENTS_LOGIN, quality_lead.username, 10)
        assert response.status_code == 429
        assert (
            _login(client, AGENTS_LOGIN, quality_lead.username, "secret-password").status_code
            == 429
        )


def test_failures_older_than_fifteen_minutes_do_not_count(client, quality_lead):
    with time_machine.travel(START, tick=False) as traveller:
        _guess(client, AGENTS_LOGIN, quality_lead.username, 9)
        traveller.shift(timedelta(minutes=16))
        response = _guess(client, AGENTS_LOGIN, quality_lead.username, 1)
        assert response.status_code == 200
        assert (
            _login(client, AGENTS_LOGIN, quality_lead.username, "secret-password").status_code
            == 302
        )


def test_a_forged_forwarded_header_does_not_escape_the_lock(client, quality_lead, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    with time_machine.travel(START, tick=False):
        for n in range(10):
            _login(
                client,
                AGENTS_LOGIN,
                quality_lead.username,
                "wrong",
                "10.0.0.1",
                HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, {ATTACKER}",
            )
        response = _login(
            client,
            AGENTS_LOGIN,
            quality_lead.username,
            "secret-password",
            "10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ATTACKER}",
        )
        assert response.status_code == 429 and not _logged_in(client)
        assert AccessAttempt.objects.get().ip_address == ATTACKER


def test_the_admin_login_is_throttled_too(client, admin_user):
    with time_machine.travel(START, tick=False):
        response = _guess(client, "admin:login", admin_user.username, 30)
        assert response.status_code == 429
        response = _login(client, "admin:login", admin_user.username, "password")
        assert response.status_code == 429 and not _logged_in(client)
        assert escape(LOCKED_MESSAGE) in response.content.decode()
        other = client_class_like(client)
        response = _login(other, "admin:login", admin_user.username, "password", "198.51.100.4")
        assert response.status_code == 302 and _logged_in(other)


def test_an_administrator_unlocks_with_the_command(client, quality_lead):
    with time_machine.travel(START, tick=False):
        _guess(client, AGENTS_LOGIN, quality_lead.username, 10)
        call_command("axes_reset_username", quality_lead.username, verbosity=0)
        assert (
            _login(client, AGENTS_LOGIN, quality_lead.username, "secret-password").status_code
            == 302
        )


def test_an_administrator_unlocks_in_the_admin(client, admin_client, quality_lead):
    with time_machine.travel(START, tick=False):
        _guess(client, AGENTS_LOGIN, quality_lead.username, 10)
        attempt = AccessAttempt.objects.get(username=quality_lead.username)
        changelist = reverse("admin:axes_accessattempt_changelist")
        assert quality_lead.username in admin_client.get(changelist).content.decode()
        response = admin_client.post(
            changelist,
            {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
        )
        assert response.status_code == 302
        assert (
            _login(client, AGENTS_LOGIN, quality_lead.username, "secret-password").status_code
            == 302
        )


def test_force_login_is_not_affected(client, quality_lead):
    with time_machine.travel(START, tick=False):
        _guess(client, AGENTS_LOGIN, quality_lead.username, 10)
    client.force_login(quality_lead)
    assert client.get(reverse("organisation:agents-home")).status_code == 302
    assert timezone.now()

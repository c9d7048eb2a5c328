"""A locked account sees why on the login page (accessible), in a real browser."""

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from tests.browser import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_locked_account_is_explained_on_the_login_page(page, prefecture, agent):
    AccessAttempt.objects.create(
        username=agent.username,
        ip_address="127.0.0.1",
        user_agent="",
        failures_since_start=10,
        attempt_time=timezone.now(),
    )
    page.goto("/agents/login/")
    page.get_by_label("Identifiant").fill(agent.username)
    page.get_by_label("Mot de passe").fill("secret-password")
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    alert = page.get_by_role("alert").inner_text()
    assert alert.startswith("Trop d'essais infructueux pour ce compte")
    assert "15 minutes" in alert
    assert "/agents/login/" in page.url
    screenshot(page, "agents-login-locked")
    assert_accessible(page)

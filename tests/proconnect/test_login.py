"""ProConnect end to end in a browser against a local OpenID provider: an agent logs in and
lands in his prefecture, logs out at the provider too; an unknown e-mail, a forged state and
an expired code are refused with a clear page; nobody is ever created."""

import pytest
from django.contrib.auth import get_user_model

from engagements.organisation.enums import RoleKind
from tests.browser import assert_accessible, screenshot
from tests.factories import RoleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server, proconnect):
    """A page that may visit the local provider only (its pages' CDN style is blocked)."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    foreign: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith((live_server.url, proconnect)):
            route.continue_()
        else:
            foreign.append(url) if not url.startswith("https://cdn.jsdelivr.net/") else None
            route.abort()

    context.route("**/*", guard)
    yield page
    context.close()
    assert not foreign, f"requests left the site: {foreign}"


@pytest.fixture
def agathe(prefecture, service):
    return RoleFactory(
        kind=RoleKind.AGENT,
        prefecture=prefecture,
        services=[service],
        user__first_name="Agathe",
        user__last_name="Agent",
        user__email="agathe.agent@alpha.gouv.fr",
    ).user


def _start(page):
    page.goto("/agents/login/")
    page.get_by_role("link", name="S’identifier avec ProConnect").click()
    page.wait_for_url("**/oauth2/authorize?**")


def test_agent_logs_in_through_proconnect_and_out_at_the_provider(
    page, proconnect, agathe, prefecture
):
    page.goto("/agents/login/")
    assert_accessible(page)
    screenshot(page, "proconnect-login")
    _start(page)
    # The provider's page: the predefined agent (e-mail in another case) in one click.
    page.get_by_role("button", name="agathe.agent@alpha.gouv.fr").click()
    page.wait_for_url(f"**/agents/{prefecture.slug}/")
    assert "Agathe Agent" in page.content()
    screenshot(page, "proconnect-landed")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/oauth2/end_session?**")
    assert "id_token_hint=" in page.url
    page.get_by_role("button", name="End session").click()
    page.wait_for_url("**/agents/login/?state=*")
    page.goto(f"/agents/{prefecture.slug}/")
    assert "/agents/login/" in page.url


def test_unknown_email_is_refused_and_no_account_created(page, proconnect, agathe):
    users = get_user_model().objects.count()
    _start(page)
    page.get_by_placeholder("sub").fill("inconnu@ailleurs.gouv.fr")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("**/agents/proconnect/refus/")
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion refusée"
    assert "Aucun compte agent" in page.content() and "inconnu@ailleurs.gouv.fr" in page.content()
    assert_accessible(page)
    screenshot(page, "proconnect-refused")
    assert get_user_model().objects.count() == users
    page.goto("/agents/")
    assert "/agents/login/" in page.url


def test_account_without_role_is_refused(page, proconnect, prefecture):
    get_user_model().objects.create_user("sans-role", email="sans.role@alpha.gouv.fr")
    _start(page)
    page.get_by_placeholder("sub").fill("sans.role@alpha.gouv.fr")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("**/agents/proconnect/refus/")
    assert "Aucun compte agent" in page.content()


def test_forged_state_is_refused(page, proconnect, agathe):
    _start(page)  # a login is pending: the session holds its state
    page.goto("/agents/proconnect/retour/?code=anything&state=forged")
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion refusée"
    assert "ne correspond à aucune connexion en cours" in page.content()
    page.goto("/agents/")
    assert "/agents/login/" in page.url


def test_expired_code_is_refused(page, proconnect, agathe):
    """The provider's redirect carries a code it no longer accepts (as once expired)."""

    def expire_code(route):
        if route.request.method != "POST":
            route.fallback()
            return
        response = route.fetch(max_redirects=0)
        location = response.headers["location"]
        code = location.split("code=")[1].split("&")[0]
        route.fulfill(
            status=302, headers={"Location": location.replace(f"code={code}", "code=expired")}
        )

    page.route(lambda url: "/oauth2/authorize" in url, expire_code)
    _start(page)
    page.get_by_role("button", name="agathe.agent@alpha.gouv.fr").click()
    page.wait_for_url("**/agents/proconnect/refus/")
    assert "le code transmis a expiré" in page.content()
    page.goto("/agents/")
    assert "/agents/login/" in page.url

"""ProConnect configuration: off by default, endpoints by discovery, password login still
switchable off, and no account ever created or matched without a role."""

import pytest
from django.contrib.auth import get_user_model

from engagements.proconnect import config
from engagements.proconnect.backends import ProConnectBackend


@pytest.mark.django_db
def test_proconnect_is_off_by_default(client):
    assert client.get("/agents/proconnect/connexion/").status_code == 404
    assert client.get("/agents/proconnect/retour/?code=x&state=y").status_code == 404
    assert "ProConnect" not in client.get("/agents/login/").content.decode()


def test_discovery_fills_the_endpoints(proconnect):
    assert config.get_setting("OIDC_OP_TOKEN_ENDPOINT") == f"{proconnect}/oauth2/token"
    assert config.get_setting("OIDC_OP_LOGOUT_ENDPOINT").endswith("/oauth2/end_session")


def test_explicit_endpoint_wins_over_discovery(proconnect, settings):
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://example.test/token"
    assert config.get_setting("OIDC_OP_TOKEN_ENDPOINT") == "https://example.test/token"


@pytest.mark.django_db
def test_login_page_shows_both_ways_or_proconnect_only(client, proconnect, settings):
    html = client.get("/agents/login/").content.decode()
    assert "S’identifier avec" in html and 'name="password"' in html
    settings.PASSWORD_LOGIN_ENABLED = False
    html = client.get("/agents/login/").content.decode()
    assert "S’identifier avec" in html and 'name="password"' not in html


@pytest.mark.django_db
def test_matching_is_by_email_case_insensitive_and_needs_a_role(agent, prefecture):
    agent.email = "Agathe@Alpha.gouv.fr"
    agent.save()
    backend = ProConnectBackend()
    assert list(backend.filter_users_by_claims({"email": "agathe@alpha.GOUV.fr"})) == [agent]
    lonely = get_user_model().objects.create_user("lonely", email="lonely@alpha.gouv.fr")
    assert not backend.filter_users_by_claims({"email": lonely.email}).exists()
    agent.is_active = False
    agent.save()
    assert not backend.filter_users_by_claims({"email": "agathe@alpha.gouv.fr"}).exists()
    with pytest.raises(Exception, match="never creates"):
        backend.create_user({"email": "new@alpha.gouv.fr"})

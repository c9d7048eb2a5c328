"""Every page's language switch: each link is the page Django's translate_url gives for
that language (the query string kept), computed from the request's own match."""

import pytest
from django.urls import reverse, translate_url
from django.utils import translation

pytestmark = pytest.mark.django_db


def _switch(response) -> dict[str, str]:
    return {link["code"]: link["url"] for link in response.context["language_switch"]}


def _expected(full_path: str, codes, language: str = "fr") -> dict[str, str]:
    """What translate_url gives in the page's own language (it resolves the path in the
    active one, as the page does)."""
    with translation.override(language):
        return {code: translate_url(full_path, code) for code in codes}


QUERY = "?q=titre%20de%20s%C3%A9jour"


@pytest.mark.parametrize(
    ("path", "english"),
    [
        ("/faq/alpha/" + QUERY, "/en/faq/alpha/" + QUERY),  # a flow page, its query kept
        ("/en/faq/alpha/", "/en/faq/alpha/"),  # asked in English: French drops the prefix
        ("/ar/faq/alpha/", "/en/faq/alpha/"),  # in a flow language
    ],
)
def test_flow_page_switch_is_translate_url(client, prefecture, path, english):
    response = client.get(path)
    assert response.status_code == 200
    switch = _switch(response)
    assert set(switch) == {"fr", "en", "ar", "es", "pt", "uk"}
    request = response.wsgi_request
    assert switch == _expected(request.get_full_path(), switch, request.LANGUAGE_CODE)
    assert switch["en"] == english
    assert switch["fr"] == english.removeprefix("/en")


def test_other_page_switch_is_translate_url(client, prefecture):
    path = reverse("home:legal") + "?page=2"
    response = client.get(path)
    assert response.status_code == 200
    switch = _switch(response)
    assert set(switch) == {"fr", "en"}  # not a flow page: French and English only
    assert switch == _expected(path, switch)
    assert switch["en"] == "/en" + path


def test_agent_pages_are_french_only(client, agent, prefecture):
    # /en/agents/… served the French pages under lang="en" with an English alternate that
    # was the same French page: screen readers read French with an English voice.
    client.force_login(agent)
    path = reverse("faq:agents-list", args=[prefecture.slug])
    response = client.get(path)
    assert response.status_code == 200
    assert _switch(response) == {}
    assert 'hreflang="en"' not in response.content.decode()
    english = client.get(f"/en{path}?page=2")
    assert english.status_code == 302
    assert english["Location"] == f"{path}?page=2"
    login = client.get("/en/agents/login/")
    assert login["Location"] == "/agents/login/"
    # A form posted to its English address (a page left open) answers in French.
    client.logout()
    refused = client.post("/en/agents/login/", {"username": "x", "password": "y"})
    assert '<html lang="fr"' in refused.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/nulle-part/",  # no match: the address is kept as it is
        "/faq/inconnue/",  # a match whose view answers 404
    ],
)
def test_not_found_page_switch_is_translate_url(client, prefecture, path):
    response = client.get(path)
    assert response.status_code == 404
    switch = _switch(response)
    assert switch == _expected(path, switch)


def test_flow_language_on_an_agent_page_redirects_to_french(client, agent, prefecture):
    client.force_login(agent)
    path = reverse("faq:agents-list", args=[prefecture.slug])
    response = client.get(f"/es{path}?page=2")
    assert response.status_code == 302
    assert response["Location"] == f"{path}?page=2"


def test_a_request_leaves_the_test_language_as_it_found_it(client, prefecture):
    """The test client runs a request in the test's own thread, where LocaleMiddleware
    activates the page's language and never resets it: the suite's fixture puts the test's
    language back, so an address reversed after an English page is still the French one."""
    assert client.get(f"/en/faq/{prefecture.slug}/").status_code == 200
    assert translation.get_language() == "fr"
    assert reverse("correspondence:agents-list", args=[prefecture.slug]).startswith("/agents/")
    with translation.override("en"):
        client.get(f"/faq/{prefecture.slug}/")
        assert translation.get_language() == "en"

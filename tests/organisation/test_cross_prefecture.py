"""Every agent URL, visited by a user of another prefecture, answers 404 — with the other
prefecture's slug, and with his own slug but the first prefecture's records."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests

AGENT_PREFIX = "agents/<slug:prefecture>/"


def _agent_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                bare = route.removeprefix("^").replace("^", "")
                if AGENT_PREFIX in bare:
                    names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "", None)
    return names


def _is_record_key(key: str) -> bool:
    """URL arguments that designate a record (as opposed to a year or a channel)."""
    return key == "pk" or key.endswith(("_pk", "_id", "reference", "token"))


def _collect_cases(prefecture, site, service) -> dict[str, dict]:
    cases: dict[str, dict] = {}
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            agent_urls = importlib.import_module(f"tests.{module.name}.agent_urls")
        except ModuleNotFoundError:
            continue
        cases.update(agent_urls.cases(prefecture, site, service))
    return cases


@pytest.mark.django_db
@pytest.mark.slow  # every agent page (permissions, not SQL): the PostgreSQL pass runs it
def test_every_agent_url_is_hidden_from_other_prefectures(
    prefecture, site, service, outsider, client_for
):
    cases = _collect_cases(prefecture, site, service)
    missing = _agent_url_names() - set(cases)
    assert not missing, f"agent URLs without a cross-prefecture case: {sorted(missing)}"
    client = client_for(outsider)
    own_slug = outsider.roles.get().prefecture.slug
    checked = 0
    for name, kwargs in sorted(cases.items()):
        url = reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 404, f"{method.upper()} {url}: {response.status_code}"
        if any(_is_record_key(key) for key in kwargs):
            own = reverse(name, kwargs={"prefecture": own_slug, **kwargs})
            for method, allowed in (("get", {404, 405}), ("post", {404})):
                # 405 (method refused before any lookup) reveals nothing either.
                response = getattr(client, method)(own)
                assert response.status_code in allowed, (
                    f"{method.upper()} {own} with another prefecture's record: "
                    f"{response.status_code}"
                )
        checked += 1
    assert checked >= 12


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(prefecture, client):
    response = client.get(reverse("organisation:agents-settings", args=[prefecture.slug]))
    assert response.status_code == 302
    assert reverse("organisation:agents-login") in response["Location"]

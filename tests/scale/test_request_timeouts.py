"""No request outlives its client (issue 24, item 9): web processes run their statements
under WEB_STATEMENT_TIMEOUT; a stopped statement answers a French 503 page, or the API's
JSON 503; the figures page is served from a short shared cache."""

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from engagements.correspondence import queries
from tests.correspondence.factories import MessageFactory
from tests.tooling import database_url, django_process, require_postgres

ROOT = Path(__file__).resolve().parents[2]


def _slow_statement(*args, **kwargs):
    """What a statement running past the timeout does (a real QueryCanceled)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")


def _shown(setting: str, extra: dict) -> str:
    """PostgreSQL's `setting` on the connection of a new process with `extra` environment."""
    code = (
        "from django.db import connection\n"
        f"c = connection.cursor(); c.execute('SHOW {setting}'); print(c.fetchone()[0])"
    )
    return django_process(code, database_url(), extra)


@pytest.mark.postgres
@pytest.mark.django_db
def test_only_web_processes_get_the_statement_timeout():
    require_postgres()
    # engagements/wsgi.py marks the web process; commands and the job worker have no limit.
    assert (
        _shown("statement_timeout", {"ENGAGEMENTS_WEB": "1", "WEB_STATEMENT_TIMEOUT": "7"}) == "7s"
    )
    assert _shown("statement_timeout", {"WEB_STATEMENT_TIMEOUT": "7"}) == "0"


@pytest.mark.postgres
@pytest.mark.django_db
def test_no_process_jit_compiles_its_queries_unless_told_to():
    require_postgres()
    assert _shown("jit", {"ENGAGEMENTS_WEB": "1"}) == "off"
    assert _shown("jit", {}) == "off"
    assert _shown("jit", {"DATABASE_JIT": "true"}) == "on"


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_page_stopped_by_the_timeout_answers_a_french_503(
    prefecture, quality_lead, client_for, monkeypatch, settings
):
    require_postgres()
    settings.DEBUG = False
    monkeypatch.setattr(queries, "cached_figures_by", _slow_statement)
    client = client_for(quality_lead)
    client.raise_request_exception = False
    response = client.get(f"/agents/{prefecture.slug}/courriers/chiffres/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "Cette page a demandé trop de temps" in text and "Réessayez dans une minute" in text
    assert '<html lang="fr">' in text


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_api_stopped_by_the_timeout_answers_its_json_503(prefecture, monkeypatch):
    require_postgres()
    monkeypatch.setattr(queries, "figures", _slow_statement)
    client = Client(raise_request_exception=False)
    response = client.get(f"/api/v1/prefectures/{prefecture.slug}/correspondence/2026")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response.has_header("Retry-After")


@pytest.mark.django_db
def test_figures_page_is_served_from_a_short_shared_cache(
    prefecture, service, quality_lead, client_for, settings
):
    settings.FIGURES_CACHE_SECONDS = 60
    from django.core.cache import cache

    cache.clear()
    MessageFactory(service=service, answered_on_time=True)
    client = client_for(quality_lead)
    url = f"/agents/{prefecture.slug}/courriers/chiffres/"
    first = client.get(url, {"year": 2026, "at": "2026-12-31"})
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as seen:
        again = client.get(url, {"year": 2026, "at": "2026-12-31"})
    assert again.status_code == 200
    assert again.context["total"] == first.context["total"]
    assert not [q for q in seen if "correspondence_message" in q["sql"]]
    # Another date is another entry: computed, not taken from the first.
    with CaptureQueriesContext(connection) as seen:
        client.get(url, {"year": 2026, "at": "2026-06-30"})
    assert [q for q in seen if "correspondence_message" in q["sql"]]

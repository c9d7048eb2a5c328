"""Indexed search of the register: the stored search vector kept current on write, the GIN
and trigram indexes used by `queries.search` (EXPLAIN), the worklist's sort index."""

import pytest
from django.conf import settings
from django.db import connection

from engagements.correspondence import queries
from engagements.correspondence.enums import Status
from engagements.correspondence.models import Message
from tests.correspondence.factories import MessageFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(not settings.IS_POSTGRES, reason="PostgreSQL indexes")


@pytest.fixture
def messages(service):
    MessageFactory(service=service, subject="Titre de séjour bloqué", reference="2026-000101")
    MessageFactory(
        service=service,
        subject="Permis de conduire",
        body="Mon échange de permis étranger",
        sender_email="amina.testdesk@example.test",
        reference="2026-000102",
    )
    MessageFactory(service=service, subject="Carte grise", reference="2026-000103")
    return Message.objects.all()


def found(messages, text):
    return sorted(m.reference for m in queries.search(messages, text))


@postgres_only
def test_search_by_words_without_accents(messages):
    assert found(messages, "sejour bloque") == ["2026-000101"]
    assert found(messages, "échanges") == ["2026-000102"]  # French stemming


def test_search_by_reference_and_sender(messages):
    assert found(messages, "000103") == ["2026-000103"]
    assert found(messages, "AMINA.testdesk@example.test") == ["2026-000102"]
    assert found(messages, "  ") == ["2026-000101", "2026-000102", "2026-000103"]


def test_the_vector_follows_every_write(messages):
    message = Message.objects.get(reference="2026-000103")
    message.subject = "Naturalisation"
    message.save()
    assert found(messages, "naturalisation") == ["2026-000103"]
    Message.objects.filter(pk=message.pk).update(body="Demande d'asile")
    assert found(messages, "asile") == ["2026-000103"]
    assert found(messages, "grise") == []


def _plan(queryset, *, sort: bool = True) -> str:
    """The plan as on a large table: sequential scans (and sorts) priced out."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")
            cursor.execute("SET LOCAL enable_sort = on")


@postgres_only
def test_explain_shows_the_search_indexes(messages):
    plan = _plan(queries.search(Message.objects.all(), "titre"))
    assert "correspondence_message_search_gin" in plan
    assert "correspondence_message_reference_trgm" in plan
    assert "Seq Scan" not in plan


@postgres_only
def test_explain_shows_the_worklist_sort_index(messages, prefecture):
    worklist = Message.objects.filter(
        prefecture=prefecture, status__in=[Status.NEW, Status.ASSIGNED]
    ).order_by("due_on", "pk")[:50]
    # The first page comes in order from the partial index, without sorting the table.
    assert "message_open_by_due_date" in _plan(worklist, sort=False)

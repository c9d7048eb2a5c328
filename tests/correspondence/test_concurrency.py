"""References under concurrent creation (PostgreSQL): 20 threads, distinct and gapless.

The control runs the same read-modify-write without the row lock and shows the race."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from engagements.correspondence import services
from engagements.correspondence.enums import Kind
from engagements.correspondence.models import Message
from engagements.organisation import references
from engagements.organisation.enums import Channel
from engagements.organisation.models import ReferenceCounter
from tests.tooling import require_postgres

THREADS = 20


def run_in_threads(target, count: int = THREADS) -> list:
    barrier = threading.Barrier(count)
    results, errors = [], []

    def work(index):
        try:
            barrier.wait(timeout=30)
            results.append(target(index))
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_creations_get_distinct_gapless_references(prefecture, service):
    require_postgres()

    def create(index):
        return services.create_message(
            prefecture,
            site=service.site,
            service=service,
            channel=Channel.EMAIL,
            kind=Kind.INFORMATION,
            received_on=date(2026, 3, 2),
            sender_email=f"personne{index}@example.test",
            subject=f"Demande {index}",
            acknowledge=False,
        ).reference

    references, errors = run_in_threads(create)
    assert errors == []
    expected = [f"2026-{n:06d}" for n in range(1, THREADS + 1)]
    assert sorted(references) == expected
    assert (
        sorted(Message.objects.filter(prefecture=prefecture).values_list("reference", flat=True))
        == expected
    )


@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_numbers_collide(prefecture):
    """The same counter update without SELECT … FOR UPDATE: threads read the same value."""
    require_postgres()
    ReferenceCounter.objects.create(
        prefecture=prefecture, scope=references.MESSAGES, year=2026, last=0
    )
    read_done = threading.Barrier(THREADS)

    def naive(index):
        with transaction.atomic():
            counter = ReferenceCounter.objects.get(
                prefecture=prefecture, scope=references.MESSAGES, year=2026
            )
            read_done.wait(timeout=30)  # every thread has read before anyone writes
            counter.last += 1
            counter.save(update_fields=["last"])
            return counter.last

    numbers, errors = run_in_threads(naive)
    assert errors == []
    assert len(set(numbers)) < THREADS  # duplicates: the race the lock prevents
    counter = ReferenceCounter.objects.get(prefecture=prefecture, scope=references.MESSAGES)
    assert counter.last < THREADS

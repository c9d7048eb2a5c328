"""Issue 20, row 13: a connection lost right after the mail server accepted a mail does not
make the outbox send it again silently ten minutes later."""

from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError, connection
from django.utils import timezone

from engagements.outbox import services
from engagements.outbox.enums import Status
from tests.outbox.test_outbox import _queue

# Outside a test transaction: a failed query must not poison it, and the connection is
# really closed and opened again, as in a worker.
pytestmark = pytest.mark.django_db(transaction=True)


class LoseTheDatabase:
    """Every `UPDATE … sent_at` fails as a killed connection would, `times` times."""

    def __init__(self, times):
        self.times = times

    def __call__(self, execute, sql, params, many, context):
        if self.times and sql.startswith("UPDATE") and '"sent_at"' in sql:
            self.times -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


@pytest.fixture(autouse=True)
def no_pause(monkeypatch, settings):
    monkeypatch.setattr(services, "RECORD_RETRIES", (0, 0, 0))
    # Queued only (as with the outbox worker): the tests call `deliver` themselves.
    settings.OUTBOX_DELIVER_AT_COMMIT = False


def test_the_acceptance_is_recorded_through_a_lost_connection(prefecture, mailoutbox):
    delivery = _queue(prefecture)
    with connection.execute_wrapper(LoseTheDatabase(times=2)):
        assert services.deliver(delivery.pk) == Status.SENT
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and len(mailoutbox) == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert services.deliver_due() == 0
    assert len(mailoutbox) == 1  # not sent again


def test_when_the_database_stays_away_the_retry_is_visible_with_the_same_message_id(
    prefecture, mailoutbox
):
    delivery = _queue(prefecture)
    with connection.execute_wrapper(LoseTheDatabase(times=10)):
        assert services.deliver(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == Status.SENDING and len(mailoutbox) == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert services.deliver_due() == 1
    assert len(mailoutbox) == 2
    first, second = (m.extra_headers["Message-ID"] for m in mailoutbox)
    assert first == second == delivery.message_id
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert "interrompu" in delivery.last_error and "deux fois" in delivery.last_error

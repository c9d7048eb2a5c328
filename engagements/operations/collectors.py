"""Figures read from the database when `/metrics` is scraped (through each app's queries).

One scrape costs a handful of small aggregate queries; if the database does not answer,
`engagements_database_up` is 0 and a database error is counted, the rest still answers.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily

from engagements import jobs, metrics
from engagements.appointments import queries as appointments
from engagements.correspondence import queries as correspondence
from engagements.outbox import queries as outbox

logger = logging.getLogger(__name__)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class DatabaseFiguresCollector:
    """A prometheus_client collector: yields gauges computed at scrape time."""

    def collect(self):
        try:
            deliveries = outbox.queue_health()
            mail = correspondence.mailbox_health()
            queue = jobs.queue_stats()
            waiting = appointments.waiting_room_queue()
        except DatabaseError:
            logger.warning("metrics: the database did not answer")
            metrics.DATABASE_ERRORS.inc()
            yield _gauge("engagements_database_up", "1 when the database answered the scrape", 0)
            return
        yield _gauge("engagements_database_up", "1 when the database answered the scrape", 1)
        yield _gauge(
            "engagements_outbox_pending",
            "Outbox deliveries (e-mail, SMS) waiting to be sent or being sent",
            deliveries["pending"],
        )
        yield _gauge(
            "engagements_outbox_failed",
            "Outbox deliveries given up after their last retry (kept a year)",
            deliveries["failed"],
        )
        yield _gauge(
            "engagements_outbox_oldest_pending_age_seconds",
            "Age of the oldest delivery still waiting (0 when none)",
            deliveries["oldest_pending_seconds"],
        )
        yield _gauge(
            "engagements_waiting_room_queue",
            "People in today's waiting rooms not let in yet",
            waiting,
        )
        yield _gauge(
            "engagements_mails_quarantined_pending",
            "Mails « à vérifier » waiting for a référent",
            mail["quarantined_pending"],
        )
        yield _gauge(
            "engagements_mailboxes_failing",
            "Active mailboxes whose last reading failed",
            mail["mailboxes_failing"],
        )
        yield _gauge(
            "engagements_mailbox_oldest_poll_age_seconds",
            "Seconds since the least recent successful reading of an active mailbox",
            mail["oldest_poll_seconds"],
        )
        yield _gauge("engagements_jobs_queued", "Jobs waiting in the queue", queue["queued"])
        yield _gauge(
            "engagements_jobs_failed", "Failed jobs kept by the job worker", queue["failed"]
        )

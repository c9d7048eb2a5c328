"""Counters and histograms for Prometheus, shared by every app (floor 0).

Apps increment what happens in their code (a booking made or refused, a mailbox read, a
database error); figures that live in the database (outbox, job queue, waiting rooms,
quarantined mails) are read when `/metrics` is scraped, by `engagements.operations`.

Several processes (gunicorn workers, and the job worker, which reads the mailboxes): set
`PROMETHEUS_MULTIPROC_DIR` to one folder writable by all of them (the systemd units in
deploy/ do; `deploy/gunicorn.conf.py` removes the files of processes that are gone at
start), and every process writes its counters there; `/metrics` then adds up the files of
all processes. Without it, a scrape sees the counters of the process that answered only
(fine for the demo). A job worker on a machine without the web service is not scraped:
the database figures read at scrape time cover the alarms.

Only counters and histograms are defined here: they add up across processes. Label values
are bounded (view names, status codes, booking error codes, channels), never personal data.
"""

from __future__ import annotations

import functools
import time

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "engagements_http_requests",
    "HTTP requests answered, by view, method and status",
    ["view", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "engagements_http_request_duration_seconds",
    "Time to answer an HTTP request, by view",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BOOKINGS_MADE = Counter(
    "engagements_bookings_made",
    "Bookings made (a seat taken), by channel",
    ["channel"],
)
BOOKINGS_REFUSED = Counter(
    "engagements_bookings_refused",
    "Booking attempts refused by the rules or the seats (full, duplicate, busy, closed…)",
    ["code"],
)
BOOKING_CONFLICTS = Counter(
    "engagements_booking_conflicts",
    "Partner API bookings answered 409 (full, duplicate, busy), by code",
    ["code"],
)
BOOKINGS_OVERLOADED = Counter(
    "engagements_bookings_overloaded",
    "Booking requests answered 503 at once by admission control (BOOKING_MAX_IN_FLIGHT)",
)
MAILBOX_RUNS = Counter(
    "engagements_mailbox_runs",
    "Mailbox readings (IMAP ingestion), by outcome (ok, error)",
    ["outcome"],
)
MAILS_QUARANTINED = Counter(
    "engagements_mails_quarantined",
    "Mails the ingestion could not register and put aside « à vérifier »",
)
for _outcome in ("ok", "error"):  # both series exist from the start (alerts on a rate)
    MAILBOX_RUNS.labels(_outcome)
DATABASE_ERRORS = Counter(
    "engagements_database_errors",
    "Database connection or operational errors seen by a request or a scrape",
)


def view_label(request) -> str:
    """The view's name (`app:name`), or a fixed word: never the raw path (unbounded)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or "<unnamed>"  # the function's dotted path when not named


class RequestMetricsMiddleware:
    """Counts every answer by view and status, and times it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        REQUEST_SECONDS.labels(view).observe(time.perf_counter() - start)
        REQUESTS.labels(view, request.method, str(response.status_code)).inc()
        return response


def count_bookings(func):
    """Decorates the booking service: a returned booking is counted as made (by its
    channel), an exception carrying a `code` (the service's refusals) as refused."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            booking = func(*args, **kwargs)
        except Exception as error:
            code = getattr(error, "code", None)
            if isinstance(code, str):
                BOOKINGS_REFUSED.labels(code).inc()
            raise
        BOOKINGS_MADE.labels(str(getattr(booking, "channel", ""))).inc()
        return booking

    return wrapper


def is_database_error(exc: BaseException) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError))


def count_request_exception(sender=None, request=None, **kwargs) -> None:
    """Receiver of Django's `got_request_exception`: counts database errors."""
    import sys

    exc = sys.exc_info()[1]
    if exc is not None and is_database_error(exc):
        DATABASE_ERRORS.inc()

"""Admission control: a bounded number of booking requests in flight per server process.

In an opening rush, requests that wait behind the workers time out at the client while
their booking may still be made (a booking the person never hears about). Beyond
`BOOKING_MAX_IN_FLIGHT` booking requests at once in this process (gunicorn with threads:
one process, several threads), the next one is answered at once with 503 and
`Retry-After: BOOKING_RETRY_AFTER` instead of queueing. Nothing is written for a refused
request, so the client may simply retry.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.conf import settings

from engagements import metrics

_lock = threading.Lock()
_state: dict = {"limit": None, "semaphore": None}


class Overloaded(Exception):
    """Too many booking requests in flight in this process."""

    def __init__(self):
        super().__init__("Trop de demandes en même temps, réessayez dans quelques secondes.")
        self.retry_after = retry_after()


def retry_after() -> int:
    return int(getattr(settings, "BOOKING_RETRY_AFTER", 2))


def _semaphore() -> threading.BoundedSemaphore | None:
    limit = int(getattr(settings, "BOOKING_MAX_IN_FLIGHT", 0) or 0)
    if limit <= 0:
        return None
    with _lock:
        if _state["limit"] != limit:
            _state["limit"], _state["semaphore"] = limit, threading.BoundedSemaphore(limit)
        return _state["semaphore"]


@contextmanager
def admitted():
    """Run the block if a place is free, else raise Overloaded at once (never wait)."""
    semaphore = _semaphore()
    if semaphore is None:
        yield
        return
    if not semaphore.acquire(blocking=False):
        metrics.BOOKINGS_OVERLOADED.inc()
        raise Overloaded
    try:
        yield
    finally:
        semaphore.release()

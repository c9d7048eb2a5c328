"""An optional read replica (DATABASE_REPLICA_URL, docs/deployment.md).

The pages and commands that can bear a few seconds of lag (figures and dashboards, public
results and posters, reports and exports, the API's GET endpoints) mark their work with
`replica_reads` (a decorator for a view or a command's `handle`, or a `with` block). Inside
it, and only there, `ReplicaRouter` sends reads to the "replica" database when:

- the read is not inside a transaction of the primary (what a write's transaction reads
  must be what it writes on);
- the model is not one of the tables that must never lag (sessions, users and login
  throttling, the shared cache, the job queue): a session written at login and read by the
  next page must be found, a rate limit must count every try;
- the replica answered its last connection: when it does not, reads go to the primary, a
  warning is logged, and the replica is not tried again for REPLICA_RETRY_SECONDS (per
  process: each process finds out on its own, once, and the next try after the delay
  sees whether it came back).

Everything else (every write, the worklist, a record's page, the forms) uses the primary.
After a write, the browser that made it reads from the primary for PRIMARY_AFTER_WRITE_SECONDS
(`PrimaryAfterWriteMiddleware`): the figures page a form redirects to shows what the form
just wrote, even when the replica is a moment behind.
Raw SQL of a read side uses `connections[queryset.db]`, the database the router chose.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
# After a failed connection, reads go to the primary this long before the replica is tried
# again: a dead replica costs one connection attempt per process and period, not one per
# query.
REPLICA_RETRY_SECONDS = 10.0
# Tables that must never be read late: sessions (a login then a redirect), accounts,
# login throttling, the shared cache (rate limits, proof-of-work replays, cached figures),
# the job queue, the admin's log.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "axes", "django_cache", "django_q", "admin"})

# A browser that has just written reads from the primary this long (a short cookie).
PRIMARY_AFTER_WRITE_SECONDS = 5
PRIMARY_AFTER_WRITE_COOKIE = "primary_reads"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)
_pinned: ContextVar[bool] = ContextVar("primary_after_write", default=False)
_down_until = 0.0  # monotonic time before which the replica is not tried (this process)

F = TypeVar("F", bound=Callable)


@contextmanager
def replica_block() -> Iterator[None]:
    """Reads inside this block may come from the replica (a few seconds late)."""
    token = _allowed.set(True)
    try:
        yield
    finally:
        _allowed.reset(token)


def replica_reads(func: F) -> F:
    """Decorate a view (or a command's `handle`) whose reads may come from the replica."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        with replica_block():
            return func(*args, **kwargs)

    # django-ninja reads an operation's parameters from its signature, resolving string
    # annotations (`from __future__ import annotations`) in the function's module: give it
    # the signature with the annotations already resolved where the function was written.
    try:
        wrapper.__signature__ = inspect.signature(func, eval_str=True)  # type: ignore[attr-defined]
    except (NameError, TypeError):
        pass
    return wrapper  # type: ignore[return-value]


def replica_allowed() -> bool:
    return _allowed.get() and not _pinned.get()


class PrimaryAfterWriteMiddleware:
    """A browser that has just written (POST, PUT, PATCH, DELETE answered without a server
    error) gets a cookie of PRIMARY_AFTER_WRITE_SECONDS; while it lasts, its requests read
    from the primary only (read your own writes). Installed with the replica only; the
    partners' API (no cookies) is left alone. The cookie carries nothing but its presence:
    a client that sends it on its own only reads the primary, as without a replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _pinned.set(PRIMARY_AFTER_WRITE_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if (
            request.method not in _SAFE_METHODS
            and response.status_code < 500
            and not request.path.startswith("/api/")
        ):
            response.set_cookie(
                PRIMARY_AFTER_WRITE_COOKIE,
                "1",
                max_age=PRIMARY_AFTER_WRITE_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def replica_configured() -> bool:
    return REPLICA in connections.settings


def _replica_healthy() -> bool:
    """Connect to the replica if needed; on failure remember it for REPLICA_RETRY_SECONDS."""
    global _down_until
    if time.monotonic() < _down_until:
        return False
    replica = connections[REPLICA]
    try:
        # A connection kept across requests is checked once per request (health checks),
        # then opened if closed; an open, checked one costs nothing here.
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DatabaseError as exc:
        _down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        try:
            replica.close()
        except DatabaseError:
            pass
        logger.warning(
            "read replica unreachable (%s): reading from the primary for %s s",
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
            int(REPLICA_RETRY_SECONDS),
        )
        return False
    return True


class ReplicaRouter:
    """Reads inside `replica_reads` go to the replica; all else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        if (
            replica_allowed()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
            and replica_configured()
            and _replica_healthy()
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica holds the primary's rows: an object read there may point to one read
        # on the primary (and be saved, which writes on the primary).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS

"""`Idempotency-Key` on partner bookings: a retry after a time-out gets the answer already
given (same status, same body), never a second booking nor a 409 for its own booking.

The key row is inserted in the booking's own transaction (`INSERT … ON CONFLICT DO
NOTHING`): a concurrent request with the same key waits on the unique index until the
first commits, then reads its answer; if the first rolled back, it books itself. The key
and the answer therefore commit together with the booking or not at all. Keys are scoped to
the API token and kept 24 hours (`purge_idempotency_keys`, daily housekeeping; an expired
key is taken over by the next request that uses it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from ..models import ApiToken, IdempotencyKey
from . import seats

KEEP = timedelta(hours=24)


class IdempotencyError(Exception):
    """The key cannot be used now; `status`, `code` and a French `message` for the API."""

    def __init__(self, message: str, code: str, status: int):
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


def body_hash(data) -> str:
    """SHA-256 of the request body in canonical JSON (key order and spacing do not count)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _claim(token: ApiToken, key: str, digest: str, now: datetime) -> int | None:
    """Insert the key (or take over an expired one); None when a live row exists."""
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (token_id, key, body_hash, created_at, status_code, response)
            VALUES (%s, %s, %s, %s, NULL, NULL)
            ON CONFLICT (token_id, key) DO UPDATE SET
                body_hash = excluded.body_hash, created_at = excluded.created_at,
                status_code = NULL, response = NULL, booking_id = NULL
            WHERE {table}.created_at < %s
            RETURNING id
            """,
            [token.pk, key, digest, now, now - KEEP],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def in_progress() -> IdempotencyError:
    return IdempotencyError(
        "Une requête avec cette clé d'idempotence est en cours : réessayez dans un instant.",
        "in_progress",
        409,
    )


class _Discard(Exception):
    def __init__(self, answer):
        self.answer = answer


def run_once(
    token: ApiToken,
    key: str,
    digest: str,
    work: Callable[[], tuple[int, dict, int | None, bool]],
    *,
    now: datetime | None = None,
) -> tuple[int, dict]:
    """Run `work` once per (token, key) and return its (status, body), or the stored ones.

    `work()` returns (status, JSON body, booking id or None, keep); an answer not kept (a
    transient refusal: busy) rolls the key back so that a retry runs again."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            # A concurrent request with the same key holds the index entry until it
            # commits: wait for it, but not longer than for a slot's lock.
            seats.short_lock_wait()
            claimed = _claim(token, key, digest, now)
            if claimed is None:
                stored = IdempotencyKey.objects.get(token=token, key=key)
                if stored.body_hash != digest:
                    raise IdempotencyError(
                        "Cette clé d'idempotence a déjà servi pour une autre requête : "
                        "utilisez une nouvelle clé.",
                        "idempotency_mismatch",
                        422,
                    )
                if stored.status_code is None:
                    raise in_progress()
                return stored.status_code, stored.response
            status, body, booking_id, keep = work()
            if not keep:
                raise _Discard((status, body))
            IdempotencyKey.objects.filter(pk=claimed).update(
                status_code=status, response=body, booking_id=booking_id
            )
            return status, body
    except _Discard as discarded:
        return discarded.answer
    except OperationalError as error:
        if seats.is_lock_timeout(error):
            raise in_progress() from error
        raise


def purge_idempotency_keys(*, now: datetime | None = None) -> int:
    """Daily housekeeping: keys older than 24 hours go."""
    now = now or timezone.now()
    return IdempotencyKey.objects.filter(created_at__lt=now - KEEP).delete()[0]

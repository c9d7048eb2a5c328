"""Daily housekeeping: each app registers its purge with `register_housekeeping`."""

import logging

from django.core.management import call_command

logger = logging.getLogger(__name__)
_TASKS: list[str] = []


def register_housekeeping(func_path: str) -> None:
    """Add a function (dotted path, no arguments) to the daily housekeeping run."""
    if func_path not in _TASKS:
        _TASKS.append(func_path)


def housekeeping() -> dict[str, object]:
    """Run every registered purge and clear expired sessions; returns what each did.

    Each task runs on its own: one that fails is logged (and reported as "échec : …") and
    the next still runs; a failed purge is retried at the next daily run."""
    from django.utils.module_loading import import_string

    results: dict[str, object] = {}
    for path, func in [("clearsessions", lambda: call_command("clearsessions") or "ok")] + [
        (path, lambda path=path: import_string(path)()) for path in _TASKS
    ]:
        try:
            results[path] = func()
        except Exception as exc:  # noqa: BLE001 - one purge's failure must not stop the others
            logger.exception("housekeeping task failed", extra={"task": path})
            results[path] = f"échec : {type(exc).__name__}: {exc}"
        else:
            logger.info("housekeeping", extra={"task": path, "result": str(results[path])})
    return results


def purge_expired_cache() -> int:
    """Every 10 minutes: delete the shared cache's expired entries (spent proof-of-work
    solutions, past rate-limit windows). The database cache removes them only when it is
    full, and counts its rows at every write: kept to the live entries, that count stays
    cheap. Returns the rows deleted."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connections, router
    from django.utils import timezone

    model = getattr(cache, "cache_model_class", None)
    if model is None:  # not the database cache: it expires its own entries
        return 0
    connection = connections[router.db_for_write(model)]
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE expires < %s",  # noqa: S608 - the table is a setting
            [connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))],
        )
        return cursor.rowcount

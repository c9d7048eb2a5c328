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
    """Run every registered purge and clear expired sessions; returns what each did."""
    from django.utils.module_loading import import_string

    results: dict[str, object] = {}
    call_command("clearsessions")
    results["clearsessions"] = "ok"
    for path in _TASKS:
        results[path] = import_string(path)()
        logger.info("housekeeping", extra={"task": path, "result": str(results[path])})
    return results

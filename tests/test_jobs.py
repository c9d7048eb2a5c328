"""Jobs go through engagements.jobs: schedules in the database, enqueued work after commit."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from django_q.models import Schedule, Task

from engagements import jobs
from engagements.organisation import jobs as housekeeping_jobs

CALLS: list[str] = []


def record_call(label: str = "called") -> str:
    CALLS.append(label)
    return label


def purge_for_test() -> int:
    CALLS.append("purged")
    return 3


@pytest.mark.django_db
def test_daily_housekeeping_schedule_exists_after_migrate():
    schedule = Schedule.objects.get(name="housekeeping")
    assert schedule.func == "engagements.organisation.jobs.housekeeping"
    assert schedule.schedule_type == Schedule.DAILY
    assert schedule.next_run is not None
    # Syncing again neither duplicates nor moves it.
    next_run = schedule.next_run
    jobs.sync_schedules()
    assert Schedule.objects.filter(name="housekeeping").count() == 1
    assert Schedule.objects.get(name="housekeeping").next_run == next_run


@pytest.mark.django_db
def test_enqueue_runs_after_commit_only(django_capture_on_commit_callbacks):
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.enqueue("tests.test_jobs.record_call", "hello")
    assert CALLS == [], "nothing runs before the transaction commits"
    for callback in callbacks:
        callback()
    assert CALLS == ["hello"]
    assert Task.objects.filter(func="tests.test_jobs.record_call", success=True).exists()


@pytest.mark.django_db
def test_housekeeping_runs_every_registered_purge():
    CALLS.clear()
    housekeeping_jobs.register_housekeeping("tests.test_jobs.purge_for_test")
    housekeeping_jobs.register_housekeeping("tests.test_jobs.purge_for_test")  # once only
    results = housekeeping_jobs.housekeeping()
    assert results["tests.test_jobs.purge_for_test"] == 3
    assert CALLS.count("purged") == 1
    assert results["clearsessions"] == "ok"


def failing_purge() -> int:
    CALLS.append("failing")
    raise OSError("disque plein")


@pytest.mark.django_db
def test_one_failing_purge_is_logged_and_the_next_still_runs(caplog, monkeypatch):
    CALLS.clear()
    monkeypatch.setattr(
        housekeeping_jobs,
        "_TASKS",
        ["tests.test_jobs.failing_purge", "tests.test_jobs.purge_for_test"],
    )
    results = housekeeping_jobs.housekeeping()
    assert CALLS == ["failing", "purged"]
    assert results["tests.test_jobs.purge_for_test"] == 3
    assert results["tests.test_jobs.failing_purge"].startswith("échec : OSError")
    assert results["clearsessions"] == "ok"
    failed = [r for r in caplog.records if r.getMessage() == "housekeeping task failed"]
    assert [r.task for r in failed] == ["tests.test_jobs.failing_purge"]


def test_register_schedule_refuses_unknown_types():
    with pytest.raises(ValueError):
        jobs.register_schedule("x", "tests.test_jobs.record_call", schedule_type="weekly")


@pytest.mark.django_db
def test_the_shared_caches_expired_entries_are_purged_every_ten_minutes():
    """The database cache deletes expired rows only when full, and counts its rows at every
    write: the purge keeps it to the live entries (a rate-limit count, a spent solution)."""
    schedule = Schedule.objects.get(name="cache-purge-expired")
    assert schedule.func == "engagements.organisation.jobs.purge_expired_cache"
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 10)
    cache.set("test:short-lived", 1, timeout=60)
    cache.set("test:long-lived", 1, timeout=3600)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert housekeeping_jobs.purge_expired_cache() >= 1
    assert cache.get("test:long-lived") == 1
    with time_machine.travel(timezone.now() - timedelta(minutes=5)):
        assert cache.get("test:short-lived") is None  # gone, not merely expired


def test_every_registered_purge_is_in_the_operations_guide():
    """docs/operations.md, "Purging personal data on time", names each purge the daily
    housekeeping runs, with the data it removes and when: an operator checks them there."""
    from pathlib import Path

    guide = (Path(__file__).parents[1] / "docs" / "operations.md").read_text()
    section = guide.split("## Purging personal data on time", 1)[1].split("\n## ", 1)[0]
    registered = [path for path in housekeeping_jobs._TASKS if path.startswith("engagements.")]
    assert len(registered) >= 10
    missing = [
        path for path in registered if f"`{path.removeprefix('engagements.')}`" not in section
    ]
    assert not missing, f"purges not described in docs/operations.md: {missing}"

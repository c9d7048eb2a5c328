"""The one door to background jobs and schedules (django-q2, ORM broker).

Apps never import django_q directly: they call `enqueue` for one-off work and declare
recurring work with `register_schedule` in their AppConfig.ready(); schedules are written
to the database after migrate (so they show in the admin) by `sync_schedules`.
In tests Q_CLUSTER["sync"] is on: enqueued jobs run at once, in the caller's process.
Swapping for django.tasks later means changing this module only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    func: str  # dotted path to a function taking no arguments
    schedule_type: str  # "hourly", "daily", "minutes"
    minutes: int | None = None
    at: str | None = None  # "HH:MM" (local time) for daily jobs


_REGISTRY: dict[str, ScheduledJob] = {}


def register_schedule(
    name: str,
    func: str,
    *,
    schedule_type: str = "daily",
    minutes: int | None = None,
    at: str | None = None,
) -> None:
    """Declare a recurring job; call from AppConfig.ready()."""
    if schedule_type not in ("hourly", "daily", "minutes"):
        raise ValueError(f"Unknown schedule type {schedule_type!r}")
    _REGISTRY[name] = ScheduledJob(name, func, schedule_type, minutes, at)


def registered_schedules() -> list[ScheduledJob]:
    return sorted(_REGISTRY.values(), key=lambda job: job.name)


def sync_schedules() -> None:
    """Create or update the database rows of every registered schedule."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone
    from django_q.models import Schedule

    types = {"hourly": Schedule.HOURLY, "daily": Schedule.DAILY, "minutes": Schedule.MINUTES}
    for job in registered_schedules():
        defaults = {"func": job.func, "schedule_type": types[job.schedule_type]}
        if job.minutes:
            defaults["minutes"] = job.minutes
        existing = Schedule.objects.filter(name=job.name).first()
        if existing is None:
            next_run = timezone.now()
            if job.at:
                hour, minute = (int(x) for x in job.at.split(":"))
                local = timezone.localtime()
                candidate = timezone.make_aware(datetime.combine(local.date(), time(hour, minute)))
                next_run = candidate if candidate > local else candidate + timedelta(days=1)
            Schedule.objects.create(name=job.name, next_run=next_run, **defaults)
        else:
            Schedule.objects.filter(pk=existing.pk).update(**defaults)


def enqueue(func: str, *args, **kwargs) -> None:
    """Run func(*args, **kwargs) in the worker once the current transaction commits."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(func, *args, **kwargs))


def run_now(func: str, *args, **kwargs):
    """Run a job function in this process (management commands, tests)."""
    from django.utils.module_loading import import_string

    return import_string(func)(*args, **kwargs)


def queue_stats() -> dict:
    """For monitoring: jobs waiting in the queue, and failed jobs kept by django-q."""
    from django_q.models import Failure, OrmQ

    return {"queued": OrmQ.objects.count(), "failed": Failure.objects.count()}

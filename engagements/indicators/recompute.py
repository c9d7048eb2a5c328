"""Stored values kept current: records written that feed the figures (imports, changes)
queue a recompute job of the periods they touch (issue 19, item 3).

The lower apps never import this module: they call `engagements.shell.hooks.period_touched`
from their own services, and `on_period_touched` (registered in apps.py) receives it.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from engagements import jobs
from engagements.organisation.models import Prefecture

from .models import RecomputeRun
from .periods import FIRST_YEAR, Period

JOB = "engagements.indicators.jobs.run_recompute"


def periods_of(days, *, today: date) -> list[Period]:
    """The month, quarter and year holding each day (not before 2000, not in the future)."""
    periods: dict[str, Period] = {}
    for day in sorted(days):
        if day.year < FIRST_YEAR or day > today:
            continue
        for period in (
            Period.month(day.year, day.month),
            Period.quarter(day.year, (day.month - 1) // 3 + 1),
            Period.year(day.year),
        ):
            periods.setdefault(period.code, period)
    return _ordered(periods.values())


def _ordered(periods) -> list[Period]:
    order = {"year": 0, "quarter": 1, "month": 2}
    return sorted(periods, key=lambda p: (-p.start.year, order[p.kind], p.start))


def _summary(periods: list[Period]) -> list[str]:
    """The periods' labels, a whole year (itself, its 4 quarters and 12 months: what an
    import of the year asks) said in one phrase rather than 17 labels."""
    by_year: dict[int, list[Period]] = {}
    for period in periods:
        by_year.setdefault(period.start.year, []).append(period)
    labels = []
    for year, own in by_year.items():
        kinds = [period.kind for period in own]
        if (kinds.count("year"), kinds.count("quarter"), kinds.count("month")) == (1, 4, 12):
            labels.append(f"{year} (l'année, ses trimestres et ses mois)")
        else:
            labels.extend(period.label() for period in own)
    return labels


def request_recompute(prefecture: Prefecture, periods: list[Period]) -> RecomputeRun | None:
    """Queue a recompute of these periods (merged into the prefecture's waiting run if there
    is one), run by a job once the caller's transaction commits."""
    codes = [p.code for p in periods]
    if not codes:
        return None
    with transaction.atomic():
        # skip_locked: a write that touches figures never waits for another one's run (it
        # queues its own); the worker's claim waits for the merge to commit.
        run = (
            RecomputeRun.objects.select_for_update(
                skip_locked=connection.features.has_select_for_update_skip_locked
            )
            .filter(prefecture=prefecture, status=RecomputeRun.Status.QUEUED)
            .first()
        )
        if run is not None:
            merged = list(dict.fromkeys([*run.periods, *codes]))
            if merged != run.periods:
                run.periods = merged
                run.save(update_fields=["periods"])
            return run
        run = RecomputeRun.objects.create(prefecture=prefecture, periods=codes)
        jobs.enqueue(JOB, run.pk)
    return run


def on_period_touched(prefecture: Prefecture, days: set[date]) -> None:
    """The `period_touched` hook: queue the periods holding the days written."""
    request_recompute(prefecture, periods_of(days, today=timezone.localdate()))


def run(run_pk: int) -> int:
    """The job: claim the run (one worker only), recompute its periods, mark it done."""
    from . import services

    claimed = RecomputeRun.objects.filter(pk=run_pk, status=RecomputeRun.Status.QUEUED).update(
        status=RecomputeRun.Status.RUNNING, started_at=timezone.now()
    )
    if claimed != 1:
        return 0
    job = RecomputeRun.objects.select_related("prefecture").get(pk=run_pk)
    try:
        periods = [Period._parse(code) for code in job.periods]
        rows = services.recompute_values(job.prefecture, periods)
    except Exception:
        RecomputeRun.objects.filter(pk=run_pk).update(
            status=RecomputeRun.Status.FAILED, finished_at=timezone.now()
        )
        raise
    RecomputeRun.objects.filter(pk=run_pk).update(
        status=RecomputeRun.Status.DONE, finished_at=timezone.now(), rows=rows
    )
    return rows


def purge_finished(*, days: int = 30) -> int:
    """Daily housekeeping: forget the runs finished more than `days` days ago."""
    from datetime import timedelta

    limit = timezone.now() - timedelta(days=days)
    deleted, _ = RecomputeRun.objects.filter(
        status__in=[RecomputeRun.Status.DONE, RecomputeRun.Status.FAILED],
        finished_at__lt=limit,
    ).delete()
    return deleted


def recomputing_slot(request, prefecture, **options) -> str:
    """The "recompute-status" page slot: the periods being recomputed, for a lower page
    (an imports page) that wants to say so without importing this app ("" when none)."""
    from django.template.loader import render_to_string

    runs = in_progress(prefecture)
    if not runs:
        return ""
    return render_to_string(
        "indicators/agents/_recomputing.html", {"recomputing": runs}, request=request
    )


def in_progress(prefecture: Prefecture) -> list[dict]:
    """The runs waiting or running, with their periods' labels (for the dashboard)."""
    result = []
    for job in RecomputeRun.objects.filter(
        prefecture=prefecture,
        status__in=[RecomputeRun.Status.QUEUED, RecomputeRun.Status.RUNNING],
    ).order_by("requested_at"):
        periods = _ordered(Period._parse(code) for code in job.periods)
        result.append(
            {
                "status": job.get_status_display(),
                "requested_at": job.requested_at,
                "periods": _summary(periods),
            }
        )
    return result

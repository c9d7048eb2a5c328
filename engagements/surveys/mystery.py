"""Writes on mystery checks: planning, recording a grid, cancelling (their follow-up actions
are quality actions, created from a failed criterion through the quality app)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from engagements import states
from engagements.organisation.models import Prefecture, Service

from .enums import CHECK_TRANSITIONS, CheckStatus
from .models import CheckLog, CheckResult, Grid, GridCriterion, MysteryCheck
from .queries import check_score


class MysteryCheckError(Exception):
    """A refusal with a French message that can be shown to the user."""


_CHECK_RULES = {"table": CHECK_TRANSITIONS, "subject": "Ce contrôle", "error": MysteryCheckError}


def create_grid(prefecture: Prefecture, *, kind: str, name: str, criteria: list[str]) -> Grid:
    """A check grid and its criteria, in the order given (one write, or none)."""
    if not criteria:
        raise MysteryCheckError("Une grille doit avoir au moins un critère.")
    with transaction.atomic():
        grid = Grid.objects.create(prefecture=prefecture, kind=kind, name=name)
        GridCriterion.objects.bulk_create(
            GridCriterion(grid=grid, position=position, label=label)
            for position, label in enumerate(criteria)
        )
    return grid


def plan_check(
    prefecture: Prefecture,
    *,
    actor,
    service: Service,
    grid: Grid,
    checker_prefecture: Prefecture,
    planned_on: date,
) -> MysteryCheck:
    """Plan a check of one of the prefecture's services, by itself or another prefecture."""
    if service.site.prefecture_id != prefecture.pk or grid.prefecture_id != prefecture.pk:
        raise MysteryCheckError("Le service et la grille doivent appartenir à la préfecture.")
    with transaction.atomic():
        check = MysteryCheck.objects.create(
            prefecture=prefecture,
            service=service,
            grid=grid,
            checker_prefecture=checker_prefecture,
            planned_on=planned_on,
        )
        CheckLog.objects.create(
            check_run=check, from_status="", to_status=CheckStatus.PLANNED, actor=actor
        )
    return check


def record_check(
    check: MysteryCheck, *, actor, results: dict[int, tuple[bool | None, str]]
) -> MysteryCheck:
    """Fill in the grid of a planned check (criterion id → (met, note)) and score it."""
    criteria = {c.pk: c for c in check.grid.criteria.all()}
    if set(results) != set(criteria):
        raise MysteryCheckError("Renseignez chaque critère de la grille.")
    if all(passed is None for passed, _ in results.values()):
        raise MysteryCheckError("Au moins un critère doit être évalué.")
    with transaction.atomic():
        check = MysteryCheck.objects.select_for_update().get(pk=check.pk)
        states.check(check, CheckStatus.DONE, **_CHECK_RULES)
        CheckResult.objects.bulk_create(
            CheckResult(check_run=check, criterion=criteria[pk], passed=passed, note=note[:500])
            for pk, (passed, note) in results.items()
        )
        check.performed_at = timezone.now()
        check.performed_by = actor
        check.score = check_score(check)
        states.transition(
            check,
            CheckStatus.DONE,
            **_CHECK_RULES,
            actor=actor,
            log_model=CheckLog,
            update_fields=["performed_at", "performed_by", "score"],
            check_run=check,
        )
    return check


def cancel_check(check: MysteryCheck, *, actor) -> MysteryCheck:
    """Cancel a planned check."""
    with transaction.atomic():
        check = MysteryCheck.objects.select_for_update().get(pk=check.pk)
        states.transition(
            check,
            CheckStatus.CANCELLED,
            **_CHECK_RULES,
            actor=actor,
            log_model=CheckLog,
            check_run=check,
        )
    return check

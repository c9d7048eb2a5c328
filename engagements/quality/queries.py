"""Read-side of the quality app: the action plan report, audit calendar, attainment rates."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from engagements.organisation.models import Prefecture, Site

from . import sources
from .enums import AUDIT_KINDS, AssessmentStatus, ResultValue, SourceKind, StatusCode
from .models import Action, Assessment, CommitmentResult, Experience, Finding


def report_actions(prefecture: Prefecture, year: int, site: Site | None = None):
    actions = Action.objects.filter(prefecture=prefecture, plan__year=year)
    if site is not None:
        actions = actions.filter(plan__site=site)
    return actions


def action_plan_report(
    prefecture: Prefecture, year: int, *, site: Site | None = None, at: date | None = None
) -> dict:
    """`{"total", "by_status", "late", "done_on_time", "done_rate", "by_source"}` (contract).

    Every action of the year's plans counts once (sub-actions too), by its status's code;
    late: due before `at` and neither done nor abandoned; done on time: done and closed on
    or before its due date; done_rate: done / (total − abandoned) in %, one decimal.
    """
    at = at or timezone.localdate()
    rows = list(
        report_actions(prefecture, year, site).values_list(
            "status__base", "due_on", "closed_on", "source_kind"
        )
    )
    by_status = Counter({code: 0 for code in StatusCode.values})
    by_source = Counter({kind: 0 for kind in SourceKind.values})
    late = done_on_time = 0
    for base, due_on, closed_on, source_kind in rows:
        by_status[base] += 1
        by_source[source_kind] += 1
        closed = base in (StatusCode.DONE, StatusCode.ABANDONED)
        if due_on and due_on < at and not closed:
            late += 1
        if base == StatusCode.DONE and due_on and closed_on and closed_on <= due_on:
            done_on_time += 1
    total = len(rows)
    counted = total - by_status[StatusCode.ABANDONED]
    done_rate = round(100 * by_status[StatusCode.DONE] / counted, 1) if counted else None
    return {
        "total": total,
        "by_status": {code: by_status[code] for code in StatusCode.values},
        "late": late,
        "done_on_time": done_on_time,
        "done_rate": done_rate,
        "by_source": {kind: by_source[kind] for kind in SourceKind.values},
    }


def late_actions(prefecture: Prefecture, today: date | None = None):
    today = today or timezone.localdate()
    return Action.objects.filter(prefecture=prefecture, due_on__lt=today).exclude(
        status__base__in=[StatusCode.DONE, StatusCode.ABANDONED]
    )


def next_audit_date(prefecture: Prefecture) -> date | None:
    """Date of the next planned audit (internal or external) of the prefecture, or None."""
    return (
        Assessment.objects.filter(
            prefecture=prefecture,
            kind__in=list(AUDIT_KINDS),
            planned_on__gte=timezone.localdate(),
        )
        .exclude(status=AssessmentStatus.DONE)
        .order_by("planned_on")
        .values_list("planned_on", flat=True)
        .first()
    )


def attainment_by_module(assessment: Assessment) -> list[dict]:
    """Per module: commitments assessed, compliant (partly counts half), rate in %.

    Not applicable commitments and those without a result are left out of the rate.
    """
    rows = (
        CommitmentResult.objects.filter(assessment=assessment)
        .values("commitment__module__number", "commitment__module__title")
        .annotate(
            total=Count("pk"),
            compliant=Count("pk", filter=Q(result=ResultValue.COMPLIANT)),
            partly=Count("pk", filter=Q(result=ResultValue.PARTLY)),
            not_compliant=Count("pk", filter=Q(result=ResultValue.NOT_COMPLIANT)),
        )
        .order_by("commitment__module__number")
    )
    out = []
    for row in rows:
        assessed = row["compliant"] + row["partly"] + row["not_compliant"]
        rate = (
            round(100 * (row["compliant"] + row["partly"] / 2) / assessed, 1) if assessed else None
        )
        out.append(
            {
                "number": row["commitment__module__number"],
                "title": row["commitment__module__title"],
                "total": row["total"],
                "assessed": assessed,
                "compliant": row["compliant"],
                "partly": row["partly"],
                "not_compliant": row["not_compliant"],
                "rate": rate,
            }
        )
    return out


def experience_figures(prefecture: Prefecture, year: int | None = None) -> dict:
    """SP+ experiences: count, answered, answered within the SP+ deadline, mean delay."""
    from engagements.calendar.workdays import SiteCalendars

    experiences = Experience.objects.filter(prefecture=prefecture).select_related("site")
    if year:
        experiences = experiences.filter(published_on__year=year)
    deadline = prefecture.deadline_sp_plus
    total = answered = on_time = 0
    delays = []
    calendars = SiteCalendars(prefecture)  # the closures read once for all the sites
    for experience in experiences:
        total += 1
        if not experience.first_answer_on:
            continue
        answered += 1
        key = experience.site_id
        days = calendars[key].working_days_between(
            experience.published_on, experience.first_answer_on
        )
        delays.append(days)
        if days <= deadline:
            on_time += 1
    return {
        "total": total,
        "answered": answered,
        "answered_on_time": on_time,
        "on_time_rate": round(100 * on_time / total, 1) if total else None,
        "average_delay": round(sum(delays) / len(delays), 1) if delays else None,
        "deadline": deadline,
    }


def actions_by_source(records) -> dict[int, list[Action]]:
    """{record pk: its actions} for records of one model (source screens show their actions)."""
    from django.contrib.contenttypes.models import ContentType

    records = list(records)
    if not records:
        return {}
    content_type = ContentType.objects.get_for_model(records[0])
    out: dict[int, list[Action]] = {}
    for action in Action.objects.filter(
        source_type=content_type, source_id__in=[r.pk for r in records]
    ).select_related("status"):
        out.setdefault(action.source_id, []).append(action)
    return out


def source_in(raw: str, prefecture) -> tuple[object, sources.SourceInfo]:
    """The record named `app_label.model:pk` and its description, when it belongs to the
    prefecture (else sources.SourceNotFound)."""
    source = sources.parse(raw)
    info = sources.describe(source)
    if info.prefecture_id != prefecture.pk:
        raise sources.SourceNotFound(raw)
    return source, info


def plan_rows(actions, today: date) -> list[dict]:
    """The printable plan's lines (`actions` scoped and ordered by the caller, with their
    status, site, service, owner and parent): each action with its engagement when it
    comes from a finding on one (an audit's or a self-assessment's), else its theme (its
    origin), and whether it is late. One query more, whatever the number of actions."""
    from django.contrib.contenttypes.models import ContentType

    actions = list(actions)
    finding_type = ContentType.objects.get_for_model(Finding)
    commitments = {
        finding.pk: finding.commitment
        for finding in Finding.objects.filter(
            pk__in=[a.source_id for a in actions if a.source_type_id == finding_type.pk],
            commitment__isnull=False,
        ).select_related("commitment")
    }
    rows = []
    for action in actions:
        commitment = (
            commitments.get(action.source_id) if action.source_type_id == finding_type.pk else None
        )
        rows.append(
            {
                "action": action,
                "commitment": commitment,
                "theme": action.get_source_kind_display(),
                "late": action.is_late(today),
            }
        )
    return rows

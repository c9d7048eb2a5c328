"""The year's obligations of the label cycle, computed from the records already held
(issue 22): the "Calendrier qualité" page and the late ones on the référent's home.

Per labelled site (a current label, valid or expiring, on any module):
- a satisfaction survey with answers each year (a yearly campaign ending that year);
- at least one mystery check carried out each year;
- per labelled module, one self-assessment before its planned audit (in the 12 months
  before it) that covers that module: results on that module's commitments, or the SP+
  diagnostic (not split into modules);
- the renewal audit planned before the label's end (late once the label expires within
  180 days without it).
Scope per service: when services of a site are in the scope of its labelled modules, only
their answers and mystery checks count (answers given for the site as a whole count too);
a site with no service in those modules' scope counts as a whole.
Per service in module 2's scope (titles): a fraud referent named, and a fraud training
session each year. Per item of the year's training plan: a session of that topic at that
service during the year.
For the prefecture: at least one users' committee meeting held each year, and one in the
90 days before each planned audit (meetings read through engagements.shell.label_cycle).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import NoReverseMatch, reverse

from engagements.organisation.models import Prefecture, Service
from engagements.shell import label_cycle
from engagements.surveys import queries as survey_queries
from engagements.surveys.enums import CheckStatus

from .cycle_enums import LabelStatus
from .enums import AssessmentKind, AssessmentStatus
from .labels import current_labels, current_labels_by_prefecture
from .models import Assessment, CommitmentResult, CriterionResult, TrainingSession
from .referential import is_labelling
from .service_scopes import (
    module_services,
    module_services_by_prefecture,
    plan_coverage,
    plan_lines_by_prefecture,
    titles_services,
    titles_services_by_prefecture,
)

DONE, DUE, LATE = "done", "due", "late"
STATE_LABELS = {DONE: "Fait", DUE: "À faire", LATE: "En retard"}


@dataclass(frozen=True)
class Obligation:
    site: object
    title: str
    deadline: date | None
    state: str
    done_on: date | None = None
    url: str = ""
    action: str = ""
    # The obligation is met by planning (the renewal audit): `done_on` is the planned day,
    # often to come, shown as "prévu le …" rather than as the day it was done.
    planned: bool = False
    # What the user needs to open `url` (the committee's meetings are the référent's).
    capability: str = "read_figures"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def _state(done: bool, deadline: date | None, today: date) -> str:
    if done:
        return DONE
    if deadline is not None and today > deadline:
        return LATE
    return DUE


@dataclass
class _Records:
    """What one prefecture's obligations of a year are computed from (read by
    `year_obligations` for one prefecture, by `year_obligations_by_prefecture` for many in
    a fixed number of queries)."""

    labelled: dict
    answered: dict[int, set]
    checks: list[tuple[int, int, date]]
    scoped: dict[tuple[int, int], set[int]]
    assessments: list[tuple[int, date, set | None]]
    fraud_trained: set[int]
    titles: list
    plan_lines: list
    meetings: Callable[[date, date], list[tuple[date, bool]] | None]


def year_obligations(
    prefecture: Prefecture, year: int, *, today: date, sites=None
) -> list[Obligation]:
    """Every obligation of the year for the labelled sites (in `sites` when given)."""
    at = min(today, date(year, 12, 31))
    checks = survey_queries.year_checks(prefecture, year).filter(status=CheckStatus.DONE)
    fraud = TrainingSession.objects.filter(prefecture=prefecture, date__year=year, topic="fraude")
    services = None if sites is None else Service.objects.filter(site__in=sites)
    records = _Records(
        labelled=current_labels(prefecture, at, sites=sites),
        answered=survey_queries.yearly_answer_services(prefecture, year),
        checks=_done_checks(checks.select_related("service")),
        scoped=module_services(prefecture),
        assessments=self_assessment_modules(prefecture),
        fraud_trained=set(fraud.values_list("service_id", flat=True)),
        titles=titles_services(prefecture, sites=sites),
        plan_lines=plan_coverage(prefecture, year, services=services)["lines"],
        meetings=lambda start, end: label_cycle.meeting_days(prefecture, start, end),
    )
    return _obligations(prefecture, year, today, records)


def year_obligations_by_prefecture(
    prefectures: list[Prefecture], year: int, *, today: date
) -> dict[int, list[Obligation]]:
    """`year_obligations` of every prefecture given (all their sites), by pk, in a fixed
    number of queries whatever their number (the national overview)."""
    at = min(today, date(year, 12, 31))
    labelled = current_labels_by_prefecture(prefectures, at)
    answered = survey_queries.yearly_answer_services_by_prefecture(prefectures, year)
    checks: dict[int, list] = {}
    done = survey_queries.year_checks_of(prefectures, year).filter(status=CheckStatus.DONE)
    for check in done.select_related("service").order_by("pk"):
        checks.setdefault(check.prefecture_id, []).append(check)
    scoped = module_services_by_prefecture(prefectures)
    assessments = self_assessment_modules_by_prefecture(prefectures)
    fraud: dict[int, set[int]] = {}
    for prefecture_id, service_id in TrainingSession.objects.filter(
        prefecture__in=prefectures, date__year=year, topic="fraude"
    ).values_list("prefecture_id", "service_id"):
        fraud.setdefault(prefecture_id, set()).add(service_id)
    titles = titles_services_by_prefecture(prefectures)
    plans = plan_lines_by_prefecture(prefectures, year)
    # The committee's meetings over the widest window any prefecture asks (its audits are
    # in the year: at most 90 days before 1 January), each filtered to its own window.
    first, last = date(year, 1, 1) - timedelta(days=90), date(year, 12, 31)
    meetings = label_cycle.meeting_days_by_prefecture(prefectures, first, last)

    def meetings_of(pk: int):
        if meetings is None:
            return lambda start, end: None
        days = meetings.get(pk, [])
        return lambda start, end: [(d, held) for d, held in days if start <= d <= end]

    return {
        prefecture.pk: _obligations(
            prefecture,
            year,
            today,
            _Records(
                labelled=labelled.get(prefecture.pk, {}),
                answered=answered.get(prefecture.pk, {}),
                checks=_done_checks(checks.get(prefecture.pk, [])),
                scoped=scoped.get(prefecture.pk, {}),
                assessments=assessments.get(prefecture.pk, []),
                fraud_trained=fraud.get(prefecture.pk, set()),
                titles=titles.get(prefecture.pk, []),
                plan_lines=plans.get(prefecture.pk, []),
                meetings=meetings_of(prefecture.pk),
            ),
        )
        for prefecture in prefectures
    }


def _done_checks(checks) -> list[tuple[int, int, date]]:
    """(site pk, service pk, day) of each mystery check carried out (`checks`: done ones,
    with their service)."""
    out = []
    for check in checks:
        on = check.performed_at.date() if check.performed_at else check.planned_on
        out.append((check.service.site_id, check.service_id, on))
    return out


def _obligations(prefecture: Prefecture, year: int, today: date, records: _Records):
    end_of_year = date(year, 12, 31)
    labelled = records.labelled
    slug = prefecture.slug
    out: list[Obligation] = []
    answered = records.answered
    checks = records.checks
    scoped = records.scoped
    assessments = records.assessments
    for site, currents in labelled.items():
        currents = [c for c in currents if c.status != LabelStatus.EXPIRED]
        if not currents:
            continue
        in_scope = set().union(*(scoped.get((site.pk, c.label.module), set()) for c in currents))

        def counts(service_id, in_scope=in_scope) -> bool:
            return not in_scope or service_id is None or service_id in in_scope

        surveyed = any(counts(pk) for pk in answered.get(site.pk, ()))
        checked = [on for site_pk, pk, on in checks if site_pk == site.pk and counts(pk)]
        checked_on = max(checked) if checked else None
        out.append(
            Obligation(
                site,
                "Enquête de satisfaction avec des réponses",
                end_of_year,
                _state(surveyed, end_of_year, today),
                url=reverse("surveys:agents-campaigns", args=[slug]),
                action="Voir les enquêtes",
            )
        )
        out.append(
            Obligation(
                site,
                "Au moins un contrôle mystère réalisé",
                end_of_year,
                _state(checked_on is not None, end_of_year, today),
                done_on=checked_on,
                url=reverse("surveys:agents-checks", args=[slug]),
                action="Voir les contrôles",
            )
        )
        for current in currents:
            label = current.label
            audit_on = label.next_audit_on
            if audit_on is not None and audit_on.year == year:
                before = [
                    on
                    for site_pk, on, modules in assessments
                    if site_pk == site.pk
                    and audit_on - timedelta(days=365) <= on <= audit_on
                    and (modules is None or label.module in modules)
                ]
                out.append(
                    Obligation(
                        site,
                        f"Autoévaluation du module {label.module} avant l'audit du "
                        f"{audit_on:%d/%m/%Y}",
                        audit_on,
                        _state(bool(before), audit_on, today),
                        done_on=max(before) if before else None,
                        url=reverse("quality:agents-assessments", args=[slug]),
                        action="Planifier une autoévaluation",
                    )
                )
            if label.valid_until.year <= year + 1:
                planned = audit_on is not None and audit_on <= label.valid_until
                deadline = label.valid_until - timedelta(days=180)
                out.append(
                    Obligation(
                        site,
                        f"Audit de renouvellement du module {label.module} "
                        f"({label.get_label_display()}, valable jusqu'au "
                        f"{label.valid_until:%d/%m/%Y})",
                        deadline,
                        _state(planned, deadline, today),
                        done_on=audit_on if planned else None,
                        planned=True,
                        url=reverse("quality:agents-labels", args=[slug]),
                        action="Renseigner l'audit",
                    )
                )
    fraud_trained = records.fraud_trained
    scopes_url = reverse("quality:agents-service-scopes", args=[slug])
    trainings_url = reverse("quality:agents-trainings", args=[slug])
    for scope in records.titles:
        service = scope.service
        out.append(
            Obligation(
                service.site,
                f"Référent fraude désigné pour {service.with_article}",
                None,
                DONE if scope.fraud_referent_id else LATE,
                url=scopes_url,
                action="Désigner le référent",
            )
        )
        out.append(
            Obligation(
                service.site,
                f"Formation à la lutte contre la fraude pour {service.with_article}",
                end_of_year,
                _state(service.pk in fraud_trained, end_of_year, today),
                url=trainings_url,
                action="Enregistrer une session",
            )
        )
    for line in records.plan_lines:
        item = line.item
        out.append(
            Obligation(
                item.service.site,
                f"Formation prévue au plan ({item.get_topic_display().lower()}) pour "
                f"{item.service.with_article}",
                end_of_year,
                _state(line.covered, end_of_year, today),
                url=trainings_url,
                action="Enregistrer une session",
            )
        )
    out.extend(_committee_obligations(prefecture, year, today, labelled, records.meetings))
    return sorted(
        out,
        key=lambda o: (
            {LATE: 0, DUE: 1, DONE: 2}[o.state],
            o.deadline or date.max,
            o.site.position if o.site else -1,
            o.site.name if o.site else "",
            o.title,
        ),
    )


def self_assessment_modules(prefecture: Prefecture) -> list[tuple[int, date, set | None]]:
    """Each self-assessment as (site pk, date, the module numbers it covers): a labelling
    referential's covers the modules of the commitments it has results on; the SP+
    diagnostic (not split into modules) covers every module (None) once it has a
    result or is finished."""
    return self_assessment_modules_by_prefecture([prefecture]).get(prefecture.pk, [])


def self_assessment_modules_by_prefecture(
    prefectures,
) -> dict[int, list[tuple[int, date, set | None]]]:
    """`self_assessment_modules` of many prefectures in three queries, by prefecture pk."""
    rows = list(
        Assessment.objects.filter(prefecture__in=prefectures, kind=AssessmentKind.SELF)
        .select_related("referential")
        .order_by("pk")
    )
    covered: dict[int, set[int]] = {}
    for assessment_id, number in (
        CommitmentResult.objects.filter(assessment__in=rows)
        .exclude(result="")
        .values_list("assessment_id", "commitment__module__number")
    ):
        covered.setdefault(assessment_id, set()).add(number)
    for assessment_id, number in CriterionResult.objects.filter(assessment__in=rows).values_list(
        "assessment_id", "commitment__module__number"
    ):
        covered.setdefault(assessment_id, set()).add(number)
    out: dict[int, list[tuple[int, date, set | None]]] = {}
    for assessment in rows:
        modules = covered.get(assessment.pk, set())
        if is_labelling(assessment.referential):
            out.setdefault(assessment.prefecture_id, []).append(
                (assessment.site_id, assessment.planned_on, modules)
            )
        elif modules or assessment.status == AssessmentStatus.DONE:
            out.setdefault(assessment.prefecture_id, []).append(
                (assessment.site_id, assessment.planned_on, None)
            )
    return out


def _committee_obligations(
    prefecture, year: int, today: date, labelled, meeting_days
) -> list[Obligation]:
    audits = sorted(
        {
            c.label.next_audit_on
            for currents in labelled.values()
            for c in currents
            if c.status != LabelStatus.EXPIRED
            and c.label.next_audit_on
            and c.label.next_audit_on.year == year
        }
    )
    if not labelled:
        return []
    start, end = date(year, 1, 1), date(year, 12, 31)
    meetings = meeting_days(min([start, *[a - timedelta(days=90) for a in audits]]), end)
    if meetings is None:
        return []  # no committee app installed
    try:
        url = reverse("committee:agents-meetings", args=[prefecture.slug])
    except NoReverseMatch:
        url = ""
    held_in_year = [day for day, held in meetings if held and start <= day <= end]
    out = [
        Obligation(
            None,
            "Au moins une réunion du comité des usagers tenue dans l'année",
            end,
            _state(bool(held_in_year), end, today),
            done_on=held_in_year[0] if held_in_year else None,
            url=url,
            action="Voir les réunions",
            capability="manage",
        )
    ]
    for audit_on in audits:
        before = [
            day
            for day, held in meetings
            if held and audit_on - timedelta(days=90) <= day < audit_on
        ]
        out.append(
            Obligation(
                None,
                f"Réunion du comité dans les 90 jours avant l'audit du {audit_on:%d/%m/%Y}",
                audit_on,
                _state(bool(before), audit_on, today),
                done_on=before[-1] if before else None,
                url=url,
                action="Voir les réunions",
                capability="manage",
            )
        )
    return out

"""The SP+ diagnostic and any self-assessment, scored per commitment (issue 22).

Criterion results score `oui` 1, `partiel` 0.5, `non` 0; `sans_objet` is left out. The rate
of a commitment, a site or the whole is 100 × the mean score of its scored criteria, one
decimal, rounded half up (61.25 → 61.3, where Python's round() would give 61.2). An
assessment recorded per commitment only (the older screens) is scored the same way, each
commitment result standing for one criterion.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from engagements.csvio import read_csv
from engagements.db import analyze
from engagements.organisation.models import Prefecture, Site

from .cycle_enums import CRITERION_SCORES, CriterionValue
from .enums import AssessmentKind, AssessmentStatus, ResultValue
from .models import Assessment, Commitment, CommitmentResult, CriterionResult, Referential

RESULT_COLUMNS = ["site", "commitment", "criterion", "result"]
# Results of the per-commitment screens, read as one criterion each.
COMMITMENT_SCORES = {
    ResultValue.COMPLIANT: Decimal(1),
    ResultValue.PARTLY: Decimal("0.5"),
    ResultValue.NOT_COMPLIANT: Decimal(0),
}


class DiagnosticError(Exception):
    """A referential or a year refused (message in French)."""


def rate(scores: list[Decimal]) -> float | None:
    """100 × the mean score, one decimal, half up; None when nothing is scored."""
    if not scores:
        return None
    value = (Decimal(100) * sum(scores, Decimal(0)) / len(scores)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return float(value)


def referential_for(code: str) -> Referential:
    """The latest imported version of the referential with this code (DiagnosticError)."""
    found = Referential.objects.filter(code=code).order_by("-imported_at", "-pk").first()
    if found is None:
        raise DiagnosticError(f"Référentiel « {code} » inconnu : importez-le d'abord.")
    return found


def _year_assessments(prefecture: Prefecture, code: str, year: int, sites=None):
    """Self-assessments of that year and referential, those with criteria first."""
    qs = Assessment.objects.filter(
        prefecture=prefecture,
        referential__code=code,
        kind=AssessmentKind.SELF,
        planned_on__year=year,
    ).annotate(has_criteria=Exists(CriterionResult.objects.filter(assessment=OuterRef("pk"))))
    if sites is not None:
        qs = qs.filter(site__in=sites)
    return qs.order_by("-has_criteria", "-planned_on", "-pk")


def year_assessment_by_site(prefecture, code: str, year: int, sites=None) -> dict[int, Assessment]:
    """The one self-assessment that counts per site that year (with criteria, the latest)."""
    chosen: dict[int, Assessment] = {}
    for assessment in _year_assessments(prefecture, code, year, sites).select_related("site"):
        chosen.setdefault(assessment.site_id, assessment)
    return chosen


def _assessment_date(year: int) -> date:
    today = timezone.localdate()
    if today.year == year:
        return today
    return date(year, 12, 31) if year < today.year else date(year, 1, 1)


def import_assessment_results(
    prefecture: Prefecture, code: str, year: int, data: bytes | str
) -> dict[str, int]:
    """Create or replace that year's self-assessment of the referential for the file's sites
    (criteria not in the file are removed); all or nothing (CsvImportError)."""
    if not 2000 <= year <= 2100:
        raise DiagnosticError(f"Année {year} hors de la plage 2000–2100.")
    referential = referential_for(code)
    table = read_csv(data, required=RESULT_COLUMNS)
    sites = {s.slug: s for s in Site.objects.filter(prefecture=prefecture)}
    commitments: dict[str, Commitment] = {}
    for commitment in Commitment.objects.filter(module__referential=referential):
        commitments.setdefault(commitment.ref, commitment)
    results = {value: value for value in CriterionValue.values}
    results["sans objet"] = CriterionValue.NOT_APPLICABLE.value  # as people write it
    wanted: dict[int, dict[tuple[int, str], str]] = defaultdict(dict)
    site_objects: dict[int, Site] = {}
    seen: dict[tuple, tuple[int, tuple[str, str]]] = {}
    for row in table:
        site = row.choice("site", sites, label="site")
        commitment = row.choice("commitment", commitments, label="engagement")
        criterion = row.text("criterion", required=True, max_length=200)
        result = row.choice("result", results, label="résultat")
        if not row.ok:
            continue
        key = (site.pk, commitment.pk, criterion.casefold())
        if key in seen:  # one line per criterion, as every import with a key (issue 20)
            row.error("criterion", f"critère déjà présent ligne {seen[key][0]} pour cet engagement")
            continue
        seen[key] = (row.line, (criterion, result))
        site_objects[site.pk] = site
        wanted[site.pk][(commitment.pk, criterion)] = result
    table.raise_errors()
    counts = {"assessments_created": 0, "created": 0, "updated": 0, "deleted": 0}
    with transaction.atomic():
        analyze(CommitmentResult, CriterionResult)  # fresh statistics once committed
        existing = year_assessment_by_site(
            prefecture, code, year, sites=list(site_objects.values())
        )
        for site_pk, rows in wanted.items():
            assessment = existing.get(site_pk)
            if assessment is None:
                assessment = Assessment.objects.create(
                    prefecture=prefecture,
                    site=site_objects[site_pk],
                    referential=referential,
                    kind=AssessmentKind.SELF,
                    planned_on=_assessment_date(year),
                    status=AssessmentStatus.DONE,
                    summary=f"Autoévaluation {year} importée (résultats par critère).",
                )
                counts["assessments_created"] += 1
            held = {(c.commitment_id, c.criterion): c for c in assessment.criteria.all()}
            for key, result in rows.items():
                current = held.pop(key, None)
                if current is None:
                    CriterionResult.objects.create(
                        assessment=assessment, commitment_id=key[0], criterion=key[1], result=result
                    )
                    counts["created"] += 1
                elif current.result != result:
                    current.result = result
                    current.save(update_fields=["result"])
                    counts["updated"] += 1
            if held:
                CriterionResult.objects.filter(pk__in=[c.pk for c in held.values()]).delete()
                counts["deleted"] += len(held)
    return counts


@dataclass
class Scores:
    """Scores gathered per commitment, per site and per (commitment, site)."""

    all: list[Decimal] = field(default_factory=list)
    by_commitment: dict[Commitment, list[Decimal]] = field(default_factory=dict)
    by_site: dict[Site, list[Decimal]] = field(default_factory=dict)
    by_cell: dict[tuple[int, int], list[Decimal]] = field(default_factory=dict)
    assessments: dict[int, Assessment] = field(default_factory=dict)

    def add(self, commitment: Commitment, site: Site, score: Decimal) -> None:
        self.all.append(score)
        self.by_commitment.setdefault(commitment, []).append(score)
        self.by_site.setdefault(site, []).append(score)
        self.by_cell.setdefault((commitment.pk, site.pk), []).append(score)


def year_scores(prefecture: Prefecture, code: str, year: int, sites=None) -> Scores:
    """Every scored criterion of that year's self-assessment of each site."""
    chosen = year_assessment_by_site(prefecture, code, year, sites)
    scores = Scores(assessments=chosen)
    with_criteria = [a for a in chosen.values() if a.has_criteria]
    per_commitment = [a for a in chosen.values() if not a.has_criteria]
    site_of = {a.pk: a.site for a in chosen.values()}
    criteria = CriterionResult.objects.filter(assessment__in=with_criteria).select_related(
        "commitment__module"
    )
    for row in criteria:
        score = CRITERION_SCORES.get(row.result)
        if score is not None:
            scores.add(row.commitment, site_of[row.assessment_id], score)
    older = CommitmentResult.objects.filter(assessment__in=per_commitment).select_related(
        "commitment__module"
    )
    for row in older:
        score = COMMITMENT_SCORES.get(row.result)
        if score is not None:
            scores.add(row.commitment, site_of[row.assessment_id], score)
    return scores


def _commitment_order(commitment: Commitment):
    return (commitment.module.number, commitment.position, commitment.pk)


def _site_order(site: Site):
    return (site.position, site.name, site.pk)


def assessment_report(prefecture: Prefecture, code: str, year: int) -> dict:
    """The `assessment_report` contract: average, by commitment ref, by site slug."""
    referential_for(code)
    scores = year_scores(prefecture, code, year)
    by_commitment: dict[str, float | None] = {}
    for commitment in sorted(scores.by_commitment, key=_commitment_order):
        # Two versions may share a ref: their criteria count together.
        merged = [
            s
            for c, values in scores.by_commitment.items()
            if c.ref == commitment.ref
            for s in values
        ]
        by_commitment.setdefault(commitment.ref, rate(merged))
    return {
        "average": rate(scores.all),
        "by_commitment": by_commitment,
        "by_site": {
            site.slug: rate(scores.by_site[site])
            for site in sorted(scores.by_site, key=_site_order)
        },
    }


def diagnostic_grid(prefecture: Prefecture, code: str, year: int, sites=None) -> dict:
    """Rates per commitment × site for the agents' page (rows: commitments; columns: sites)."""
    scores = year_scores(prefecture, code, year, sites)
    columns = sorted(scores.by_site, key=_site_order)
    rows = []
    for commitment in sorted(scores.by_commitment, key=_commitment_order):
        rows.append(
            {
                "commitment": commitment,
                "cells": [rate(scores.by_cell.get((commitment.pk, s.pk), [])) for s in columns],
                "rate": rate(scores.by_commitment[commitment]),
            }
        )
    return {
        "sites": columns,
        "assessments": [scores.assessments.get(s.pk) for s in columns],
        "site_rates": [rate(scores.by_site[s]) for s in columns],
        "rows": rows,
        "average": rate(scores.all),
    }

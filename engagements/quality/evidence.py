"""Writes on assessments: results per commitment, findings, evidence; the evidence pack."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from engagements.csvio import to_csv_text
from engagements.organisation.models import Site

from .enums import AssessmentStatus
from .models import (
    Assessment,
    Commitment,
    CommitmentResult,
    Evidence,
    EvidenceVersion,
    Finding,
    Referential,
    SiteScope,
)

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


class AssessmentError(Exception):
    """A write on an assessment refused (message in French)."""


def commitments_in_scope(site: Site, referential: Referential):
    """The commitments of the site's modules in scope (the mandatory ones when none chosen)."""
    modules = SiteScope.objects.filter(site=site, module__referential=referential).values(
        "module_id"
    )
    qs = Commitment.objects.filter(module__referential=referential)
    if modules.exists():
        return qs.filter(module_id__in=modules)
    return qs.filter(module__mandatory=True)


def create_assessment(
    *, site: Site, referential: Referential, kind: str, planned_on: date, assessor: str = ""
) -> Assessment:
    """An assessment with one empty result per commitment in the site's scope."""
    with transaction.atomic():
        assessment = Assessment.objects.create(
            prefecture_id=site.prefecture_id,
            site=site,
            referential=referential,
            kind=kind,
            planned_on=planned_on,
            assessor=assessor,
        )
        CommitmentResult.objects.bulk_create(
            [
                CommitmentResult(assessment=assessment, commitment=c)
                for c in commitments_in_scope(site, referential)
            ]
        )
    return assessment


def set_status(assessment: Assessment, status: str) -> Assessment:
    if status not in AssessmentStatus.values:
        raise AssessmentError("Statut inconnu.")
    with transaction.atomic():
        Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.status = status
    return assessment


def record_result(result: CommitmentResult, *, value: str, comment: str = "") -> CommitmentResult:
    if result.assessment.status == AssessmentStatus.DONE:
        raise AssessmentError("Cette évaluation est terminée : ses résultats sont figés.")
    with transaction.atomic():
        result.result = value
        result.comment = comment
        result.save(update_fields=["result", "comment"])
    return result


def add_finding(assessment: Assessment, *, kind: str, text: str, commitment=None) -> Finding:
    if not text.strip():
        raise AssessmentError("Décrivez le constat.")
    if commitment is not None and commitment.module.referential_id != assessment.referential_id:
        raise AssessmentError("Cet engagement n'est pas dans le référentiel évalué.")
    with transaction.atomic():
        return Finding.objects.create(
            assessment=assessment, kind=kind, text=text.strip(), commitment=commitment
        )


def add_evidence(
    *,
    prefecture,
    title: str,
    actor=None,
    site: Site | None = None,
    commitment: Commitment | None = None,
    file=None,
    url: str = "",
    note: str = "",
    evidence: Evidence | None = None,
    result: CommitmentResult | None = None,
) -> EvidenceVersion:
    """A new proof, or a new version of `evidence`; attached to `result` when given."""
    if not file and not url:
        raise AssessmentError("Joignez un fichier ou indiquez un lien.")
    if file and file.size > MAX_EVIDENCE_BYTES:
        raise AssessmentError("Le fichier dépasse 20 Mo.")
    with transaction.atomic():
        if evidence is None:
            if not title.strip():
                raise AssessmentError("Donnez un intitulé à la preuve.")
            evidence = Evidence.objects.create(
                prefecture=prefecture, site=site, commitment=commitment, title=title.strip()
            )
        else:
            evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        number = (
            evidence.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        version = EvidenceVersion(
            evidence=evidence, number=number, url=url, note=note, uploaded_by=actor
        )
        if file:
            version.file.save(file.name, file, save=False)
        version.save()
        if result is not None:
            result.evidence.add(evidence)
    return version


def attach_evidence(result: CommitmentResult, evidence: Evidence) -> None:
    """Reuse an existing proof for another commitment result."""
    if evidence.prefecture_id != result.assessment.prefecture_id:
        raise AssessmentError("Cette preuve appartient à une autre préfecture.")
    with transaction.atomic():
        result.evidence.add(evidence)


def pack_rows(assessment: Assessment) -> list[dict]:
    """One row per commitment in scope: result, findings, evidence (current versions)."""
    results = (
        assessment.results.select_related("commitment", "commitment__module")
        .prefetch_related("evidence__versions")
        .order_by("commitment__module__number", "commitment__position", "commitment__pk")
    )
    findings: dict[int | None, list[Finding]] = {}
    for finding in assessment.findings.all():
        findings.setdefault(finding.commitment_id, []).append(finding)
    rows = []
    for result in results:
        files = []
        for evidence in result.evidence.all():
            current = evidence.current
            if current is None:
                continue
            files.append(
                {
                    "title": evidence.title,
                    "version": current.number,
                    "version_pk": current.pk,
                    "path": (
                        f"preuves/{evidence.pk}-v{current.number}-{current.filename}"
                        if current.file
                        else ""
                    ),
                    "url": current.url,
                    "file": current.file if current.file else None,
                }
            )
        rows.append(
            {
                "result": result,
                "commitment": result.commitment,
                "label": result.get_result_display() if result.result else "Non évalué",
                "findings": findings.get(result.commitment_id, []),
                "evidence": files,
            }
        )
    return rows


def build_evidence_pack(assessment: Assessment) -> bytes:
    """A zip: `index.html` and `index.csv` listing every commitment in scope with its result,
    findings and proofs, and the proof files under `preuves/`."""
    rows = pack_rows(assessment)
    general = [f for f in assessment.findings.all() if f.commitment_id is None]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        html = render_to_string(
            "quality/pack_index.html",
            {"assessment": assessment, "rows": rows, "general": general, "now": timezone.now()},
        )
        archive.writestr("index.html", html)
        csv_rows = []
        for row in rows:
            csv_rows.append(
                [
                    f"Module {row['commitment'].module.number}",
                    row["commitment"].ref,
                    row["commitment"].title,
                    row["label"],
                    " | ".join(f"{f.get_kind_display()} : {f.text}" for f in row["findings"]),
                    " | ".join(e["path"] or e["url"] for e in row["evidence"]),
                ]
            )
        archive.writestr(
            "index.csv",
            to_csv_text(
                ["module", "engagement", "intitulé", "résultat", "constats", "preuves"], csv_rows
            ),
        )
        archive.writestr("formations.csv", _trainings_csv(assessment))
        written = set()
        for row in rows:
            for item in row["evidence"]:
                if item["file"] is not None and item["path"] not in written:
                    try:
                        with item["file"].open("rb") as handle:
                            archive.writestr(item["path"], handle.read())
                    except FileNotFoundError:
                        continue
                    written.add(item["path"])
    return buffer.getvalue()


def _trainings_csv(assessment: Assessment) -> str:
    """The site's training sessions of the assessment's year (staff trained: issue 22)."""
    from .trainings import year_sessions

    sessions = (
        year_sessions(assessment.prefecture, assessment.planned_on.year)
        .filter(site=assessment.site)
        .order_by("date", "pk")
    )
    return to_csv_text(
        ["date", "service", "thème", "intitulé", "heures", "participants", "formateur"],
        [
            [
                f"{s.date:%d/%m/%Y}",
                s.service.name,
                s.get_topic_display(),
                s.title,
                str(s.hours).replace(".", ","),
                s.participants,
                s.trainer,
            ]
            for s in sessions
        ],
    )

"""Sample URL arguments for every agent URL of the quality app (cross-prefecture test)."""

from django.core.files.base import ContentFile

from engagements.quality.models import CommitmentResult, EvidenceVersion
from engagements.quality.services import create_action
from tests.quality.factories import (
    AssessmentFactory,
    CommitmentFactory,
    FindingFactory,
    PlanFactory,
    ReferentialFactory,
)


def cases(prefecture, site, service) -> dict[str, dict]:
    action = create_action(prefecture, site=site, year=2026, title="Afficher les horaires")
    plan = PlanFactory(site=site, year=2025)
    referential = ReferentialFactory()
    commitment = CommitmentFactory(module__referential=referential)
    assessment = AssessmentFactory(site=site, referential=referential)
    result = CommitmentResult.objects.create(assessment=assessment, commitment=commitment)
    FindingFactory(assessment=assessment, commitment=commitment)
    from engagements.quality.models import Evidence

    evidence = Evidence.objects.create(prefecture=prefecture, site=site, title="Affiche")
    version = EvidenceVersion(evidence=evidence, number=1)
    version.file.save("affiche.txt", ContentFile(b"Affiche des horaires"), save=True)
    result.evidence.add(evidence)
    return {
        "quality:agents-actions": {},
        "quality:agents-action-new": {},
        "quality:agents-action": {"pk": action.pk},
        "quality:agents-action-edit": {"pk": action.pk},
        "quality:agents-action-status": {"pk": action.pk},
        "quality:agents-action-update": {"pk": action.pk},
        "quality:agents-action-reopen": {"pk": action.pk},
        "quality:agents-action-effectiveness": {"pk": action.pk},
        "quality:agents-plan-validate": {"pk": plan.pk},
        "quality:agents-plan-pdf": {"year": 2026},
        "quality:agents-statuses": {},
        "quality:agents-plan-presented": {"pk": plan.pk},
        "quality:agents-referentials": {},
        "quality:agents-scope": {"referential_pk": referential.pk, "site_pk": site.pk},
        "quality:agents-assessments": {},
        "quality:agents-labels": {},
        "quality:agents-trainings": {},
        "quality:agents-diagnostic": {},
        "quality:agents-calendar": {},
        "quality:agents-service-scopes": {},
        "quality:agents-cycle-import": {},
        "quality:agents-assessment": {"pk": assessment.pk},
        "quality:agents-result": {"pk": assessment.pk, "result_pk": result.pk},
        "quality:agents-assessment-status": {"pk": assessment.pk},
        "quality:agents-finding-new": {"pk": assessment.pk},
        "quality:agents-evidence-new": {"pk": assessment.pk},
        "quality:agents-assessment-pdf": {"pk": assessment.pk},
        "quality:agents-assessment-pack": {"pk": assessment.pk},
        "quality:agents-evidence-file": {"pk": version.pk},
        "quality:agents-experiences": {},
        "quality:agents-experiences-import": {},
        "quality:agents-structure-map": {},
    }

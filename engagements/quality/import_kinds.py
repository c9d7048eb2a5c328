"""The quality app's imports on the agents' "Imports" page (the same services as the
commands): action plans, SP+ experiences, referentials and the label cycle's files."""

from django.utils import timezone

from engagements.csvio import refusal
from engagements.shell.imports import (
    ImportKind,
    ImportOption,
    ImportSummary,
    register_import_kind,
)

from . import diagnostic, experiences, labels, referential, trainings
from .models import Referential
from .services import (
    ACTION_COLUMNS,
    QualityError,
    import_actions,
    kept_statuses_note,
    started_actions_note,
)


def run_actions(prefecture, data, *, filename, options, actor) -> ImportSummary:
    try:
        result = import_actions(prefecture, data, actor=actor)
    except QualityError as exc:
        raise refusal(str(exc)) from exc
    return ImportSummary(
        counts=[
            ("Actions créées", result["created"]),
            ("Mises à jour", result["updated"]),
            ("Inchangées", result["unchanged"]),
        ],
        notes=[
            *([kept_statuses_note(result["kept"])] if result["kept"] else []),
            *([started_actions_note(result["started"])] if result["started"] else []),
        ],
    )


def run_experiences(prefecture, data, *, filename, options, actor) -> ImportSummary:
    result = experiences.import_experiences(prefecture, data, filename)
    summary = ImportSummary(
        counts=[("Expériences créées", result["created"]), ("Mises à jour", result["updated"])]
    )
    if result["unmatched"]:
        summary.notes.append(
            "Structures sans site (à relier dans le tableau des structures) : "
            + ", ".join(result["unmatched"])
        )
    return summary


def run_referential(prefecture, data, *, filename, options, actor) -> ImportSummary:
    try:
        found, created = referential.import_referential(data)
    except referential.ReferentialError as exc:
        raise refusal(f"référentiel refusé : {exc}") from exc
    modules = list(found.modules.all())
    return ImportSummary(
        counts=[
            ("Référentiels créés" if created else "Référentiels mis à jour", 1),
            ("Modules", len(modules)),
            ("Engagements", sum(m.commitments.count() for m in modules)),
        ],
        notes=[f"Référentiel {found.code}, version {found.version}."],
    )


def run_labels(prefecture, data, *, filename, options, actor) -> ImportSummary:
    counts = labels.import_labels(prefecture, data)
    return ImportSummary(
        counts=[
            ("Labels créés", counts["created"]),
            ("Corrigés", counts["updated"]),
            ("Inchangés", counts["unchanged"]),
        ]
    )


def run_results(prefecture, data, *, filename, options, actor) -> ImportSummary:
    try:
        year = int(options.get("year") or timezone.localdate().year)
        counts = diagnostic.import_assessment_results(
            prefecture, options.get("referential") or "", year, data
        )
    except ValueError as exc:
        raise refusal("année illisible (AAAA)") from exc
    except diagnostic.DiagnosticError as exc:
        raise refusal(str(exc)) from exc
    return ImportSummary(
        counts=[
            ("Autoévaluations créées", counts["assessments_created"]),
            ("Critères créés", counts["created"]),
            ("Modifiés", counts["updated"]),
            ("Retirés", counts["deleted"]),
        ]
    )


def run_trainings(prefecture, data, *, filename, options, actor) -> ImportSummary:
    counts = trainings.import_trainings(prefecture, data)
    return ImportSummary(
        counts=[("Sessions créées", counts["created"]), ("Déjà enregistrées", counts["unchanged"])]
    )


def _referentials(prefecture, access):
    codes = Referential.objects.order_by("code").values_list("code", "name").distinct()
    seen: dict[str, str] = {}
    for code, name in codes:
        seen.setdefault(code, f"{name} ({code})")
    return list(seen.items())


def register() -> None:
    for kind in (
        ImportKind(
            code="actions",
            label="Plan d'actions",
            group="Qualité",
            columns=", ".join(ACTION_COLUMNS),
            run=run_actions,
            help="Une action existante (même référence) est mise à jour.",
            order=70,
        ),
        ImportKind(
            code="sp-experiences",
            label="Expériences Services Publics +",
            group="Qualité",
            columns="export de la plateforme Services Publics + (CSV ou JSON)",
            run=run_experiences,
            file_format="json-or-csv",
            accept=".csv,.json,.txt",
            order=75,
        ),
        ImportKind(
            code="referential",
            label="Référentiel",
            group="Qualité",
            columns="fichier YAML : code, name, version, modules et engagements",
            run=run_referential,
            roles=frozenset(),  # shared by every prefecture: the national administrator
            file_format="yaml",
            accept=".yaml,.yml,.txt",
            help="Commun à toutes les préfectures : le même code et la même version sont "
            "mis à jour.",
            order=90,
        ),
        ImportKind(
            code="labels",
            label="Labels des sites",
            group="Qualité",
            columns=", ".join(labels.LABEL_COLUMNS),
            run=run_labels,
            order=92,
        ),
        ImportKind(
            code="assessment-results",
            label="Résultats d'autoévaluation",
            group="Qualité",
            columns=", ".join(diagnostic.RESULT_COLUMNS),
            run=run_results,
            options=(
                ImportOption("referential", "Référentiel", choices=_referentials),
                ImportOption("year", "Année", number=True),
            ),
            help="Remplace l'autoévaluation de l'année pour les sites du fichier.",
            order=94,
        ),
        ImportKind(
            code="trainings",
            label="Formations des agents",
            group="Qualité",
            columns=", ".join(trainings.TRAINING_COLUMNS + trainings.OPTIONAL_TRAINING_COLUMNS),
            run=run_trainings,
            order=96,
        ),
    ):
        register_import_kind(kind)

"""The register's import on the agents' "Imports" page (the same service as the command)."""

from engagements.shell.imports import ImportKind, ImportSummary, register_import_kind

from .services.imports import COLUMNS, IGNORED, import_messages


def run(prefecture, data, *, filename, options, actor) -> ImportSummary:
    result = import_messages(prefecture, data, actor=actor)
    summary = ImportSummary(
        counts=[
            ("Courriers créés", result.created),
            ("Mis à jour", result.updated),
            ("Inchangés", result.unchanged),
        ]
    )
    if result.topics_created:
        summary.notes.append("Thèmes ajoutés : " + ", ".join(result.topics_created))
    if result.ignored_columns:
        summary.notes.append(IGNORED + ", ".join(result.ignored_columns))
    summary.notes.extend(result.notes())
    return summary


def register() -> None:
    register_import_kind(
        ImportKind(
            code="correspondence",
            label="Registre des courriers",
            group="Courriers",
            columns=", ".join(COLUMNS),
            run=run,
            help="Un message déjà importé (même référence) est mis à jour, jamais en double.",
            order=10,
        )
    )

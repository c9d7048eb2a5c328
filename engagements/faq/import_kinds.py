"""The FAQ's import on the agents' "Imports" page (the same service as the command)."""

from engagements.shell.imports import ImportKind, ImportSummary, register_import_kind

from .services import IMPORT_COLUMNS, import_entries


def run(prefecture, data, *, filename, options, actor) -> ImportSummary:
    result = import_entries(prefecture, data, actor=actor)
    return ImportSummary(
        counts=[("Questions créées", result.created), ("Mises à jour", result.updated)]
    )


def register() -> None:
    register_import_kind(
        ImportKind(
            code="faq",
            label="Questions fréquentes",
            group="FAQ",
            columns=", ".join(IMPORT_COLUMNS),
            run=run,
            help="Site et service par identifiant (vides : toute la préfecture) ; langue fr ou en.",
            order=80,
        )
    )

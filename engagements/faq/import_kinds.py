"""The FAQ's import on the agents' "Imports" page (the same service as the command)."""

from engagements.shell.imports import (
    ImportKind,
    ImportOption,
    ImportSummary,
    register_import_kind,
)

from .services import IMPORT_COLUMNS, import_entries


def run(prefecture, data, *, filename, options, actor) -> ImportSummary:
    result = import_entries(
        prefecture, data, actor=actor, force=options.get("edited") == REPLACE_EDITED
    )
    return ImportSummary(
        counts=[("Questions créées", result.created), ("Mises à jour", result.updated)],
        notes=[f"{note}." for note in result.notes()],
    )


REPLACE_EDITED = "replace"


def _edited_choices(prefecture, access):
    return [("keep", "Les garder"), (REPLACE_EDITED, "Les remplacer par celles du fichier")]


def register() -> None:
    register_import_kind(
        ImportKind(
            code="faq",
            label="Questions fréquentes",
            group="FAQ",
            columns=", ".join(IMPORT_COLUMNS),
            run=run,
            options=(
                ImportOption(
                    "edited",
                    "Réponses modifiées dans l'application depuis le dernier import",
                    choices=_edited_choices,
                    required=False,
                    help="Sans choix, elles sont gardées et nommées dans le résultat.",
                ),
            ),
            help="Site et service par identifiant (vides : toute la préfecture) ; langue fr ou en.",
            order=80,
        )
    )

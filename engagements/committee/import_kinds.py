"""The members' import on the agents' "Imports" page (the same service as the command)."""

from engagements.shell.imports import ImportKind, ImportSummary, register_import_kind

from .services.members import COLUMNS, OPTIONAL_COLUMNS, import_members


def run(prefecture, data, *, filename, options, actor) -> ImportSummary:
    result = import_members(prefecture, data)
    summary = ImportSummary(
        counts=[
            ("Sièges créés", result.created),
            ("Mis à jour", result.updated),
            ("Inchangés", result.unchanged),
            ("Invitations à l'espace des membres", len(result.invited)),
        ]
    )
    if result.colleges_created:
        summary.notes.append("Collèges ajoutés : " + ", ".join(result.colleges_created))
    summary.notes.extend(f"{note}." for note in result.notes())
    return summary


def register() -> None:
    register_import_kind(
        ImportKind(
            code="committee-members",
            label="Membres du comité des usagers",
            group="Comité des usagers",
            columns=", ".join(COLUMNS + OPTIONAL_COLUMNS),
            run=run,
            order=60,
        )
    )

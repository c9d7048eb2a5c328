"""python manage.py import_actions --prefecture SLUG FILE.csv (all or nothing, by reference)."""

from django.core.management.base import CommandError

from engagements.csvio import CsvImportError
from engagements.quality.services import (
    QualityError,
    import_actions,
    kept_statuses_note,
    started_actions_note,
)
from engagements.shell.imports import ImportCommand

from ._import_file import prefecture_and_file


class Command(ImportCommand):
    help = "Importe des actions de plans d'action (CSV) ; tout ou rien, mise à jour par référence."
    history_kind = "actions"  # recorded in the "Imports" history

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True, help="identifiant de la préfecture")
        parser.add_argument("file", help="fichier CSV (virgule ou point-virgule)")

    def handle(self, *args, prefecture, file, **options):
        found, path = prefecture_and_file(prefecture, file)
        try:
            result = import_actions(found, path.read_bytes())
        except CsvImportError as exc:
            raise CommandError(
                "Fichier refusé, rien n'a été importé :\n" + "\n".join(exc.lines)
            ) from exc
        except QualityError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Actions créées : {result['created']}, mises à jour : {result['updated']}, "
            f"inchangées : {result['unchanged']}."
        )
        if result["kept"]:
            self.stdout.write(kept_statuses_note(result["kept"]))
        if result["started"]:
            self.stdout.write(started_actions_note(result["started"]))

"""python manage.py import_sp_experiences --prefecture SLUG FILE.csv|FILE.json"""

from django.core.management.base import CommandError

from engagements.csvio import CsvImportError
from engagements.quality.experiences import import_experiences
from engagements.shell.imports import ImportCommand

from ._import_file import prefecture_and_file


class Command(ImportCommand):
    help = "Importe l'export des expériences Services Publics + (CSV ou JSON) ; tout ou rien."
    history_kind = "sp-experiences"  # recorded in the "Imports" history

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("file")

    def handle(self, *args, prefecture, file, **options):
        found, path = prefecture_and_file(prefecture, file)
        try:
            result = import_experiences(found, path.read_bytes(), path.name)
        except CsvImportError as exc:
            raise CommandError("Fichier refusé :\n" + "\n".join(exc.lines)) from exc
        self.stdout.write(
            f"Expériences créées : {result['created']}, mises à jour : {result['updated']}."
        )
        if result["unmatched"]:
            self.stdout.write(
                "Structures sans site (à relier dans le tableau des structures) : "
                + ", ".join(result["unmatched"])
            )

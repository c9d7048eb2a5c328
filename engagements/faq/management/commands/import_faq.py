"""import_faq --prefecture SLUG FILE.csv: questions and answers from a spreadsheet.

Columns exactly `site,service,question,answer,tags,language` (site and service by slug,
empty for the whole prefecture; language fr or en, empty for fr). All or nothing: any line
error stops the import before anything is written. A question already there (same site,
service and language) is updated, unless agents changed it in the app since the last import
(those are kept and named; `--force` replaces them too).
"""

from django.core.management.base import CommandError

from engagements.csvio import CsvImportError
from engagements.faq import services
from engagements.faq.import_kinds import REPLACE_EDITED
from engagements.organisation.models import Prefecture
from engagements.shell.imports import ImportCommand


class Command(ImportCommand):
    help = "Importe les questions fréquentes d'une préfecture depuis un fichier CSV."
    history_kind = "faq"  # recorded in the "Imports" history

    def history_options(self, options):
        return {"edited": REPLACE_EDITED if options.get("force") else ""}

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True, help="identifiant de la préfecture")
        parser.add_argument("file", help="fichier CSV (site,service,question,answer,tags,language)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="remplace aussi les réponses modifiées dans l'application depuis le dernier "
            "import",
        )

    def handle(self, *args, **options):
        try:
            prefecture = Prefecture.objects.get(slug=options["prefecture"])
        except Prefecture.DoesNotExist as exc:
            raise CommandError(f"Préfecture inconnue : {options['prefecture']}") from exc
        try:
            with open(options["file"], "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"Fichier illisible : {exc}") from exc
        try:
            result = services.import_entries(prefecture, data, force=options["force"])
        except CsvImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Questions créées : {result.created} ; mises à jour : {result.updated}.")
        for note in result.notes():
            self.stdout.write(f"{note}. Pour les remplacer aussi : --force.")

"""python manage.py import_footfall --prefecture SLUG --site SLUG FILE.csv
(date,hour,service,visitors) — all or nothing; re-importing replaces the days covered."""

from django.core.management.base import CommandError

from engagements.csvio import CsvImportError
from engagements.indicators.imports import import_footfall
from engagements.shell.imports import ImportCommand

from ._common import prefecture_and_site, read_bytes


class Command(ImportCommand):
    help = "Importe la fréquentation de l'accueil d'un site (CSV date,hour,service,visitors)."
    history_kind = "footfall"  # recorded in the "Imports" history

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("--site", required=True)
        parser.add_argument("file")

    def handle(self, *args, **opts):
        prefecture, site = prefecture_and_site(opts["prefecture"], opts["site"])
        try:
            result = import_footfall(prefecture, site, read_bytes(opts["file"]))
        except CsvImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Import terminé — {result.summary()}.")

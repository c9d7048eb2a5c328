"""python manage.py import_telephony --prefecture SLUG --site SLUG --format queue_log|hourly
[--queue NAME] FILE — all or nothing; re-importing replaces the days the file covers."""

from django.core.management.base import CommandError

from engagements.csvio import CsvImportError
from engagements.indicators.imports import import_telephony
from engagements.shell.imports import ImportCommand

from ._common import prefecture_and_site, read_bytes


class Command(ImportCommand):
    help = "Importe la téléphonie d'un site (queue_log Asterisk ou fichier horaire CSV)."
    history_kind = "telephony"  # recorded in the "Imports" history

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("--site", required=True)
        parser.add_argument("--format", required=True, choices=["queue_log", "hourly"])
        parser.add_argument("--queue", help="ne garder que cette file d'attente")
        parser.add_argument("file")

    def handle(self, *args, **opts):
        prefecture, site = prefecture_and_site(opts["prefecture"], opts["site"])
        data = read_bytes(opts["file"])
        try:
            result = import_telephony(
                prefecture, site, data, fmt=opts["format"], queue=opts["queue"] or None
            )
        except CsvImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Import terminé — {result.summary()}.")

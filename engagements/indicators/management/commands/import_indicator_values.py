"""python manage.py import_indicator_values --prefecture SLUG FILE.csv
(code,period,site,value,numerator,denominator,source) — values of the prefecture's own
indicators; all or nothing; re-importing replaces the same indicator × structure × period."""

from django.core.management.base import CommandError

from engagements.csvio import CsvImportError
from engagements.indicators.services import import_manual_values
from engagements.shell.imports import ImportCommand

from ._common import prefecture_and_site, read_bytes


class Command(ImportCommand):
    help = "Importe les valeurs des indicateurs propres à la préfecture (CSV)."
    history_kind = "indicator-values"  # recorded in the "Imports" history

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("file")

    def handle(self, *args, **opts):
        prefecture, _ = prefecture_and_site(opts["prefecture"], None)
        try:
            result = import_manual_values(prefecture, read_bytes(opts["file"]))
        except CsvImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Import terminé — {result.summary()}.")
        for note in result.notes:
            self.stdout.write(note)

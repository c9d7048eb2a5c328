"""python manage.py import_website_updates --prefecture SLUG FILE.csv
(reference,site,page,requested_on,published_on) — all or nothing, idempotent."""

from django.core.management.base import CommandError

from engagements.csvio import CsvImportError
from engagements.indicators.imports import import_website_updates
from engagements.shell.imports import ImportCommand

from ._common import prefecture_and_site, read_bytes


class Command(ImportCommand):
    help = "Importe le suivi des demandes de mise à jour du site internet (CSV)."
    history_kind = "website-updates"  # recorded in the "Imports" history

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("file")

    def handle(self, *args, **opts):
        prefecture, _ = prefecture_and_site(opts["prefecture"], None)
        try:
            result = import_website_updates(prefecture, read_bytes(opts["file"]))
        except CsvImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Import terminé — {result.summary()}.")

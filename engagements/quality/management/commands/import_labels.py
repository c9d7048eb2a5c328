"""python manage.py import_labels --prefecture SLUG FILE.csv (all or nothing; a line is
identified by site, module, label and obtained_on, so a re-import changes nothing)."""

from django.core.management.base import BaseCommand

from engagements.quality.labels import import_labels

from ._cycle import prefecture_or_error, read_file, run_import


class Command(BaseCommand):
    help = "Importe les labels des sites (CSV) ; tout ou rien, un renouvellement est une ligne."

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True, help="identifiant de la préfecture")
        parser.add_argument("file", help="fichier CSV (virgule ou point-virgule)")

    def handle(self, *args, prefecture, file, **options):
        found = prefecture_or_error(prefecture)
        data = read_file(file)
        counts = run_import(lambda: import_labels(found, data))
        self.stdout.write(
            f"Labels créés : {counts['created']}, corrigés : {counts['updated']}, "
            f"inchangés : {counts['unchanged']}."
        )

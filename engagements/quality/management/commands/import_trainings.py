"""python manage.py import_trainings --prefecture SLUG FILE.csv (all or nothing; a line is
identified by all its cells and only the sessions not held yet are added, so a re-import
changes nothing)."""

from django.core.management.base import BaseCommand

from engagements.quality.trainings import import_trainings

from ._cycle import prefecture_or_error, read_file, run_import


class Command(BaseCommand):
    help = "Importe les sessions de formation des agents (CSV) ; tout ou rien."

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True, help="identifiant de la préfecture")
        parser.add_argument("file", help="fichier CSV (virgule ou point-virgule)")

    def handle(self, *args, prefecture, file, **options):
        found = prefecture_or_error(prefecture)
        data = read_file(file)
        counts = run_import(lambda: import_trainings(found, data))
        self.stdout.write(
            f"Sessions créées : {counts['created']}, déjà enregistrées : {counts['unchanged']}."
        )

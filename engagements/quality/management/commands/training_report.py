"""python manage.py training_report --prefecture SLUG --year YYYY --format json"""

import json

from django.core.management.base import BaseCommand

from engagements.csvio import year_argument
from engagements.db_router import replica_reads
from engagements.quality.trainings import training_report

from ._cycle import prefecture_or_error


class Command(BaseCommand):
    help = "Bilan des formations d'une année : sessions, participants, heures-stagiaires (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("--year", required=True, type=year_argument)
        parser.add_argument("--format", default="json", choices=["json"])

    @replica_reads
    def handle(self, *args, prefecture, year, **options):
        found = prefecture_or_error(prefecture)
        self.stdout.write(json.dumps(training_report(found, year), ensure_ascii=False))

"""python manage.py assessment_report --prefecture SLUG --referential CODE --year YYYY
--format json"""

import json

from django.core.management.base import BaseCommand, CommandError

from engagements.csvio import year_argument
from engagements.db_router import replica_reads
from engagements.quality.diagnostic import DiagnosticError, assessment_report

from ._cycle import prefecture_or_error


class Command(BaseCommand):
    help = "Taux d'une autoévaluation par engagement et par site (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("--referential", required=True)
        parser.add_argument("--year", required=True, type=year_argument)
        parser.add_argument("--format", default="json", choices=["json"])

    @replica_reads
    def handle(self, *args, prefecture, referential, year, **options):
        found = prefecture_or_error(prefecture)
        try:
            report = assessment_report(found, referential, year)
        except DiagnosticError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(report, ensure_ascii=False))

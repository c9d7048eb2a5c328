"""python manage.py labels_report --prefecture SLUG --at YYYY-MM-DD --format json"""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from engagements.db_router import replica_reads
from engagements.quality.labels import labels_report

from ._cycle import iso_date, prefecture_or_error


class Command(BaseCommand):
    help = "Labels en cours par site et module à une date, avec leur statut (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("--at", default=None, help="date (AAAA-MM-JJ), aujourd'hui sinon")
        parser.add_argument("--format", default="json", choices=["json"])

    @replica_reads
    def handle(self, *args, prefecture, at, **options):
        found = prefecture_or_error(prefecture)
        at_date = iso_date(at, "--at") if at else timezone.localdate()
        self.stdout.write(json.dumps(labels_report(found, at_date), ensure_ascii=False))

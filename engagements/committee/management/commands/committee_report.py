"""python manage.py committee_report --prefecture SLUG --year YYYY --format json|text"""

import json

from django.core.management.base import BaseCommand, CommandError

from engagements.committee.queries import yearly_report
from engagements.db_router import replica_reads
from engagements.organisation.models import Prefecture


class Command(BaseCommand):
    help = "Composition, réunions et suggestions du comité local des usagers pour une année."

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["json", "text"], default="text")

    @replica_reads
    def handle(self, *args, **opts):
        prefecture = Prefecture.objects.filter(slug=opts["prefecture"]).first()
        if prefecture is None:
            raise CommandError(f"Préfecture « {opts['prefecture']} » inconnue.")
        report = yearly_report(prefecture, opts["year"])
        if opts["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        for college, counts in report["seats"].items():
            self.stdout.write(
                f"{college} : titulaires {counts['titulaire']}, suppléants {counts['suppleant']}"
            )
        for m in report["meetings"]:
            self.stdout.write(
                f"{m['date']} {m['kind']} {m['status']} — présents {m['present']}, excusés "
                f"{m['excused']}, absents {m['absent']}, représentés {m['represented']}, "
                f"décisions {m['decisions']}"
            )
        self.stdout.write(
            "Suggestions : " + ", ".join(f"{k} {v}" for k, v in report["suggestions"].items())
        )

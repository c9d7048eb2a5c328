"""python manage.py committee_report --prefecture SLUG --year YYYY --format json|text"""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from engagements.committee.enums import MeetingKind, MeetingStatus, SuggestionStatus
from engagements.committee.queries import yearly_report
from engagements.csvio import year_argument
from engagements.db_router import replica_reads
from engagements.organisation.models import Prefecture


class Command(BaseCommand):
    help = "Composition, réunions et suggestions du comité local des usagers pour une année."

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("--year", type=year_argument, required=True)
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
        # The text is read by people: French labels and dates; the JSON keeps the codes.
        for m in report["meetings"]:
            day = date.fromisoformat(m["date"]).strftime("%d/%m/%Y")
            self.stdout.write(
                f"{day} {MeetingKind(m['kind']).label} ({MeetingStatus(m['status']).label}) — "
                f"présents {m['present']}, excusés {m['excused']}, absents {m['absent']}, "
                f"représentés {m['represented']}, décisions {m['decisions']}"
            )
        self.stdout.write(
            "Suggestions : "
            + ", ".join(
                f"{SuggestionStatus(k).label.lower()} {v}" for k, v in report["suggestions"].items()
            )
        )

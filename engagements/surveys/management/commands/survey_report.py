"""`python manage.py survey_report --campaign ID --format json`: figures per question and
criterion (docs/indicators.md "Surveys"; rates null under 5 answers)."""

import json

from django.core.management.base import BaseCommand, CommandError

from engagements.db_router import replica_reads
from engagements.surveys.enums import Criterion
from engagements.surveys.models import Campaign
from engagements.surveys.queries import campaign_report
from engagements.words import count


class Command(BaseCommand):
    help = "Résultats d'une campagne par question et par critère."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="identifiant")
        parser.add_argument("--format", choices=["json", "text"], default="json")

    @replica_reads
    def handle(self, *args, campaign: int, format: str, **options):
        found = Campaign.objects.select_related("questionnaire").filter(pk=campaign).first()
        if found is None:
            raise CommandError(f"Campagne {campaign} introuvable.")
        report = campaign_report(found)
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        # For people: criteria by their French label, rates the French way ("91,2 %").
        for section, title in (("questions", "Par question"), ("criteria", "Par critère")):
            self.stdout.write(title)
            for key, row in report[section].items():
                label = Criterion(key).label if section == "criteria" else key
                rate = (
                    "pas assez de réponses"
                    if row["rate"] is None
                    else f"{row['rate']:.1f} %".replace(".", ",")
                )
                answers = count(row["answers"], "réponse", "réponses")
                self.stdout.write(f"  {label:<40} {answers:>14}  {rate}")

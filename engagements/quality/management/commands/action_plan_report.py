"""python manage.py action_plan_report --prefecture SLUG --year YYYY [--site SLUG]
[--at YYYY-MM-DD] --format json"""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from engagements.csvio import year_argument
from engagements.db_router import replica_reads
from engagements.organisation.models import Prefecture, Site
from engagements.quality.queries import action_plan_report


class Command(BaseCommand):
    help = "Bilan des plans d'action d'une année (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("--year", required=True, type=year_argument)
        parser.add_argument("--site", default=None)
        parser.add_argument("--at", default=None, help="date du jour (AAAA-MM-JJ)")
        parser.add_argument("--format", default="json", choices=["json"])

    @replica_reads
    def handle(self, *args, prefecture, year, site, at, **options):
        found = Prefecture.objects.filter(slug=prefecture).first()
        if found is None:
            raise CommandError(f"Préfecture « {prefecture} » inconnue.")
        site_obj = None
        if site:
            site_obj = Site.objects.filter(prefecture=found, slug=site).first()
            if site_obj is None:
                raise CommandError(f"Site « {site} » inconnu dans {found.name}.")
        at_date = None
        if at:
            try:
                at_date = date.fromisoformat(at)
            except ValueError as exc:
                raise CommandError(f"Date --at invalide : {at} (AAAA-MM-JJ)") from exc
        report = action_plan_report(found, year, site=site_obj, at=at_date)
        self.stdout.write(json.dumps(report, ensure_ascii=False))

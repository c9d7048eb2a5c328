"""`python manage.py survey_campaigns --prefecture SLUG --format json`: campaigns with id,
site, dates, services and, per question, its code, type, criterion and scale."""

import json

from django.core.management.base import BaseCommand, CommandError

from engagements.db_router import replica_reads
from engagements.organisation.models import Prefecture
from engagements.surveys.models import Campaign


class Command(BaseCommand):
    help = "Liste les campagnes d'une préfecture et leurs questions."

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("--format", choices=["json", "text"], default="json")

    @replica_reads
    def handle(self, *args, prefecture: str, format: str, **options):
        found = Prefecture.objects.filter(slug=prefecture).first()
        if found is None:
            raise CommandError(f"Préfecture « {prefecture} » introuvable.")
        campaigns = (
            Campaign.objects.filter(prefecture=found)
            .select_related("site", "questionnaire")
            .prefetch_related("services", "questionnaire__questions")
            .order_by("starts_on", "pk")
        )
        data = [
            {
                "id": c.pk,
                "name": c.name,
                "kind": c.kind,
                "site": c.site.slug,
                "starts_on": c.starts_on.isoformat(),
                "ends_on": c.ends_on.isoformat() if c.ends_on else None,
                "token": c.token,
                "services": [s.slug for s in c.services.all()],
                "questions": [
                    {
                        "code": q.code,
                        "type": q.kind,
                        "criterion": q.criterion or None,
                        "scale": q.scale,
                    }
                    for q in c.questionnaire.questions.all()
                ],
            }
            for c in campaigns
        ]
        if format == "json":
            self.stdout.write(json.dumps({"campaigns": data}, ensure_ascii=False, indent=2))
            return
        for c in data:
            self.stdout.write(
                f"{c['id']:>4} {c['site']:<15} {c['starts_on']} → {c['ends_on'] or '…'} {c['name']}"
            )

"""python manage.py correspondence_report --prefecture SLUG --year YYYY [--site SLUG]
[--kind KIND] [--channel CHANNEL] [--at YYYY-MM-DD] --format json|text"""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from engagements.correspondence import queries
from engagements.correspondence.enums import CSV_CHANNELS, CSV_KINDS, Kind
from engagements.db_router import replica_reads
from engagements.organisation.enums import Channel
from engagements.organisation.models import Prefecture


class Command(BaseCommand):
    help = "Taux de réponse dans les délais et délai moyen (définitions : indicators.md)."

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--site", help="identifiant du site")
        parser.add_argument("--kind", help="information, reclamation, suggestion")
        parser.add_argument(
            "--channel", help="courriel, courrier, urne, sp_plus, formulaire, reseaux_sociaux"
        )
        parser.add_argument("--at", help="date de référence AAAA-MM-JJ (aujourd'hui par défaut)")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    @replica_reads
    def handle(self, *args, **opts):
        prefecture = Prefecture.objects.filter(slug=opts["prefecture"]).first()
        if prefecture is None:
            raise CommandError(f"Préfecture « {opts['prefecture']} » inconnue.")
        qs = queries.year_messages(prefecture, opts["year"])
        if opts["site"]:
            if not prefecture.sites.filter(slug=opts["site"]).exists():
                raise CommandError(f"Site « {opts['site']} » inconnu.")
            qs = qs.filter(site__slug=opts["site"])
        if opts["kind"]:
            kind = CSV_KINDS.get(opts["kind"]) or (opts["kind"] in Kind.values and opts["kind"])
            if not kind:
                raise CommandError(f"Nature inconnue : {opts['kind']}")
            qs = qs.filter(kind=kind)
        if opts["channel"]:
            channel = CSV_CHANNELS.get(opts["channel"]) or (
                opts["channel"] in Channel.values and opts["channel"]
            )
            if not channel:
                raise CommandError(f"Canal inconnu : {opts['channel']}")
            qs = qs.filter(channel=channel)
        try:
            at = date.fromisoformat(opts["at"]) if opts["at"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--at doit être une date AAAA-MM-JJ") from exc
        result = queries.figures(qs, at=at)
        if opts["format"] == "json":
            self.stdout.write(json.dumps(result))
            return
        # French decimals, as the figures page writes them ("77,2 %", "3,70").
        rate = (
            "—"
            if result["rate_on_time"] is None
            else f"{result['rate_on_time']:.1f} %".replace(".", ",")
        )
        delay = (
            "—"
            if result["average_delay"] is None
            else f"{result['average_delay']:.2f}".replace(".", ",")
        )
        self.stdout.write(
            f"Situation au {at:%d/%m/%Y} — répondus {result['answered']} (dont "
            f"{result['on_time']} dans les délais), en retard {result['late']}, en attente "
            f"{result['pending']}, exclus {result['excluded']} ; taux {rate} ; "
            f"délai moyen {delay} jours ouvrés"
        )

"""python manage.py indicators --prefecture SLUG --period 2025|2025-Q4|2025-11 [--site SLUG]
[--at YYYY-MM-DD] --format json|text — computed live from the records as they stood at
`--at` (never from a published snapshot), one row per indicator code of indicators.md."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from engagements.db_router import replica_reads
from engagements.indicators import compute
from engagements.indicators.periods import Period

from ._common import prefecture_and_site


class Command(BaseCommand):
    help = "Indicateurs d'une période (valeur, numérateur, dénominateur, cible, année passée)."

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True)
        parser.add_argument("--period", required=True, help="2025, 2025-Q4 ou 2025-11")
        parser.add_argument("--site")
        parser.add_argument("--at", help="date de référence AAAA-MM-JJ (aujourd'hui par défaut)")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    @replica_reads
    def handle(self, *args, **opts):
        prefecture, site = prefecture_and_site(opts["prefecture"], opts["site"])
        try:
            period = Period.parse(opts["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            at = date.fromisoformat(opts["at"]) if opts["at"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--at doit être une date AAAA-MM-JJ") from exc
        rows = compute.report(prefecture, period, site=site, at=at)
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows))
            return
        for row in rows:
            # The per-platform rows say which platform (the JSON has `platform`, `site`).
            where = (
                f" [plateforme {row['platform']}, site {row['site']}]" if "platform" in row else ""
            )
            self.stdout.write(
                f"{row['code']}{where}: {_text(row['value'])} "
                f"({_text(row['numerator'])}/{_text(row['denominator'])}), "
                f"cible {_text(row['target'])}, an passé {_text(row['previous'])}"
            )


def _text(number) -> str:
    """A missing number reads "—", never "None"."""
    return "—" if number is None else str(number)

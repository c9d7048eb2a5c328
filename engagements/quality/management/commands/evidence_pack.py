"""python manage.py evidence_pack --assessment ID OUT.zip"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from engagements.quality.evidence import build_evidence_pack
from engagements.quality.models import Assessment


class Command(BaseCommand):
    help = "Dossier de preuves d'une évaluation (zip avec un index)."

    def add_arguments(self, parser):
        parser.add_argument("--assessment", required=True, type=int)
        parser.add_argument("out", help="fichier zip à écrire")

    def handle(self, *args, assessment, out, **options):
        found = Assessment.objects.filter(pk=assessment).first()
        if found is None:
            raise CommandError(f"Évaluation {assessment} introuvable.")
        Path(out).write_bytes(build_evidence_pack(found))
        self.stdout.write(f"Dossier de preuves écrit : {out}")

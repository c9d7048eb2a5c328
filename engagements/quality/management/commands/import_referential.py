"""python manage.py import_referential FILE.yaml (same code and version: updated).

The wording of commitments already evaluated is frozen: changing it needs a new version.
A commitment's text is published ("Notre démarche qualité", the commitments poster) only
when the file marks it `public: true`.
"""

from pathlib import Path

from django.core.management.base import CommandError

from engagements.quality.referential import ReferentialError, import_referential
from engagements.shell.imports import ImportCommand


class Command(ImportCommand):
    help = "Importe un référentiel (YAML) ; le même code et la même version sont mis à jour."

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier YAML")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            referential, created = import_referential(path.read_bytes())
        except ReferentialError as exc:
            raise CommandError(f"Référentiel refusé : {exc}") from exc
        commitments = sum(m.commitments.count() for m in referential.modules.all())
        verb = "créé" if created else "mis à jour"
        self.stdout.write(
            f"Référentiel {referential.code} {referential.version} {verb} : "
            f"{referential.modules.count()} modules, {commitments} engagements."
        )

"""python manage.py import_correspondence --prefecture SLUG FILE.csv (all or nothing)."""

from pathlib import Path

from django.core.management.base import CommandError

from engagements.correspondence.services.imports import IGNORED, import_messages
from engagements.csvio import CsvImportError
from engagements.organisation.models import Prefecture
from engagements.shell.imports import ImportCommand
from engagements.words import count


class Command(ImportCommand):
    help = "Importe un registre de courriers (CSV) ; tout ou rien, sans doublon au ré-import."
    history_kind = "correspondence"  # recorded in the "Imports" history

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True, help="identifiant de la préfecture")
        parser.add_argument(
            "file",
            help="fichier CSV (UTF-8 ou Windows-1252, séparateur virgule ou point-virgule)",
        )

    def handle(self, *args, prefecture, file, **options):
        found = Prefecture.objects.filter(slug=prefecture).first()
        if found is None:
            raise CommandError(f"Préfecture « {prefecture} » inconnue.")
        path = Path(file)
        if not path.exists():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            result = import_messages(found, path.read_bytes())
        except CsvImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{count(result.created, 'créé', 'créés')}, {result.updated} mis à jour, "
            f"{count(result.unchanged, 'inchangé', 'inchangés')}."
        )
        if result.topics_created:
            self.stdout.write("Thèmes ajoutés : " + ", ".join(result.topics_created))
        if result.ignored_columns:
            self.stdout.write(IGNORED + ", ".join(result.ignored_columns))
        for note in result.notes():
            self.stdout.write(note)

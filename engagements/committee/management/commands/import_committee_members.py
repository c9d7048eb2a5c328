"""python manage.py import_committee_members --prefecture SLUG FILE.csv (all or nothing)."""

from pathlib import Path

from django.core.management.base import CommandError

from engagements.committee.services.members import import_members
from engagements.csvio import CsvImportError
from engagements.organisation.models import Prefecture
from engagements.shell.imports import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe les membres du comité local des usagers (colonnes college, organisation, "
        "first_name, last_name, email, seat, mandate_start, mandate_end) ; tout ou rien."
    )
    history_kind = "committee-members"  # recorded in the "Imports" history

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True, help="identifiant de la préfecture")
        parser.add_argument(
            "file", help="fichier CSV (UTF-8 ou Windows-1252, virgule ou point-virgule)"
        )

    def handle(self, *args, prefecture, file, **options):
        found = Prefecture.objects.filter(slug=prefecture).first()
        if found is None:
            raise CommandError(f"Préfecture « {prefecture} » inconnue.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            result = import_members(found, path.read_bytes())
        except CsvImportError as exc:
            raise CommandError(
                "Fichier refusé, rien n'a été importé :\n" + "\n".join(exc.lines)
            ) from exc
        self.stdout.write(
            f"Sièges créés : {result.created} ; mis à jour : {result.updated} ; "
            f"inchangés : {result.unchanged} ; invitations envoyées : {len(result.invited)}."
        )
        if result.colleges_created:
            self.stdout.write("Collèges ajoutés : " + ", ".join(result.colleges_created))
        for note in result.notes():
            self.stdout.write(f"{note}.")

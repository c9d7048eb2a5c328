"""`python manage.py import_survey_answers --campaign ID FILE.csv`: load answers typed
elsewhere (columns `channel,service,<question code>…`), all or nothing, with line errors.
UTF-8 or Windows-1252, comma or semicolon (the shared reader, engagements.csvio)."""

from pathlib import Path

from django.core.management.base import CommandError

from engagements.csvio import CsvImportError
from engagements.shell.imports import ImportCommand
from engagements.surveys.models import Campaign
from engagements.surveys.services import import_answers
from engagements.words import count


class Command(ImportCommand):
    help = "Importe des réponses saisies ailleurs (CSV), tout ou rien."
    history_kind = "survey-answers"  # recorded in the "Imports" history

    def history_prefecture(self, options):
        found = Campaign.objects.filter(pk=options["campaign"]).select_related("prefecture")
        return found[0].prefecture if found else None

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True)
        parser.add_argument("file", type=Path)

    def handle(self, *args, campaign: int, file: Path, **options):
        found = Campaign.objects.filter(pk=campaign).first()
        if found is None:
            raise CommandError(f"Campagne {campaign} introuvable.")
        if not file.exists():
            raise CommandError(f"Fichier {file} introuvable.")
        report = import_answers(found, file.read_bytes(), file_name=file.name)
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            errors = count(len(report.errors), "erreur", "erreurs")
            # Caused by the lines' errors: the "Imports" history keeps each of them, as for
            # the other commands and the page, not this one-line message.
            raise CommandError(f"Import refusé : {errors}, rien n'est chargé.") from (
                CsvImportError(report.line_errors)
            )
        done = count(report.created, "réponse importée", "réponses importées")
        self.stdout.write(self.style.SUCCESS(f"{done}."))

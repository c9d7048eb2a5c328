"""python manage.py import_assessment_results --prefecture SLUG --referential CODE
--year YYYY FILE.csv (criterion results; replaces that year's self-assessment of the file's
sites; all or nothing)."""

from engagements.quality.diagnostic import DiagnosticError, import_assessment_results
from engagements.shell.imports import ImportCommand

from ._cycle import prefecture_or_error, read_file, run_import


class Command(ImportCommand):
    help = "Importe les résultats par critère d'une autoévaluation (CSV) ; tout ou rien."
    history_kind = "assessment-results"  # recorded in the "Imports" history

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True, help="identifiant de la préfecture")
        parser.add_argument("--referential", required=True, help="code du référentiel")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("file", help="fichier CSV (virgule ou point-virgule)")

    def handle(self, *args, prefecture, referential, year, file, **options):
        found = prefecture_or_error(prefecture)
        data = read_file(file)
        counts = run_import(
            lambda: import_assessment_results(found, referential, year, data), DiagnosticError
        )
        self.stdout.write(
            f"Autoévaluations créées : {counts['assessments_created']} ; critères créés : "
            f"{counts['created']}, modifiés : {counts['updated']}, retirés : {counts['deleted']}."
        )

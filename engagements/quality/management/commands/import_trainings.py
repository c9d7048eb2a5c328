"""python manage.py import_trainings --prefecture SLUG FILE.csv (all or nothing; a line is
identified by all its cells and only the sessions not held yet are added, so a re-import
changes nothing)."""

from engagements.quality.trainings import import_trainings

from ._cycle import PrefectureFileImport


class Command(PrefectureFileImport):
    help = "Importe les sessions de formation des agents (CSV) ; tout ou rien."
    history_kind = "trainings"  # recorded in the "Imports" history
    importer = import_trainings

    def summary(self, counts: dict) -> str:
        return f"Sessions créées : {counts['created']}, déjà enregistrées : {counts['unchanged']}."

"""python manage.py import_labels --prefecture SLUG FILE.csv (all or nothing; a line is
identified by site, module, label and obtained_on, so a re-import changes nothing)."""

from engagements.quality.labels import import_labels

from ._cycle import PrefectureFileImport


class Command(PrefectureFileImport):
    help = "Importe les labels des sites (CSV) ; tout ou rien, un renouvellement est une ligne."
    history_kind = "labels"  # recorded in the "Imports" history
    importer = import_labels

    def summary(self, counts: dict) -> str:
        return (
            f"Labels créés : {counts['created']}, corrigés : {counts['updated']}, "
            f"inchangés : {counts['unchanged']}."
        )

"""The SP+ experiences import reads the platform's export as agents re-save it."""

from datetime import date

import pytest

from engagements.csvio import CsvImportError
from engagements.quality.experiences import import_experiences
from engagements.quality.models import Experience

pytestmark = pytest.mark.django_db


def test_a_header_with_its_accents_and_dates_with_times_are_read(prefecture):
    """Re-saved from a spreadsheet, the export's header came back accented and its dates
    as date and time cells: the date of first answer was silently left out (the column
    was taken for one of the export's other columns) and the publication refused."""
    data = (
        "id_experience;titre;date_de_publication;structure;Date_de_Première_Réponse\r\n"
        "EXP-7;Attente;05/11/2026 10:12;Accueil;2026-11-06 09:00:00\r\n"
    ).encode("cp1252")
    import_experiences(prefecture, data, "export.csv")
    experience = Experience.objects.get(external_id="EXP-7")
    assert (experience.published_on, experience.first_answer_on) == (
        date(2026, 11, 5),
        date(2026, 11, 6),
    )


def test_an_unreadable_date_names_the_value_and_the_expected_form(prefecture):
    data = b"id_experience;titre;date_de_publication;structure\nEXP-8;x;le 5 novembre;Accueil\n"
    with pytest.raises(CsvImportError) as exc:
        import_experiences(prefecture, data, "export.csv")
    assert exc.value.lines == [
        "ligne 2, colonne « date_de_publication » : « le 5 novembre » n'est pas une date "
        "(AAAA-MM-JJ ou JJ/MM/AAAA)"
    ]
    assert not Experience.objects.exists()


def test_the_platform_json_moments_give_their_day(prefecture):
    data = (
        b'[{"id_experience": "EXP-9", "titre": "x", "structure": "Accueil",'
        b' "date_de_publication": "2026-11-05T10:12:00+01:00",'
        b' "date_de_premiere_reponse": "2026-11-06T08:00:00.000Z"}]'
    )
    import_experiences(prefecture, data, "export.json")
    experience = Experience.objects.get(external_id="EXP-9")
    assert experience.first_answer_on == date(2026, 11, 6)
    assert experience.published_on == date(2026, 11, 5)

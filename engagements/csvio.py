"""The one CSV reader for every import and the one CSV writer for every export.

Reading (`read_csv`): what French offices actually save — UTF-8 with or without BOM, or
Windows-1252 (Excel's "CSV (séparateur : point-virgule)"); comma or semicolon, sniffed from
the header line; the header is line 1 and line numbers count physical lines, so an error
names the line the person sees in a text editor. Structural problems (NUL characters,
oversized cells, cells beyond the header) are line errors like any other; a file with no
data line is refused. Importers validate each row through `Row` helpers, which record
errors instead of raising, so one run reports every bad line; `CsvTable.raise_errors()`
then refuses the whole file (all or nothing) before anything is written.

Writing (`csv_response`, `write_rows`): UTF-8 with BOM (Excel opens accents right),
semicolon (French Excel splits on it), decimal comma (it reads "5.5" as a date), and every
text cell that a spreadsheet would run as a formula neutralised with a leading apostrophe
(OWASP "CSV injection").
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

T = TypeVar("T")

MAX_CELL = 10_000  # characters; larger cells are line errors (a register line is short)
MAX_FILE = 50 * 1024 * 1024  # bytes
# Every date an import reads lies in the product's years (a year 0001 or 9999 is a typo).
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2100, 12, 31)
OUT_OF_BOUNDS = "date hors des années admises (2000 à 2100)"
UTF16 = "encodage UTF-16 non pris en charge : enregistrez en CSV UTF-8"
# A workbook dropped as it is (.xlsx, .ods: a ZIP archive; .xls: an OLE2 file), the most
# common mistake with an import: named as such, not as missing columns or UTF-16.
WORKBOOK = (
    "ce fichier est un classeur (Excel ou LibreOffice), pas un fichier CSV : ouvrez-le et "
    "enregistrez-le au format « CSV UTF-8 » (Fichier > Enregistrer sous)"
)
_WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def year_argument(value: str) -> int:
    """`--year` of a report command: the product's years only (a year 0 or 20255 is a typo,
    and crashed a report with a Python traceback), refused with a French message."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {value} » n'est pas une année (AAAA)") from None
    if not MIN_DATE.year <= number <= MAX_DATE.year:
        raise argparse.ArgumentTypeError(
            f"année {number} hors des années admises ({MIN_DATE.year} à {MAX_DATE.year})"
        )
    return number


_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?", re.ASCII)
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4}|[0-9]{2})", re.ASCII)
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
# The time a spreadsheet adds to a date cell formatted as date and time ("05/12/2026 14:30",
# "2026-12-05 00:00:00", "2026-12-05T09:15:00"): read, and dropped from a date column.
_TIME = re.compile(r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?", re.ASCII)
# Whole numbers as French spreadsheets format them: thousands grouped by a space (or the
# no-break spaces Excel and LibreOffice write) and zero decimals ("1 234", "12,00").
_GROUPED = re.compile(r"[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+")
_ZERO_DECIMALS = re.compile(r"[.,]0+")
# An hour as counters and telephony platforms write the start of an interval: 9, 09, 9h,
# 09h00, 09:00 or 09:00:00.
_HOUR = re.compile(r"([0-9]{1,2})(?:[hH]([0-9]{2})?|:([0-9]{2})(?::([0-9]{2}))?)?", re.ASCII)


@dataclass(frozen=True)
class LineError:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"ligne {self.line}, colonne « {self.column} » : {self.message}"
        return f"ligne {self.line} : {self.message}"


class CsvImportError(Exception):
    """The file is refused; nothing was written. `errors` names each line and column."""

    def __init__(self, errors: Sequence[LineError]):
        self.errors = list(errors)
        super().__init__(
            "Import refusé, rien n'a été enregistré :\n" + "\n".join(str(e) for e in self.errors)
        )

    @property
    def lines(self) -> list[str]:
        return [str(e) for e in self.errors]


def _looks_utf16(data: bytes) -> bool:
    """A UTF-16 file: its byte order mark, or ASCII text with every other byte NUL."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = data[:200]
    if len(head) < 4:
        return False
    # Without a BOM: the NUL high (or low) byte of every ASCII character, one in two.
    return any(half.count(0) * 10 >= len(half) * 8 for half in (head[0::2], head[1::2]))


def decode(data: bytes | str) -> str:
    """UTF-8 (BOM or not), else Windows-1252; anything else is refused at line 1."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if len(data) > MAX_FILE:
        raise CsvImportError([LineError(1, None, "fichier trop volumineux (50 Mo au plus)")])
    if data.startswith(_WORKBOOK_SIGNATURES):
        raise CsvImportError([LineError(1, None, WORKBOOK)])
    if _looks_utf16(data):
        raise CsvImportError([LineError(1, None, UTF16)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise CsvImportError(
            [
                LineError(
                    1,
                    None,
                    "encodage non reconnu : enregistrez le fichier en CSV UTF-8 "
                    "ou en CSV Windows (point-virgule)",
                )
            ]
        ) from exc


def sniff_delimiter(header_line: str) -> str:
    """The separator the header uses most: semicolon (French spreadsheets), tab (Excel's
    "Texte (séparateur : tabulation)"), else comma."""
    counts = {d: header_line.count(d) for d in (";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > header_line.count(",") else ","


_SEP_LINE = re.compile(r'"?sep=(.)"?[,;\t]*', re.IGNORECASE)


def separator_line(first_line: str) -> str | None:
    """The separator a `sep=;` first line declares (written for Excel by many exports,
    telephony platforms among them), or None."""
    match = _SEP_LINE.fullmatch(first_line.strip("\r\n\ufeff "))
    return match.group(1) if match else None


def normalise_header(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def code_key(value: str) -> str:
    """A code or name as the imports compare them: case, accents and surrounding spaces
    ignored ("Séjour " is "sejour")."""
    return _bare(value.strip())


# Remembered: an import folds the same few codes and the same choices' keys on every line.
@functools.lru_cache(maxsize=4096)
def _bare(value: str) -> str:
    """A code as compared: case and accents ignored."""
    decomposed = unicodedata.normalize("NFD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold(name: str) -> str:
    """A header name without its accents, its words joined by `_`, for matching only
    ("date de réponse" reads "date_de_reponse")."""
    return re.sub(r"[\s-]+", "_", _bare(name))


class Row:
    """One data line. Helpers parse a column and record an error instead of raising."""

    def __init__(self, table: CsvTable, line: int, values: dict[str, str]):
        self.table = table
        self.line = line
        self.values = values
        self.errors: list[LineError] = []

    # Raw access -----------------------------------------------------------------------
    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def get(self, column: str, default: str = "") -> str:
        return self.values.get(column, default) or default

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, column: str | None, message: str) -> None:
        error = LineError(self.line, column, message)
        self.errors.append(error)
        self.table.errors.append(error)

    # Typed access -----------------------------------------------------------------------
    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self[column]
        if required and not value:
            self.error(column, "valeur obligatoire")
        elif max_length is not None and len(value) > max_length:
            self.error(column, f"{len(value)} caractères, {max_length} au plus")
        return value

    def date(self, column: str, *, required: bool = False) -> date | None:
        value = self[column]
        if not value:
            if required:
                self.error(column, "date obligatoire")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.error(column, f"« {_short(value)} » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA)")
        elif not in_bounds(parsed):
            self.error(column, f"« {_short(value)} » : {OUT_OF_BOUNDS}")
            return None
        return parsed

    def int(
        self,
        column: str,
        *,
        required: bool = False,
        min: int | None = None,  # noqa: A002 - reads as the keyword people expect
        max: int | None = None,  # noqa: A002
    ) -> int | None:
        value = self[column]
        if not value:
            if required:
                self.error(column, "nombre obligatoire")
            return None
        parsed = parse_int(value)
        if parsed is None:
            self.error(column, f"« {_short(value)} » n'est pas un nombre entier (chiffres 0 à 9)")
            return None
        if min is not None and parsed < min:
            self.error(column, f"{parsed} est inférieur au minimum {min}")
        elif max is not None and parsed > max:
            self.error(column, f"{parsed} est supérieur au maximum {max}")
        return parsed

    def hour(self, column: str, *, required: bool = False) -> int | None:
        """The hour an interval starts, 0 to 23: `9`, `09`, `9h`, `09h00`, `09:00`."""
        value = self[column]
        if not value:
            if required:
                self.error(column, "heure obligatoire")
            return None
        match = _HOUR.fullmatch(value)
        if not match:
            self.error(column, f"« {_short(value)} » n'est pas une heure (0 à 23, ou 09:00)")
            return None
        if any(part and int(part) for part in match.groups()[1:]):
            self.error(column, f"« {_short(value)} » : une heure pleine est attendue (09:00)")
            return None
        hour = int(match.group(1))
        if hour > 23:
            self.error(column, f"{hour} est supérieur au maximum 23")
            return None
        return hour

    def decimal(self, column: str, *, required: bool = False) -> Decimal | None:
        value = self[column]
        if not value:
            if required:
                self.error(column, "nombre obligatoire")
            return None
        parsed = parse_decimal(value)
        if parsed is None:
            self.error(column, f"« {_short(value)} » n'est pas un nombre (ex. 12,5)")
        return parsed

    def choice(
        self,
        column: str,
        choices: Mapping[str, T],
        *,
        required: bool = True,
        label: str | None = None,
        feminine: bool = False,
    ) -> T | None:
        """Look the cell up (case and accents ignored: "Réclamation" is `reclamation`) in
        `choices`; unknown values name the expected.
        `feminine`: the label is a feminine noun ("civilité « x » inconnue")."""
        value = self[column]
        if not value:
            if required:
                self.error(column, "valeur obligatoire")
            return None
        folded = {_bare(str(k)): v for k, v in choices.items()}
        found = folded.get(_bare(value))
        if found is None:
            expected = ", ".join(str(k) for k in list(choices)[:12])
            more = "…" if len(choices) > 12 else ""
            what = f"{label} " if label else ""
            unknown = "inconnue" if feminine else "inconnu"
            self.error(
                column,
                f"{what}« {_short(value)} » {unknown} ; valeurs possibles : {expected}{more}",
            )
        return found

    def lookup(self, column: str, resolve: Callable[[str], T | None], message: str) -> T | None:
        """Resolve a non-empty cell with `resolve`; `message` is formatted with {value}."""
        value = self[column]
        if not value:
            return None
        found = resolve(value)
        if found is None:
            self.error(column, message.format(value=_short(value)))
        return found


@dataclass
class CsvTable:
    header: list[str]
    delimiter: str
    rows: list[Row] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    # Columns without a header name that hold a value: column index → first such line.
    unnamed_filled: dict[int, int] = field(default_factory=dict)
    header_line: int = 1  # 2 after a "sep=;" line

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def error(self, line: int, column: str | None, message: str) -> None:
        self.errors.append(LineError(line, column, message))

    def raise_errors(self) -> None:
        """Refuse the file if any line (structural or checked by the importer) is wrong."""
        if self.errors:
            raise CsvImportError(sorted(self.errors, key=lambda e: e.line))


def read_csv(
    data: bytes | str,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    extra_columns: bool = False,
    max_cell: int = MAX_CELL,
) -> CsvTable:
    """Parse an import file; file-level problems raise CsvImportError at once.

    `required` columns must be in the header, `optional` ones may be; any other header is
    refused unless `extra_columns` (survey answers: one column per question code). Header
    names are compared trimmed and lower-cased. Row values are stripped strings; a short
    row (spreadsheets drop trailing empty cells) reads the missing cells as empty.
    """
    text = decode(data)
    if not text.strip():
        raise CsvImportError([LineError(1, None, "fichier vide : la ligne 1 doit être l'en-tête")])
    first_line = text.split("\n", 1)[0]
    declared = separator_line(first_line)
    delimiter = declared or sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    header_cells: list[str] | None = None
    table: CsvTable | None = None
    previous_end = 0
    header_line = 2 if declared else 1
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if start < header_line:
                continue  # the "sep=;" line
            if header_cells is None:
                header_cells = [normalise_header(c) for c in cells]
                table = _check_header(
                    header_cells, delimiter, required, optional, extra_columns, line=start
                )
                continue
            assert table is not None
            if not any(c.strip() for c in cells):
                continue  # blank line
            row = _make_row(table, start, cells, max_cell)
            if previous_end > start:
                _check_unclosed_quote(row, cells, previous_end)
            table.rows.append(row)
    except csv.Error as exc:
        raise CsvImportError(
            [LineError(previous_end + 1, None, f"ligne CSV illisible ({exc})")]
        ) from exc
    if table is None:
        raise CsvImportError([LineError(1, None, "fichier vide : la ligne 1 doit être l'en-tête")])
    _check_unnamed_columns(table)
    if not table.rows and not table.errors:
        raise CsvImportError(
            [LineError(header_line + 1, None, "aucune ligne de données après l'en-tête")]
        )
    return table


def _check_header(
    header: list[str],
    delimiter: str,
    required: Sequence[str],
    optional: Sequence[str],
    extra_columns: bool,
    *,
    line: int = 1,
) -> CsvTable:
    errors = []
    # "Prenom", "Date_de_Première_Réponse": a header typed without its accents (or with
    # them) names the known column; other names (survey question codes) stay as typed.
    known_by_fold = {_fold(c): c for c in (*required, *optional)}
    header[:] = [
        c if c in known_by_fold.values() else known_by_fold.get(_fold(c), c) for c in header
    ]
    missing = [c for c in required if c not in header]
    if missing:
        errors.append(LineError(line, None, "colonnes manquantes : " + ", ".join(missing)))
    known = set(required) | set(optional)
    if not extra_columns:
        unknown = [c for c in header if c and c not in known]
        if unknown:
            errors.append(LineError(line, None, "colonnes inconnues : " + ", ".join(unknown)))
    duplicates = sorted({c for c in header if c and header.count(c) > 1})
    if duplicates:
        errors.append(LineError(line, None, "colonnes en double : " + ", ".join(duplicates)))
    if errors:
        raise CsvImportError(errors)
    return CsvTable(header=header, delimiter=delimiter, header_line=line)


def _column_letter(index: int) -> str:
    """A spreadsheet's name for the 0-based column `index` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _check_unnamed_columns(table: CsvTable) -> None:
    """Spreadsheets save the empty columns right of the data (`;;` at the end of every
    line) under an empty header: they are ignored while they stay empty. A value under a
    column without a name would be lost, so the header is refused, naming the column."""
    for index, line in sorted(table.unnamed_filled.items()):
        table.error(
            table.header_line,
            None,
            f"la colonne {_column_letter(index)} de l'en-tête n'a pas de nom, "
            f"mais elle a une valeur ligne {line}",
        )


def _check_unclosed_quote(row: Row, cells: list[str], end: int) -> None:
    """A quote opened in a cell and never closed swallows the next lines (separators and
    all) into that cell: the line comes out short, the following lines vanish, and the
    agent was told "date obligatoire". Name the cell and how far it ran instead."""
    header = row.table.header
    if len(cells) >= len(header):
        return
    for index, value in enumerate(cells):
        if "\n" in value and row.table.delimiter in value:
            name = header[index] or _column_letter(index)
            row.error(
                name,
                f"guillemet ouvert et jamais refermé : la cellule court jusqu'à la ligne {end} "
                "(fermez le guillemet ou retirez-le)",
            )
            return


def _make_row(table: CsvTable, line: int, cells: list[str], max_cell: int) -> Row:
    row = Row(table, line, {})
    if len(cells) > len(table.header):
        extra = [c for c in cells[len(table.header) :] if c.strip()]
        if extra:
            row.error(
                None,
                f"{len(cells)} cellules pour {len(table.header)} colonnes d'en-tête "
                "(séparateur ou guillemet en trop ?)",
            )
    for index, name in enumerate(table.header):
        value = cells[index] if index < len(cells) else ""
        if not name:
            if value.strip():
                table.unnamed_filled.setdefault(index, line)
            continue
        if "\x00" in value:
            row.error(name, "caractère nul (NUL) interdit")
            value = value.replace("\x00", "")
        if len(value) > max_cell:
            row.error(name, f"{len(value)} caractères, {max_cell} au plus par cellule")
            value = value[:max_cell]
        row.values[name] = value.strip()
    return row


# Parsers (usable outside CSV: forms, JSON imports) -------------------------------------


def parse_date(value: str) -> date | None:
    """ISO (2026-03-01) or French (01/03/2026, 1/3/2026, 1/3/26: a two-digit year is of
    this century, as the product's years are), with or without the time a spreadsheet
    adds to a date and time cell; None otherwise."""
    value = value.strip()
    match = None
    for pattern in (_ISO, _DMY):
        match = pattern.match(value)
        if match and _TIME.fullmatch(value, match.end()):
            break
        match = None
    if not match:
        return None
    a, b, c = (int(x) for x in match.groups())
    year, month, day = (a, b, c) if match.re is _ISO else (c, b, a)
    if match.re is _DMY and len(match.group(3)) == 2:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def in_bounds(day: date) -> bool:
    """Within the product's years (`MIN_DATE`..`MAX_DATE`)."""
    return MIN_DATE <= day <= MAX_DATE


def read_lines(data: bytes | str) -> list[tuple[int, str]]:
    """A line-based file (a queue_log) through the same decoding as the CSV reader:
    (line number, text) of every non-blank line; NUL characters are line errors and an
    empty file is refused."""
    text = decode(data)
    lines, errors = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if "\x00" in raw:
            errors.append(LineError(number, None, "caractère nul interdit"))
        elif raw.strip():
            lines.append((number, raw.strip()))
    if errors:
        raise CsvImportError(errors)
    if not lines:
        raise CsvImportError([LineError(1, None, "fichier vide")])
    return lines


MAX_JSON_DEPTH = 20


def read_json(data: bytes | str) -> Any:
    """A JSON import file through the same decoding as the CSV reader (UTF-16 refused,
    empty refused); anything unreadable or nested deeper than `MAX_JSON_DEPTH` is
    "fichier JSON illisible" at line 1, never a RecursionError."""
    import json

    text = decode(data)
    if not text.strip():
        raise CsvImportError([LineError(1, None, "fichier vide")])
    if _depth(text) > MAX_JSON_DEPTH:
        raise CsvImportError([LineError(1, None, "fichier JSON illisible (trop imbriqué)")])
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CsvImportError([LineError(1, None, f"fichier JSON illisible ({exc})")]) from exc


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _depth(text: str) -> int:
    """The deepest nesting of brackets outside strings (checked before json.loads)."""
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("]", "}"):
            depth -= 1
    return deepest


def parse_int(value: str) -> int | None:
    """ASCII digits only: `²`, `٤` or `1e3` are not numbers in a register. Thousands
    grouped by spaces (`1 234`) and zero decimals (`12,00`) are read as spreadsheets
    format whole numbers; `12,5` is not a whole number."""
    value = value.strip()
    negative = value.startswith("-")
    digits = value[1:] if negative else value
    fraction = re.search(r"[.,][0-9]*\Z", digits)
    if fraction and _ZERO_DECIMALS.fullmatch(fraction.group()):
        digits = digits[: fraction.start()]
    if _GROUPED.fullmatch(digits):
        digits = re.sub(r"[ \u00a0\u202f]", "", digits)
    if not _DIGITS.fullmatch(digits) or len(digits) > 12:
        return None
    return -int(digits) if negative else int(digits)


def parse_decimal(value: str) -> Decimal | None:
    """`12,5` or `12.5` (ASCII digits); None otherwise."""
    value = value.strip()
    for space in (" ", "\u00a0", "\u202f"):
        value = value.replace(space, "")
    if not _DECIMAL.fullmatch(value) or len(value) > 20:
        return None
    try:
        return Decimal(value.replace(",", "."))
    except InvalidOperation:
        return None


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


# Previews (the "Imports" page shows a file's first lines before confirming) -----------


def refusal(message: str, *, line: int = 1, column: str | None = None) -> CsvImportError:
    """An import's other refusal (unknown site or campaign, year out of range…) as a
    line error, so every refusal reads the same."""
    return CsvImportError([LineError(line, column, message)])


@dataclass
class FilePreview:
    header: list[str]
    rows: list[list[str]]
    total: int  # data lines (CSV) or non-blank lines


def preview_rows(data: bytes, file_format: str, *, limit: int = 5) -> FilePreview:
    """The file's first lines as the shared reader decodes them (for the preview table)."""
    try:
        text = decode(data)
    except CsvImportError:
        return FilePreview([], [], 0)
    stripped = text.lstrip()
    if file_format == "csv" or (
        file_format == "json-or-csv" and not stripped.startswith(("[", "{"))
    ):
        lines = text.splitlines()
        if not lines:
            return FilePreview([], [], 0)
        declared = separator_line(lines[0])
        if declared:
            text = text.split("\n", 1)[1] if "\n" in text else ""
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=declared or sniff_delimiter(lines[0])
        )
        try:
            rows = [r for r in reader if any(c.strip() for c in r)]
        except csv.Error:
            return FilePreview([], [], 0)
        if not rows:
            return FilePreview([], [], 0)
        header, body = rows[0], rows[1:]
        # The empty columns a spreadsheet saves right of the table (`;;`) are not shown.
        while header and not header[-1].strip():
            header = header[:-1]
        width = len(header)
        shown = [[_short(c.strip(), 80) for c in (r + [""] * width)[:width]] for r in body[:limit]]
        return FilePreview([_short(h.strip(), 80) for h in header], shown, len(body))
    lines = [line for line in text.splitlines() if line.strip()]
    return FilePreview([], [[_short(line.strip(), 160)] for line in lines[:limit]], len(lines))


# Writing -------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER_TEXT = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?", re.ASCII)


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe.

    Numbers stay numbers (a negative count is data, not a formula), also when already
    formatted as text (`-20,0`), decimals written with a comma; None becomes empty.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        # French Excel, for which the files are written, reads "5.5" as the 5th of May and
        # "77.2" as text: a decimal comma, as the files people type for the imports have.
        text = format(value, "f") if "e" in str(value).lower() else str(value)
        return text.replace(".", ",")
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER_TEXT.fullmatch(text):
        return "'" + text
    return text


def write_rows(
    stream: Any, header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ";"
) -> None:
    """Write a header and rows to a text stream, every cell neutralised."""
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])


def to_csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> str:
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    write_rows(buffer, header, rows)
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]):
    """An HttpResponse download: UTF-8 with BOM, semicolons, formulas neutralised."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "-", filename)
    response["Content-Disposition"] = content_disposition_header(True, safe_name)
    response.write("\ufeff")
    write_rows(response, header, rows)
    return response

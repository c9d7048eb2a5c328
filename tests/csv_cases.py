"""The shared table of broken CSV files that every import is run against (issue 9).

An importer plugs in with one call in its tests:

    from tests.csv_cases import assert_refuses_broken_files

    def test_my_import_passes_the_table_of_broken_files(prefecture):
        assert_refuses_broken_files(
            lambda data: my_import(prefecture, data),   # takes the file's bytes
            header="site,received_on,count",            # the import's header (commas)
            good_line="chef-lieu,2026-03-02,12",         # one line the import accepts
            text_column="site",      # a short text cell (250 characters must be refused)
            digit_column="count",    # a cell with an ASCII digit (²/٤ must be refused)
            written=lambda: MyRecord.objects.count(),    # what the import writes
        )

Each broken file is built from the header and the good line: the good line comes first
(line 2), the broken one second (line 3), so "all or nothing" is checked too. Every date
cell of the good line (and each of `date_columns`, e.g. a period `2025-11`) is also tried
with the years 0001 and 9999; the good line given twice must be refused naming both lines
(`duplicate_key=False` for an import without a key, like survey answers); the good file
saved in UTF-16 must be refused at line 1. Every case
must be refused — the callable raises (CsvImportError or any exception whose message names
the line), or returns an object whose `errors` are non-empty — and `written()` must not
change. The same files are tried comma-separated in UTF-8 and semicolon-separated in
Windows-1252 (what French spreadsheets save). Then the good file itself must be accepted
in every encoding and separator (inside a rolled-back savepoint, so nothing stays).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from engagements.csvio import parse_date

BIG = 200_000


@dataclass(frozen=True)
class Case:
    name: str
    line: int  # the line the refusal must name
    build: Callable[[list[str], list[str], dict], list[list[str]] | bytes | None]


def _with(cells: list[str], index: int, value: str) -> list[str]:
    changed = list(cells)
    changed[index] = value
    return changed


def _digit(value: str, replacement: str) -> str:
    """The last ASCII digit of the cell replaced (a date or a number stays the same shape)."""
    for position in range(len(value) - 1, -1, -1):
        if value[position].isascii() and value[position].isdigit():
            return value[:position] + replacement + value[position + 1 :]
    return replacement


CASES = [
    Case("NUL byte in a cell", 3, lambda h, g, c: [g, _with(g, c["text"], "a\x00b")]),
    Case("200,000-character cell", 3, lambda h, g, c: [g, _with(g, c["text"], "x" * BIG)]),
    Case(
        "250-character short text",
        3,
        lambda h, g, c: [g, _with(g, c["text"], "t" * 250)] if c["short"] else None,
    ),
    Case(
        "superscript two as a digit",
        3,
        lambda h, g, c: (
            [g, _with(g, c["digit"], _digit(g[c["digit"]], "²"))]
            if c["digit"] is not None
            else None
        ),
    ),
    Case(
        "Arabic-Indic four as a digit",
        3,
        lambda h, g, c: (
            [g, _with(g, c["digit"], _digit(g[c["digit"]], "٤"))]
            if c["digit"] is not None
            else None
        ),
    ),
    Case("extra cells beyond the header", 3, lambda h, g, c: [g, [*g, "en trop", "encore"]]),
    Case("header only", 2, lambda h, g, c: []),
    Case("empty file", 1, lambda h, g, c: b""),
    Case("blank file", 1, lambda h, g, c: b" \r\n\r\n"),
]


def _encode(header: list[str], lines: list[list[str]], delimiter: str, encoding: str) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(lines)
    return buffer.getvalue().encode(encoding, "replace" if encoding != "utf-8" else "strict")


_YEAR = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")


def _with_year(value: str, year: str) -> str:
    """The cell's four-digit year replaced (2025-11-03 → 0001-11-03, 03/11/2025 → …/0001)."""
    return _YEAR.sub(year, value, count=1)


def _extra_cases(columns, good, *, date_columns, duplicate_key) -> list[Case]:
    cases = []
    dated = [
        i
        for i, (name, cell) in enumerate(zip(columns, good, strict=True))
        if cell and (parse_date(cell) is not None or name in date_columns)
    ]
    for index in dated:
        for year in ("0001", "9999"):
            cases.append(
                Case(
                    f"year {year} in « {columns[index]} »",
                    3,
                    lambda h, g, c, i=index, y=year: [g, _with(g, i, _with_year(g[i], y))],
                )
            )
    if duplicate_key:
        cases.append(Case("the same key twice", 3, lambda h, g, c: [g, g]))
    return cases


def _utf16_files(header: list[str], good: list[str]) -> list[tuple[str, bytes]]:
    text = _encode(header, [good], ",", "utf-8").decode()
    return [("UTF-16 file", text.encode("utf-16")), ("UTF-16 LE file", text.encode("utf-16-le"))]


VARIANTS = [(",", "utf-8"), (";", "cp1252")]


def _refusal(import_callable, data: bytes) -> str | None:
    """The refusal's text, or None when the import accepted the file."""
    try:
        with transaction.atomic():
            result = import_callable(data)
    except Exception as exc:  # noqa: BLE001 - any refusal counts, its text is checked
        lines = getattr(exc, "lines", None)
        return "\n".join(lines) if lines else str(exc)
    errors = getattr(result, "errors", None)
    if errors:
        return "\n".join(str(e) for e in errors)
    return None


class _Rollback(Exception):
    pass


def _refused_at(import_callable, label, data, line, written, *, must_say="") -> list[str]:
    before = written()
    refusal = _refusal(import_callable, data)
    failures = []
    if refusal is None:
        failures.append(f"{label}: accepted")
    elif f"ligne {line}" not in refusal or must_say not in refusal:
        failures.append(f"{label}: refused without naming line {line} ({must_say}): {refusal!r}")
    if written() != before:
        failures.append(f"{label}: wrote {written() - before} record(s)")
    return failures


def assert_refuses_broken_raw_files(
    import_callable: Callable[[bytes], object],
    *,
    good: str,
    broken: dict[str, tuple[bytes, int]],
    written: Callable[[], int],
) -> None:
    """The same table for imports that are not CSV (a queue_log, a JSON export).

    `good` is an accepted file's text; `broken` maps a case to its bytes and the line its
    refusal must name, and must hold at least a NUL byte and a date in year 0001 (plus a
    duplicate key when the import has one). An empty file and the good file in UTF-16 are
    added here.
    """
    assert {"NUL byte", "year 0001"} <= set(broken), "every import gets these cases"
    files = {
        **broken,
        "empty file": (b"", 1),
        "blank file": (b" \r\n\r\n", 1),
        "UTF-16 file": (good.encode("utf-16"), 1),
        "UTF-16 LE file": (good.encode("utf-16-le"), 1),
    }
    failures = []
    for label, (data, line) in files.items():
        must_say = "UTF-16" if "UTF-16" in label else "nul" if "NUL" in label else ""
        failures += _refused_at(import_callable, label, data, line, written, must_say=must_say)
    assert not failures, "broken-file table:\n" + "\n".join(failures)


def assert_refuses_broken_files(
    import_callable: Callable[[bytes], object],
    *,
    header: str,
    good_line: str,
    written: Callable[[], int],
    text_column: str,
    digit_column: str | None = None,
    short_text: bool = True,
    date_columns: tuple[str, ...] = (),
    duplicate_key: bool = True,
) -> None:
    """Run an import against every broken file of the table; fail listing every miss.

    `short_text=False` when the text column legitimately holds long texts (a comment): the
    250-character case is then skipped. `date_columns` names date cells that are not plain
    dates (a period); `duplicate_key=False` when the same line twice is legitimate.
    """
    columns = header.split(",")
    good = good_line.split(",")
    assert len(good) == len(columns), "the good line must have one cell per column"
    where = {
        "text": columns.index(text_column),
        "digit": columns.index(digit_column) if digit_column else None,
        "short": short_text,
    }
    failures = []
    extra = _extra_cases(columns, good, date_columns=date_columns, duplicate_key=duplicate_key)
    for case in [*CASES, *extra]:
        built = case.build(columns, good, where)
        if built is None:
            continue
        for delimiter, encoding in VARIANTS:
            label = f"{case.name} ({encoding}, « {delimiter} »)"
            data = (
                built if isinstance(built, bytes) else _encode(columns, built, delimiter, encoding)
            )
            before = written()
            refusal = _refusal(import_callable, data)
            if refusal is None:
                failures.append(f"{label}: accepted")
            elif f"ligne {case.line}" not in refusal:
                failures.append(f"{label}: refused without naming line {case.line}: {refusal!r}")
            elif case in extra and "key" in case.name and "ligne 2" not in refusal:
                failures.append(f"{label}: refused without naming the first line: {refusal!r}")
            if written() != before:
                failures.append(f"{label}: wrote {written() - before} record(s)")
    for label, data in _utf16_files(columns, good):
        failures += _refused_at(import_callable, label, data, 1, written, must_say="UTF-16")
    # The good file itself is accepted whatever the encoding and separator.
    for delimiter, encoding in [*VARIANTS, (",", "utf-8-sig"), (";", "utf-8")]:
        data = _encode(columns, [good], delimiter, encoding)
        before = written()
        try:
            with transaction.atomic():
                refusal = _refusal(import_callable, data)
                grew = written() > before
                raise _Rollback
        except _Rollback:
            pass
        if refusal is not None:
            failures.append(f"good file ({encoding}, « {delimiter} »): refused: {refusal!r}")
        elif not grew:
            failures.append(f"good file ({encoding}, « {delimiter} »): nothing written")
    assert not failures, "broken-file table:\n" + "\n".join(failures)

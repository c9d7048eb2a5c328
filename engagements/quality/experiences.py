"""SP+ experiences: import of the platform's export, structure → site table."""

from __future__ import annotations

from django.db import transaction

from engagements.csvio import (
    MAX_CELL,
    OUT_OF_BOUNDS,
    CsvImportError,
    LineError,
    Row,
    in_bounds,
    parse_date,
    read_csv,
    read_json,
)
from engagements.db import analyze
from engagements.organisation.models import Prefecture, Site

from .models import Experience, StructureMapping

FIELDS = [
    "id_experience",
    "titre",
    "description",
    "ressenti_usager",
    "date_de_publication",
    "date_de_premiere_reponse",
    "reponse_structure_1",
    "amelioration_de_service_a_considerer",
    "structure",
]
REQUIRED = ["id_experience", "titre", "date_de_publication", "structure"]


class ExperienceError(Exception):
    """An SP+ write refused (message in French)."""


# Longest value kept per field (the model's columns; texts as long as a CSV cell may be).
MAX_LENGTHS = {
    "id_experience": 60,
    "titre": 300,
    "ressenti_usager": 60,
    "structure": 300,
}


def _records(data: bytes, filename: str) -> tuple[list[tuple[int, dict]], list[LineError]]:
    """(line or item number, values) from a CSV or JSON export, and the structural errors
    of the CSV file (NUL characters, oversized cells, cells beyond the header)."""
    head = data.lstrip()[:1]
    if filename.lower().endswith(".json") or head in (b"[", b"{"):
        doc = read_json(data)
        if isinstance(doc, dict):
            doc = doc.get("experiences") or doc.get("data") or []
        if not isinstance(doc, list):
            raise CsvImportError([LineError(1, None, "une liste d'expériences est attendue")])
        if not doc:
            raise CsvImportError([LineError(1, None, "aucune expérience dans le fichier")])
        out = []
        for index, item in enumerate(doc, 1):
            if not isinstance(item, dict):
                raise CsvImportError([LineError(index, None, "expérience illisible")])
            out.append((index, {k: str(item.get(k) or "").strip() for k in FIELDS}))
        return out, []
    table = read_csv(
        data,
        required=REQUIRED,
        optional=[f for f in FIELDS if f not in REQUIRED],
        extra_columns=True,
    )
    return [(row.line, {k: row[k] for k in FIELDS}) for row in table], list(table.errors)


def _date(value: str):
    """A date, or the day of the platform's moments (`2025-11-05T10:12:00+01:00`)."""
    return parse_date(value) or parse_date(value[:10])


def _not_a_date(value: str) -> str:
    return f"« {value[:60]} » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA)"


def _check(line: int, values: dict) -> list[LineError]:
    """NUL characters and over-long values (JSON exports do not go through the CSV reader)."""
    problems = []
    for key, value in values.items():
        if "\x00" in value:
            problems.append(LineError(line, key, "caractère nul (NUL) interdit"))
            continue
        limit = MAX_LENGTHS.get(key, MAX_CELL)
        if len(value) > limit:
            problems.append(LineError(line, key, f"{len(value)} caractères, {limit} au plus"))
    return problems


def import_experiences(prefecture: Prefecture, data: bytes, filename: str = "") -> dict:
    """Create or update experiences by their SP+ id; all or nothing.

    The site comes from the structure → site table only: an unknown structure is kept
    without site and listed in `unmatched` (never guessed).
    """
    records, errors = _records(data, filename)
    mapping = {
        m.structure.casefold(): m.site
        for m in StructureMapping.objects.filter(prefecture=prefecture).select_related("site")
    }
    parsed = []
    seen: dict[str, int] = {}
    for line, values in records:
        problems = _check(line, values)
        external_id = values["id_experience"]
        if external_id in seen:
            problems.append(
                LineError(
                    line, "id_experience", f"expérience déjà donnée ligne {seen[external_id]}"
                )
            )
        elif external_id:
            seen[external_id] = line
        for key in REQUIRED:
            if not values[key]:
                problems.append(LineError(line, key, "valeur obligatoire"))
        published = _date(values["date_de_publication"]) if values["date_de_publication"] else None
        if values["date_de_publication"] and published is None:
            problems.append(
                LineError(line, "date_de_publication", _not_a_date(values["date_de_publication"]))
            )
        elif published and not in_bounds(published):
            problems.append(LineError(line, "date_de_publication", OUT_OF_BOUNDS))
        answered = None
        if values["date_de_premiere_reponse"]:
            answered = _date(values["date_de_premiere_reponse"])
            if answered is None:
                problems.append(
                    LineError(
                        line,
                        "date_de_premiere_reponse",
                        _not_a_date(values["date_de_premiere_reponse"]),
                    )
                )
            elif not in_bounds(answered):
                problems.append(LineError(line, "date_de_premiere_reponse", OUT_OF_BOUNDS))
            elif published and answered < published:
                problems.append(
                    LineError(line, "date_de_premiere_reponse", "réponse avant la publication")
                )
        errors += problems
        parsed.append((values, published, answered))
    if errors:
        raise CsvImportError(sorted(errors, key=lambda e: e.line))
    created = updated = 0
    unmatched: set[str] = set()
    with transaction.atomic():
        analyze(Experience)  # fresh statistics once committed
        for values, published, answered in parsed:
            site = mapping.get(values["structure"].casefold())
            if site is None:
                unmatched.add(values["structure"])
            _, was_created = Experience.objects.update_or_create(
                prefecture=prefecture,
                external_id=values["id_experience"],
                defaults={
                    "structure": values["structure"],
                    "site": site,
                    "title": values["titre"],
                    "description": values["description"],
                    "feeling": values["ressenti_usager"],
                    "published_on": published,
                    "first_answer_on": answered,
                    "answer": values["reponse_structure_1"],
                    "improvement": values["amelioration_de_service_a_considerer"],
                },
            )
            created += was_created
            updated += not was_created
    return {"created": created, "updated": updated, "unmatched": sorted(unmatched)}


def map_structure(prefecture: Prefecture, structure: str, site: Site) -> StructureMapping:
    """Record which site a platform structure stands for, and match its experiences."""
    if site.prefecture_id != prefecture.pk:
        raise ExperienceError("Ce site n'appartient pas à la préfecture.")
    structure = structure.strip()
    if not structure:
        raise ExperienceError("Indiquez le nom de la structure.")
    with transaction.atomic():
        mapping, _ = StructureMapping.objects.update_or_create(
            prefecture=prefecture, structure=structure, defaults={"site": site}
        )
        Experience.objects.filter(prefecture=prefecture, structure__iexact=structure).update(
            site=site
        )
    return mapping


def unmatched_structures(prefecture: Prefecture) -> list[str]:
    return sorted(
        set(
            Experience.objects.filter(prefecture=prefecture, site__isnull=True).values_list(
                "structure", flat=True
            )
        )
    )


__all__ = ["CsvImportError", "ExperienceError", "Row"]

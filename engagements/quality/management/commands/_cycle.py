"""Shared bits of the label-cycle commands (not a command: the name starts with "_")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from engagements.csvio import CsvImportError
from engagements.organisation.models import Prefecture
from engagements.shell.imports import ImportCommand


def prefecture_or_error(slug: str) -> Prefecture:
    found = Prefecture.objects.filter(slug=slug).first()
    if found is None:
        raise CommandError(f"Préfecture « {slug} » inconnue.")
    return found


def read_file(file: str) -> bytes:
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"Fichier introuvable : {file}")
    return path.read_bytes()


def run_import(do_import: Callable[[], dict], *errors: type[Exception]) -> dict:
    """Run an import; a refused file becomes a CommandError listing each line."""
    try:
        return do_import()
    except CsvImportError as exc:
        raise CommandError(
            "Fichier refusé, rien n'a été importé :\n" + "\n".join(exc.lines)
        ) from exc
    except errors as exc:
        raise CommandError(str(exc)) from exc


def iso_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Date {option} invalide : {value} (AAAA-MM-JJ)") from exc


class PrefectureFileImport(ImportCommand):
    """`--prefecture SLUG FILE.csv`, all or nothing: a subclass names its import (a function
    of the prefecture and the file's bytes giving counts) and how its counts are written."""

    importer: Callable[[Prefecture, bytes], dict]

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True, help="identifiant de la préfecture")
        parser.add_argument("file", help="fichier CSV (virgule ou point-virgule)")

    def handle(self, *args, prefecture, file, **options):
        found = prefecture_or_error(prefecture)
        data = read_file(file)
        counts = run_import(lambda: type(self).importer(found, data))
        self.stdout.write(self.summary(counts))

    def summary(self, counts: dict) -> str:
        raise NotImplementedError

"""Shared bits of the label-cycle commands (not a command: the name starts with "_")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from engagements.csvio import CsvImportError
from engagements.organisation.models import Prefecture


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

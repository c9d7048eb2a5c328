"""The hall poster of published results: which indicators it shows (3 to 6, chosen by the
référent, in her order) and when the figures are next updated.

The values themselves are the published ones (`queries.publication_values`, displayed with
`views.display.display`): this module only chooses and orders them, never rounds.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from engagements.organisation.indicator_codes import IndicatorCode

from .catalogue import CATALOGUE
from .models import PosterChoice
from .periods import Period

MIN_INDICATORS, MAX_INDICATORS = 3, 6


class PosterError(Exception):
    """A choice the poster cannot take (French message for the référent)."""


def indicator_choices() -> list[tuple[str, str]]:
    """Every stable indicator code with the name the poster prints for it (the catalogue's:
    the référent picks "Visiteurs à l'accueil", not another wording of it)."""
    names = {entry.code: entry.name_fr for entry in CATALOGUE}
    return [(code, names.get(code, label)) for code, label in IndicatorCode.choices]


def stored_choice(prefecture) -> PosterChoice | None:
    return PosterChoice.objects.filter(prefecture=prefecture).first()


def chosen_codes(prefecture) -> list[str]:
    """The référent's codes in her order ([] when she has not chosen)."""
    choice = stored_choice(prefecture)
    return list(choice.codes) if choice else []


def poster_rows(rows: list[dict], codes: list[str]) -> list[dict]:
    """The rows of the chosen codes in the chosen order; without a choice, the first
    MAX_INDICATORS rows that have a value (then the others)."""
    if codes:
        by_code = {row["code"]: row for row in rows}
        return [by_code[code] for code in codes if code in by_code]
    measured = [row for row in rows if row.get("measured")]
    others = [row for row in rows if row not in measured]
    return (measured + others)[:MAX_INDICATORS]


def validate_codes(codes: list[str]) -> list[str]:
    known = {code for code, _ in indicator_choices()}
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise PosterError(f"Indicateur inconnu : {', '.join(unknown)}.")
    if len(set(codes)) != len(codes):
        raise PosterError("Chaque indicateur ne figure qu'une fois sur l'affiche.")
    if not MIN_INDICATORS <= len(codes) <= MAX_INDICATORS:
        raise PosterError(
            f"Choisissez de {MIN_INDICATORS} à {MAX_INDICATORS} indicateurs "
            f"({len(codes)} choisis) : au-delà, l'affiche ne se lit plus de loin."
        )
    return codes


def save_choice(prefecture, *, codes: list[str], next_update: date | None, actor) -> PosterChoice:
    """Store the poster's indicators (3 to 6, in this order) and its next update date."""
    validate_codes(codes)
    with transaction.atomic():
        choice, _ = PosterChoice.objects.select_for_update().get_or_create(prefecture=prefecture)
        choice.codes = list(codes)
        choice.next_update = next_update
        choice.updated_by = actor
        choice.save()
    return choice


def next_update(prefecture, period: Period) -> date:
    """When the poster's figures are next updated: the référent's date if it is still
    ahead of the published period, else the first day of the second month after the next
    period ends (a month to count and publish it: Q3 published, Q4 by 1 February)."""
    choice = stored_choice(prefecture)
    if choice and choice.next_update and choice.next_update > period.end:
        return choice.next_update
    following = Period.of(period.kind, date.fromordinal(period.end.toordinal() + 1))
    index = following.end.year * 12 + following.end.month + 1  # two months on, 0-based
    return date(index // 12, index % 12 + 1, 1)

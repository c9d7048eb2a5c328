"""How a value is written for people (French and English number formats)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from ..enums import Unit

_QUANTUM = {places: Decimal(1).scaleb(-places) for places in (0, 1, 2)}


def _number(value, places: int, english: bool) -> str:
    # Decimal, half up: a value is shown as it was rounded (`grouped.ratio`), never rounded
    # a second time the binary-float way (77.35 would show 77,3 with `f"{77.35:.1f}"`).
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    text = f"{exact.quantize(_QUANTUM[places], rounding=ROUND_HALF_UP):,.{places}f}"
    if english:
        return text
    return text.replace(",", "\u202f").replace(".", ",")


def display(value, unit: str) -> str:
    """'73,6 %', '4,25 jours', '1 234', '+12,0 points'; '—' when there is no value.
    A dashboard writes a few hundred: the language is asked once per value, a Decimal
    from the database is not converted again."""
    if value is None:
        return "—"
    exact = value
    value = float(value)
    english = (get_language() or "fr").startswith("en")
    if unit == Unit.PERCENT:
        return f"{_number(exact, 1, english)}\u00a0%"
    if unit == Unit.POINTS:
        return _("%(value)s points") % {"value": _number(exact, 1, english)}
    if unit == Unit.DAYS:
        text = _number(exact, 0 if value.is_integer() else 2, english)
        # French: singular under 2 (1,5 jour); English: singular for exactly 1.
        count = (1 if value == 1 else 2) if english else (1 if abs(value) < 2 else 2)
        return ngettext("%(value)s jour", "%(value)s jours", count) % {"value": text}
    if value.is_integer():
        return _number(exact, 0, english)
    return _number(exact, 2, english)


WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
LEVELS = {
    "calme": ("Calme", "○"),
    "moyen": ("Moyen", "◐"),
    "charge": ("Chargé", "●"),
    "ferme": ("Fermé", "✕"),
}


def decorate_grid(label: str, grid: dict, weekdays=WEEKDAYS, levels=LEVELS) -> dict:
    for row in grid["grid"]:
        row["label"] = weekdays[row["weekday"] - 1]
        for cell in row["cells"]:
            cell["word"], cell["icon"] = levels.get(cell["level"], ("", ""))
            cell["average_display"] = (
                "" if cell["average"] is None else f"{cell['average']:.1f}".replace(".", ",")
            )
    return {"label": label, **grid}


def exclusions(code: str, extra: dict) -> str:
    """What a rate leaves out, counted beside it: messages closed without answer by
    reason, calls arrived while the queue was closed ("" when none)."""
    from engagements.correspondence.enums import ClosedReason

    if code == "correspondence_on_time_rate" and extra.get("excluded"):
        reasons = extra.get("excluded_by_reason") or {}
        parts = [
            f"{ClosedReason(reason).label.lower()} : {_count(count)}"
            for reason, count in sorted(reasons.items(), key=lambda item: -item[1])
            if reason in ClosedReason.values
        ]
        text = f"Clos sans réponse (hors taux) : {_count(extra['excluded'])}"
        return f"{text} — {', '.join(parts)}" if parts else text
    if code == "calls_answered_rate" and extra.get("closed"):
        return f"Appels arrivés file fermée (hors taux) : {_count(extra['closed'])}"
    return ""


def lost_calls_lines(code: str, extra: dict) -> tuple[str, list[str]]:
    """Beside the lost-calls rate: the calls outside the published hours ("" when none) and
    each platform's rate with its counts, counts written as the rate's own (1 234)."""
    if code != "calls_lost_rate":
        return "", []
    outside = extra.get("outside_hours")
    outside_text = f"Appels hors des horaires publiés (hors taux) : {_count(outside)}"
    platforms = [
        f"{row['name']} : pas d'appel"
        if row["value"] is None
        else f"{row['name']} : {display(row['value'], Unit.PERCENT)} "
        f"({_count(row['numerator'])} sur {_count(row['denominator'])})"
        for row in extra.get("platforms") or []
    ]
    return (outside_text if outside else ""), platforms


def _count(number) -> str:
    return display(number, Unit.COUNT)

"""How a value is written for people (`views.display.display`), in French and English."""

from decimal import Decimal

import pytest
from django.utils import translation

from engagements.indicators.views.display import display


@pytest.mark.parametrize(
    ("language", "value", "unit", "shown"),
    [
        ("fr", None, "percent", "—"),
        ("fr", Decimal("77.35"), "percent", "77,4\u00a0%"),  # half up, once
        ("fr", 77.35, "percent", "77,4\u00a0%"),  # a float as it is written, not its binary
        ("fr", Decimal("77.34"), "percent", "77,3\u00a0%"),
        ("en", Decimal("77.35"), "percent", "77.4\u00a0%"),
        ("fr", Decimal("-3.25"), "points", "-3,3 points"),
        ("en", Decimal("-3.25"), "points", "-3.3 points"),
        ("fr", Decimal("1.00"), "days", "1 jour"),
        ("fr", Decimal("1.5"), "days", "1,50 jour"),  # French: singular under 2
        ("fr", Decimal("2.00"), "days", "2 jours"),
        ("en", Decimal("1.00"), "days", "1 day"),
        ("en", Decimal("1.5"), "days", "1.50 days"),  # English: singular for exactly 1
        ("fr", Decimal("1234.00"), "count", "1\u202f234"),
        ("fr", Decimal("1234.56"), "count", "1\u202f234,56"),
        ("fr", 1234567.891, "count", "1\u202f234\u202f567,89"),
        ("en", 1234567.891, "count", "1,234,567.89"),
        ("fr", 0, "count", "0"),
    ],
)
def test_display(language, value, unit, shown):
    with translation.override(language):
        assert display(value, unit) == shown


def test_counts_beside_the_rates_are_grouped_by_thousands():
    from engagements.indicators.views.display import exclusions, lost_calls_lines

    outside, platforms = lost_calls_lines(
        "calls_lost_rate",
        {
            "outside_hours": 1672,
            "platforms": [
                {"name": "Standard", "value": 7.1, "numerator": 509, "denominator": 7195},
                {"name": "Ligne des étrangers", "value": None, "numerator": 0, "denominator": 0},
            ],
        },
    )
    assert outside == "Appels hors des horaires publiés (hors taux) : 1\u202f672"
    assert platforms == [
        "Standard : 7,1\u00a0% (509 sur 7\u202f195)",
        "Ligne des étrangers : pas d'appel",
    ]
    assert lost_calls_lines("calls_answered_rate", {"outside_hours": 3}) == ("", [])
    closed = exclusions("calls_answered_rate", {"closed": 2346})
    assert closed == "Appels arrivés file fermée (hors taux) : 2\u202f346"
    excluded = exclusions(
        "correspondence_on_time_rate", {"excluded": 1200, "excluded_by_reason": {"spam": 1200}}
    )
    assert excluded.startswith("Clos sans réponse (hors taux) : 1\u202f200 — ")

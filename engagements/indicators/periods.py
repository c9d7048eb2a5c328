"""Periods of indicator values: a month (2025-11), a quarter (2025-Q4) or a year (2025)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from .enums import PeriodKind

_PATTERNS = (
    # ASCII digits only: `202٤` is not a year in a register (issue 9).
    (re.compile(r"([0-9]{4})", re.ASCII), PeriodKind.YEAR),
    (re.compile(r"([0-9]{4})-[QqTt]([1-4])", re.ASCII), PeriodKind.QUARTER),
    (re.compile(r"([0-9]{4})-([0-9]{1,2})", re.ASCII), PeriodKind.MONTH),
)
# The product's data start in 2000 (imports refuse earlier dates); no period is in the future.
FIRST_YEAR = 2000
MONTHS_FR = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
MONTHS_EN = [calendar.month_name[i] for i in range(1, 13)]


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @classmethod
    def parse(cls, text: str, *, today: date | None = None) -> Period:
        """A period typed or asked for, within the product's data: from 2000 to the current
        period (ValueError with a French message otherwise)."""
        period = cls._parse(text)
        if period.start.year < FIRST_YEAR:
            raise ValueError(
                f"Période « {period.code} » hors des données : {FIRST_YEAR} au plus tôt."
            )
        if today is None:
            from django.utils import timezone

            today = timezone.localdate()
        if period.start > today:
            raise ValueError(f"Période « {period.code} » à venir : elle n'a pas commencé.")
        return period

    @classmethod
    def _parse(cls, text: str) -> Period:
        text = (text or "").strip()
        for pattern, kind in _PATTERNS:
            match = pattern.fullmatch(text)
            if not match:
                continue
            year = int(match.group(1))
            if kind == PeriodKind.YEAR:
                return cls.year(year)
            number = int(match.group(2))
            if kind == PeriodKind.QUARTER:
                return cls.quarter(year, number)
            if 1 <= number <= 12:
                return cls.month(year, number)
        raise ValueError(f"Période « {text} » invalide : AAAA, AAAA-T1 à T4 (AAAA-Q4) ou AAAA-MM.")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        first = 3 * (number - 1) + 1
        last = first + 2
        return cls(
            PeriodKind.QUARTER,
            date(year, first, 1),
            date(year, last, calendar.monthrange(year, last)[1]),
        )

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(
            PeriodKind.MONTH,
            date(year, month, 1),
            date(year, month, calendar.monthrange(year, month)[1]),
        )

    @classmethod
    def of(cls, kind: str, start: date) -> Period:
        if kind == PeriodKind.YEAR:
            return cls.year(start.year)
        if kind == PeriodKind.QUARTER:
            return cls.quarter(start.year, (start.month - 1) // 3 + 1)
        return cls.month(start.year, start.month)

    def previous_year(self) -> Period:
        return Period.of(self.kind, self.start.replace(year=self.start.year - 1))

    def previous(self) -> Period:
        """The period just before (last month, last quarter, last year)."""
        if self.kind == PeriodKind.YEAR:
            return Period.year(self.start.year - 1)
        if self.kind == PeriodKind.QUARTER:
            month = self.start.month - 3
            return Period.of(
                self.kind, date(self.start.year - (month < 1), (month - 1) % 12 + 1, 1)
            )
        month = self.start.month - 1
        return Period.month(self.start.year - (month < 1), (month - 1) % 12 + 1)

    def months(self) -> list[Period]:
        result = []
        day = self.start
        while day <= self.end:
            result.append(Period.month(day.year, day.month))
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return result

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def label(self, language: str = "fr") -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}"
        number = (self.start.month - 1) // 3 + 1
        if self.kind == PeriodKind.QUARTER:
            if language == "en":
                return f"Q{number} {self.start.year}"
            return f"{number}{'er' if number == 1 else 'e'} trimestre {self.start.year}"
        months = MONTHS_EN if language == "en" else MONTHS_FR
        return f"{months[self.start.month - 1]} {self.start.year}"

    def __str__(self) -> str:
        return self.code

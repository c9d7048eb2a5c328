"""Records of other apps that the quality calendar counts, without importing them.

- `register_meeting_days(func_path)`: the users' committee's meetings;
  `func(prefecture, start, end) -> list[tuple[date, bool]]` gives each meeting's day between
  two dates included and whether it was held (True) or only planned (False).
Call from AppConfig.ready() (the committee app fills it; the quality app reads it).
"""

from __future__ import annotations

from datetime import date

_meeting_sources: list[str] = []


def register_meeting_days(func_path: str) -> None:
    if func_path not in _meeting_sources:
        _meeting_sources.append(func_path)


def meeting_days(prefecture, start: date, end: date) -> list[tuple[date, bool]] | None:
    """Every registered source's meetings, sorted; None when no app provides meetings."""
    from django.utils.module_loading import import_string

    if not _meeting_sources:
        return None
    days: list[tuple[date, bool]] = []
    for path in _meeting_sources:
        days.extend(import_string(path)(prefecture, start, end))
    return sorted(days)

"""Registries of the label cycle: records one app reads from another without importing it.

- `register_meeting_days(func_path)`: the users' committee's meetings;
  `func(prefecture, start, end) -> list[tuple[date, bool]]` gives each meeting's day between
  two dates included and whether it was held (True) or only planned (False).
- `register_meeting_days_by_prefecture(func_path)`: the same for many prefectures at once
  (the national overview, in a fixed number of queries); `func(prefectures, start, end)
  -> dict[int, list[tuple[date, bool]]]` keyed by prefecture pk (none: no meeting).
- `register_published_figures(func_path)`: the latest published figures against targets;
  `func(prefecture) -> dict | None` with `period` (label), `published_on`, `with_target`
  (values with a target), `met` (targets met) and `values` (the prefecture-wide values in
  order: `code`, `name`, `unit`, `value`, `target`, `met`, `lower_is_better`,
  `value_text`, `target_text`).
- `register_published_figures_by_prefecture(func_path)`: the same for many prefectures at
  once; `func(prefectures) -> dict[int, dict]` keyed by prefecture pk (none: nothing
  published).
- `register_training_summary(func_path)`: the year's staff trainings, for the committee's
  annual report; `func(prefecture, year) -> dict` with `sessions`, `participants`,
  `trainee_hours` (text) and `topics` (rows with `topic`, `sessions`, `participants`,
  `trainee_hours`).
- `register_scope_services(func_path)`: the scope per service; `func(prefecture, module)
  -> list[int]` gives the pks of the services in that module's scope (the indicators'
  figures per module count only them).
Call from AppConfig.ready() (committee and indicators fill the first two, read by the
quality app's calendar and national overview; quality fills the third and fourth, read by
the indicators app's annual report and figures).
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


_meeting_batch_sources: list[str] = []


def register_meeting_days_by_prefecture(func_path: str) -> None:
    if func_path not in _meeting_batch_sources:
        _meeting_batch_sources.append(func_path)


def meeting_days_by_prefecture(
    prefectures, start: date, end: date
) -> dict[int, list[tuple[date, bool]]] | None:
    """`meeting_days` of each prefecture (by pk; absent: none), in the registered sources'
    fixed number of queries; None when no app provides meetings."""
    from django.utils.module_loading import import_string

    if not _meeting_batch_sources:
        return None
    out: dict[int, list[tuple[date, bool]]] = {}
    for path in _meeting_batch_sources:
        for pk, days in import_string(path)(prefectures, start, end).items():
            out.setdefault(pk, []).extend(days)
    return {pk: sorted(days) for pk, days in out.items()}


_figure_sources: list[str] = []


def register_published_figures(func_path: str) -> None:
    if func_path not in _figure_sources:
        _figure_sources.append(func_path)


def published_figures(prefecture) -> dict | None:
    """The first registered source's summary, or None (no source, nothing published)."""
    from django.utils.module_loading import import_string

    for path in _figure_sources:
        summary = import_string(path)(prefecture)
        if summary is not None:
            return summary
    return None


_figure_batch_sources: list[str] = []


def register_published_figures_by_prefecture(func_path: str) -> None:
    if func_path not in _figure_batch_sources:
        _figure_batch_sources.append(func_path)


def published_figures_by_prefecture(prefectures) -> dict[int, dict]:
    """`published_figures` of each prefecture (by pk; absent: nothing published), in the
    registered source's fixed number of queries."""
    from django.utils.module_loading import import_string

    out: dict[int, dict] = {}
    for path in _figure_batch_sources:
        for pk, summary in import_string(path)(prefectures).items():
            if summary is not None:
                out.setdefault(pk, summary)
    return out


_training_sources: list[str] = []


def register_training_summary(func_path: str) -> None:
    if func_path not in _training_sources:
        _training_sources.append(func_path)


def training_summary(prefecture, year: int) -> dict | None:
    """The registered source's summary of the year's trainings, or None (no source)."""
    from django.utils.module_loading import import_string

    for path in _training_sources:
        return import_string(path)(prefecture, year)
    return None


_scope_sources: list[str] = []


def register_scope_services(func_path: str) -> None:
    if func_path not in _scope_sources:
        _scope_sources.append(func_path)


def scope_services(prefecture, module: int) -> list[int] | None:
    """The pks of the services in a module's scope; None when no app keeps scopes."""
    from django.utils.module_loading import import_string

    for path in _scope_sources:
        return list(import_string(path)(prefecture, module))
    return None

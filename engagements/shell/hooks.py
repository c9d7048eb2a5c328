"""Where a lower page shows something an upper app provides: the upper app plugs in here.

Each hook is filled from the providing app's `AppConfig.ready()`; the lower page (view or
template) asks the hook and renders what it gets, never naming the app that filled it. With
nobody registered, every hook gives an empty answer and the page shows nothing extra.

- `register_page_slot(slot, func)`: HTML for a named place of a page.
  `func(request, prefecture, **options) -> str` (rendered HTML, "" for nothing). Slots:
  "public-form-help" (help under a public form; option `fields`: space-separated input
  ids the person types in, "" for a box of its own) and "answer-help" (help beside an
  agent's answer; option `target`: the textarea's id), "site-labels" (a site's current
  labels on the agents' organisation page; option `site`) and "recompute-status" (the
  periods whose figures are being recomputed after records were written, e.g. on an
  imports page; no option). Template: `{% page_slot %}`.
- `register_login_option(func)`: another way to sign in on the agents' login page.
  `func(request, next_url: str) -> str` (rendered HTML, "" when unavailable).
- `register_action_link(func)`: the "Créer une action" address for a record.
  `func(source: Model, prefecture) -> str` (URL, "" for none). Template:
  `{% new_action_url record prefecture as url %}`.
- `register_section_link(section, label, url_name, *, order=50)`: a link in a page's local
  navigation (e.g. section "surveys"); the URL takes the prefecture slug. Template:
  `{% section_links "surveys" prefecture as links %}` gives `[{"label", "url"}]`.
- `register_action_source(label, source)`: a record type actions may come from, declared
  by the app owning the model (`label` is "app_label.model", or "app_label.*" for every
  model of the app); see `ActionSource`.
- `register_linked_actions(func)`: the actions following up records.
  `func(records: list[Model]) -> dict[pk, list]` for records of one model; each item has
  `reference`, `title` and `status` (with `label`).
- `register_next_audit(func)`: the next planned audit of a prefecture.
  `func(prefecture) -> date | None`.
- `register_period_touched(func)`: told when records that feed the figures were written.
  `func(prefecture, days: set[date])`, called by the app that wrote them (its imports and
  its changes: a message registered, answered or closed, survey answers, attendance…)
  inside the write's transaction through `period_touched(prefecture, days)`; the days
  are the records' own dates (a message's day of receipt, an answer's day…). Returns
  nothing; the receiver defers its work (the indicators app queues a recompute job of
  the periods holding those days).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

_slots: dict[str, list[Callable]] = {}
_login_options: list[Callable] = []
_action_links: list[Callable] = []
_section_links: dict[str, list[tuple[int, str, object]]] = {}
_action_sources: dict[str, ActionSource] = {}
_linked_actions: list[Callable] = []
_next_audit: list[Callable] = []
_period_touched: list[Callable] = []


def _add(items: list, func) -> None:
    if func not in items:
        items.append(func)


# --- page slots ----------------------------------------------------------------------------


def register_page_slot(slot: str, func: Callable) -> None:
    _add(_slots.setdefault(slot, []), func)


def page_slot(slot: str, request, prefecture, **options) -> str:
    """Every provider's HTML for `slot`, in registration order ("" with none)."""
    return "".join(func(request, prefecture, **options) for func in _slots.get(slot, []))


# --- login options -------------------------------------------------------------------------


def register_login_option(func: Callable) -> None:
    _add(_login_options, func)


def login_options(request, next_url: str = "") -> list[str]:
    return [html for func in _login_options if (html := func(request, next_url))]


# --- "Créer une action" --------------------------------------------------------------------


def register_action_link(func: Callable) -> None:
    _add(_action_links, func)


def action_link(source, prefecture=None) -> str:
    prefecture = prefecture or getattr(source, "prefecture", None)
    if source is None or prefecture is None:
        return ""
    for func in _action_links:
        if url := func(source, prefecture):
            return url
    return ""


# --- local navigation ----------------------------------------------------------------------


def register_section_link(section: str, label, url_name: str, *, order: int = 50) -> None:
    links = _section_links.setdefault(section, [])
    if all(name != url_name for _, name, _ in links):
        links.append((order, url_name, label))


def section_links(section: str, prefecture) -> list[dict]:
    from .addresses import reverse_plain

    return [
        {"label": label, "url": reverse_plain(url_name, prefecture.slug)}
        for _, url_name, label in sorted(_section_links.get(section, []), key=lambda item: item[0])
    ]


# --- action sources ------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionSource:
    """A record type an improvement action may come from, as its own app describes it.

    `kind`: the source kind ("complaint", "survey", "mystery_check", "committee", "audit",
    "sp_plus", "indicator"). The callables get the record: `label` what it is — never who
    wrote it (no names, addresses or message text: it may reach the public page);
    `prefecture` its prefecture (None: its `prefecture_id`, or that of a record it points
    to); `site` and `service` where it happened (None: its `site` attribute, no service);
    `title` a suggested action title ("" for none).
    """

    kind: str
    label: Callable[[models.Model], str] | None = None
    prefecture: Callable[[models.Model], object] | None = None
    site: Callable[[models.Model], object] | None = None
    service: Callable[[models.Model], object] | None = None
    title: Callable[[models.Model], str] | None = None


def register_action_source(label: str, source: ActionSource) -> None:
    _action_sources[label.lower()] = source


def action_source(label: str) -> ActionSource | None:
    """The source declared for "app_label.model" (or for its whole app), or None."""
    label = label.lower()
    return _action_sources.get(label) or _action_sources.get(label.split(".", 1)[0] + ".*")


# --- linked actions, next audit ------------------------------------------------------------


def register_linked_actions(func: Callable) -> None:
    _add(_linked_actions, func)


def linked_actions(records) -> dict:
    records = list(records)
    found: dict = {}
    for func in _linked_actions if records else []:
        for pk, items in func(records).items():
            found.setdefault(pk, []).extend(items)
    return found


def register_next_audit(func: Callable) -> None:
    _add(_next_audit, func)


def next_audit_date(prefecture):
    dates = [found for func in _next_audit if (found := func(prefecture)) is not None]
    return min(dates) if dates else None


# --- records that feed the figures written ---------------------------------------------------


def register_period_touched(func: Callable) -> None:
    _add(_period_touched, func)


def period_touched(prefecture, days) -> None:
    """Records of `prefecture` dated on `days` (dates; None left out) were written."""
    days = {day for day in days if day is not None}
    if not days or prefecture is None:
        return
    for func in _period_touched:
        func(prefecture, days)

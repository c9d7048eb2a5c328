"""Entry points that apps contribute to the agents' and public shared pages.

- `register_agent_link`: a link in the agents' menu (shown when the user has the capability);
  the URL takes the prefecture slug as its only argument. Links sharing a `group` are shown
  as one drop-down entry of the menu (one per app), and all as tiles on the agents' home.
- `register_public_action`: a call to action on the public prefecture page (book an
  appointment, write to us, give your opinion); the URL takes the prefecture slug.
- `register_public_panel`: a section of the public prefecture page (e.g. when to come, when
  to call): `func(request, prefecture) -> str` returns rendered HTML, or "" for nothing.
- `register_national_link`: a page of the national administrators, outside any
  prefecture (its URL takes no argument): listed on their start page.
- `register_todo`: a function contributing "what waits for you today" items to the agents'
  home: `func(request) -> list[Todo]` (request.prefecture and request.access are set); it
  must check capabilities itself and cost a bounded number of queries.
Call them from AppConfig.ready(); labels are lazy translations.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    capability: str = "view"
    description: str = ""
    order: int = 50
    group: str = ""


@dataclass(frozen=True)
class Todo:
    """One line of the agents' home: "3 courriers en retard" linking to the filtered list."""

    label: str  # already pluralised, e.g. "3 courriers en retard"
    url: str
    count: int = 0
    level: str = "info"  # "info", "warning" (due soon) or "error" (late, failed)
    group: str = ""  # the app's menu group, e.g. "Courriers"


_agent_links: list[Link] = []
_todo_providers: list[str] = []
_public_panels: list[tuple[int, str]] = []
_public_actions: list[Link] = []
_national_links: list[Link] = []


def register_agent_link(
    label, url_name: str, *, capability: str = "view", order: int = 50, group: str = ""
):
    _agent_links.append(Link(label, url_name, capability, order=order, group=group))


def register_public_action(label, url_name: str, *, description="", order: int = 50):
    _public_actions.append(Link(label, url_name, description=description, order=order))


def register_national_link(label, url_name: str, *, order: int = 50):
    _national_links.append(Link(label, url_name, order=order))


def national_links() -> list[Link]:
    return sorted(_national_links, key=lambda link: (link.order, str(link.label)))


def agent_links() -> list[Link]:
    return sorted(_agent_links, key=lambda link: (link.order, str(link.label)))


def public_actions() -> list[Link]:
    return sorted(_public_actions, key=lambda link: (link.order, str(link.label)))


def register_todo(func_path: str) -> None:
    """Declare a provider of home items (dotted path to `func(request) -> list[Todo]`)."""
    if func_path not in _todo_providers:
        _todo_providers.append(func_path)


def todos(request) -> list[Todo]:
    """Every registered provider's items, errors first; a provider's bug hides its items only."""
    import logging

    from django.utils.module_loading import import_string

    items: list[Todo] = []
    for path in _todo_providers:
        try:
            items.extend(import_string(path)(request))
        except Exception:  # noqa: BLE001 - the home page must open whatever one app does
            logging.getLogger(__name__).exception("todo provider failed", extra={"path": path})
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(items, key=lambda item: (order.get(item.level, 3), item.group, item.label))


def register_public_panel(func_path: str, *, order: int = 50) -> None:
    """Declare a section of the public prefecture page (dotted path, see module doc)."""
    if all(path != func_path for _, path in _public_panels):
        _public_panels.append((order, func_path))


def public_panels(request, prefecture) -> list[str]:
    """Rendered sections in order; a failing panel is left out (and logged), never a 500."""
    import logging

    from django.utils.module_loading import import_string
    from django.utils.safestring import mark_safe

    panels = []
    for _, path in sorted(_public_panels):
        try:
            html = import_string(path)(request, prefecture)
        except Exception:  # noqa: BLE001 - the prefecture page must open whatever one app does
            logging.getLogger(__name__).exception("public panel failed", extra={"path": path})
            continue
        if html:
            panels.append(mark_safe(html))  # noqa: S308 - rendered by a template, autoescaped
    return panels

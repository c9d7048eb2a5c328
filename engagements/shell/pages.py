"""The agents' page: `render_agents` adds the shell's context (prefecture, menu, roles).

It needs `request.prefecture` and `request.access` (set by the agents' view decorator);
`request.access` gives `can(prefecture, capability)`, `role_labels(prefecture)` and
`roles_as(prefecture)` (the "en tant que…" phrase).
"""

from __future__ import annotations

from functools import partial

from django.shortcuts import render

from . import navigation
from .addresses import plain_reverser


def _links(request) -> list[dict]:
    """The menu links this user's roles allow (checked at each request; only the URLs,
    which depend on nothing but the name, language and script prefix, are remembered)."""
    slug, url = request.prefecture.slug, plain_reverser()
    return [
        {"label": link.label, "group": link.group, "url": url(link.url_name, slug)}
        for link in navigation.agent_links()
        if request.access.can(request.prefecture, link.capability)
    ]


def _menu(links: list[dict], current_path: str) -> list[dict]:
    """Top-level menu entries: a lone link, or a group (drop-down) of an app's links."""
    menu: list[dict] = []
    groups: dict[str, dict] = {}
    for link in links:
        active = current_path.startswith(link["url"])
        link = {**link, "current": current_path == link["url"]}  # aria-current="page"
        if not link["group"]:
            menu.append({**link, "children": [], "active": active})
            continue
        if link["group"] not in groups:
            groups[link["group"]] = {"label": link["group"], "children": [], "active": False}
            menu.append(groups[link["group"]])
        group = groups[link["group"]]
        group["children"].append({**link, "active": active})
        group["active"] = group["active"] or active
    for entry in menu:  # a group with a single visible link is shown as that link
        if len(entry["children"]) == 1:
            entry.update(entry["children"][0], children=[])
    return menu


# The home's last section: the links of no app (organisation, imports).
OTHER_PAGES = "Autres pages"


def _sections(links: list[dict]) -> list[dict]:
    """The agents' home tiles by app, as the menu groups them and in its order (a group is
    kept even when one of its links is visible); the links of no app come last."""
    sections: dict[str, dict] = {}
    for link in links:
        label = link["group"] or OTHER_PAGES
        sections.setdefault(label, {"label": label, "links": []})["links"].append(link)
    other = sections.pop(OTHER_PAGES, None)
    return [*sections.values(), *([other] if other else [])]


def render_agents(request, template: str, context: dict | None = None, **kwargs):
    """Render an agents' page with the shell's context (prefecture, menu, roles)."""
    links = _links(request)
    prefecture = request.prefecture
    base = {
        "prefecture": prefecture,
        "agent_nav": links,
        "agent_menu": _menu(links, request.path),
        # Called by the template that shows them (the home) only.
        "agent_sections": partial(_sections, links),
        "role_labels": request.access.role_labels(prefecture),
        "roles_as": request.access.roles_as(prefecture),
        "can_manage": request.access.can(prefecture, "manage"),
        # Links are offered only to those who may open them: figures pages (results,
        # checks), and pages that act on records (coupon entry, checks to perform, actions).
        "can_read_figures": request.access.can(prefecture, "read_figures"),
        "can_work": request.access.can(prefecture, "work"),
        # Pages for the staff and the auditors (the organisation's history), not the CLU.
        "can_read_records": request.access.can(prefecture, "read_records"),
        # Names and contact details of the people in the records (not for the auditor).
        "sees_people": request.access.sees_people(prefecture),
    }
    return render(request, template, {**base, **(context or {})}, **kwargs)


def permission_denied(request, exception=None):
    """403: inside the agents' space (a prefecture is known), keep the agents' layout."""
    from django.views import defaults

    if getattr(request, "prefecture", None) is not None and hasattr(request, "access"):
        message = str(exception) if exception and str(exception) else ""
        return render_agents(request, "agents/403.html", {"exception": message}, status=403)
    return defaults.permission_denied(request, exception)

"""Entry points that apps contribute to shared pages, so apps stay independent.

- `register_agent_link`: a link in the agents' menu (shown when the user has the capability);
  the URL takes the prefecture slug as its only argument. Links sharing a `group` are shown
  as one drop-down entry of the menu (one per app), and all as tiles on the agents' home.
- `register_public_action`: a call to action on the public prefecture page (book an
  appointment, write to us, give your opinion); the URL takes the prefecture slug.
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


_agent_links: list[Link] = []
_public_actions: list[Link] = []


def register_agent_link(
    label, url_name: str, *, capability: str = "view", order: int = 50, group: str = ""
):
    _agent_links.append(Link(label, url_name, capability, order=order, group=group))


def register_public_action(label, url_name: str, *, description="", order: int = 50):
    _public_actions.append(Link(label, url_name, description=description, order=order))


def agent_links() -> list[Link]:
    return sorted(_agent_links, key=lambda link: (link.order, str(link.label)))


def public_actions() -> list[Link]:
    return sorted(_public_actions, key=lambda link: (link.order, str(link.label)))

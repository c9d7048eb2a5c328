"""Named addresses the shared templates link to, registered by the apps that serve them.

`register_address(key, url_name, *, prefecture=False)`: the shell's `key` (e.g.
"agents_home", "agents_prefecture", "agents_login", "agents_logout", "sso_logout") is served
by `url_name`; with `prefecture=True` the URL takes the current prefecture's slug.
Templates read them as `{{ shell_urls.<key> }}` (given by the context processor): an
unregistered key, or a prefecture address without a prefecture, gives "".
Call it from AppConfig.ready().
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

_addresses: dict[str, tuple[str, bool]] = {}


def register_address(key: str, url_name: str, *, prefecture: bool = False) -> None:
    _addresses[key] = (url_name, prefecture)


def address(key: str, prefecture=None) -> str:
    """The URL registered under `key` ("" when nobody serves it)."""
    if key not in _addresses:
        return ""
    url_name, takes_prefecture = _addresses[key]
    if takes_prefecture and prefecture is None:
        return ""
    try:
        return reverse(url_name, args=[prefecture.slug] if takes_prefecture else [])
    except NoReverseMatch:
        return ""


class Addresses:
    """`{{ shell_urls.agents_home }}` in a template: resolved when read."""

    def __init__(self, request=None):
        self.request = request

    def __getitem__(self, key: str) -> str:
        if key not in _addresses:
            raise KeyError(key)
        return address(key, getattr(self.request, "prefecture", None))

    def __contains__(self, key: str) -> bool:
        return key in _addresses

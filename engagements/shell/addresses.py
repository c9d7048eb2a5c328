"""Named addresses the shared templates link to, registered by the apps that serve them.

`register_address(key, url_name, *, prefecture=False)`: the shell's `key` (e.g.
"agents_home", "agents_prefecture", "agents_login", "agents_logout", "sso_logout") is served
by `url_name`; with `prefecture=True` the URL takes the current prefecture's slug.
Templates read them as `{{ shell_urls.<key> }}` (given by the context processor): an
unregistered key, or a prefecture address without a prefecture, gives "".
Call it from AppConfig.ready().

`reverse_plain(url_name, argument)`: `reverse` for a URL taking at most one slug or token
(the agents' menu, the shell's addresses, links in booking mails), with the URL around the
argument resolved once per name, language and script prefix in the process.
"""

from __future__ import annotations

import functools
import re

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import translation

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
        return reverse_plain(url_name, prefecture.slug if takes_prefecture else None)
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


# reverse() matches the name's patterns and quotes every argument at each call (34 links in
# the agents' menu on every page, three links in each booking mail). A slug or token is
# left as it is by reverse, so the URL around it depends only on the name, the language,
# the script prefix and the URL conf (ROOT_URLCONF: the project sets no URL conf per
# request): derived data, resolved once per process as Django's own resolver caches are,
# never state shared between requests.
_PLAIN = re.compile(r"[A-Za-z0-9_-]+")
_MARK = "Zmark0arg0Z"


def reverse_plain(url_name: str, argument: str | None = None, *, language: str | None = None):
    """`reverse(url_name, args=[argument])` (no argument when None) in `language` (the
    active one by default), for a URL whose only argument is a slug or a token."""
    return _reverse(url_name, argument, language or translation.get_language(), get_script_prefix())


def plain_reverser(language: str | None = None):
    """`reverse_plain` for many URLs of one page (the menu): the language and the script
    prefix are read once."""
    language, prefix = language or translation.get_language(), get_script_prefix()
    return lambda url_name, argument=None: _reverse(url_name, argument, language, prefix)


def _reverse(url_name: str, argument: str | None, language: str | None, prefix: str) -> str:
    if argument is None or _PLAIN.fullmatch(argument):
        try:
            before, after = _around_argument(url_name, argument is not None, language, prefix)
        except NoReverseMatch:
            pass  # reverse below says why (or finds what the mark did not match)
        else:
            return before if argument is None else before + argument + after
    with translation.override(language):
        return reverse(url_name, args=[] if argument is None else [argument])


@functools.lru_cache(maxsize=1024)
def _around_argument(url_name, with_argument, language, prefix) -> tuple[str, str]:
    with translation.override(language):
        url = reverse(url_name, args=[_MARK] if with_argument else [])
    before, _mark, after = url.partition(_MARK)
    return before, after


@receiver(setting_changed)
def _urls_changed(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _around_argument.cache_clear()

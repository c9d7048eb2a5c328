"""Every page of the demo, public (French and English) and agents' (as each role), scanned
for words that should never reach people: a raw enum code ("confirmed → attended"), a
"(s)" plural, a French catalogue string left on an English page.

The pages are found by following links from the entry points (the public prefecture page,
the agents' home), the way a person clicks through the demo: a few of each URL name.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import polib
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation

from engagements.organisation.demo import DEMO_PASSWORD
from engagements.surveys.defaults import END_OF_CALL, STARS, YEARLY

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parent.parent / "engagements"
ROLES = ["qualite", "chef-site", "agent", "clu", "auditeur", "admin"]
PER_URL_NAME = 2  # instances of one URL pattern visited (two bookings, two messages…)
MAX_PAGES = 200  # per crawl
SKIP_PATHS = ("/admin/", "/api/", "/static/", "/media/", "/i18n/", "/healthz")
SKIP_NAMES = {"organisation:agents-logout"}

# Codes that are also ordinary words of a French page (or an e-mail address's domain).
ORDINARY_WORDS = {
    "agent",
    "information",
    "suggestion",
    "site",
    "web",
    "email",
    "api",
    "qr",
    "lsf",
    "demo",
    # French words that are also codes somewhere: "Document joint", "Quelle note…",
    # "comment faire ?", the "urgent" badge; English FAQ text and people's searches
    # ("prefecture", "telephone"); the queue_log file format named in the methodology.
    "joint",
    "note",
    "comment",
    "urgent",
    "prefecture",
    "telephone",
    "queue_log",
}


class _Text(HTMLParser):
    """Visible text and same-site links of a page."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.body_parts: list[str] = []  # the same without the <title>
        self.links: list[str] = []
        self._hidden = 0
        self._title = False
        # An element marked lang="fr" inside the page (official French text quoted on an
        # English page, e.g. the imported referential's commitments): French on purpose.
        self._french: tuple[str, int] | None = None

    def handle_starttag(self, tag, attrs):
        if self._french is not None and tag == self._french[0]:
            self._french = (tag, self._french[1] + 1)
        elif self._french is None and tag != "html" and dict(attrs).get("lang") == "fr":
            self._french = (tag, 1)
        # <code>: codes shown on purpose (indicator codes, file formats).
        if tag in ("script", "style", "template", "code"):
            self._hidden += 1
        self._title = self._title or tag == "title"
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href and not href.startswith(("mailto:", "tel:", "#", "javascript:")):
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag == "title":
            self._title = False
        if tag in ("script", "style", "template", "code") and self._hidden:
            self._hidden -= 1
        if self._french is not None and tag == self._french[0]:
            depth = self._french[1] - 1
            self._french = (tag, depth) if depth else None

    def handle_data(self, data):
        if not self._hidden and self._french is None:
            self.parts.append(data)
            if not self._title:
                self.body_parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))

    @property
    def body(self) -> str:
        """The text outside <title> and outside elements marked lang="fr"."""
        return re.sub(r"\s+", " ", " ".join(self.body_parts))


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[\w']+", text)}


def _enum_values() -> tuple[set[str], set[str]]:
    """Codes to look for on French pages and on English pages.

    A code that is also a word of the labels ("orientation") is a word on a French page;
    on an English page, so is a code that is a word of the English catalogues ("open").
    A code with an underscore ("no_show") is never a word.
    """
    values: set[str] = set()
    label_words: set[str] = set()
    pending = list(models.TextChoices.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith("engagements."):
            values |= {str(v) for v in cls.values}
            for label in cls.labels:
                label_words |= _words(str(label))
    english_words: set[str] = set()
    for path in ROOT.glob("**/locale/en/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            english_words |= _words(entry.msgstr)
            for text in entry.msgstr_plural.values():
                english_words |= _words(text)
    # The demo questionnaires' English questions are English text too.
    for rows in (YEARLY, STARS, END_OF_CALL):
        for *_, english_text in rows:
            english_words |= _words(english_text)
    codes = {v for v in values if len(v) > 2 and v not in ORDINARY_WORDS}
    french = {v for v in codes if "_" in v or v not in label_words}
    english = {v for v in french if "_" in v or v not in english_words}
    return french, english


def _french_msgids() -> set[str]:
    found = set()
    for path in ROOT.glob("**/locale/en/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)).translated_entries():
            msgid = entry.msgid
            if entry.msgid_plural or "%" in msgid or "{" in msgid or msgid == entry.msgstr:
                continue
            if len(msgid) >= 14 and " " in msgid:
                found.add(msgid)
    return found


REACHED: set[str] = set()  # URL names whose page was scanned (coverage check)


def _crawl(client: Client, starts: list[str], prefix: str) -> dict[str, _Text]:
    """{path: its visible text, parsed} of the HTML pages reached under `prefix`."""
    seen_names: Counter = Counter()
    visited: set[str] = set()
    pages: dict[str, _Text] = {}
    queue = deque(starts)
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        parsed = urlparse(url)
        path = parsed.path
        full = path + (f"?{parsed.query}" if parsed.query else "")
        if full in visited or not path.startswith(prefix) or path.startswith(SKIP_PATHS):
            continue
        visited.add(full)
        try:
            with translation.override("en" if path.startswith("/en/") else "fr"):
                match = resolve(path)
        except Resolver404:
            continue
        if match.view_name in SKIP_NAMES or seen_names[match.view_name] >= PER_URL_NAME:
            continue
        seen_names[match.view_name] += 1
        response = client.get(full)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        pages[full] = parser
        REACHED.add(match.view_name)
        for link in parser.links:
            target = urljoin(full, link)
            if urlparse(target).netloc in ("", "testserver"):
                queue.append(urlparse(target)._replace(scheme="", netloc="").geturl())
    return pages


def _problems(pages: dict[str, _Text], *, english: bool, enums, msgids) -> list[str]:
    problems = []
    enum_re = re.compile(r"(?<![\w@./-])(" + "|".join(map(re.escape, enums)) + r")(?![\w@-])")
    for url, page in pages.items():
        text = page.text
        for found in sorted(set(enum_re.findall(text))):
            problems.append(f"{url}: raw code « {found} »")
        for found in sorted(set(re.findall(r"\w+\(s\)", text))):
            problems.append(f"{url}: « {found} » plural")
        if english:
            for msgid in msgids:
                if msgid in text:
                    problems.append(f"{url}: French « {msgid} » on an English page")
    return problems


def french_names() -> set[str]:
    """The demo's French proper names: prefectures, their départements, sites, services."""
    from engagements.organisation.models import Prefecture, Service, Site

    names = set()
    for prefecture in Prefecture.objects.all():
        names |= {prefecture.name, prefecture.department_name}
    names |= set(Site.objects.values_list("name", flat=True))
    names |= set(Service.objects.values_list("name", flat=True))
    return {name for name in names if name}


def _unmarked_french_names(pages: dict[str, _Text]) -> list[str]:
    """A French name in the body of a page in another language is marked lang="fr", so
    that a screen reader reads it with a French voice (RGAA 8.7); <title> cannot be."""
    names = french_names()
    return [
        f'{url}: « {name} » not marked lang="fr"'
        for url, page in pages.items()
        for name in sorted(names)
        if name in page.body
    ]


def test_no_raw_code_no_bracket_plural_no_french_on_english_pages():
    call_command("seed_demo", stdout=None)
    (enums, enums_en), msgids = _enum_values(), _french_msgids()
    problems: list[str] = []
    public_fr = _crawl(Client(), ["/", "/prefectures/demo/"], "/")
    public_fr = {u: t for u, t in public_fr.items() if not u.startswith(("/en/", "/agents/"))}
    public_en = _crawl(Client(), ["/en/", "/en/prefectures/demo/"], "/en/")
    assert len(public_fr) >= 10 and len(public_en) >= 10, (len(public_fr), len(public_en))
    problems += _problems(public_fr, english=False, enums=enums, msgids=msgids)
    problems += _problems(public_en, english=True, enums=enums_en, msgids=msgids)
    problems += _unmarked_french_names(public_en)
    agent_pages = 0
    for username in ROLES:
        client = Client()
        user = get_user_model().objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD), username
        client.force_login(user)
        pages = _crawl(client, ["/agents/demo/"], "/agents/demo/")
        agent_pages += len(pages)
        problems += [
            f"[{username}] {p}" for p in _problems(pages, english=False, enums=enums, msgids=msgids)
        ]
    assert agent_pages >= 100, agent_pages
    # The agents' pages reached cover the URL names of every app (as listed for the
    # every-role test); the ones only reachable by a form post (more than half of them
    # since the committee and quality apps: status changes, uploads, resends) are not pages
    # to scan, so the guard asks for a share of them.
    from tests.organisation.test_cross_prefecture import _agent_url_names

    names = _agent_url_names()
    reached = names & REACHED
    print(
        f"agents' URL names scanned: {len(reached)}/{len(names)}; not reached:",
        sorted(names - REACHED),
    )
    assert len(reached) > 0.4 * len(names), sorted(names - REACHED)
    assert not problems, "\n".join(sorted(set(problems))[:80])

"""The public flows' pages of the demo in Arabic, Spanish, Portuguese and Ukrainian: no
French or English string of the catalogues left on them (a French msgid or its English
msgstr found as text), `lang` and `dir` right on <html>, no raw code, no "(s)" plural.

The pages are reached by following links from each flow's entry point, the way a person
clicks: the booking (after accepting the terms of each procedure: the week, the details
form), a booking's manage page, the contact form, the surveys, the FAQ.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin, urlparse

import polib
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone, translation

from engagements.appointments.enums import BookingStatus
from engagements.appointments.models import Booking, Procedure
from engagements.middleware import is_flow_page
from tests.test_page_scan import _Text, french_names

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parent.parent.parent / "engagements"
FLOW_APPS = ["appointments", "correspondence", "surveys", "faq"]
LANGUAGES = ["ar", "es", "pt", "uk"]
PER_URL_NAME = 2
MAX_PAGES = 60
HTML_TAG = re.compile(r"<html\b[^>]*>")
# Words that are the same in French or English and in a flow language, or names.
SAME_EVERYWHERE = {"Engagements", "Menu", "Date", "Services", "Statut", "Site"}


def _catalogue_strings() -> set[str]:
    """French msgids and English msgstrs of the flows' catalogues that a translated page
    must not show: long enough to be a sentence (not a name or a one-word label)."""
    found: set[str] = set()
    paths = [ROOT / app / "locale/en/LC_MESSAGES/django.po" for app in FLOW_APPS]
    for path in [*paths, ROOT / "locale/en/LC_MESSAGES/django.po"]:
        for entry in polib.pofile(str(path)).translated_entries():
            if entry.msgid_plural:
                continue
            for text in (entry.msgid, entry.msgstr):
                text = text.strip()
                if "%" in text or "{" in text or text in SAME_EVERYWHERE:
                    continue
                if len(text) >= 12 and " " in text:
                    found.add(text)
    return found


def _prepare(client: Client, language: str) -> list[str]:
    """Accept the terms of every procedure (to reach the weeks); the entry points."""
    procedures = list(Procedure.objects.filter(prefecture__slug="demo", is_public=True)[:3])
    for procedure in procedures:
        data = {"accept": "on"}
        if procedure.requires_permit_expiry:
            data["permit_expires_on"] = (timezone.localdate() + timedelta(days=30)).isoformat()
        with translation.override(language):
            client.post(f"/{language}/rendez-vous/demarche/{procedure.pk}/", data)
    bookings = Booking.objects.filter(
        status=BookingStatus.CONFIRMED, slot__starts_at__gt=timezone.now()
    )[:2]
    return [
        f"/{language}/rendez-vous/prefecture/demo/",
        *[f"/{language}/rendez-vous/demarche/{p.pk}/creneaux/" for p in procedures],
        *[f"/{language}/rendez-vous/gerer/{b.token}/" for b in bookings],
        f"/{language}/prefectures/demo/nous-ecrire/",
        f"/{language}/avis/demo/",
        f"/{language}/faq/demo/",
    ]


def _crawl(client: Client, language: str, starts: list[str]) -> dict[str, tuple[str, _Text]]:
    """{path: (<html> tag, its visible text parsed)} of the flow pages reached in `language`."""
    seen: Counter = Counter()
    visited: set[str] = set()
    pages: dict[str, tuple[str, _Text]] = {}
    queue = deque(starts)
    prefix = f"/{language}/"
    while queue and len(pages) < MAX_PAGES:
        parsed = urlparse(queue.popleft())
        full = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if full in visited or not parsed.path.startswith(prefix):
            continue
        if parsed.path.endswith((".pdf", ".ics")):
            continue
        visited.add(full)
        try:
            with translation.override(language):
                match = resolve(parsed.path)
        except Resolver404:
            continue
        if seen[match.view_name] >= PER_URL_NAME:
            continue
        seen[match.view_name] += 1
        response = client.get(full)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        content = response.content.decode()
        parser = _Text()
        parser.feed(content)
        pages[full] = (HTML_TAG.search(content).group(0), parser)
        for link in parser.links:
            target = urlparse(urljoin(full, link))
            if target.netloc in ("", "testserver"):
                queue.append(target._replace(scheme="", netloc="").geturl())
    return pages


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=None)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_flow_pages_have_no_french_or_english_left(language, demo):
    client = Client()
    pages = _crawl(client, language, _prepare(client, language))
    assert len(pages) >= 15, sorted(pages)
    names = {resolve_name(path, language) for path in pages}
    # Every flow is reached, with its key pages.
    for name in (
        "appointments:procedures",
        "appointments:terms",
        "appointments:slots",
        "appointments:details",
        "appointments:manage",
        "correspondence:contact",
        "surveys:prefecture",
        "surveys:answer",
        "faq:prefecture",
        "faq:entry",
    ):
        assert name in names, (name, sorted(names))
    strings = _catalogue_strings()
    direction = "rtl" if language == "ar" else "ltr"
    problems = []
    french = french_names()
    for path, (html, page) in pages.items():
        text = page.text
        # French names (prefecture, sites, services) marked lang="fr" (RGAA 8.7).
        for found in sorted(name for name in french if name in page.body):
            problems.append(f'{path}: « {found} » not marked lang="fr"')
        if f'lang="{language}"' not in html or f'dir="{direction}"' not in html:
            problems.append(f"{path}: {html}")
        for found in sorted(s for s in strings if s in text):
            problems.append(f"{path}: « {found} » untranslated")
        for found in sorted(set(re.findall(r"\w+\(s\)", text))):
            problems.append(f"{path}: « {found} » plural")
    assert not problems, "\n".join(problems[:60])


def resolve_name(path: str, language: str) -> str:
    with translation.override(language):
        return resolve(urlparse(path).path).view_name


def test_other_pages_asked_in_a_flow_language_are_french(client, prefecture, agent):
    for path in ("/ar/", "/es/mentions-legales/", f"/uk/prefectures/{prefecture.slug}/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == path[3:], path
    assert client.get("/pt/agents/login/")["Location"] == "/agents/login/"
    # The flow pages are served in the language and offer the six languages; the others
    # offer French and English only.
    flow = client.get(f"/ar/faq/{prefecture.slug}/").content.decode()
    assert '<html lang="ar" dir="rtl"' in flow
    for code in ("fr", "en", "es", "pt", "uk"):
        assert f'hreflang="{code}"' in flow
    home = client.get(f"/prefectures/{prefecture.slug}/").content.decode()
    assert 'hreflang="en"' in home and 'hreflang="ar"' not in home


def test_the_chosen_language_is_remembered(client, prefecture):
    page = f"/faq/{prefecture.slug}/"
    response = client.get(f"/es{page}")
    assert response.cookies["django_language"].value == "es"
    # Coming back later from elsewhere (a QR code, a bookmark) without a prefix: Spanish.
    assert client.get(page)["Location"] == f"/es{page}"
    # A link of a French-only page of this site: still Spanish.
    other = client.get(page, HTTP_REFERER="http://testserver/mentions-legales/")
    assert other["Location"] == f"/es{page}"
    # Choosing French from the page's selector serves French and forgets Spanish.
    response = client.get(page, HTTP_REFERER=f"http://testserver/es{page}")
    assert response.status_code == 200 and '<html lang="fr"' in response.content.decode()
    assert response.cookies["django_language"].value == ""
    assert client.get(page).status_code == 200


def test_is_flow_page_never_includes_agents_pages(rf):
    from django.urls import resolve as url_resolve

    request = rf.get("/agents/demo/rendez-vous/")
    request.resolver_match = url_resolve("/faq/demo/")
    assert is_flow_page(request)
    request.resolver_match = url_resolve("/mentions-legales/")
    assert not is_flow_page(request)

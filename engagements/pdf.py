"""PDF documents (letters, summaries, posters, reports) with WeasyPrint.

WeasyPrint is imported lazily (it loads Pango). The URL fetcher is restricted: only our
static files (written `static:/engagements/…` in templates) and data: URIs, never the
network nor arbitrary files.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STATIC_SCHEME = "static:/"


class ForbiddenResource(Exception):
    pass


def resolve_resource(url: str) -> str:
    """The URL WeasyPrint may open for `url`, or ForbiddenResource."""
    if url.startswith("data:"):
        return url
    if url.startswith(STATIC_SCHEME):
        path = finders.find(url.removeprefix(STATIC_SCHEME).lstrip("/"))
        if path:
            return Path(path).resolve().as_uri()
    raise ForbiddenResource(f"PDF resource refused (no network, static files only): {url}")


def _fetcher():
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            return super().fetch(resolve_resource(url), headers)

    return StaticOnlyFetcher(allowed_protocols={"data", "file"}, timeout=5)


@lru_cache(maxsize=1)
def brand_images() -> dict[str, str]:
    """The bloc marque's two images (flag with Marianne, motto), as data: URIs taken from
    the DSFR stylesheet vendored with django-dsfr (its .fr-logo::before and ::after)."""
    path = finders.find("dsfr/dist/component/logo/logo.main.min.css")
    css = Path(path).read_text(encoding="utf-8") if path else ""
    found = {}
    for part, key in ((":before", "flag"), (":after", "motto")):
        match = re.search(r"\.fr-logo" + part + r'\{[^}]*?url\("(data:image/svg\+xml[^"]+)"\)', css)
        found[key] = match.group(1) if match else ""
    return found


def render_pdf(template: str, context: dict, *, request=None) -> bytes:
    """Render a template to a tagged PDF (PDF/UA); `pdf_brand` is the bloc marque."""
    from weasyprint import HTML

    context = {**context, "pdf_brand": brand_images()}
    html = render_to_string(template, context, request=request)
    document = HTML(string=html, base_url=STATIC_SCHEME, url_fetcher=_fetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1")

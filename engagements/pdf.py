"""PDF documents (letters, summaries, posters, reports) with WeasyPrint.

WeasyPrint is imported lazily (it loads Pango). The URL fetcher is restricted: only our
static files (written `static:/engagements/…` in templates) and data: URIs, never the
network nor arbitrary files.
"""

from __future__ import annotations

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


def render_pdf(template: str, context: dict, *, request=None) -> bytes:
    """Render a template to a tagged PDF (PDF/UA)."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    document = HTML(string=html, base_url=STATIC_SCHEME, url_fetcher=_fetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1")

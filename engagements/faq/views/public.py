"""Public FAQ pages (French and English): per prefecture and per service, search, votes,
and the suggestion fragment shown on the contact form and the booking pages."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from engagements.antibot import client_ip, rate_limited
from engagements.organisation.queries import find_service, public_prefectures

from .. import services
from ..search import published, search
from ..text import words

# Votes: one per address and answer a day, and a handful a minute per address.
VOTE_LIMIT, VOTE_WINDOW = 20, 60
SEARCH_LIMIT, SEARCH_WINDOW = 60, 60


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _entries(prefecture, language, service=None):
    """Published entries in the page's language; French ones when none is translated."""
    qs = (
        published(prefecture)
        .select_related("site", "service__site")
        .order_by("site__position", "site__name", "service__name", "question")
    )
    if service is not None:
        qs = qs.filter(service=service)
    entries = list(qs.filter(language=language))
    fallback = False
    if not entries and language != "fr":
        entries, fallback = list(qs.filter(language="fr")), True
    return entries, fallback


def _search(request, prefecture, service=None):
    """(query, results, searched) for the `q` parameter; an empty search is logged."""
    query = request.GET.get("q", "").strip()[:200]
    if not query:
        return "", [], False
    language = _language()
    results = search(prefecture, query, language=language, service=service)
    if not results and language != "fr":
        results = search(prefecture, query, language="fr", service=service)
    if (
        not results
        and words(query)
        and not rate_limited(
            f"faq-miss:{client_ip(request)}", limit=SEARCH_LIMIT, window=SEARCH_WINDOW
        )
    ):
        services.log_miss(prefecture, query, language=language, service=service)
    return query, results, True


@require_GET
def prefecture_faq(request, prefecture: str):
    prefecture = get_object_or_404(public_prefectures(), slug=prefecture)
    query, results, searched = _search(request, prefecture)
    entries, fallback = ([], False) if searched else _entries(prefecture, _language())
    return render(
        request,
        "faq/public/list.html",
        {
            "prefecture": prefecture,
            "service": None,
            "query": query,
            "results": results,
            "searched": searched,
            "entries": entries,
            "fallback": fallback,
            "action": reverse("faq:prefecture", args=[prefecture.slug]),
        },
    )


@require_GET
def service_faq(request, prefecture: str, site: str, service: str):
    prefecture = get_object_or_404(public_prefectures(), slug=prefecture)
    found = find_service(prefecture, site, service)
    if found is None or not found.is_active:
        raise Http404("Service inconnu")
    query, results, searched = _search(request, prefecture, found)
    entries, fallback = ([], False) if searched else _entries(prefecture, _language(), found)
    return render(
        request,
        "faq/public/list.html",
        {
            "prefecture": prefecture,
            "service": found,
            "query": query,
            "results": results,
            "searched": searched,
            "entries": entries,
            "fallback": fallback,
            "action": reverse("faq:service", args=[prefecture.slug, site, service]),
        },
    )


@require_GET
def entry_detail(request, prefecture: str, pk: int):
    prefecture = get_object_or_404(public_prefectures(), slug=prefecture)
    entry = get_object_or_404(published(prefecture).select_related("site", "service__site"), pk=pk)
    return render(
        request,
        "faq/public/detail.html",
        {"prefecture": prefecture, "entry": entry, "voted": request.GET.get("merci") == "1"},
    )


@require_POST
def entry_vote(request, prefecture: str, pk: int):
    """Count "did this answer help you?"; nothing personal is stored (hashed address in the
    cache for a day, only to refuse repeated votes)."""
    prefecture = get_object_or_404(public_prefectures(), slug=prefecture)
    entry = get_object_or_404(published(prefecture), pk=pk)
    helpful = request.POST.get("utile")
    url = reverse("faq:entry", args=[prefecture.slug, entry.pk])
    if helpful not in ("oui", "non"):
        return redirect(url)
    ip = client_ip(request)
    digest = hashlib.sha256(f"{ip}:{entry.pk}".encode()).hexdigest()[:32]
    if rate_limited(f"faq-vote:{ip}", limit=VOTE_LIMIT, window=VOTE_WINDOW):
        messages.error(
            request, _("Trop d'avis envoyés depuis votre connexion : réessayez plus tard.")
        )
        return redirect(url)
    if cache.add(f"faq-voted:{digest}", 1, timeout=24 * 3600):
        services.vote(entry, helpful == "oui")
    return redirect(f"{url}?merci=1")


@require_GET
def suggestions(request, prefecture: str):
    """The answers matching what the person typed: an HTML fragment for the contact form
    and the booking pages (the script asks it; without JavaScript, a link to the FAQ)."""
    prefecture = get_object_or_404(public_prefectures(), slug=prefecture)
    query = request.GET.get("q", "").strip()[:300]
    results = []
    if query and not rate_limited(
        f"faq-suggest:{client_ip(request)}", limit=SEARCH_LIMIT, window=SEARCH_WINDOW
    ):
        results = search(prefecture, query, language=_language(), limit=3)
    return render(
        request,
        "faq/public/_suggestions.html",
        {"prefecture": prefecture, "results": results, "query": query},
    )

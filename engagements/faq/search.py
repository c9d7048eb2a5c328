"""FAQ search that forgives accents, plurals and a typo.

PostgreSQL: full-text search with the `french_unaccent` configuration (French stemming after
`unaccent`; `english` for English entries) on the stored `search_vector` (GIN index), plus
pg_trgm word similarity of each query word against the stored accent-free `search_text`
(trigram GIN index) so that one wrong letter still matches. One query, ranked.
SQLite (the demo): the same normalised text, plural folding and difflib for typos, in Python.
"""

from __future__ import annotations

import difflib

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Greatest

from .models import Entry, ProcedureSheet
from .text import normalise, stem, words

MAX_RESULTS = 10
# A query word counts as found in an entry above this pg_trgm word similarity.
TRIGRAM_THRESHOLD = 0.5
CONFIGS = {"fr": "french_unaccent", "en": "english"}


def published(prefecture, language: str | None = None) -> QuerySet[Entry]:
    """What the public sees: published answers, except those of a closed service or site
    (whose own FAQ page is a 404, and whose answers would send people to a closed desk)."""
    qs = (
        Entry.objects.filter(prefecture=prefecture, is_published=True)
        .exclude(service__is_active=False)
        .exclude(site__is_active=False)
        .exclude(service__site__is_active=False)
    )
    if language:
        qs = qs.filter(language=language)
    return qs


def search(
    prefecture, query: str, *, language: str = "fr", service=None, limit: int = MAX_RESULTS
) -> list[Entry]:
    """The published entries best matching `query`, best first (at most `limit`)."""
    terms = words(query)[:8]
    if not terms:
        return []
    qs = published(prefecture, language).select_related("site", "service__site")
    if service is not None:
        qs = qs.filter(service=service)
    return _search(qs, query, terms, language, limit)


def _search(qs, query, terms, language, limit):
    if connection.vendor == "postgresql":
        return _search_postgres(qs, query, terms, language, limit)
    return _search_python(qs, terms, limit)


def search_sheets(sheets: QuerySet[ProcedureSheet], query: str, *, limit: int = 30) -> list:
    """The procedure sheets (of the agents' documentation base: `sheets` already limited to
    the prefecture) best matching `query`, with the FAQ's search (accents, plurals, a typo)."""
    terms = words(query)[:8]
    if not terms:
        return []
    return _search(sheets, query, terms, "fr", limit)


def _search_postgres(qs, query, terms, language, limit):
    config = CONFIGS.get(language, "simple")
    ts_query = SearchQuery(terms[0], config=config)
    for term in terms[1:]:
        ts_query |= SearchQuery(term, config=config)
    similarities = [TrigramWordSimilarity(Value(term), "search_text") for term in terms]
    total = similarities[0]
    for expression in similarities[1:]:
        total = total + expression
    best = Greatest(*similarities) if len(similarities) > 1 else similarities[0]
    qs = qs.annotate(
        rank=SearchRank(F("search_vector"), ts_query),
        similarity=total / Value(float(len(terms)), output_field=FloatField()),
        best_similarity=best,
    ).filter(Q(search_vector=ts_query) | Q(best_similarity__gte=TRIGRAM_THRESHOLD))
    qs = qs.annotate(score=F("rank") * Value(2.0) + F("similarity")).order_by("-score", "pk")
    return list(qs[:limit])


def _score_python(entry, terms: list[str]) -> float:
    text_words = set(entry.search_text.split()) | set(
        normalise(entry.search_text).replace("'", " ").split()
    )
    stems = {stem(w.strip('.,;:!?()«»"')) for w in text_words}
    score = 0.0
    for term in terms:
        folded = stem(term)
        if folded in stems or folded in entry.search_text:
            score += 1.0
        elif difflib.get_close_matches(folded, stems, n=1, cutoff=0.8):
            score += 0.7
    return score / len(terms)


def _search_python(qs, terms, limit):
    scored = [(entry, _score_python(entry, terms)) for entry in qs]
    scored = [(e, s) for e, s in scored if s > 0]
    scored.sort(key=lambda pair: (-pair[1], pair[0].pk))
    return [entry for entry, _ in scored[:limit]]


def review_months() -> int:
    return getattr(settings, "FAQ_REVIEW_MONTHS", 6)


def review_cutoff(today):
    """The day FAQ_REVIEW_MONTHS before `today`: answers reviewed on or before it are due."""
    import calendar

    month_index = today.year * 12 + today.month - 1 - review_months()
    year, month = divmod(month_index, 12)
    month += 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return today.replace(year=year, month=month, day=day)

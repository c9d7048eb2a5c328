"""Public FAQ search for partners (chatbots, the prefecture's website)."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from ninja import Router, Schema

from engagements.api_errors import Slug, Text, errors
from engagements.db_router import replica_reads
from engagements.organisation.queries import public_prefectures

from .search import search

router = Router(tags=["faq"])


class FaqAnswer(Schema):
    question: str
    answer: str
    site: str | None
    service: str | None
    url: str


def _path(slug: str, pk: int) -> str:
    with translation.override("fr"):
        return reverse("faq:entry", args=[slug, pk])


@router.get(
    "/prefectures/{slug}/faq",
    response={200: list[FaqAnswer], **errors(404, 422)},
    summary="Search the FAQ of a prefecture",
    description=(
        "Published questions and answers matching `q` (accents, plurals and one typo "
        "forgiven), best first, at most 10; `lang` is `fr` (default), `en`, or one of the "
        "public flows' languages (`ar`, `es`, `pt`, `uk`): French entries are searched and "
        "given in that language where the prefecture translated them, in French otherwise, "
        "as on the FAQ page. `site` and `service` are slugs (null for the whole prefecture). "
        "404 for an unknown prefecture."
    ),
)
@replica_reads
def faq(
    request,
    slug: Slug,
    q: Text = "",
    lang: Text = "fr",
):
    prefecture = get_object_or_404(public_prefectures(), slug=slug)
    asked = lang.lower()[:2]
    flow = asked if asked in settings.FLOW_LANGUAGES else None
    language = "en" if asked == "en" else "fr"
    prefix = f"/{flow or language}" if (flow or language) != "fr" else ""
    results = search(prefecture, q[:200], language=language, limit=10)
    return [
        {
            "question": str(e.shown("question", flow or language)),
            "answer": str(e.shown("answer", flow or language)),
            "site": e.site.slug if e.site else None,
            "service": e.service.slug if e.service else None,
            "url": settings.SITE_URL + prefix + _path(prefecture.slug, e.pk),
        }
        for e in results
    ]

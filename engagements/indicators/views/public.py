"""Public pages: published results per prefecture and per site (FR/EN), methodology,
SP+ long-format CSV, the hall poster (A4/A3 PDF with a QR code), and the affluence grid."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from engagements.csvio import csv_response
from engagements.db_router import replica_reads
from engagements.organisation.queries import public_prefectures, published_sites
from engagements.pdf import render_pdf
from engagements.qr import qr_data_uri
from engagements.shell.content_language import Localised

from .. import queries
from ..catalogue import CATALOGUE, withheld
from ..periods import Period
from ..poster import chosen_codes, next_update, poster_rows
from .display import decorate_grid, display

POSTER_SIZES = {"a4": "A4", "a3": "A3"}


def _english() -> bool:
    return (get_language() or "fr").startswith("en")


def _prefecture(slug: str):
    return get_object_or_404(public_prefectures(), slug=slug)


def _chosen_publication(request, prefecture, publications):
    """The publication of the `periode` asked for (404 when not published), else the latest."""
    wanted = request.GET.get("periode", "")
    if not wanted:
        return queries.latest_publication(prefecture)
    try:
        period = Period.parse(wanted)
    except ValueError as exc:
        raise Http404("Période inconnue") from exc
    for publication in publications:
        if publication.period_kind == period.kind and publication.period_start == period.start:
            return publication
    raise Http404("Période non publiée")


def _unmeasured(value) -> str:
    if withheld(value.code, value.value, value.denominator):
        return _("— (pas assez de réponses)")
    # Not measured (no record for the period, a denominator of 0): never "0".
    return _("— (non mesuré)")


def _row(value, english: bool, methodology: str) -> dict:
    measured = value.value is not None
    return {
        "code": value.code,
        # A name the prefecture set in French only stays French, marked so on the English page.
        "name": Localised(value.name_en, "en")
        if english and value.name_en
        else Localised(value.name_fr, "fr"),
        "value": display(value.value, value.unit) if measured else _unmeasured(value),
        "unmeasured": not measured,
        "target": display(value.target, value.unit),
        "previous": display(value.previous, value.unit),
        "met": value.met,
        "measured": measured,
        "has_target": value.target is not None,
        "methodology_url": f"{methodology}#{value.code}",
    }


def results_context(prefecture, site, sites, publication, values, publications) -> dict:
    """What the results page and the poster show of a publication (saved, or the preview
    of one: unsaved objects), and the other published periods."""
    english = _english()
    methodology = reverse("indicators:methodology", args=[prefecture.slug])
    rows = [_row(value, english, methodology) for value in values]
    language = "en" if english else "fr"
    period = Period.of(publication.period_kind, publication.period_start) if publication else None
    label = period.label(language) if period else ""
    if publication is not None and publication.provisional:
        label = _("%(period)s (provisoire)") % {"period": label}
    return {
        "prefecture": prefecture,
        "site": site,
        "sites": sites,
        "publication": publication,
        "period_label": label,
        "previous_label": period.previous_year().label(language) if period else "",
        "rows": rows,
        # "Périodes précédentes": the other published periods, never the one shown.
        "others": [
            {
                "code": Period.of(p.period_kind, p.period_start).code,
                "label": Period.of(p.period_kind, p.period_start).label(language),
                "provisional": p.provisional,
            }
            for p in publications
            if publication is None
            or (p.period_kind, p.period_start)
            != (publication.period_kind, publication.period_start)
        ],
    }


def _results(request, prefecture, site_slug: str | None):
    sites = list(published_sites(prefecture))
    site = None
    if site_slug:
        site = next((s for s in sites if s.slug == site_slug), None)
        if site is None:
            raise Http404("Site inconnu")
    publications = list(queries.latest_publications(prefecture)[:24])
    publication = _chosen_publication(request, prefecture, publications)
    values = queries.publication_values(publication, site) if publication else ()
    return results_context(prefecture, site, sites, publication, values, publications)


@require_GET
@replica_reads
def results(request, prefecture: str, site: str | None = None):
    prefecture = _prefecture(prefecture)
    return render(request, "indicators/public/results.html", _results(request, prefecture, site))


@require_GET
def methodology(request, prefecture: str):
    prefecture = _prefecture(prefecture)
    english = _english()
    entries = [
        {
            "code": entry.code,
            "name": entry.name_en if english else entry.name_fr,
            "entry": entry,
        }
        for entry in CATALOGUE
    ]
    return render(
        request,
        "indicators/public/methodology.html",
        {"prefecture": prefecture, "entries": entries},
    )


def _plain(number):
    """12.5, 33 (never 33.00); empty when there is no value. Text, so the open-data file
    keeps its decimal point (the shared CSV writer gives numbers a French comma)."""
    if number is None:
        return ""
    return str(int(number) if number == int(number) else float(number))


OPEN_DATA_HEADER = [
    "prefecture",
    "structure",
    "site",
    "indicateur",
    "libelle",
    "periode",
    "debut",
    "fin",
    "valeur",
    "numerateur",
    "denominateur",
    "unite",
    "cible",
    "cible_atteinte",
    "valeur_annee_precedente",
    "frequence",
    "mis_a_jour_le",
    "publie_le",
    "version",
    "provisoire",
]


def open_data_row(prefecture, item, publication) -> list:
    """One line of the SP+ long format (a value not measured is left empty, never 0)."""
    return [
        prefecture.slug,
        "site" if item.site_id else "prefecture",
        item.site.slug if item.site_id else "",
        item.code,
        item.name_fr,
        Period.of(publication.period_kind, publication.period_start).code,
        publication.period_start.isoformat(),
        publication.period_end.isoformat(),
        _plain(item.value),
        _plain(item.numerator),
        _plain(item.denominator),
        item.unit,
        _plain(item.target),
        {True: "oui", False: "non", None: ""}[item.met],
        _plain(item.previous),
        item.frequency,
        timezone.localtime(item.updated_at).date().isoformat(),
        timezone.localtime(publication.published_at).date().isoformat(),
        publication.version,
        "oui" if publication.provisional else "non",
    ]


@require_GET
@replica_reads
def results_csv(request, prefecture: str):
    """SP+ long format: one line per structure × indicator × period published."""
    prefecture = _prefecture(prefecture)
    rows = [
        open_data_row(prefecture, item, item.publication)
        for item in queries.published_values(prefecture)
    ]
    return csv_response(f"resultats-{prefecture.slug}.csv", OPEN_DATA_HEADER, rows)


def poster_choice(prefecture, rows: list[dict], period: Period) -> dict:
    """The poster's rows (the référent's 3 to 6 indicators, in her order, values as
    published) and its next update date: the same for the poster and its preview."""
    return {
        "rows": poster_rows(rows, chosen_codes(prefecture)),
        "next_update": next_update(prefecture, period),
    }


@require_GET
@replica_reads
def poster(request, prefecture: str, size: str):
    """The hall poster (A4 or A3) of the latest published period: the State's bloc marque,
    the référent's indicators in large type, the period, the next update and a QR code."""
    if size not in POSTER_SIZES:
        raise Http404("Format inconnu")
    prefecture = _prefecture(prefecture)
    context = _results(request, prefecture, request.GET.get("site") or None)
    if context["publication"] is None:
        raise Http404("Aucun résultat publié")
    url = request.build_absolute_uri(reverse("indicators:public-results", args=[prefecture.slug]))
    publication = context["publication"]
    period = Period.of(publication.period_kind, publication.period_start)
    context.update({"size": POSTER_SIZES[size], "url": url, "qr": qr_data_uri(url, scale=6)})
    context.update(poster_choice(prefecture, context["rows"], period))
    pdf = render_pdf("indicators/public/poster.html", context, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"affiche-resultats-{prefecture.slug}-{size}.pdf"
    )
    return response


def affluence_grids(prefecture) -> list[dict]:
    """Each published site's reception and telephone grids that have enough data."""
    today = timezone.localdate()
    weekdays = [
        _("lundi"),
        _("mardi"),
        _("mercredi"),
        _("jeudi"),
        _("vendredi"),
        _("samedi"),
        _("dimanche"),
    ]
    levels = {
        "calme": (_("Calme"), "○"),
        "moyen": (_("Moyen"), "◐"),
        "charge": (_("Chargé"), "●"),
        "ferme": (_("Fermé"), "✕"),
    }
    sites = list(published_sites(prefecture))
    sources = ((_("À l'accueil"), "visits"), (_("Au téléphone"), "calls"))
    by_source = {
        source: queries.affluence_by_site(prefecture, sites, today=today, source=source)
        for _label, source in sources
    }
    grids = []
    for site in sites:
        for label, source in sources:
            grid = by_source[source][site.pk]
            if grid["has_data"]:
                grids.append(
                    {**decorate_grid(label, grid, weekdays=weekdays, levels=levels), "site": site}
                )
    return grids


@require_GET
@replica_reads
def affluence(request, prefecture: str):
    """When to come, when to call: weekday × hour, calm / average / busy, in words."""
    prefecture = _prefecture(prefecture)
    return render(
        request,
        "indicators/public/affluence.html",
        {"prefecture": prefecture, "grids": affluence_grids(prefecture)},
    )


def affluence_panel(request, prefecture) -> str:
    """The same grids as a section of the public prefecture page (SP+: busy/quiet hours)."""
    from django.template.loader import render_to_string

    grids = affluence_grids(prefecture)
    if not grids:
        return ""
    return render_to_string(
        "indicators/public/_affluence_panel.html",
        {"prefecture": prefecture, "grids": grids},
        request=request,
    )

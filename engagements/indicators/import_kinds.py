"""Telephony, footfall, website updates and the prefecture's own indicators on the agents'
"Imports" page (the same services as the commands)."""

from engagements.csvio import refusal
from engagements.organisation.models import Site
from engagements.shell.imports import (
    ImportKind,
    ImportOption,
    ImportSummary,
    register_import_kind,
)

from .imports import (
    ImportResult,
    import_footfall,
    import_telephony,
    import_website_updates,
)
from .services import import_manual_values

TELEPHONY_FORMATS = [("queue_log", "queue_log Asterisk"), ("hourly", "Fichier horaire (CSV)")]
SITE_ROLES = frozenset({"quality_lead", "site_manager"})


def _sites(prefecture, access):
    return [(s.slug, s.name) for s in access.sites(prefecture).order_by("name")]


def _site(prefecture, options) -> Site:
    site = Site.objects.filter(prefecture=prefecture, slug=options.get("site") or "").first()
    if site is None:
        raise refusal("site inconnu dans cette préfecture")
    return site


def _summary(result: ImportResult) -> ImportSummary:
    summary = ImportSummary(counts=[(label.capitalize(), n) for label, n in result.counts.items()])
    if result.first_day:
        summary.notes.append(
            f"Jours remplacés : du {result.first_day:%d/%m/%Y} au {result.last_day:%d/%m/%Y}."
        )
    summary.notes.extend(result.notes)
    return summary


def run_telephony(prefecture, data, *, filename, options, actor) -> ImportSummary:
    fmt = options.get("format")
    if fmt not in dict(TELEPHONY_FORMATS):
        raise refusal("format de téléphonie inconnu (queue_log ou hourly)")
    result = import_telephony(
        prefecture, _site(prefecture, options), data, fmt=fmt, queue=options.get("queue") or None
    )
    return _summary(result)


def run_footfall(prefecture, data, *, filename, options, actor) -> ImportSummary:
    return _summary(import_footfall(prefecture, _site(prefecture, options), data))


def run_website(prefecture, data, *, filename, options, actor) -> ImportSummary:
    return _summary(import_website_updates(prefecture, data))


def run_values(prefecture, data, *, filename, options, actor) -> ImportSummary:
    return _summary(import_manual_values(prefecture, data, actor))


SITE = ImportOption("site", "Site", choices=_sites)


def register() -> None:
    for kind in (
        ImportKind(
            code="telephony",
            label="Téléphonie",
            group="Indicateurs",
            columns="queue_log : epoch|callid|queue|agent|EVENT|… ; horaire : date, hour, "
            "offered, answered, answered_within_5_rings",
            run=run_telephony,
            roles=SITE_ROLES,
            options=(
                SITE,
                ImportOption(
                    "format", "Format", choices=lambda prefecture, access: TELEPHONY_FORMATS
                ),
                ImportOption(
                    "queue",
                    "File d'attente",
                    required=False,
                    help="Vide : toutes les files du fichier.",
                ),
            ),
            file_format=lambda options: "csv" if options.get("format") == "hourly" else "lines",
            accept=".csv,.txt,.log",
            help="Les jours couverts par le fichier sont remplacés pour ce site.",
            order=20,
        ),
        ImportKind(
            code="footfall",
            label="Fréquentation de l'accueil",
            group="Indicateurs",
            columns="date, hour, service, visitors",
            run=run_footfall,
            roles=SITE_ROLES,
            options=(SITE,),
            help="Les jours couverts par le fichier sont remplacés pour ce site.",
            order=25,
        ),
        ImportKind(
            code="website-updates",
            label="Mises à jour du site internet",
            group="Indicateurs",
            columns="reference, site, page, requested_on, published_on",
            run=run_website,
            order=30,
        ),
        ImportKind(
            code="indicator-values",
            label="Indicateurs propres à la préfecture",
            group="Indicateurs",
            columns="code, period, site, value, numerator, denominator, source",
            run=run_values,
            help="Code tel qu'affiché sur la page « Indicateurs propres ».",
            order=35,
        ),
    ):
        register_import_kind(kind)

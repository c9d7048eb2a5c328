""" "Notre démarche qualité" (issue 23, item 2): what the public page and the commitments
poster show, read in a few queries. Only what is public: the commitments' text marked
public in the imported referential, the labels in force, the scope per site and service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Subquery

from engagements.organisation.enums import REFERENTIAL_MODULES
from engagements.organisation.models import Prefecture, Service, Site

from .cycle_enums import LabelStatus
from .labels import current_labels
from .models import Commitment, Module, Referential, ServiceScope, SiteScope
from .referential import is_labelling

SERVICES_PUBLICS_PLUS = "services-publics"


@dataclass
class SiteApproach:
    site: Site
    labels: list = field(default_factory=list)  # CurrentLabel, never an expired one
    modules: list[int] = field(default_factory=list)  # in the site's scope
    services: list[tuple[Service, list[int]]] = field(default_factory=list)


def _public_commitments():
    return Prefetch(
        "commitments",
        queryset=Commitment.objects.filter(is_public=True).order_by("position", "ref"),
        to_attr="public_commitments",
    )


def services_publics_plus() -> list[Commitment]:
    """The eight SP+ commitments of the latest imported version, as published (the version
    picked inside the commitments' query)."""
    latest = (
        Referential.objects.filter(code__startswith=SERVICES_PUBLICS_PLUS)
        .order_by("-imported_at", "-pk")
        .values("pk")[:1]
    )
    return list(
        Commitment.objects.filter(module__referential=Subquery(latest), is_public=True).order_by(
            "module__number", "position", "ref"
        )
    )


def _labelling_scopes(prefecture: Prefecture) -> tuple[int | None, list[tuple[int, int]]]:
    """The labelling referential the prefecture's sites are scoped on (the latest one) and
    its scopes as (site id, module number): one read of the scopes, which name their
    referential, rather than one to find the referential and one for its scopes."""
    scopes = list(
        SiteScope.objects.filter(prefecture=prefecture).values_list(
            "site_id",
            "module__number",
            "module__referential_id",
            "module__referential__imported_at",
        )
    )
    if scopes:
        used = max(scopes, key=lambda s: (s[3], s[2]))[2]
        return used, [(site_id, number) for site_id, number, ref, _ in scopes if ref == used]
    for referential in Referential.objects.order_by("-imported_at", "-pk"):
        if is_labelling(referential):
            return referential.pk, []
    return None, []


def approach(prefecture: Prefecture, today: date) -> dict:
    """Sites with their labels and scope, each labelled module's public commitments, SP+."""
    sites = list(
        prefecture.sites.filter(is_active=True)
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.filter(is_active=True).order_by("name"),
            )
        )
        .order_by("position", "name")
    )
    by_site = {site.pk: SiteApproach(site) for site in sites}
    for site, currents in current_labels(prefecture, today, sites=sites).items():
        by_site[site.pk].labels = [c for c in currents if c.status != LabelStatus.EXPIRED]
    referential_id, scopes = _labelling_scopes(prefecture)
    for site_id, number in scopes:
        if site_id in by_site:  # an inactive site's scope is not shown
            by_site[site_id].modules.append(number)
    service_modules: dict[int, list[int]] = {}
    for service_id, number in ServiceScope.objects.filter(
        prefecture=prefecture, service__is_active=True
    ).values_list("service_id", "module"):
        service_modules.setdefault(service_id, []).append(number)
    labelled = sorted({c.label.module for row in by_site.values() for c in row.labels})
    for row in by_site.values():
        numbers = sorted(set(row.modules) | {c.label.module for c in row.labels})
        row.modules = [module_name(n) for n in numbers]
        row.services = [
            (service, [module_name(n) for n in sorted(service_modules[service.pk])])
            for service in row.site.services.all()
            if service.pk in service_modules
        ]
        row.labels = [
            {
                "name": c.label.get_label_display(),
                "module": module_name(c.label.module),
                "obtained_on": c.label.obtained_on,
                "valid_until": c.label.valid_until,
            }
            for c in row.labels
        ]
    modules = []
    if referential_id is not None and labelled:
        modules = list(
            Module.objects.filter(referential_id=referential_id, number__in=labelled)
            .prefetch_related(_public_commitments())
            .order_by("number")
        )
    return {
        "sites": [row for row in by_site.values() if row.labels or row.modules or row.services],
        "labelled_modules": [
            {
                "number": module.number,
                "name": module_name(module.number),
                "title": module.title,
                "commitments": module.public_commitments,
            }
            for module in modules
        ],
        "services_publics_plus": services_publics_plus(),
        "has_labels": any(row.labels for row in by_site.values()),
    }


def module_name(number: int) -> str:
    return str(REFERENTIAL_MODULES.get(number, number))

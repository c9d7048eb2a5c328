"""The public prefecture page's section "Nos labels qualité": each active site's current
labels (valid, or to be renewed within 180 days; never an expired one); and the agents'
organisation page's "site-labels" slot: a site's current labels, with their status."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from engagements.organisation.enums import REFERENTIAL_MODULES

from .cycle_enums import LabelStatus
from .labels import current_labels


def public_labels(request, prefecture) -> str:
    today = timezone.localdate()
    sites = prefecture.sites.filter(is_active=True)
    rows = []
    for site, currents in current_labels(prefecture, today, sites=sites).items():
        held = [
            {
                "label": c.label.get_label_display(),
                "module": REFERENTIAL_MODULES.get(c.label.module, ""),
                "valid_until": c.label.valid_until,
            }
            for c in currents
            if c.status != LabelStatus.EXPIRED
        ]
        if held:
            rows.append({"site": site, "labels": held})
    if not rows:
        return ""
    return render_to_string(
        "quality/public/_labels_panel.html",
        {"prefecture": prefecture, "rows": rows},
        request=request,
    )


def site_labels(request, prefecture, *, site) -> str:
    """The "site-labels" slot of the organisation page: the site's current labels (one
    query for every site of the page: read once per request)."""
    cache = getattr(request, "_quality_site_labels", None)
    if cache is None or cache[0] != prefecture.pk:
        today = timezone.localdate()
        by_site = {s.pk: currents for s, currents in current_labels(prefecture, today).items()}
        cache = (prefecture.pk, by_site)
        if request is not None:
            request._quality_site_labels = cache
    currents = cache[1].get(site.pk, [])
    return render_to_string(
        "quality/agents/_site_labels.html",
        {
            "prefecture": prefecture,
            "site": site,
            "currents": currents,
            "can_read": request is not None
            and hasattr(request, "access")
            and request.access.can(prefecture, "read_figures"),
        },
        request=request,
    )

"""The public prefecture page's section "Nos labels qualité": each active site's current
labels (valid, or to be renewed within 180 days; never an expired one)."""

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

"""Links between apps that must not import each other.

`{% new_action_url source as url %}` gives the quality app's "create an action from this
source" address (`quality:agents-action-new` with `?source=<app_label>.<model>:<pk>`), or
an empty string when the quality app is not installed — source apps (correspondence,
surveys, committee, indicators) show the button without importing the quality app.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


def source_key(obj) -> str:
    """`app_label.model:pk`, the generic reference to any record."""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}:{obj.pk}"


@register.simple_tag
def new_action_url(source, prefecture=None) -> str:
    prefecture = prefecture or getattr(source, "prefecture", None)
    if source is None or prefecture is None:
        return ""
    try:
        url = reverse("quality:agents-action-new", args=[prefecture.slug])
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode({'source': source_key(source)})}"

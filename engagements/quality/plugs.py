"""What the quality app shows on other apps' pages (filled into the shell's hooks)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse


def source_key(obj) -> str:
    """`app_label.model:pk`, the generic reference to any record."""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}:{obj.pk}"


def new_action_url(source, prefecture) -> str:
    """ "Créer une action" from `source`: the new action form with `?source=…`."""
    try:
        url = reverse("quality:agents-action-new", args=[prefecture.slug])
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode({'source': source_key(source)})}"


def register() -> None:
    from engagements.shell import hooks

    from . import queries

    hooks.register_action_link(new_action_url)
    hooks.register_section_link("surveys", "Plans d'action", "quality:agents-actions")
    hooks.register_linked_actions(queries.actions_by_source)
    hooks.register_next_audit(queries.next_audit_date)

"""Tags of the shell: pages render what the hooks give (`engagements.shell.hooks`)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from engagements.shell import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def page_slot(context, slot: str, prefecture, **options):
    """`{% page_slot "public-form-help" prefecture fields="id_subject" %}`: HTML of the
    apps filling that place of the page."""
    return mark_safe(hooks.page_slot(slot, context.get("request"), prefecture, **options))  # noqa: S308 - rendered templates


@register.simple_tag
def new_action_url(source, prefecture=None) -> str:
    """`{% new_action_url record prefecture as url %}`: where to create an action from the
    record ("" when nobody offers it)."""
    return hooks.action_link(source, prefecture)


@register.simple_tag
def section_links(section: str, prefecture) -> list[dict]:
    """`{% section_links "surveys" prefecture as links %}`: links other apps add."""
    return hooks.section_links(section, prefecture)


@register.filter
def pluriel(value, suffix: str = "s") -> str:
    """`{{ n|pluriel }}`: the French plural mark, "" for 0 and 1 (Django's `pluralize`
    follows English and writes "0 réponses")."""
    try:
        number = len(value) if hasattr(value, "__len__") else int(value)
    except (TypeError, ValueError):
        return ""
    return suffix if number > 1 else ""

"""Tags of the shell: pages render what the hooks give (`engagements.shell.hooks`)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from engagements.plain_language import check as plain_language_check
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


@register.inclusion_tag("components/plain_language.html")
def plain_language(prefecture, *sources, fields: str = ""):
    """`{% plain_language prefecture form fields="body,answer" %}` or `{% plain_language
    prefecture "Texte" text %}`: the plain-language suggestions and readability score of
    each text (a form's fields as typed, or label/text pairs), with the prefecture's own
    glossary (`plain_language_glossary`) on top of the national one."""
    glossary = getattr(prefecture, "plain_language_glossary", "") or ""
    texts = []
    if sources and hasattr(sources[0], "fields"):
        form = sources[0]
        for name in filter(None, (n.strip() for n in fields.split(","))):
            if name in form.fields:
                texts.append((form[name].label, form[name].value() or ""))
    else:
        texts = list(zip(sources[::2], sources[1::2], strict=False))
    reports = [
        {"label": label, "report": plain_language_check(str(text), glossary)}
        for label, text in texts
        if str(text).strip()
    ]
    return {"reports": reports}


@register.simple_tag
def section_links(section: str, prefecture) -> list[dict]:
    """`{% section_links "surveys" prefecture as links %}`: links other apps add."""
    return hooks.section_links(section, prefecture)

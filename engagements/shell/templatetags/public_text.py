"""Texts agents wrote, shown in the visitor's language, and dates written in it
(`engagements.shell.content_language`)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from engagements.shell import content_language

register = template.Library()


@register.filter
def lang_attr(text) -> str:
    """` lang="fr" dir="ltr"` when `text` is written in another language than the page's
    (a procedure name not yet translated on an Arabic page), "" otherwise."""
    lang = content_language.differs_from_page(text)
    if not lang:
        return ""
    return format_html(' lang="{}" dir="{}"', lang, "rtl" if lang == "ar" else "ltr")


@register.filter
def long_date(value, style: str = "") -> str:
    """`{{ day|long_date }}` "5 грудня 2026"; `{{ day|long_date:"day" }}` without the year;
    `{{ day|long_date:"weekday" }}` with the day of the week."""
    return content_language.long_date(value, style)


@register.filter
def range_start(value, end) -> str:
    """`{{ week|range_start:week_end }} au {{ week_end|long_date }}`: "du 7 au 13 décembre
    2026", not "du 7 décembre au 13 décembre 2026"."""
    return content_language.range_start(value, end)

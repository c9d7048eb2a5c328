"""Texts agents wrote, shown in the visitor's language, and dates written in it
(`engagements.shell.content_language`)."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html

from engagements.shell import content_language

register = template.Library()


@register.filter
def lang_attr(text, default: str = "") -> str:
    """` lang="fr" dir="ltr"` when `text` is written in another language than the page's
    (a procedure name not yet translated on an Arabic page), "" otherwise. `default` is the
    language of a text that does not know its own: `{{ service.description|lang_attr:"fr" }}`
    for what agents typed in French."""
    lang = content_language.differs_from_page(text, default)
    if not lang:
        return ""
    return format_html(' lang="{}" dir="{}"', lang, "rtl" if lang == "ar" else "ltr")


@register.filter
def lang_span(text) -> str:
    """`{{ site.name|lang_span }}`: a text an agent typed, escaped, in a
    `<span lang="fr">` when the page is in another language (a screen reader would read
    French with English phonetics: RGAA 8.7, WCAG 3.1.2). A text that knows its language
    (`Localised`) keeps it; any other is what the prefecture's agents typed, in French."""
    if text is None or text == "":
        return ""
    lang = content_language.differs_from_page(text, content_language.FRENCH)
    if not lang:
        return conditional_escape(text)
    return format_html(
        '<span lang="{}" dir="{}">{}</span>', lang, "rtl" if lang == "ar" else "ltr", text
    )


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

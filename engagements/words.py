"""Counts in French with their plural form: "1 message créé", "3 messages créés" — never
"créé(s)" (issue 13). French takes the singular for 0 and 1. Also how the product names an
agent, "de" before a typed name, and a reference kept on one line. A template library too
(settings: `{% load words %}`)."""

from django import template
from django.utils.html import format_html

register = template.Library()


def count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n in (0, 1) else plural}"


def counted_list(
    items: list[str], singular: str, plural: str, *, separator: str = " ; ", end: str = ""
) -> str:
    """ "2 valeurs … sont gardées : A ; B" — the count of `items`, then the items themselves
    (an import's note naming what it left as the app had it)."""
    return f"{count(len(items), singular, plural)} : {separator.join(items)}{end}"


@register.filter
def reference(value) -> str:
    """`{{ message.reference|reference }}`: a reference ("DEM-2026-00042") in a span that
    never wraps at its hyphens (`.eng-ref`, white-space: nowrap, in app.css and pdf.css):
    read aloud or copied on a phone, a reference cut in two is a wrong reference. Not in
    a `<title>` nor an attribute, which take text only."""
    if value is None or value == "":
        return ""
    return format_html('<span class="eng-ref">{}</span>', value)


@register.filter
def de(text: str) -> str:
    """ "de" before a name typed by someone, contracted as French requires: "du secrétaire
    général" (not "de le"), "des co-présidents", "d'Anne Martin", "de Mme Martin"."""
    text = (text or "").strip()
    first, _, rest = text.partition(" ")
    if first.lower() == "le" and rest:
        return f"du {rest}"
    if first.lower() == "les" and rest:
        return f"des {rest}"
    if text[:1].lower() in "aeiouyàâéèêëîïôöûü":
        return f"d'{text}"
    return f"de {text}"


@register.filter
def person(user) -> str:
    """How the product names an agent (in lists, logs, letters' files): his full name, else
    his login; "" for nobody. In templates: `{{ message.assigned_to|person }}`."""
    if not user:
        return ""
    return user.get_full_name() or user.get_username()

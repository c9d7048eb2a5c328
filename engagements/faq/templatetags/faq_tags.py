"""Tags other apps' templates use to show FAQ answers: suggestions on public forms, and the
answer picker of the correspondence register."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def faq_suggestions(context, prefecture, fields: str = ""):
    """Answers matching what the person types in `fields` (space-separated input ids of the
    page's form), or in a search box of its own when `fields` is empty; without JavaScript,
    a link (or the box's button) to the prefecture's FAQ."""
    return render_to_string(
        "faq/public/_suggest_box.html",
        {"prefecture": prefecture, "fields": fields, "own_input": not fields},
        request=context.get("request"),
    )


@register.simple_tag(takes_context=True)
def faq_answer_picker(context, prefecture, target: str):
    """A search box inserting a FAQ answer into the textarea `target` (agents' pages)."""
    return render_to_string(
        "faq/agents/_picker.html",
        {"prefecture": prefecture, "target": target},
        request=context.get("request"),
    )

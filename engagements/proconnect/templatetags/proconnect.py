from django import template
from django.template.loader import render_to_string

from .. import config

register = template.Library()


@register.simple_tag(takes_context=True)
def proconnect_button(context, next_url: str = ""):
    """The "S'identifier avec ProConnect" button, when ProConnect is enabled."""
    if not config.enabled():
        return ""
    return render_to_string("proconnect/_button.html", {"next": next_url or ""})

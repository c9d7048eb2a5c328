"""The "S'identifier avec ProConnect" button, offered on the agents' login page."""

from django.template.loader import render_to_string

from . import config


def login_button(request, next_url: str = "") -> str:
    """The button's HTML when ProConnect is enabled, else ""."""
    if not config.enabled():
        return ""
    return render_to_string("proconnect/_button.html", {"next": next_url or ""})

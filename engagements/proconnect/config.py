"""ProConnect (OpenID Connect) settings: explicit endpoint variables, or discovery from the
issuer's /.well-known/openid-configuration (fetched once, at first use, then kept)."""

from __future__ import annotations

import logging
import threading

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from mozilla_django_oidc.utils import import_from_settings

logger = logging.getLogger(__name__)

# Our setting -> the provider metadata key that fills it when the setting is empty.
DISCOVERABLE = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
_cache: dict[str, dict] = {}
_lock = threading.Lock()


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def discovered(issuer: str) -> dict:
    """The provider's metadata (cached per issuer for the life of the process)."""
    with _lock:
        if issuer not in _cache:
            url = issuer.rstrip("/") + "/.well-known/openid-configuration"
            response = requests.get(url, timeout=getattr(settings, "OIDC_TIMEOUT", 10))
            response.raise_for_status()
            _cache[issuer] = response.json()
            logger.info("openid configuration discovered", extra={"issuer": issuer})
        return _cache[issuer]


def forget_discovery() -> None:
    with _lock:
        _cache.clear()


def get_setting(attr: str, *args):
    """mozilla-django-oidc's setting lookup, completed by discovery for the endpoints."""
    if attr in DISCOVERABLE and not getattr(settings, attr, ""):
        issuer = getattr(settings, "OIDC_OP_ISSUER", "")
        if issuer:
            value = discovered(issuer).get(DISCOVERABLE[attr])
            if value:
                return value
        if args:
            return args[0]
        raise ImproperlyConfigured(f"Set {attr} or OIDC_OP_ISSUER (ProConnect)")
    return import_from_settings(attr, *args)

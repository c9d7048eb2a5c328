"""Security headers and request logs."""

import logging
import time
from urllib.parse import urlparse

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation

logger = logging.getLogger("engagements.request")

# No inline script, no third party: everything the pages load comes from this site.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(self), geolocation=(), microphone=()"
        )
        if getattr(settings, "HTTPS", False):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.monotonic()
        response = self.get_response(request)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - start) * 1000, 1),
                "user_id": getattr(getattr(request, "user", None), "pk", None) or "",
            },
        )
        return response


def is_flow_page(request) -> bool:
    """A public page of the booking, contact form, survey or FAQ flows (never an agent's)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return match.namespace in settings.FLOW_NAMESPACES and not (match.url_name or "").startswith(
        "agents-"
    )


class FlowLanguageMiddleware:
    """Arabic, Spanish, Portuguese and Ukrainian are offered on the public flows only.

    Another page asked in one of them (/ar/agents/…, /es/mentions-legales/) is sent to its
    French address. The language chosen on a flow page is remembered in the language
    cookie: a flow page reached without a language prefix (a QR code, a bookmark, a link
    of a French-only page) is sent to that language; choosing French from the language
    selector of a page in one of them (or English, always prefixed) forgets it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_flow_page(request) or response.status_code != 200:
            return response
        language = translation.get_language()
        remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language in settings.FLOW_LANGUAGES and remembered != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        elif remembered in settings.FLOW_LANGUAGES and (
            language != settings.LANGUAGE_CODE or _switched_to_french(request)
        ):
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        language = translation.get_language()
        flow = is_flow_page(request)
        if language in settings.FLOW_LANGUAGES and not flow:
            if request.method in ("GET", "HEAD"):
                target = translate_url(request.get_full_path(), settings.LANGUAGE_CODE)
                if target != request.get_full_path():
                    return HttpResponseRedirect(target)
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return None
        remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if (
            flow
            and request.method == "GET"
            and language == settings.LANGUAGE_CODE
            and remembered in settings.FLOW_LANGUAGES
            and not _switched_to_french(request)
        ):
            target = translate_url(request.get_full_path(), remembered)
            if target != request.get_full_path():
                return HttpResponseRedirect(target)
        return None


def _switched_to_french(request) -> bool:
    """Reached from a page of this site in a flow language: its language selector."""
    referer = urlparse(request.META.get("HTTP_REFERER") or "")
    if referer.netloc != request.get_host():
        return False
    first = referer.path.split("/")[1] if referer.path.startswith("/") else ""
    return first in settings.FLOW_LANGUAGES

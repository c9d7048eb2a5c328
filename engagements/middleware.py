"""Security headers, request logs and the request body limit."""

import itertools
import logging
import time
from urllib.parse import urlparse

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse, translate_url
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


# 503s answered on purpose with `Retry-After` (admission control in a rush, the database
# away for a moment) since this process started: the client retries, nothing failed.
_refusals = itertools.count(1)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.monotonic()
        response = self.get_response(request)
        extra = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.monotonic() - start) * 1000, 1),
            "user_id": getattr(getattr(request, "user", None), "pk", None) or "",
        }
        if response.status_code == 503 and response.has_header("Retry-After"):
            # A refusal the client retries: one WARNING line with the running count, not
            # Django's ERROR "Service Unavailable" line (1,346 of them in a rush).
            response._has_been_logged = True
            extra["refused_total"] = next(_refusals)
            logger.warning("request refused, retry later", extra=extra)
        else:
            logger.info("request", extra=extra)
        return response


class BodyLimitMiddleware:
    """Refuse a request whose announced body is too large before anything reads it (413).

    `Content-Length` is compared with `MAX_REQUEST_BODY` at once, and, once the URL is
    resolved (before the CSRF check reads the form), with `PUBLIC_MAX_REQUEST_BODY` on every
    page but the agents' and the admin (a 200 MB upload on the public follow page is
    refused without being received). Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` still bounds a
    body without `Content-Length`; the proxy's own limit is in docs/deployment.md.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = _content_length(request)
        if length > settings.MAX_REQUEST_BODY:
            return _too_large(request, settings.MAX_REQUEST_BODY)
        response = self.get_response(request)
        if length and response.status_code != 413:
            if length <= settings.PUBLIC_MAX_REQUEST_BODY:
                _drain(request)
            else:  # a larger body is not read for nothing (an import answered by the login)
                response["Connection"] = "close"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        agents = (match.url_name or "").startswith("agents-") or "admin" in match.namespaces
        limit = settings.MAX_REQUEST_BODY if agents else settings.PUBLIC_MAX_REQUEST_BODY
        if _content_length(request) > limit:
            return _too_large(request, limit)
        return None


def _drain(request) -> None:
    """Read what is left of a body (at most PUBLIC_MAX_REQUEST_BODY) the answer did not need:
    a form refused before it was read (no CSRF cookie, a login page answering at once…).
    gunicorn closes the connection after the answer; unread bytes would make that close a
    reset, which a proxy still sending the body reports as 502 instead of our answer."""
    stream = getattr(request, "_stream", None)
    if stream is None:
        return
    try:
        while stream.read(64 * 1024):
            pass
    except OSError:  # the client has gone: nothing to keep the answer for
        pass


def _content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _too_large(request, limit: int):
    from django.http import HttpResponse, JsonResponse

    megabytes = limit // (1024 * 1024)
    logger.warning(
        "request body too large",
        extra={"path": request.path, "content_length": _content_length(request), "limit": limit},
    )
    if request.path.startswith("/api/"):
        detail = f"Requête trop volumineuse ({megabytes} Mo au plus)."
        return JsonResponse({"code": "too_large", "detail": detail}, status=413)
    response = HttpResponse(
        f"Fichier ou formulaire trop volumineux ({megabytes} Mo au plus) : réduisez le "
        "fichier et envoyez-le à nouveau.",
        status=413,
        content_type="text/plain; charset=utf-8",
    )
    response["Connection"] = "close"  # the rest of the body is not read
    return response


def is_flow_page(request) -> bool:
    """A public page of the booking, contact form, survey or FAQ flows (never an agent's),
    or one of `settings.FLOW_PAGES`."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    if match.view_name in getattr(settings, "FLOW_PAGES", ()):
        return True
    return match.namespace in settings.FLOW_NAMESPACES and not (match.url_name or "").startswith(
        "agents-"
    )


def is_agents_page(request) -> bool:
    """A page of the agents' space (under /agents/, in any language's prefix): its text is
    French only, so it has no other language's address."""
    path, language = request.path_info, translation.get_language()
    if language and path.startswith(f"/{language}/"):
        path = path[len(language) + 1 :]
    return path.startswith("/agents/")


def page_in_language(request, language: str) -> str:
    """This request's address (its query string kept) in `language`: what Django's
    translate_url gives, from the match Django made for the request instead of resolving
    the path again (every page's language switch asks for it once per language; a
    resolution walks the whole URL map, a reversal costs an eighth of it). A request
    without a named match (a 404) goes through translate_url, which leaves it as it is."""
    full_path = request.get_full_path()
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name:
        return translate_url(full_path, language)
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    try:
        with translation.override(language):
            path = reverse(name, args=match.args, kwargs=match.kwargs)
    except NoReverseMatch:
        return full_path
    _path, mark, query = full_path.partition("?")
    return f"{path}{mark}{query}"


class FlowLanguageMiddleware:
    """Arabic, Spanish, Portuguese and Ukrainian are offered on the public flows only.

    Another page asked in one of them (/ar/agents/…, /es/mentions-legales/) is sent to its
    French address, and so is an agents' page asked in English (/en/agents/…): the agents'
    space is in French only. The language chosen on a flow page is remembered in the language
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
        if not flow and (
            language in settings.FLOW_LANGUAGES
            or (language != settings.LANGUAGE_CODE and is_agents_page(request))
        ):
            if request.method in ("GET", "HEAD"):
                target = page_in_language(request, settings.LANGUAGE_CODE)
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
            target = page_in_language(request, remembered)
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

"""Errors to Sentry (or a compatible server such as GlitchTip), off unless SENTRY_DSN is set.

Nothing personal leaves: `send_default_pii=False` (no user, no cookies, no client address),
no request bodies and no local variables are collected, and `scrub` (the `before_send`
hook) keeps only the technical parts of an event: the request's method and path (no query
string, no long segment such as a follow link's token, no body, no cookies, a few harmless
headers), no user, and every remaining text
(exception messages, log messages, breadcrumbs, extra data) with e-mail addresses and phone
numbers replaced. Names and message bodies only ever come with the request's data or
a log's arguments, which are dropped.

Imported by settings.py (no model imported here).
"""

from __future__ import annotations

import re
from typing import Any

EMAIL = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")
# International numbers (+33 6 12 34 56 78, 0033 (0)6…) and French ones (06 12 34 56 78),
# with spaces, dots or dashes; not references such as 2026-000123.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)[1-9]\d{0,2}[ .\-]?(?:\(0\)[ .\-]?)?(?:\d[ .\-]?){6,13}\d"
    r"|0[1-9](?:[ .\-]?\d{2}){4})(?![\w])"
)
KEPT_HEADERS = {"host", "content-type", "content-length", "accept", "user-agent"}


def scrub_text(value: str) -> str:
    return PHONE.sub("[phone]", EMAIL.sub("[email]", value))


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_url(url: str) -> str:
    """No query string, and no long path segment: the follow and manage links carry signed
    or random tokens that open a person's request or booking."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    head, sep, rest = path.partition("://")
    if sep:
        host, slash, tail = rest.partition("/")
        head, path = f"{head}://{host}", slash + tail
    else:
        head, path = "", path
    segments = ["[token]" if len(part) >= 20 else part for part in path.split("/")]
    return scrub_text(head + "/".join(segments))


def _request(request: dict) -> dict:
    url = scrub_url(str(request.get("url", "")))
    headers = {
        key: value
        for key, value in (request.get("headers") or {}).items()
        if key.lower() in KEPT_HEADERS
    }
    return {"method": request.get("method", ""), "url": url, "headers": headers}


def scrub(event: dict, hint: dict | None = None) -> dict:
    """before_send: keep what helps fix the error, nothing that identifies a person."""
    event.pop("user", None)
    event.pop("server_name", None)
    if "request" in event:
        event["request"] = _request(event["request"])
    for exception in (event.get("exception") or {}).get("values", []):
        if exception.get("value"):
            exception["value"] = scrub_text(str(exception["value"]))
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    logentry = event.get("logentry")
    if logentry:
        logentry.pop("params", None)
        for key in ("message", "formatted"):
            if logentry.get(key):
                logentry[key] = scrub_text(str(logentry[key]))
    if event.get("message"):
        event["message"] = scrub_text(str(event["message"]))
    crumbs = event.get("breadcrumbs")
    values = crumbs.get("values", []) if isinstance(crumbs, dict) else (crumbs or [])
    for crumb in values:
        crumb.pop("data", None)  # URLs of HTTP calls, log records' extra fields
        if crumb.get("message"):
            crumb["message"] = scrub_text(str(crumb["message"]))
    for key in ("extra", "tags"):  # contexts: the SDK's own (runtime, trace)
        if key in event:
            event[key] = _scrub(event[key])
    return event


def init_sentry(dsn: str, *, environment: str = "production") -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    from engagements.operations.version import product_version

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=f"engagements@{product_version()}",
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        include_source_context=True,
        traces_sample_rate=0.0,
        before_send=scrub,
        default_integrations=True,
    )

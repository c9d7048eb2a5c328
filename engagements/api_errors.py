"""The API's error shapes and the bounds every input shares (one place for every app's api.py).

Every error answers `{"code", "detail"}` (French `detail`); a 422 adds `errors`, one line per
field (`field` like `body.person.first_name` or `path.year`). Operations list the statuses
they can answer with `errors(...)`, so the OpenAPI schema documents them all.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Annotated

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from ninja import Path, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import AfterValidator, Field, WithJsonSchema

logger = logging.getLogger("engagements.api")

# Sane bounds shared by every endpoint.
MIN_YEAR, MAX_YEAR = 2000, 2100
MIN_DATE, MAX_DATE = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
MAX_ID = 2**63 - 1


class ErrorOut(Schema):
    code: str
    detail: str


class FieldErrorOut(Schema):
    field: str
    message: str
    type: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut] = []


_SCHEMAS = {422: ValidationErrorOut}
# Any operation may answer 503 `unavailable` (the database unreachable for a moment).
RETRY_AFTER_UNAVAILABLE = 5


def errors(*codes: int) -> dict:
    """`response=` entries for the error statuses an operation can answer (503 always)."""
    return {code: _SCHEMAS.get(code, ErrorOut) for code in (*codes, 503)}


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


class StatedPattern:
    """A pattern written in the schema only (the check is a validator of ours): the schema
    states what the server refuses. `default=True` keeps a field's own pattern."""

    def __init__(self, pattern: str, *, default: bool = False):
        self.pattern, self.default = pattern, default

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        if schema.get("type") == "string" and not (self.default and "pattern" in schema):
            schema["pattern"] = self.pattern
        return schema


# NUL anywhere; then at least one character that is neither NUL nor a space.
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"


# A text with no NUL character (PostgreSQL refuses them).
Text = Annotated[str, AfterValidator(_no_nul), StatedPattern(NO_NUL, default=True)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Slug = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Year = Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR)]


def _sane_date(value: date) -> date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"date must be between {MIN_DATE} and {MAX_DATE}")
    return value


# Exactly the dates from 2000-01-01 to 2100-12-31 (what `_sane_date` lets through), so the
# OpenAPI schema states the bounds the server enforces.
DATE_PATTERN = (
    r"^(?:(?:20[0-9]{2}|2100)-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
    r"|20(?:[02468][048]|[13579][26])-02-29)$"
)
Day = Annotated[
    date,
    AfterValidator(_sane_date),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": DATE_PATTERN,
            "description": f"date (AAAA-MM-JJ) du {MIN_DATE} au {MAX_DATE}",
        }
    ),
]


# Pydantic's name for the branch of a union that failed (`function-after[…]`, `bool`,
# `constrained-int`): an internal, not a field of the request.
_BRANCH = re.compile(
    r"[\[(<]|^(?:str|bool|int|float|none|date|list|dict)$"
    r"|^(?:constrained|function|nullable|lax|json|literal|typed|tagged|model)-"
)


def _location(location) -> tuple[list, bool]:
    """The location's parts without ninja's argument name, and whether the last part (a
    union's branch) was dropped."""
    parts = list(location)
    if len(parts) > 1 and parts[0] == "body":
        del parts[1]  # the view's body argument ("payload")
    if len(parts) > 2 and _BRANCH.search(str(parts[-1])):
        return parts[:-1], True
    return parts, False


def _message(error: dict) -> str:
    """Pydantic's message without its internals (`functools.partial(<function … at 0x…>)`)."""
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if re.search(r"0x[0-9a-f]|functools|partial\(|<function", message):
        return "valeur invalide"
    return message


def _type(error: dict) -> str:
    kind = str(error.get("type", ""))
    return kind if re.fullmatch(r"[a-z_]+", kind) else "value_error"


def _lines(errors) -> list[dict]:
    """One line per field: a union's branches (text, yes/no, number) give one line, the
    first branch's message."""
    lines: dict[str, dict] = {}
    for error in errors:
        parts, branch = _location(error.get("loc", []))
        field = ".".join(str(part) for part in parts)
        if branch and field in lines:
            continue
        key = field if branch else f"{field}\x00{len(lines)}"
        lines[key] = {"field": field, "message": _message(error), "type": _type(error)}
    return list(lines.values())


def install(api) -> None:
    """Error handlers answering in the `{"code", "detail"}` shape."""

    def respond(request, status: int, payload: dict, **headers):
        response = api.create_response(request, payload, status=status)
        for name, value in headers.items():
            response[name] = value
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        lines = _lines(exc.errors)
        fields = ", ".join(line["field"] for line in lines) or "requête"
        return respond(
            request,
            422,
            {"code": "invalid", "detail": f"Données invalides : {fields}.", "errors": lines},
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, {"code": "not_found", "detail": "Ressource introuvable."})

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        return respond(
            request,
            401,
            {"code": "unauthorized", "detail": "Jeton d'accès absent ou invalide."},
            **{"WWW-Authenticate": "Bearer"},
        )

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return respond(request, 413, {"code": "too_large", "detail": "Requête trop volumineuse."})

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request, exc):
        # A lost or refused database connection: nothing was done or the transaction was
        # rolled back, so the partner retries (with the same Idempotency-Key for a booking).
        logger.warning("API: base de données indisponible (%s) : %s", type(exc).__name__, exc)
        return respond(
            request,
            503,
            {
                "code": "unavailable",
                "detail": "Service momentanément indisponible : réessayez dans quelques "
                "secondes (avec la même Idempotency-Key pour une réservation).",
            },
            **{"Retry-After": str(RETRY_AFTER_UNAVAILABLE)},
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        codes = {400: ("bad_request", "Corps de la requête illisible (JSON attendu).")}
        code, detail = codes.get(exc.status_code, (f"http_{exc.status_code}", str(exc)))
        return respond(request, exc.status_code, {"code": code, "detail": detail})

"""The API's error shapes and the bounds every input shares (one place for every app's api.py).

Every error answers `{"code", "detail"}` (French `detail`); a 422 adds `errors`, one line per
field (`field` like `body.person.first_name` or `path.year`). Operations list the statuses
they can answer with `errors(...)`, so the OpenAPI schema documents them all.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import Path, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import AfterValidator, Field

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


def errors(*codes: int) -> dict:
    """`response=` entries for the error statuses an operation can answer."""
    return {code: _SCHEMAS.get(code, ErrorOut) for code in codes}


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


# A text with no NUL character (PostgreSQL refuses them).
Text = Annotated[str, AfterValidator(_no_nul)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Slug = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Year = Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR)]


def _sane_date(value: date) -> date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"date must be between {MIN_DATE} and {MAX_DATE}")
    return value


Day = Annotated[date, AfterValidator(_sane_date)]


def _field(location) -> str:
    """`body.person.email`, `path.year`, `query.start` (without ninja's argument name)."""
    parts = list(location)
    if len(parts) > 1 and parts[0] == "body":
        del parts[1]  # the view's body argument ("payload")
    return ".".join(str(part) for part in parts)


def install(api) -> None:
    """Error handlers answering in the `{"code", "detail"}` shape."""

    def respond(request, status: int, payload: dict, **headers):
        response = api.create_response(request, payload, status=status)
        for name, value in headers.items():
            response[name] = value
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        lines = [
            {
                "field": _field(error.get("loc", [])),
                "message": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
            for error in exc.errors
        ]
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

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        codes = {400: ("bad_request", "Corps de la requête illisible (JSON attendu).")}
        code, detail = codes.get(exc.status_code, (f"http_{exc.status_code}", str(exc)))
        return respond(request, exc.status_code, {"code": code, "detail": detail})

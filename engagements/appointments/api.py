"""Partner API (France services, associations): procedures, free slots, bookings.

Auth: `Authorization: Bearer TOKEN` (issued by `manage.py create_api_token`; only the
SHA-256 is stored). A token sees its own prefecture only. Bookings made here are confirmed
at once: the partner has checked the person.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, Header, Path, Router, Schema
from ninja.responses import Status
from ninja.security import HttpBearer
from pydantic import AfterValidator, BaseModel, StringConstraints, TypeAdapter, field_validator

from engagements import metrics
from engagements.api_errors import (
    NOT_BLANK,
    Day,
    ErrorOut,
    Id,
    PathId,
    StatedPattern,
    Text,
    errors,
)
from engagements.db_router import replica_reads

from . import admission, services, tokens
from .enums import Channel
from .models import ApiToken, Booking, Procedure, Slot
from .services import idempotency


class PartnerToken(HttpBearer):
    def __call__(self, request):
        # HttpBearer's parsing, from the header itself: `request.headers` would first copy
        # every header of the request (a cost paid on every booking).
        value = request.META.get("HTTP_AUTHORIZATION")
        if not value:
            return None
        scheme, _, token = value.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request, token: str):
        found = tokens.lookup(token)
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or found.last_used_at < now - timedelta(minutes=5):
            # At most one write per token every 5 minutes: a rush must not queue on it.
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
            found.last_used_at = now
        return found


router = Router(tags=["rendez-vous"], auth=PartnerToken())


class ProcedureOut(Schema):
    id: int
    name: str
    site: str
    service: str
    duration_minutes: int
    required_fields: list[str]
    documents: list[str]


class SlotOut(Schema):
    id: int
    start: datetime
    end: datetime
    capacity: int
    remaining: int


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Name = Annotated[
    Text,
    StringConstraints(min_length=1, max_length=100),
    AfterValidator(_not_blank),
    StatedPattern(NOT_BLANK),
]
# Answers to the partner's own questions: a flat object of at most 20 short answers.
ANSWER_KEY_PATTERN = r"^[A-Za-z0-9_.-]+$"
AnswerKey = Annotated[
    str, StringConstraints(min_length=1, max_length=50, pattern=ANSWER_KEY_PATTERN)
]
AnswerValue = (
    Annotated[Text, StringConstraints(max_length=1000)]
    | bool
    | Annotated[int, Field(ge=-(10**9), le=10**9)]
    | None
)
MAX_ANSWERS = 20


# What the server accepts (Django's EmailValidator, ASCII): the schema states it (issue 20).
EMAIL_PATTERN = (
    r"^$|^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?:[A-Za-z][A-Za-z-]{0,61}[A-Za-z]|xn--[A-Za-z0-9]{1,59})$"
)


# Request bodies are plain pydantic models, validated straight from the parsed JSON: ninja's
# Schema (for answers built from ORM objects) wraps every value for attribute access first,
# a cost paid on every booking for nothing.
class PersonIn(BaseModel):
    first_name: Name
    last_name: Name
    email: Text = Field("", max_length=254, pattern=EMAIL_PATTERN)
    phone: Text = Field("", max_length=30, pattern=r"^[0-9+ ().-]*$")
    foreign_number: Text = Field("", max_length=20, pattern=r"^[0-9A-Za-z .-]*$")
    permit_expires_on: Day | None = None

    @field_validator("email")
    @classmethod
    def _deliverable(cls, value: str) -> str:
        if not value:
            return value
        from engagements.outbox.services import OutboxError, validate_address

        from .models import normalise_email

        try:
            value = validate_address(value)
        except OutboxError as exc:
            raise ValueError("not a deliverable e-mail address") from exc
        if len(normalise_email(value)) > 254:
            raise ValueError("e-mail address too long")
        return value


class BookingIn(BaseModel):
    slot_id: Id
    person: PersonIn
    answers: dict[AnswerKey, AnswerValue] = Field(
        default_factory=dict,
        max_length=MAX_ANSWERS,
        # The keys' pattern stated where a client reads it (not only in patternProperties).
        json_schema_extra={
            "propertyNames": {"minLength": 1, "maxLength": 50, "pattern": ANSWER_KEY_PATTERN},
            "additionalProperties": False,
        },
    )


class BookingOut(BaseModel):  # built from a dict: no ORM attribute access to allow
    reference: str
    status: str
    slot_id: int
    start: datetime
    procedure_id: int
    manage_url: str


class ConflictOut(ErrorOut):
    existing_reference: str | None = None


Reference = Annotated[str, Path(min_length=1, max_length=12, pattern=r"^[A-Za-z0-9-]+$")]


def _required(procedure: Procedure) -> list[str]:
    fields = ["first_name", "last_name", "email_or_phone"]
    if procedure.asks_foreign_number:
        fields.append("foreign_number")
    if procedure.requires_permit_expiry:
        fields.append("permit_expires_on")
    return fields


def _procedures(request):
    return Procedure.objects.filter(prefecture=request.auth.prefecture).select_related(
        "site", "service"
    )


@router.get(
    "/procedures",
    response={200: list[ProcedureOut], **errors(401)},
    summary="Démarches réservables",
)
@replica_reads
def list_procedures(request):
    return [
        {
            "id": p.pk,
            "name": p.name,
            "site": p.site.name,
            "service": p.service.name,
            "duration_minutes": p.duration_minutes,
            "required_fields": _required(p),
            "documents": p.document_list("fr"),
        }
        for p in _procedures(request)
    ]


@router.get(
    "/procedures/{procedure_id}/slots",
    response={200: list[SlotOut], **errors(401, 404, 422)},
    summary="Créneaux d'une démarche entre deux dates (62 jours au plus)",
)
@replica_reads
def list_slots(request, procedure_id: PathId, start: Day, end: Day):
    procedure = get_object_or_404(_procedures(request), pk=procedure_id)
    if end < start or (end - start).days > 62:
        return Status(422, {"code": "invalid", "detail": "Période invalide (62 jours au plus)."})
    services.release_expired_holds()
    tz = timezone.get_current_timezone()
    slots = Slot.objects.filter(
        procedure=procedure,
        blocked=False,
        starts_at__gte=max(timezone.now(), datetime.combine(start, datetime.min.time(), tz)),
        starts_at__lt=datetime.combine(end + timedelta(days=1), datetime.min.time(), tz),
    ).order_by("starts_at")
    return [
        {
            "id": s.pk,
            "start": s.starts_at,
            "end": s.ends_at,
            "capacity": s.capacity,
            "remaining": s.remaining,
        }
        for s in slots
    ]


def _booking_out(booking: Booking) -> dict:
    from .notifications import absolute

    return {
        "reference": booking.reference,
        "status": booking.status,
        "slot_id": booking.slot_id,
        "start": booking.slot.starts_at,
        "procedure_id": booking.procedure_id,
        "manage_url": absolute("appointments:manage", booking.token, language=booking.language),
    }


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description=(
            "Clé choisie par le partenaire (UUID conseillé), unique par réservation voulue. "
            "Une nouvelle tentative avec la même clé et le même corps (après une expiration "
            "du délai, par exemple) reçoit la réponse déjà donnée (même statut, même corps) "
            "et ne crée jamais une seconde réservation. Clés propres au jeton, gardées "
            "24 heures. La même clé avec un autre corps : 422 `idempotency_mismatch` ; "
            "pendant qu'une requête avec la même clé est en cours : elle est attendue, ou "
            "409 `in_progress`."
        ),
    ),
]


# What POST /bookings answers, by status: ninja's description of it and the direct view's.
BOOKING_ANSWERS = {201: BookingOut, 409: ConflictOut, **errors(400, 401, 413, 422, 429, 503)}


@router.post(
    "/bookings",
    response=BOOKING_ANSWERS,
    summary="Réserver pour une personne (confirmé aussitôt)",
    description=(
        "Accepte l'en-tête `Idempotency-Key` : une réservation retentée avec la même clé "
        "n'est jamais faite deux fois. Trop de réservations en cours sur le serveur : 503 "
        "`overloaded` aussitôt, avec `Retry-After` (secondes) ; rien n'a été réservé. "
        "Pendant l'ouverture d'une démarche à salle d'attente, chaque jeton a son quota de "
        "réservations par minute : au-delà, 429 `quota`."
    ),
)
def create_booking(
    request,
    response: HttpResponse,
    payload: BookingIn,
    idempotency_key: IdempotencyKeyHeader = None,
):
    status, body, headers = _answer(request, payload, idempotency_key)
    for name, value in headers.items():
        response[name] = value
    return Status(status, body)


def _answer(request, payload: BookingIn, idempotency_key: str | None):
    """(status, body, headers) for a booking request whose token, body and key are valid."""
    try:
        with admission.admitted():
            status, body = _create_booking(request, payload, idempotency_key)
    except admission.Overloaded as refusal:
        overloaded = {"code": "overloaded", "detail": str(refusal)}
        return 503, overloaded, {"Retry-After": str(refusal.retry_after)}
    return status, body, ({"Retry-After": "60"} if status == 429 else {})


_IDEMPOTENCY_KEY = TypeAdapter(IdempotencyKeyHeader)


def direct_booking_view(api, ninja_view):
    """POST /api/v1/bookings as `create_booking` declares it, served without django-ninja's
    per-request layer (its parameter models, dispatch and response models: 0.25 M of a
    booking's 2.91 M instructions, docs/deployment.md "booking hot path"). The same token
    check, body and header types, booking function and answer types; ninja's JSON renderer
    and error handlers. A request this view does not take as it comes (another method, no valid
    token, a body or key that does not validate) goes to ninja's own view of the path,
    which answers it as it always has: one description of the endpoint, ninja's."""
    authenticate = router.auth

    @csrf_exempt
    def book(request):
        if request.method != "POST":
            return ninja_view(request)
        try:
            request.auth = authenticate(request)
            payload = BookingIn.model_validate(api.parser.parse_body(request))
            key = _IDEMPOTENCY_KEY.validate_python(request.META.get("HTTP_IDEMPOTENCY_KEY"))
        except Exception:  # noqa: BLE001 - ninja's view says what is wrong, in its words
            return ninja_view(request)
        if not request.auth:
            return ninja_view(request)
        try:
            status, body, headers = _answer(request, payload, key)
            answer = BOOKING_ANSWERS[status]
            if not isinstance(body, answer):
                body = answer.model_validate(body)
            response = api.create_response(request, body.model_dump(), status=status)
        except Exception as error:  # noqa: BLE001 - answered as ninja's operation would
            return api.on_exception(request, error)
        for name, value in headers.items():
            response[name] = value
        return response

    return book


# Served by a plain Django view instead of ninja's (engagements/api.py).
direct_views = {"bookings": direct_booking_view}


def _create_booking(request, payload: BookingIn, idempotency_key: str | None):
    if not idempotency_key:
        status, body, _booking_id, _keep = _book(request, payload)
        return status, body
    digest = idempotency.body_hash(payload.model_dump(mode="json"))
    try:
        return idempotency.run_once(
            request.auth, idempotency_key, digest, lambda: _book_to_keep(request, payload)
        )
    except idempotency.IdempotencyError as error:
        return error.status, {"code": error.code, "detail": error.message}


def _over_partner_quota(request, procedure: Procedure) -> bool:
    """While a procedure's waiting room is in force, a partner token has its own quota of
    bookings per minute (the public waits its turn; partners must not take it all).
    Outside it, nothing is counted (no query on the hot path)."""
    from django.conf import settings

    from engagements.antibot import rate_limited

    from .services import waiting_room

    if not procedure.waiting_room:
        return False
    active, opening = waiting_room.active_room(procedure, timezone.now())
    if not active:
        return False
    return rate_limited(
        f"appt-partner:{request.auth.pk}:{procedure.pk}",
        limit=settings.WAITING_ROOM_PARTNER_QUOTA,
        window=60,
    )


# The public form's message says a link was mailed; the API mails nothing on a duplicate.
PARTNER_DUPLICATE = (
    "Cette personne a déjà un rendez-vous pour cette démarche (sa référence est dans "
    "`existing_reference`) : aucune réservation n'a été faite et aucun courriel envoyé."
)


def _book(request, payload: BookingIn) -> tuple[int, dict | BookingOut, int | None, bool]:
    """(status, JSON body or BookingOut, booking id, answer to keep for a retry)."""
    # The slot is read here, from memory when this process has read it before (the
    # booking's statement checks that it still holds: else it is read again), and handed
    # over.
    for cached in (True, False):
        slot = services.bookable_slot(
            payload.slot_id, prefecture_id=request.auth.prefecture_id, cached=cached
        )
        if slot is None:
            return 422, {"code": "invalid", "detail": "Créneau inconnu."}, None, True
        if cached and slot.procedure.waiting_room:
            continue  # its quota is counted on what the database says, read at once
        if _over_partner_quota(request, slot.procedure):
            detail = (
                "Quota de réservations par minute atteint pour ce jeton pendant l'ouverture "
                "de cette démarche : réessayez dans une minute."
            )
            return 429, {"code": "quota", "detail": detail}, None, False
        try:
            return _book_slot(request, payload, slot)
        except services.StaleSlot:
            continue
    # Changed again between the second read and its booking: the partner retries.
    body = ConflictOut(code="busy", detail=SLOT_CHANGED).model_dump(mode="json")
    return 409, body, None, False


SLOT_CHANGED = "Ce créneau vient d'être modifié : réessayez dans un instant."


def _book_slot(request, payload: BookingIn, slot: Slot):
    person = services.Person(**payload.person.model_dump(), answers=payload.answers)
    try:
        booking = services.book_slot(
            slot, person, channel=Channel.API, partner=request.auth.name, fresh=True
        )
    except services.BookingError as error:
        if error.code in ("full", "duplicate", "busy"):
            body = ConflictOut(
                code=error.code,
                detail=PARTNER_DUPLICATE if error.code == "duplicate" else error.message,
                existing_reference=error.existing.reference if error.existing else None,
            )
            metrics.BOOKING_CONFLICTS.labels(error.code).inc()
            # "busy" is transient: a retry with the same key must try again.
            return 409, body.model_dump(mode="json"), None, error.code != "busy"
        return 422, {"code": error.code, "detail": error.message}, None, True
    # The model itself: ninja renders it without validating it again (a stored answer, a
    # dict, is validated).
    return 201, BookingOut(**_booking_out(booking)), booking.pk, True


def _book_to_keep(request, payload: BookingIn) -> tuple[int, dict, int | None, bool]:
    """`_book` with a JSON body, for the idempotency key's stored answer."""
    status, body, booking_id, keep = _book(request, payload)
    if isinstance(body, BookingOut):
        body = body.model_dump(mode="json")
    return status, body, booking_id, keep


@router.delete(
    "/bookings/{reference}",
    response={200: BookingOut, 409: ErrorOut, **errors(401, 404, 422)},
    summary="Annuler une réservation",
)
def delete_booking(request, reference: Reference):
    booking = get_object_or_404(
        Booking.objects.select_related("slot"),
        reference=reference,
        procedure__prefecture=request.auth.prefecture,
    )
    try:
        booking = services.cancel_booking(booking, note=f"API : {request.auth.name}")
    except services.BookingError as error:
        return Status(409, {"code": error.code, "detail": error.message})
    return Status(200, _booking_out(booking))

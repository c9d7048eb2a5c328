"""Public booking pages (usagers): FR at /, EN at /en/. Personal pages only via secret tokens."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from engagements.antibot import client_ip, rate_limited
from engagements.forms import DocumentUploadForm, MoreTimeForm
from engagements.organisation.queries import public_prefectures
from engagements.shell.content_language import long_date

from .. import admission, services
from ..booking_files import certificate_pdf, ics_for, summary_pdf
from ..enums import BookingStatus, SlotState, WaitlistStatus
from ..forms import (
    HoldAddressForm,
    PersonForm,
    TermsForm,
    WaitingRoomForm,
    WaitlistAddressForm,
    WaitlistForm,
)
from ..models import SHORT_CODE_LENGTH, Booking, Procedure, Slot, WaitlistEntry
from ..queries import first_free_slot, first_free_week, monday, slot_state, week_view
from ..services import documents, waiting_room

TERMS_KEY = "appointments-terms"
EXPIRY_KEY = "appointments-permit-expiry"
TYPED_KEY = "appointments-typed"
SENT_KEY = "appointments-sent"  # the address the hold's link went to
SENT_BOOKING_KEY = "appointments-sent-booking"  # the hold itself, for this browser only
# What a person typed on the details form, kept when the slot is taken meanwhile (the
# proof of work is not: it is spent with each try).
TYPED_FIELDS = ("first_name", "last_name", "email", "phone", "foreign_number")


def _expiry(request: HttpRequest, procedure: Procedure) -> date | None:
    value = request.session.get(EXPIRY_KEY, {}).get(str(procedure.pk))
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _week_options(request: HttpRequest, procedure: Procedure, now) -> dict:
    """Priority and renewal window for the person, from the expiry date given up front."""
    expiry = _expiry(request, procedure)
    if not procedure.requires_permit_expiry or expiry is None:
        return {}
    return {
        "priority_person": services.is_priority_person(expiry, timezone.localdate(now)),
        "window": services.renewal_window(procedure, expiry),
    }


def _procedures(prefecture_slug: str):
    prefecture = get_object_or_404(public_prefectures(), slug=prefecture_slug)
    return prefecture, Procedure.objects.filter(prefecture=prefecture, is_public=True)


def _procedure(pk: int) -> Procedure:
    return get_object_or_404(
        Procedure.objects.select_related("prefecture", "site", "service"), pk=pk, is_public=True
    )


def _by_token(model, token: str, field: str = "token"):
    obj = get_object_or_404(model, **{field: token})
    # Belt and braces: the database found it; compare in constant time anyway.
    if not secrets.compare_digest(getattr(obj, field), token):
        raise Http404
    return obj


UPLOAD_RATE_LIMIT = 20  # documents from one address in 10 minutes


def _booking(token: str) -> Booking:
    booking = _by_token(
        Booking.objects.select_related("procedure__site", "procedure__prefecture", "slot"), token
    )
    if booking.purged_at:
        raise Http404
    return booking


def _keep_typed(request: HttpRequest, procedure: Procedure) -> None:
    """The slot went to someone else while the person typed: keep what they typed for the
    next slot they choose, and say so (at opening time, slots go in seconds: typing it all
    again on a phone lost the next one too)."""
    typed = {k: request.POST[k][:320] for k in TYPED_FIELDS if request.POST.get(k)}
    if typed:
        request.session[TYPED_KEY] = {"procedure": procedure.pk, "fields": typed}
        messages.info(
            request,
            _("Vos coordonnées sont gardées pour le créneau que vous choisirez."),
        )


def _typed(request: HttpRequest, procedure: Procedure) -> dict:
    kept = request.session.get(TYPED_KEY) or {}
    return kept.get("fields", {}) if kept.get("procedure") == procedure.pk else {}


def _accepted(request: HttpRequest, procedure: Procedure) -> bool:
    return procedure.pk in request.session.get(TERMS_KEY, [])


def _error(request, error: services.BookingError) -> None:
    messages.error(request, error.message)


def procedures(request: HttpRequest, prefecture: str) -> HttpResponse:
    prefecture, qs = _procedures(prefecture)
    items = list(qs.select_related("site").order_by("site__name", "name"))
    now = timezone.now()
    language = translation.get_language()
    for procedure in items:
        procedure.label = procedure.display_name(language)
        procedure.first_free = first_free_slot(procedure, now)
    return render(
        request,
        "appointments/public/procedures.html",
        {"prefecture": prefecture, "procedures": items},
    )


@require_http_methods(["GET", "POST"])
def terms(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = _procedure(pk)
    form = TermsForm(request.POST or None, procedure=procedure)
    if request.method == "POST" and form.is_valid() and _renewal_window_not_over(form, procedure):
        accepted = set(request.session.get(TERMS_KEY, []))
        accepted.add(procedure.pk)
        request.session[TERMS_KEY] = sorted(accepted)
        if form.cleaned_data.get("permit_expires_on"):
            expiries = request.session.get(EXPIRY_KEY, {})
            expiries[str(procedure.pk)] = form.cleaned_data["permit_expires_on"].isoformat()
            request.session[EXPIRY_KEY] = expiries
        return redirect("appointments:slots", procedure.pk)
    return render(
        request,
        "appointments/public/terms.html",
        {
            "procedure": procedure,
            "label": procedure.display_name(translation.get_language()),
            "form": form,
        },
    )


def _renewal_window_not_over(form: TermsForm, procedure: Procedure) -> bool:
    """False, with the reason on the date field, for a renewal window already over."""
    expiry = form.cleaned_data.get("permit_expires_on")
    if expiry is None:
        return True
    try:
        services.check_renewal_window_not_over(procedure, expiry, today=timezone.localdate())
    except services.BookingError as error:
        form.add_error("permit_expires_on", error.message)
        return False
    return True


def _waiting_room_ticket(request: HttpRequest, procedure: Procedure):
    """The browser's waiting-room ticket for this procedure (None without a valid one)."""
    token = request.get_signed_cookie(waiting_room.COOKIE, None, salt=waiting_room.SALT)
    return waiting_room.find_ticket(procedure, token, request.session.session_key)


def _gate(request: HttpRequest, procedure: Procedure, now):
    """(redirect to the waiting room or None, the admitted ticket or None)."""
    active, opening = waiting_room.active_room(procedure, now)
    if not active:
        return None, None
    ticket = _waiting_room_ticket(request, procedure)
    if ticket is None or ticket.room.opening != opening or not waiting_room.may_book(ticket, now):
        return redirect("appointments:waiting-room", procedure.pk), None
    return None, ticket


def slots(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = _procedure(pk)
    if not _accepted(request, procedure):
        return redirect("appointments:terms", procedure.pk)
    now = timezone.now()
    gate, _ticket = _gate(request, procedure, now)
    if gate is not None:
        return gate
    today_monday = monday(timezone.localdate(now))
    try:
        week = monday(date.fromisoformat(request.GET["semaine"]))
    except (KeyError, ValueError):
        week = first_free_week(procedure, now)
    options = _week_options(request, procedure, now)
    if "window" in options and "semaine" not in request.GET:
        week = max(week, monday(options["window"][0]))
    week = max(week, today_monday)
    columns = week_view(procedure, week, now, **options)
    has_free = first_free_slot(procedure, now) is not None
    # Days outside the person's renewal window show as not bookable: say which days are.
    window = options.get("window")
    window_text = services.renewal_window_text(*window) if window else ""
    return render(
        request,
        "appointments/public/slots.html",
        {
            "procedure": procedure,
            "label": procedure.display_name(translation.get_language()),
            "columns": columns,
            "week": week,
            "week_end": week + timedelta(days=6),
            "previous_week": (week - timedelta(days=7)) if week > today_monday else None,
            "next_week": week + timedelta(days=7),
            "has_free": has_free,
            "window_text": window_text,
            "free": SlotState.FREE,
            "full": SlotState.FULL,
        },
    )


@require_http_methods(["GET", "POST"])
def details(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    procedure = _procedure(pk)
    if not _accepted(request, procedure):
        return redirect("appointments:terms", procedure.pk)
    now = timezone.now()
    gate, ticket = _gate(request, procedure, now)
    if gate is not None:
        return gate
    slot = get_object_or_404(Slot, pk=slot_pk, procedure=procedure)
    slot.procedure = procedure  # read once, with its site and prefecture
    if slot_state(slot, now, priority_person=True) != SlotState.FREE:
        if request.method == "POST":
            messages.error(request, _("Ce créneau vient d'être pris. Choisissez-en un autre."))
            _keep_typed(request, procedure)
        else:
            messages.error(request, _("Ce créneau n'est plus disponible. Choisissez-en un autre."))
        return redirect("appointments:slots", procedure.pk)
    form = PersonForm(
        request.POST or None,
        procedure=procedure,
        initial={"permit_expires_on": _expiry(request, procedure), **_typed(request, procedure)},
    )
    overloaded = None
    if request.method == "POST":
        try:
            with admission.admitted():
                response = _book_from_form(request, procedure, slot, form, ticket)
        except admission.Overloaded as refusal:
            overloaded = refusal
            # What was typed, shown again unchecked (checking would spend the proof of
            # work, and nothing is wrong with it).
            typed = {
                k: v for k, v in request.POST.items() if k not in ("altcha", "csrfmiddlewaretoken")
            }
            form = PersonForm(procedure=procedure, initial=typed)
        else:
            if response is not None:
                return response
    response = render(
        request,
        "appointments/public/details.html",
        {
            "procedure": procedure,
            "label": procedure.display_name(translation.get_language()),
            "slot": slot,
            "form": form,
            "overloaded": overloaded is not None,
        },
        status=503 if overloaded else 200,
    )
    if overloaded:
        # The form is shown again with what was typed; nothing was booked.
        response["Retry-After"] = str(overloaded.retry_after)
    return response


def _answer_duplicate(request: HttpRequest, error: services.BookingError) -> None:
    """The address already has a booking for the procedure: its link goes to that address
    (never on screen), at most once an hour."""
    if services.resend_manage_link(error.existing):
        messages.warning(request, error.message)
    else:  # already re-sent within the hour: say so, send nothing
        messages.warning(
            request,
            _(
                "Vous avez déjà un rendez-vous pour cette démarche. Le lien pour "
                "le consulter, le déplacer ou l'annuler vous a été envoyé par "
                "courriel il y a moins d'une heure : regardez aussi dans les "
                "courriels indésirables."
            ),
        )


def _book_from_form(request, procedure, slot, form, ticket=None) -> HttpResponse | None:
    """The booking of a posted form: a redirect, or None to show the form again."""
    if rate_limited(f"appt-book:{client_ip(request)}", limit=20, window=600):
        messages.error(
            request, _("Trop de tentatives depuis votre connexion. Réessayez dans 10 minutes.")
        )
    elif form.is_valid() and _renewal_window_not_over(form, procedure):
        data = form.cleaned_data
        person = services.Person(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data.get("phone", ""),
            foreign_number=data.get("foreign_number", ""),
            permit_expires_on=data.get("permit_expires_on"),
        )
        try:
            booking = services.book_slot(
                slot, person, language=translation.get_language() or "fr", fresh=True
            )
        except services.BookingError as error:
            if error.code == "duplicate":
                _answer_duplicate(request, error)
                # No new hold to confirm: the page must not ask for the "Confirmer" click.
                _forget_hold(request)
                return redirect("appointments:sent")
            _error(request, error)
            if error.code == "full":
                _keep_typed(request, procedure)
                return redirect("appointments:slots", procedure.pk)
        else:
            request.session.pop(TYPED_KEY, None)
            if ticket is not None:
                waiting_room.use(ticket)  # a place in the waiting room admits one booking
            request.session[SENT_KEY] = booking.email
            request.session[SENT_BOOKING_KEY] = booking.pk
            return redirect("appointments:sent")
    return None


@require_http_methods(["GET", "POST"])
def waiting(request: HttpRequest, pk: int) -> HttpResponse:
    """The waiting room at opening time: join (proof of work), then wait for one's turn."""
    procedure = _procedure(pk)
    now = timezone.now()
    active, opening = waiting_room.active_room(procedure, now)
    ticket = _waiting_room_ticket(request, procedure)
    if ticket is not None and ticket.room.opening != opening:
        ticket = None  # a ticket of another day
    if ticket is None and not active:
        return redirect("appointments:slots", procedure.pk)
    form = WaitingRoomForm(request.POST or None) if ticket is None else None
    if request.method == "POST" and form is not None:
        if rate_limited(f"appt-room:{client_ip(request)}", limit=20, window=600):
            messages.error(request, _("Trop de tentatives. Réessayez dans 10 minutes."))
        elif form.is_valid():
            if request.session.session_key is None:
                request.session.save()
            ticket = waiting_room.join(procedure, request.session.session_key, now=now)
            response = redirect("appointments:waiting-room", procedure.pk)
            response.set_signed_cookie(
                waiting_room.COOKIE,
                ticket.token,
                salt=waiting_room.SALT,
                max_age=24 * 3600,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
    elif request.method == "POST":
        return redirect("appointments:waiting-room", procedure.pk)
    place = waiting_room.place(ticket, now) if ticket is not None else None
    return render(
        request,
        "appointments/public/waiting_room.html",
        {
            "procedure": procedure,
            "label": procedure.display_name(translation.get_language()),
            "form": form,
            "place": place,
            "opening": opening,
            "states": {
                "before": waiting_room.BEFORE,
                "waiting": waiting_room.WAITING,
                "admitted": waiting_room.ADMITTED,
                "used": waiting_room.USED,
            },
            "admit_per_interval": waiting_room.admit_per_interval(),
            "interval_seconds": int(waiting_room.interval().total_seconds()),
        },
    )


def _forget_hold(request: HttpRequest) -> None:
    request.session.pop(SENT_KEY, None)
    request.session.pop(SENT_BOOKING_KEY, None)


def _session_hold(request: HttpRequest) -> Booking | None:
    """The hold this browser just made (never one named in the request)."""
    pk = request.session.get(SENT_BOOKING_KEY)
    if not isinstance(pk, int):
        return None
    return (
        Booking.objects.select_related("procedure__site", "procedure__prefecture", "slot")
        .filter(pk=pk, purged_at__isnull=True)
        .first()
    )


HOLD_ADDRESS_RATE_LIMIT = 10  # corrections from one connection in 10 minutes


@require_http_methods(["GET", "POST"])
def sent(request: HttpRequest) -> HttpResponse:
    """ "Check your e-mails", with the address the link went to and, while the hold runs, a
    way to correct a mistyped one (or to have the link sent again) in this browser only."""
    booking = _session_hold(request)
    can_correct = booking is not None and services.may_correct_hold_address(booking)
    form = HoldAddressForm(request.POST or None) if can_correct else None
    if request.method == "POST":
        if form is None:
            return redirect("appointments:sent")
        if rate_limited(
            f"appt-hold-address:{client_ip(request)}", limit=HOLD_ADDRESS_RATE_LIMIT, window=600
        ):
            messages.error(
                request, _("Trop de tentatives depuis votre connexion. Réessayez dans 10 minutes.")
            )
            return redirect("appointments:sent")
        if form.is_valid():
            try:
                booking = services.correct_hold_address(booking, form.cleaned_data["email"])
            except services.BookingError as error:
                if error.code == "duplicate":
                    _answer_duplicate(request, error)
                elif error.code != "invalid":
                    _error(request, error)
                if error.code == "expired":
                    _forget_hold(request)
                    return redirect("appointments:slots", booking.procedure_id)
                if error.code != "invalid":
                    return redirect("appointments:sent")
                form.add_error("email", error.message)
            else:
                request.session[SENT_KEY] = booking.email
                messages.success(
                    request,
                    _("Nous avons envoyé un nouveau lien à %(email)s.") % {"email": booking.email},
                )
                return redirect("appointments:sent")
    elif form is not None:
        form = HoldAddressForm(initial={"email": booking.email})
    return render(
        request,
        "appointments/public/sent.html",
        {
            "email": request.session.get(SENT_KEY, ""),
            "form": form,
            "expires_at": booking.hold_expires_at if can_correct else None,
            # The page read again later: the hold was confirmed, or its time is over.
            "hold_state": (
                None
                if booking is None or can_correct
                else "confirmed"
                if booking.status == BookingStatus.CONFIRMED
                else "over"
            ),
            "procedure_id": booking.procedure_id if booking is not None else None,
        },
        status=200 if form is None or not form.errors else 400,
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail link shows a "Confirmer" button; only its POST confirms.

    Mail scanners and link previews follow every GET link of a message: a GET that
    confirmed would confirm holds nobody asked for.
    """
    booking = _booking(token)
    if booking.status == BookingStatus.CONFIRMED:
        return redirect("appointments:manage", booking.token)
    if request.method == "POST":
        try:
            services.confirm_booking(booking)
        except services.BookingError as error:
            _error(request, error)
            return redirect("appointments:slots", booking.procedure_id)
        messages.success(request, _("Votre rendez-vous est confirmé."))
        return redirect("appointments:manage", booking.token)
    procedure = booking.procedure
    return render(
        request,
        "appointments/public/confirm.html",
        {
            "booking": booking,
            "label": procedure.display_name(translation.get_language()),
            "can_confirm": booking.status == BookingStatus.HELD
            and booking.hold_expires_at is not None
            and booking.hold_expires_at > timezone.now(),
        },
    )


def manage(request: HttpRequest, token: str) -> HttpResponse:
    return _manage_page(request, _booking(token))


def _manage_page(request, booking: Booking, *, upload_form=None, more_time_form=None, status=200):
    procedure = booking.procedure
    wait = documents.wait_for(booking)
    can_send = documents.can_send_documents(booking, wait)
    if can_send and upload_form is None:
        upload_form = DocumentUploadForm()
    if more_time_form is None and documents.can_ask_for_more_time(booking, wait):
        more_time_form = MoreTimeForm(wait=wait, limit=documents.extension_limit(wait))
    # What only makes sense for an appointment still to come (the documents to bring, the
    # actions, the wait for documents' instructions) goes once it is cancelled, expired or
    # over; a wait closed for want of the documents still says why it was cancelled.
    upcoming = booking.is_active and booking.slot.ends_at > timezone.now()
    return render(
        request,
        "appointments/public/manage.html",
        {
            "booking": booking,
            "upcoming": upcoming,
            "show_wait": wait is not None and (upcoming or wait.closed),
            "procedure": procedure,
            "label": procedure.display_name(translation.get_language()),
            "can_reschedule": booking.may_be_moved,
            "attended": booking.status in ATTENDANCE_PROVED,
            "wait": wait,
            "sent_documents": list(booking.documents.only("name", "created_at")) if wait else [],
            "upload_form": upload_form if can_send else None,
            "more_time_form": more_time_form,
        },
        status=status,
    )


@require_POST
def send_document(request: HttpRequest, token: str) -> HttpResponse:
    """The person sends a document the procedure asks before the appointment."""
    booking = _booking(token)
    form = DocumentUploadForm(request.POST, request.FILES)
    if rate_limited(f"appt-docs:{client_ip(request)}", limit=UPLOAD_RATE_LIMIT, window=600):
        form.add_error(
            None, _("Trop de documents envoyés depuis votre connexion : réessayez plus tard.")
        )
        return _manage_page(request, booking, upload_form=form, status=429)
    if not form.is_valid():
        return _manage_page(request, booking, upload_form=form, status=400)
    try:
        documents.add_document(booking, form.cleaned_data["document"])
    except services.BookingError as error:
        form.add_error(None, error.message)
        return _manage_page(request, booking, upload_form=form, status=400)
    messages.success(
        request, _("Votre document est bien reçu : le service le verra avant votre rendez-vous.")
    )
    return redirect("appointments:manage", booking.token)


@require_POST
def documents_more_time(request: HttpRequest, token: str) -> HttpResponse:
    """The person asks once for more time to send the documents (up to the limit)."""
    booking = _booking(token)
    wait = documents.wait_for(booking)
    if not documents.can_ask_for_more_time(booking, wait):
        return redirect("appointments:manage", booking.token)
    form = MoreTimeForm(request.POST, wait=wait, limit=documents.extension_limit(wait))
    if rate_limited(f"appt-more-time:{client_ip(request)}", limit=10, window=600):
        form.add_error(None, _("Trop de demandes envoyées depuis votre connexion."))
        return _manage_page(request, booking, more_time_form=form, status=429)
    if not form.is_valid():
        return _manage_page(request, booking, more_time_form=form, status=400)
    try:
        wait = documents.ask_for_more_time(
            booking, until=form.cleaned_data["until"], reason=form.cleaned_data["reason"]
        )
    except services.BookingError as error:
        form.add_error("until" if error.code == "invalid" else None, error.message)
        return _manage_page(request, booking, more_time_form=form, status=400)
    messages.success(
        request,
        _("Délai accordé : transmettez vos pièces au plus tard le %(day)s.")
        % {"day": long_date(wait.ends_on)},
    )
    return redirect("appointments:manage", booking.token)


@require_http_methods(["GET"])
def cancel_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Asks before cancelling: the freed slot goes to someone else at once, and a person
    who pressed the button by mistake (one key on a phone) could not get it back."""
    booking = _booking(token)
    if not booking.is_active:
        return redirect("appointments:manage", booking.token)
    return render(
        request,
        "appointments/public/cancel.html",
        {
            "booking": booking,
            "label": booking.procedure.display_name(translation.get_language()),
        },
    )


@require_POST
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking(token)
    try:
        services.cancel_booking(booking)
    except services.BookingError as error:
        _error(request, error)
    else:
        messages.success(request, _("Votre rendez-vous est annulé. Le créneau est libéré."))
    return redirect("appointments:manage", booking.token)


@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking(token)
    procedure = booking.procedure
    now = timezone.now()
    if request.method == "POST":
        slot = Slot.objects.filter(procedure=procedure, pk=request.POST.get("slot")).first()
        if slot is None:
            messages.error(request, _("Choisissez un créneau."))
        else:
            try:
                services.reschedule_booking(booking, slot)
            except services.BookingError as error:
                _error(request, error)
            else:
                messages.success(request, _("Votre rendez-vous est déplacé."))
                return redirect("appointments:manage", booking.token)
    try:
        week = monday(date.fromisoformat(request.GET["semaine"]))
    except (KeyError, ValueError):
        week = first_free_week(procedure, now)
    week = max(week, monday(timezone.localdate(now)))
    return render(
        request,
        "appointments/public/reschedule.html",
        {
            "booking": booking,
            "label": procedure.display_name(translation.get_language()),
            "columns": week_view(procedure, week, now),
            "week": week,
            "week_end": week + timedelta(days=6),
            "previous_week": week - timedelta(days=7)
            if week > monday(timezone.localdate(now))
            else None,
            "next_week": week + timedelta(days=7),
            "free": SlotState.FREE,
            "full": SlotState.FULL,
            # Her own slot reads "your appointment", not "full".
            "current_slot_id": booking.slot_id,
        },
    )


def ics(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking(token)
    response = HttpResponse(ics_for(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"rendez-vous-{booking.reference}.ics"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def pdf(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking(token)
    response = HttpResponse(summary_pdf(booking), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"rendez-vous-{booking.reference}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


ATTENDANCE_PROVED = (BookingStatus.ATTENDED, BookingStatus.LATE)


def certificate(request: HttpRequest, token: str) -> HttpResponse:
    """The attendance certificate, once the desk has recorded the person's arrival: the one
    the desk prints, taken from the booking's page (the desk was asked for it many times a
    day, by people who had left)."""
    booking = _booking(token)
    if booking.status not in ATTENDANCE_PROVED:
        raise Http404
    response = HttpResponse(certificate_pdf(booking), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"attestation-{booking.reference}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET"])
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """The SMS link (short): to the day-before confirmation when it is awaited, else to the
    booking page. Only redirects; the pages it leads to change nothing on GET."""
    if rate_limited(f"appt-short:{client_ip(request)}", limit=30, window=600):
        return HttpResponse(
            _("Trop de tentatives. Réessayez dans 10 minutes."),
            status=429,
            content_type="text/plain",
        )
    if len(code) != SHORT_CODE_LENGTH:
        raise Http404
    booking = (
        Booking.objects.filter(token__startswith=code, purged_at__isnull=True)
        .only("token", "status", "needs_day_before_confirmation", "day_before_confirmed_at")
        .first()
    )
    if booking is None or not secrets.compare_digest(booking.short_code, code):
        raise Http404
    awaited = (
        booking.status == BookingStatus.CONFIRMED
        and booking.needs_day_before_confirmation
        and booking.day_before_confirmed_at is None
    )
    return redirect("appointments:day-before" if awaited else "appointments:manage", booking.token)


@require_http_methods(["GET", "POST"])
def day_before(request: HttpRequest, token: str) -> HttpResponse:
    """Reached from the reminder e-mail and SMS: GET shows the button, only POST confirms."""
    booking = _booking(token)
    if request.method == "POST":
        try:
            services.confirm_day_before(booking)
        except services.BookingError as error:
            _error(request, error)
        else:
            messages.success(request, _("Merci, votre venue est confirmée."))
        return redirect("appointments:manage", booking.token)
    return render(request, "appointments/public/day_before.html", {"booking": booking})


WAITLIST_ENTRY_KEY = "appt_waitlist_entry"
WAITLIST_EMAIL_KEY = "appt_waitlist_email"
WAITLIST_ADDRESS_RATE_LIMIT = 10  # corrections from one connection in 10 minutes


@require_http_methods(["GET", "POST"])
def waitlist(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = _procedure(pk)
    form = WaitlistForm(request.POST or None)
    if request.method == "POST":
        if rate_limited(f"appt-wait:{client_ip(request)}", limit=10, window=600):
            messages.error(request, _("Trop de tentatives. Réessayez dans 10 minutes."))
        elif form.is_valid():
            entry, created = services.register_on_waitlist(
                procedure,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
                language=translation.get_language() or "fr",
            )
            # Nothing is mailed now: the address shown is the chance to see a typo before a
            # free slot is offered to it, and the next page corrects it. Only an entry this
            # browser created: one found under an address typed here is someone's else place.
            request.session[WAITLIST_EMAIL_KEY] = entry.email
            if created:
                request.session[WAITLIST_ENTRY_KEY] = entry.pk
            else:
                request.session.pop(WAITLIST_ENTRY_KEY, None)
            return redirect("appointments:waitlist-joined")
    return render(
        request,
        "appointments/public/waitlist.html",
        {
            "procedure": procedure,
            "label": procedure.display_name(translation.get_language()),
            "form": form,
        },
    )


def _session_waitlist_entry(request: HttpRequest) -> WaitlistEntry | None:
    """The waiting-list entry this browser just created (never one named in the request)."""
    pk = request.session.get(WAITLIST_ENTRY_KEY)
    if not isinstance(pk, int):
        return None
    return (
        WaitlistEntry.objects.select_related("procedure__site", "procedure__prefecture")
        .filter(pk=pk)
        .first()
    )


@require_http_methods(["GET", "POST"])
def waitlist_joined(request: HttpRequest) -> HttpResponse:
    """The registration is recorded, with the address we will write to and, while no slot
    has been offered, a way to correct a mistyped one in this browser only: the entry keeps
    its place in the list (registering again put the right address last, and left the
    wrong one to be offered a slot nobody would read about)."""
    email = request.session.get(WAITLIST_EMAIL_KEY)
    if not email:
        return redirect("home:home")
    entry = _session_waitlist_entry(request)
    can_correct = entry is not None and services.may_correct_waitlist_address(entry)
    form = WaitlistAddressForm(request.POST or None) if can_correct else None
    if request.method == "POST":
        if form is None:
            return redirect("appointments:waitlist-joined")
        if rate_limited(
            f"appt-wait-address:{client_ip(request)}",
            limit=WAITLIST_ADDRESS_RATE_LIMIT,
            window=600,
        ):
            messages.error(
                request, _("Trop de tentatives depuis votre connexion. Réessayez dans 10 minutes.")
            )
            return redirect("appointments:waitlist-joined")
        if form.is_valid():
            try:
                entry = services.correct_waitlist_address(entry, form.cleaned_data["email"])
            except services.BookingError as error:
                if error.code != "invalid":
                    _error(request, error)
                    return redirect("appointments:waitlist-joined")
                form.add_error("email", error.message)
            else:
                request.session[WAITLIST_EMAIL_KEY] = entry.email
                messages.success(
                    request,
                    _(
                        "L'adresse est corrigée : vous gardez votre place dans la liste. Nous "
                        "avons écrit à %(email)s pour le confirmer."
                    )
                    % {"email": entry.email},
                )
                return redirect("appointments:waitlist-joined")
    elif form is not None:
        form = WaitlistAddressForm(initial={"email": entry.email})
    return render(
        request,
        "appointments/public/waitlist_joined.html",
        {
            "email": email,
            "form": form,
            "procedure": entry.procedure if entry is not None else None,
        },
        status=200 if form is None or not form.errors else 400,
    )


@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, token: str) -> HttpResponse:
    entry = _by_token(
        WaitlistEntry.objects.select_related("procedure__site", "offered_slot"), token
    )
    valid = entry.status == WaitlistStatus.OFFERED and entry.offer_expires_at > timezone.now()
    procedure = entry.procedure
    form = PersonForm(
        request.POST or None,
        procedure=procedure,
        with_altcha=False,
        initial={
            "first_name": entry.first_name,
            "last_name": entry.last_name,
            "email": entry.email,
        },
    )
    form.fields["email"].disabled = True
    if request.method == "POST" and "leave" in request.POST:
        # "I no longer need it": the seat goes to the next person now, not in 24 hours.
        services.leave_waitlist(entry)
        messages.success(
            request,
            _(
                "Vous avez quitté la liste d'attente : le créneau sera proposé à la personne "
                "suivante."
            ),
        )
        return redirect("appointments:offer", token)
    if request.method == "POST" and valid and form.is_valid():
        data = form.cleaned_data
        person = services.Person(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=entry.email,
            phone=data.get("phone", ""),
            foreign_number=data.get("foreign_number", ""),
            permit_expires_on=data.get("permit_expires_on"),
        )
        try:
            booking = services.accept_offer(entry, person)
        except services.BookingError as error:
            _error(request, error)
        else:
            messages.success(request, _("Votre rendez-vous est confirmé."))
            return redirect("appointments:manage", booking.token)
    return render(
        request,
        "appointments/public/offer.html",
        {
            "entry": entry,
            "valid": valid,
            "form": form,
            "label": procedure.display_name(translation.get_language()),
        },
    )


def rebook(request: HttpRequest, token: str) -> HttpResponse:
    """A late person's link (6 weeks): straight to the week view of the same procedure."""
    booking = _by_token(Booking.objects.exclude(rebooking_token=""), token, "rebooking_token")
    if booking.rebooking_expires_at is None or booking.rebooking_expires_at < timezone.now():
        messages.error(request, _("Ce lien a expiré. Réservez un nouveau rendez-vous."))
        return redirect("appointments:terms", booking.procedure_id)
    accepted = set(request.session.get(TERMS_KEY, []))
    accepted.add(booking.procedure_id)
    request.session[TERMS_KEY] = sorted(accepted)
    return redirect("appointments:slots", booking.procedure_id)

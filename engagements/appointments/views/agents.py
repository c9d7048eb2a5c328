"""Agents' pages: procedures and figures, the week calendar, the day at the counter."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, F, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from engagements import words
from engagements.csvio import MAX_DATE, MIN_DATE, csv_response
from engagements.db_router import replica_reads
from engagements.forms import ExtendWaitForm
from engagements.organisation.access import agent_view, refuse_without_people
from engagements.outbox import queries as outbox_queries
from engagements.outbox import services as outbox_services
from engagements.pdf import render_pdf
from engagements.shell.content_language import LANGUAGE_NAMES_FR
from engagements.shell.pages import render_agents

from .. import services
from ..booking_files import certificate_pdf
from ..enums import (
    ACTIVE_STATUSES,
    DOCUMENT_SENT_NOTE,
    EXTENSION_REASON_MARK,
    BookingStatus,
    Channel,
    WaitlistStatus,
)
from ..forms import (
    AttendanceForm,
    BookingMoveForm,
    DeskSlotSearchForm,
    OnBehalfForm,
    ProcedureForm,
    RuleForm,
    SlotMoveForm,
    SlotOpenForm,
)
from ..models import Booking, Procedure, ScheduleRule, Slot, WaitlistEntry, WaitlistLog
from ..queries import free_slots_by_procedure, monday, procedure_figures
from ..services import documents

SCOPE = {
    "prefecture_field": "procedure__prefecture",
    "site_field": "procedure__site",
    "service_field": "procedure__service",
}


def _procedures(request):
    return request.access.scope(
        Procedure.objects.select_related("site", "service"), request.prefecture
    )


def _bookings(request):
    return request.access.scope(
        Booking.objects.select_related("slot", "procedure__site"), request.prefecture, **SCOPE
    )


def _slots(request):
    return request.access.scope(
        Slot.objects.select_related("procedure__site"), request.prefecture, **SCOPE
    )


def _day(value: str | None) -> date:
    """A day from the address, today when absent, not a date or outside the product's
    years (the year 9999 of a typo overflowed the day after: a server error)."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()
    return day if MIN_DATE <= day <= MAX_DATE else timezone.localdate()


def _bounds(first: date, days: int = 1) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    return start, start + timedelta(days=days)


# The booking's first log row names its channel by code (written in the booking's own
# statement, services/seats.py): "Réservation (online)".
_BOOKED_NOTE = re.compile(r"Réservation \((\w+)\)")


def _labelled(logs, *, people: bool = True) -> list:
    """Booking history with the statuses' and channels' French labels, never their codes
    (without `people`, for the auditor: without the names of the files the person sent)."""
    labels = dict(BookingStatus.choices)
    channels = dict(Channel.choices)
    logs = list(logs)
    for log in logs:
        log.from_label = str(labels.get(log.from_status, log.from_status))
        log.to_label = str(labels.get(log.to_status, log.to_status))
        booked = _BOOKED_NOTE.fullmatch(log.note or "")
        if booked and booked.group(1) in channels:
            log.note = f"Réservation, canal : {channels[booked.group(1)]}"
        elif not people and (log.note or "").startswith(f"{DOCUMENT_SENT_NOTE} : "):
            log.note = DOCUMENT_SENT_NOTE
        elif not people and EXTENSION_REASON_MARK in (log.note or ""):
            log.note = log.note.split(EXTENSION_REASON_MARK, 1)[0]
    return logs


@agent_view("read_records")
def index(request: HttpRequest) -> HttpResponse:
    procedures = list(_procedures(request))
    return render_agents(
        request,
        "appointments/agents/index.html",
        {
            "rows": procedure_figures(procedures),
            "today": timezone.localdate(),
            "can_manage": request.access.can(request.prefecture, "manage"),
        },
    )


def _day_list(request: HttpRequest, chosen: date, procedure_id: str, query: str = ""):
    """The day's list at the counter (the page and its PDF): one day, one procedure or all,
    lapsed holds left out (they never were appointments)."""
    start, end = _bounds(chosen)
    bookings = _bookings(request).filter(slot__starts_at__gte=start, slot__starts_at__lt=end)
    if procedure_id.isdigit():
        bookings = bookings.filter(procedure_id=int(procedure_id))
    if query and not request.access.sees_people(request.prefecture):
        # An auditor finds a booking by its reference only: a search by name would tell
        # him whether someone has an appointment.
        bookings = bookings.filter(reference__iexact=query)
    elif query:
        bookings = bookings.filter(
            Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(reference__iexact=query)
        )
    return list(
        bookings.exclude(status=BookingStatus.EXPIRED).order_by("slot__starts_at", "last_name")
    )


@agent_view("read_records")
def day(request: HttpRequest) -> HttpResponse:
    procedures = list(_procedures(request))
    chosen = _day(request.GET.get("date"))
    procedure_id = request.GET.get("procedure", "")
    query = request.GET.get("q", "").strip()
    # A handheld scanner types the QR code's content (the check-in URL) into the search box.
    scanned = re.search(r"/accueil/([A-Za-z0-9]{6,12})/?$", query)
    if scanned:
        found = _bookings(request).filter(reference=scanned.group(1).upper()).first()
        if found:
            return redirect("appointments:agents-booking", request.prefecture.slug, found.pk)
        query = scanned.group(1)
    bookings = _day_list(request, chosen, procedure_id, query)
    if query and not bookings:
        # A reference typed at the counter for a person come on the wrong day (or with a
        # filter left on another procedure): "Aucun rendez-vous." sent the agent searching.
        elsewhere = _bookings(request).filter(reference=query.upper()).first()
        if elsewhere is not None:
            start = timezone.localtime(elsewhere.slot.starts_at)
            messages.info(
                request,
                f"Le rendez-vous {elsewhere.reference} n'est pas dans la liste affichée : "
                f"il est le {start:%d/%m/%Y à %H:%M}.",
            )
            return redirect("appointments:agents-booking", request.prefecture.slug, elsewhere.pk)
    return render_agents(
        request,
        "appointments/agents/day.html",
        {
            "procedures": procedures,
            "procedure_id": procedure_id,
            "chosen": chosen,
            "previous_day": chosen - timedelta(days=1),
            "next_day": chosen + timedelta(days=1),
            "query": query,
            "bookings": bookings,
            "caption": _day_caption(bookings),
            "attendance_form": AttendanceForm(),
            "can_work": request.access.can(request.prefecture, "work"),
            # The buttons record an arrival now (today only) or an absence (once begun).
            "is_today": chosen == timezone.localdate(),
            "now": timezone.now(),
        },
    )


@agent_view("read_records")
@require_GET
def day_pdf(request: HttpRequest) -> HttpResponse:
    """The day's list printed for the counter: the same rows and count as the page."""
    chosen = _day(request.GET.get("date"))
    procedure_id = request.GET.get("procedure", "")
    bookings = _day_list(request, chosen, procedure_id)
    procedure = None
    if procedure_id.isdigit():
        procedure = _procedures(request).filter(pk=int(procedure_id)).first()
    pdf = render_pdf(
        "appointments/pdf/day.html",
        {
            "prefecture": request.prefecture,
            "chosen": chosen,
            "procedure": procedure,
            "bookings": bookings,
            "caption": _day_caption(bookings),
            "printed_at": timezone.localtime(),
            "sees_people": request.access.sees_people(request.prefecture),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"rendez-vous-{chosen.isoformat()}.pdf"
    )
    return response


CANCELLED = (BookingStatus.CANCELLED_BY_USER, BookingStatus.CANCELLED_BY_SERVICE)


def _day_caption(bookings: list[Booking]) -> str:
    """ "12 rendez-vous, 2 annulés": the appointments of the day counted as on the agents'
    home (confirmed and checked in), the cancelled ones and pending holds apart."""
    cancelled = sum(b.status in CANCELLED for b in bookings)
    held = sum(b.status == BookingStatus.HELD for b in bookings)
    parts = [words.count(len(bookings) - cancelled - held, "rendez-vous", "rendez-vous")]
    if cancelled:
        parts.append(words.count(cancelled, "annulé", "annulés"))
    if held:
        parts.append(f"{held} en attente de confirmation")
    return ", ".join(parts)


# The bookings that hold their seat in `Slot.booked`: a cancellation or a lapsed hold gives
# it back (services), a check-in does not.
SEATED = (*ACTIVE_STATUSES, BookingStatus.ATTENDED, BookingStatus.LATE, BookingStatus.NO_SHOW)


@agent_view("read_records")
def calendar(request: HttpRequest, procedure_pk: int) -> HttpResponse:
    procedure = get_object_or_404(_procedures(request), pk=procedure_pk)
    return _calendar_page(request, procedure, _day(request.GET.get("semaine")), SlotOpenForm())


def _calendar_page(request: HttpRequest, procedure, day: date, new_slot_form) -> HttpResponse:
    """The procedure's week around `day` (an extra slot refused comes back in its form,
    with what was typed)."""
    week = monday(day)
    start, end = _bounds(week, 7)
    slots = list(
        Slot.objects.filter(procedure=procedure, starts_at__gte=start, starts_at__lt=end)
        .prefetch_related("bookings")
        .order_by("starts_at")
    )
    days: dict[date, list] = {week + timedelta(days=i): [] for i in range(5)}
    now = timezone.now()
    # The seats taken (`Slot.booked`): the bookings still to come, the people received or
    # absent (their seat stays taken), and the offers kept for the waiting list. Only the
    # first were listed: a morning already received read "1 / 1" and nobody.
    for slot in slots:
        slot.people = [b for b in slot.bookings.all() if b.status in SEATED]
    # Seats counted beyond the people: offers kept (read only when some slot has any).
    kept = {}
    if any(slot.booked > len(slot.people) for slot in slots):
        kept = dict(
            WaitlistEntry.objects.filter(
                offered_slot__in=slots, status=WaitlistStatus.OFFERED, holds_seat=True
            )
            .values_list("offered_slot")
            .annotate(n=Count("pk"))
            .order_by()
        )
    for slot in slots:
        slot.kept_offers = kept.get(slot.pk, 0)
        slot.open_to_agents = _closed_to_agents(slot, now) is None and slot.remaining > 0
        days.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    return render_agents(
        request,
        "appointments/agents/calendar.html",
        {
            "procedure": procedure,
            "week": week,
            "days": sorted(days.items()),
            "previous_week": week - timedelta(days=7),
            "next_week": week + timedelta(days=7),
            "new_slot_form": new_slot_form,
            "can_work": request.access.can(request.prefecture, "work"),
        },
    )


@agent_view("read_records")
def waitlist(request: HttpRequest, procedure_pk: int) -> HttpResponse:
    """The procedure's waiting list: the people still waiting in their order, the offers
    running, the entries ended and not yet purged, each with its history (an address the
    person corrected)."""
    procedure = get_object_or_404(_procedures(request), pk=procedure_pk)
    entries = list(
        WaitlistEntry.objects.filter(procedure=procedure)
        .select_related("offered_slot")
        .prefetch_related(Prefetch("logs", queryset=WaitlistLog.objects.select_related("actor")))
        .order_by("created_at", "pk")
    )
    running = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
    return render_agents(
        request,
        "appointments/agents/waitlist.html",
        {
            "procedure": procedure,
            "sections": [
                (
                    "Personnes en attente, dans leur ordre, et places proposées",
                    [entry for entry in entries if entry.status in running],
                    "Personne n'attend.",
                ),
                (
                    "Inscriptions terminées (effacées "
                    f"{words.count(settings.APPOINTMENTS_RETENTION_MONTHS, 'mois', 'mois')} "
                    "après l'inscription)",
                    [entry for entry in entries if entry.status not in running],
                    "Aucune.",
                ),
            ],
        },
    )


@agent_view("work")
@require_POST
def slot_new(request: HttpRequest, procedure_pk: int) -> HttpResponse:
    procedure = get_object_or_404(_procedures(request), pk=procedure_pk)
    form = SlotOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la date et l'heure du créneau à ouvrir.")
        return _calendar_page(request, procedure, timezone.localdate(), form)
    starts_at = form.cleaned_data["starts_at"]
    try:
        slot = services.open_slot(procedure, starts_at, actor=request.user)
    except services.BookingError as error:
        messages.error(request, error.message)
        return _calendar_page(request, procedure, timezone.localdate(starts_at), form)
    messages.success(
        request, f"Créneau ouvert : {timezone.localtime(slot.starts_at):%d/%m/%Y %H:%M}."
    )
    # The week of the new slot, where it shows.
    url = reverse("appointments:agents-calendar", args=[request.prefecture.slug, procedure.pk])
    return redirect(f"{url}?semaine={timezone.localdate(slot.starts_at).isoformat()}")


@agent_view("read_records")
def slot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    slot = get_object_or_404(_slots(request), pk=pk)
    form = SlotMoveForm(request.POST or None)
    if request.method == "POST":
        if not request.access.can(request.prefecture, "work"):
            messages.error(request, "Votre rôle ne permet pas de déplacer un créneau.")
        elif form.is_valid():
            try:
                services.move_slot(slot, form.cleaned_data["starts_at"], actor=request.user)
            except services.BookingError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, "Créneau déplacé ; les personnes inscrites sont prévenues."
                )
                return redirect("appointments:agents-slot", request.prefecture.slug, slot.pk)
    return render_agents(
        request,
        "appointments/agents/slot.html",
        {
            "slot": slot,
            "bookings": list(slot.bookings.order_by("last_name")),
            # Seats kept for waiting-list offers count in `booked` without a booking.
            "kept_offers": list(
                WaitlistEntry.objects.filter(
                    offered_slot=slot, status=WaitlistStatus.OFFERED, holds_seat=True
                ).order_by("offer_expires_at")
            ),
            "form": form,
            "can_work": request.access.can(request.prefecture, "work"),
        },
    )


@agent_view("work")
@require_POST
def slot_block(request: HttpRequest, pk: int) -> HttpResponse:
    slot = get_object_or_404(_slots(request), pk=pk)
    services.set_slot_blocked(slot, not slot.blocked, actor=request.user)
    messages.success(request, "Créneau fermé." if not slot.blocked else "Créneau rouvert.")
    return redirect("appointments:agents-slot", request.prefecture.slug, slot.pk)


def _bookable_procedures(request):
    """Every procedure of the prefecture: the phone line, the reception desk and partner
    points book for people whatever the service (procedures are not personal records)."""
    return Procedure.objects.filter(prefecture=request.prefecture).select_related("site")


def _closed_to_agents(slot: Slot, now: datetime) -> str | None:
    """Why an agent cannot book this slot for a person (None: he can, seats permitting)."""
    if slot.blocked:
        return "Ce créneau est fermé aux réservations : rouvrez-le ou choisissez-en un autre."
    if slot.starts_at <= now:
        return "Ce créneau est passé : choisissez-en un autre."
    return None


# Free slots shown per procedure on "Réserver pour une personne" ("Créneaux suivants" after).
FREE_SHOWN = 12


@agent_view("work")
def book_start(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    procedures = _bookable_procedures(request).order_by("site__name", "name")
    form = DeskSlotSearchForm(request.GET or None, procedures=procedures)
    after, chosen = now, None
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data["demarche"]
        if day := form.cleaned_data["depuis"]:
            after = max(now, timezone.make_aware(datetime.combine(day, datetime.min.time())))
        if moment := form.cleaned_data["apres"]:
            after = max(now, moment)
    shown = [chosen] if chosen else list(procedures)
    # One more than shown: whether "Créneaux suivants" has anything to show.
    free = free_slots_by_procedure([p.pk for p in shown], after, FREE_SHOWN + 1)
    rows = []
    for procedure in shown:
        slots = free.get(procedure.pk, [])
        rows.append(
            {"procedure": procedure, "free": slots[:FREE_SHOWN], "more": len(slots) > FREE_SHOWN}
        )
    return render_agents(
        request,
        "appointments/agents/book_start.html",
        {"rows": rows, "form": form, "from_day": timezone.localdate(after)},
    )


@agent_view("work")
def book_on_behalf(request: HttpRequest, procedure_pk: int, slot_pk: int) -> HttpResponse:
    procedure = get_object_or_404(_bookable_procedures(request), pk=procedure_pk)
    slot = get_object_or_404(Slot, pk=slot_pk, procedure=procedure)
    closed = _closed_to_agents(slot, timezone.now())
    if closed:
        messages.error(request, closed)
        week = timezone.localdate(slot.starts_at).isoformat()
        url = reverse("appointments:agents-calendar", args=[request.prefecture.slug, procedure.pk])
        if _procedures(request).filter(pk=procedure.pk).exists():
            return redirect(f"{url}?semaine={week}")
        return redirect("appointments:agents-book-start", request.prefecture.slug)
    form = OnBehalfForm(request.POST or None, procedure=procedure)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = services.Person(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            foreign_number=data.get("foreign_number", ""),
            permit_expires_on=data.get("permit_expires_on"),
        )
        channel = Channel.PARTNER if data["channel"] == "partner" else Channel.AGENT
        try:
            booking = services.book_for_person(
                slot,
                person,
                channel=channel,
                actor=request.user,
                partner=request.user.get_full_name() if channel == Channel.PARTNER else "",
                language=data["language"],
            )
        except services.BookingError as error:
            messages.error(request, _refusal_for_agents(request, error))
        else:
            messages.success(
                request,
                f"Rendez-vous {booking.reference} confirmé le "
                f"{timezone.localtime(slot.starts_at):%d/%m/%Y à %H:%M}, "
                f"{procedure.site.name} ({procedure.site.postal_address})."
                + _what_the_person_receives(booking),
            )
            if _bookings(request).filter(pk=booking.pk).exists():
                return redirect("appointments:agents-booking", request.prefecture.slug, booking.pk)
            return redirect("appointments:agents-book-start", request.prefecture.slug)
    return render_agents(
        request,
        "appointments/agents/book.html",
        {"procedure": procedure, "slot": slot, "form": form},
    )


def _what_the_person_receives(booking: Booking) -> str:
    """The end of the booking's confirmation to the agent: how the person is sent it."""
    if booking.email:
        return " La confirmation part par courriel."
    # The form asks for an e-mail address or a phone number.
    return (
        " La confirmation part par SMS, avec un lien pour annuler ou déplacer le rendez-vous ; "
        "un SMS de rappel suivra la veille."
    )


def _contact(booking: Booking, now) -> str:
    """The person's e-mail address and phone as the booking's page says them: a missing
    one is named, with what it means while the appointment is ahead (a bare "—" left the
    agent to guess whether she is reminded at all)."""
    if booking.purged_at:
        return "Effacés avec les données personnelles"
    if booking.email and booking.phone:
        return f"{booking.email} · {booking.phone}"
    ahead = booking.is_active and booking.slot.starts_at > now
    if booking.phone:
        if not ahead:
            return f"{booking.phone} · pas de courriel"
        # Only a booking made through the agents' pages is confirmed by SMS
        # (desk.book_for_person); a partner's API booking is not.
        confirmation = (
            "confirmation, " if booking.channel in (Channel.AGENT, Channel.PARTNER) else ""
        )
        return f"{booking.phone} · pas de courriel : {confirmation}rappel et changements par SMS"
    if booking.email:
        if not ahead:
            return f"{booking.email} · pas de téléphone"
        return f"{booking.email} · pas de téléphone : pas de SMS de rappel la veille"
    if not ahead:
        return "Ni courriel ni téléphone"
    return "Ni courriel ni téléphone : aucun rappel possible, prévenez-la de tout changement"


def _refusal_for_agents(request: HttpRequest, error) -> str:
    """The booking's refusal told to the agent: a duplicate names the booking the person
    already has (the person's message says a link was mailed, which the agents' page does
    not do)."""
    existing = error.existing
    if error.code != "duplicate" or existing is None:
        return error.message
    if not _bookings(request).filter(pk=existing.pk).exists():
        # Outside the agent's scope (a partner point booking for another service): its
        # reference and time are not the agent's to read.
        return (
            "Cette personne a déjà un rendez-vous actif pour cette démarche ; le service "
            "qui la traite peut le déplacer ou l'annuler."
        )
    start = timezone.localtime(existing.slot.starts_at)
    return (
        f"Cette personne a déjà un rendez-vous actif pour cette démarche : "
        f"{existing.reference}, le {start:%d/%m/%Y à %H:%M}. Déplacez-le ou annulez-le "
        "depuis sa fiche."
    )


@agent_view("read_records")
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(_bookings(request), pk=pk)
    return render_agents(
        request,
        "appointments/agents/booking.html",
        {
            "booking": booking,
            "logs": _labelled(
                booking.logs.select_related("actor"),
                people=request.access.sees_people(request.prefecture),
            ),
            "attendance_form": AttendanceForm(
                current=booking.status,
                email=booking.email,
                begun=booking.slot.starts_at <= timezone.now(),
            ),
            "deliveries": list(outbox_queries.deliveries_for(booking)),
            # Another language than French: the agent who calls her or receives her knows.
            "language_name": LANGUAGE_NAMES_FR.get(booking.language, ""),
            "contact": _contact(booking, timezone.now()),
            "can_work": request.access.can(request.prefecture, "work"),
            "wait": documents.wait_for(booking),
            "sent_documents": list(booking.documents.all()),
            "today": timezone.localdate(),
        },
    )


MOVE_CHOICES = 40


def _person_told(booking: Booking) -> str:
    """How the person learns what the service changed (notifications.queue_change_notice)."""
    if booking.email:
        return " La personne est prévenue par courriel."
    if booking.phone:
        return " La personne est prévenue par SMS."
    return " La personne n'a ni courriel ni téléphone : prévenez-la."


def _attendance_done(booking: Booking, certificate_sent: bool = False) -> str:
    """What the desk's outcome did, said to the agent ("mis à jour" told him nothing: was
    the person told of the cancellation? sent a link to book again?)."""
    ref = booking.reference
    if booking.status == BookingStatus.CANCELLED_BY_SERVICE:
        return f"Rendez-vous {ref} annulé par le service.{_person_told(booking)}"
    if booking.status == BookingStatus.CANCELLED_BY_USER:
        return f"Rendez-vous {ref} annulé à la demande de la personne." + (
            " L'annulation lui est confirmée par courriel." if booking.email else ""
        )
    if booking.status in (BookingStatus.ATTENDED, BookingStatus.LATE):
        arrival = timezone.localtime(booking.checked_in_at)
        text = f"Rendez-vous {ref} : arrivée enregistrée à {arrival:%H:%M}"
        if certificate_sent and booking.email:
            return _attendance_done(booking) + (
                " L'attestation de passage lui est envoyée par courriel."
            )
        if booking.status == BookingStatus.LATE:
            text += ", en retard."
            if booking.email:
                return text + " Un lien pour reprendre rendez-vous lui est envoyé par courriel."
            return text + (
                " Sans adresse électronique, elle ne reçoit pas le lien pour reprendre "
                "rendez-vous : réservez-lui un nouveau créneau."
            )
        return text + "."
    if booking.status == BookingStatus.NO_SHOW:
        return f"Rendez-vous {ref} : absence enregistrée."
    return f"Rendez-vous {ref} mis à jour."


@agent_view("work")
def booking_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move one booking to another free slot of its procedure (the person called)."""
    booking = get_object_or_404(_bookings(request), pk=pk)
    if booking.status != BookingStatus.CONFIRMED:
        messages.error(request, "Seul un rendez-vous confirmé peut être déplacé.")
        return redirect("appointments:agents-booking", request.prefecture.slug, booking.pk)
    free = (
        Slot.objects.filter(
            procedure_id=booking.procedure_id,
            blocked=False,
            booked__lt=F("capacity"),
            starts_at__gt=timezone.now(),
        )
        .exclude(pk=booking.slot_id)
        .order_by("starts_at")
    )
    procedure = booking.procedure
    if procedure.requires_permit_expiry and booking.permit_expires_on:
        # Only the days the permit's renewal window allows (the move checks it again).
        earliest, latest = services.renewal_window(procedure, booking.permit_expires_on)
        free = free.filter(starts_at__gte=_bounds(earliest)[0], starts_at__lt=_bounds(latest)[1])
    choices = Slot.objects.filter(pk__in=list(free.values_list("pk", flat=True)[:MOVE_CHOICES]))
    form = BookingMoveForm(request.POST or None, slots=choices.order_by("starts_at"))
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.reschedule_booking(
                booking, form.cleaned_data["slot"], actor=request.user
            )
        except services.BookingError as error:
            messages.error(request, error.message)
        else:
            start = timezone.localtime(booking.slot.starts_at)
            messages.success(
                request,
                f"Rendez-vous {booking.reference} déplacé au {start:%d/%m/%Y à %H:%M}."
                + _person_told(booking),
            )
            return redirect("appointments:agents-booking", request.prefecture.slug, booking.pk)
    return render_agents(
        request, "appointments/agents/booking_move.html", {"booking": booking, "form": form}
    )


@agent_view("read_records")
def booking_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """A document the person sent before the appointment (agents of the booking's scope)."""
    booking = get_object_or_404(_bookings(request), pk=pk)
    document = get_object_or_404(booking.documents.all(), pk=document_pk)
    refuse_without_people(request)
    response = FileResponse(
        document.file.open("rb"), content_type=document.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(True, document.name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@agent_view("read_records")
@require_GET
def documents_overdue(request: HttpRequest) -> HttpResponse:
    """ "Pièces en attente — délai dépassé": bookings whose documents did not come in time;
    nothing is cancelled by itself, an agent extends, cancels or keeps each one."""
    waits = list(documents.overdue_waits(_bookings(request)))
    return render_agents(
        request,
        "appointments/agents/documents_overdue.html",
        {
            "waits": waits,
            "can_work": request.access.can(request.prefecture, "work"),
            "today": timezone.localdate(),
        },
    )


@agent_view("work")
@require_POST
def documents_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Extend the wait ("prolonger"), cancel the booking ("annuler") or keep it ("maintenir")."""
    booking = get_object_or_404(_bookings(request), pk=pk)
    if action not in ("prolonger", "annuler", "maintenir"):
        raise Http404
    try:
        if action == "prolonger":
            form = ExtendWaitForm(request.POST)
            if not form.is_valid():
                raise services.BookingError("Indiquez une date valide.", "invalid")
            wait = documents.extend_wait(
                booking,
                actor=request.user,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
            text = f"Délai prolongé : documents attendus jusqu'au {wait.ends_on:%d/%m/%Y}."
        elif action == "annuler":
            documents.cancel_for_missing_documents(
                booking, actor=request.user, note=request.POST.get("note", "")[:200]
            )
            text = (
                f"Rendez-vous {booking.reference} annulé : la personne est prévenue, "
                "la place est libérée."
            )
        else:
            documents.keep_booking(booking, actor=request.user)
            text = f"Rendez-vous {booking.reference} maintenu sans les documents."
    except services.BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, text)
    if request.POST.get("next") == "overdue":
        return redirect("appointments:agents-documents-overdue", request.prefecture.slug)
    return redirect("appointments:agents-booking", request.prefecture.slug, booking.pk)


@agent_view("work")
@require_POST
def resend(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    """Resend a failed mail or SMS of this booking ("Renvoyer")."""
    booking = get_object_or_404(_bookings(request), pk=pk)
    done, text = outbox_services.resend_among(
        outbox_queries.deliveries_for(booking), delivery_pk, actor=request.user
    )
    (messages.success if done else messages.error)(request, text)
    return redirect("appointments:agents-booking", request.prefecture.slug, booking.pk)


@agent_view("work")
@require_POST
def booking_status(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(_bookings(request), pk=pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez un résultat.")
    else:
        arrived_at = None
        if form.cleaned_data["arrived_at"]:
            day = timezone.localtime(booking.slot.starts_at).date()
            arrived_at = timezone.make_aware(datetime.combine(day, form.cleaned_data["arrived_at"]))
        try:
            booking = services.record_attendance(
                booking,
                form.cleaned_data["status"],
                actor=request.user,
                send_certificate=form.cleaned_data["send_certificate"],
                arrived_at=arrived_at,
            )
        except services.BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _attendance_done(booking, form.cleaned_data["send_certificate"])
            )
    target = request.POST.get("next", "")
    if target.startswith(f"/agents/{request.prefecture.slug}/"):
        return redirect(target)
    return redirect("appointments:agents-booking", request.prefecture.slug, booking.pk)


@agent_view("read_records")
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(
        _bookings(request).filter(status__in=[BookingStatus.ATTENDED, BookingStatus.LATE]), pk=pk
    )
    refuse_without_people(request)
    response = HttpResponse(certificate_pdf(booking), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"attestation-{booking.reference}.pdf"
    )
    return response


@agent_view("read_records")
def checkin(request: HttpRequest, reference: str) -> HttpResponse:
    """Target of the QR code on the person's summary: opens the booking at the counter."""
    booking = get_object_or_404(_bookings(request), reference=reference.upper())
    return redirect("appointments:agents-booking", request.prefecture.slug, booking.pk)


EXPORT_HEADER = ["référence", "démarche", "site", "début", "statut", "canal"]
EXPORT_HEADER += ["nom", "prénom", "courriel", "téléphone"]


def _export_rows(request: HttpRequest, first, last, *, arrival: bool = False):
    start, _end = _bounds(first)
    end = _bounds(last)[1]
    # The rows of the day's list (its "Démarche" filter too): unconfirmed holds that
    # lapsed never were appointments.
    bookings = (
        _bookings(request)
        .filter(slot__starts_at__gte=start, slot__starts_at__lt=end)
        .exclude(status=BookingStatus.EXPIRED)
    )
    procedure_id = request.GET.get("procedure", "")
    if procedure_id.isdigit():
        bookings = bookings.filter(procedure_id=int(procedure_id))
    # An auditor gets the same columns (a contract), the person's ones left empty.
    people = request.access.sees_people(request.prefecture)
    for booking in bookings.order_by("slot__starts_at").iterator(chunk_size=500):
        row = [
            booking.reference,
            booking.procedure.name,
            booking.procedure.site.name,
            timezone.localtime(booking.slot.starts_at).strftime("%d/%m/%Y %H:%M"),
            booking.get_status_display(),
            booking.get_channel_display(),
            *(
                [booking.last_name, booking.first_name, booking.email, booking.phone]
                if people
                else ["", "", "", ""]
            ),
        ]
        if arrival:
            checked_in_at = booking.checked_in_at
            row.append(timezone.localtime(checked_in_at).strftime("%H:%M") if checked_in_at else "")
        yield row


@agent_view("read_records")
@replica_reads
def export_csv(request: HttpRequest) -> HttpResponse:
    """The next 30 days (or `debut`..`fin`): its 10 columns are a contract (EXPORT_HEADER)."""
    first = _day(request.GET.get("debut")) if request.GET.get("debut") else timezone.localdate()
    last = _day(request.GET.get("fin")) if request.GET.get("fin") else first + timedelta(days=30)
    rows = _export_rows(request, first, last)
    return csv_response(f"rendez-vous-{first}-{last}.csv", EXPORT_HEADER, rows)


@agent_view("read_records")
@replica_reads
def day_csv(request: HttpRequest) -> HttpResponse:
    """The day's list: the export's columns, then the arrival time, as on the printed list."""
    chosen = _day(request.GET.get("date"))
    rows = _export_rows(request, chosen, chosen, arrival=True)
    return csv_response(f"rendez-vous-{chosen}.csv", [*EXPORT_HEADER, "arrivée"], rows)


@agent_view("manage")
def procedure_edit(request: HttpRequest, procedure_pk: int | None = None) -> HttpResponse:
    procedure = get_object_or_404(_procedures(request), pk=procedure_pk) if procedure_pk else None
    services_in_scope = request.access.services(request.prefecture)
    form = ProcedureForm(request.POST or None, instance=procedure, services=services_in_scope)
    if request.method == "POST" and form.is_valid():
        procedure = form.save()
        messages.success(request, "Démarche enregistrée.")
        return redirect("appointments:agents-procedure", request.prefecture.slug, procedure.pk)
    return _procedure_page(request, procedure, form, RuleForm())


def _procedure_page(request: HttpRequest, procedure, form, rule_form) -> HttpResponse:
    """The procedure's settings and weekly template (a refused range is shown again in
    its form, with what was typed)."""
    history = []
    if procedure:
        for record in procedure.history.select_related("history_user")[:15]:
            history.append(
                {
                    "when": record.history_date,
                    "who": words.person(record.history_user) or "système",
                    "what": {"+": "création", "~": "modification", "-": "suppression"}.get(
                        record.history_type, record.history_type
                    ),
                }
            )
    return render_agents(
        request,
        "appointments/agents/procedure.html",
        {
            "procedure": procedure,
            "form": form,
            "rules": list(procedure.rules.all()) if procedure else [],
            "rule_form": rule_form,
            "history": history,
        },
    )


@agent_view("manage")
@require_POST
def rule_add(request: HttpRequest, procedure_pk: int) -> HttpResponse:
    procedure = get_object_or_404(_procedures(request), pk=procedure_pk)
    form = RuleForm(request.POST)
    if form.is_valid():
        rule = form.save(commit=False)
        rule.procedure = procedure
        rule.save()
        messages.success(request, "Plage ajoutée. Générez les créneaux pour l'appliquer.")
    else:
        messages.error(request, "Plage non ajoutée : corrigez les champs signalés.")
        services_in_scope = request.access.services(request.prefecture)
        page_form = ProcedureForm(instance=procedure, services=services_in_scope)
        return _procedure_page(request, procedure, page_form, form)
    return redirect("appointments:agents-procedure", request.prefecture.slug, procedure.pk)


@agent_view("manage")
@require_POST
def rule_delete(request: HttpRequest, procedure_pk: int, pk: int) -> HttpResponse:
    procedure = get_object_or_404(_procedures(request), pk=procedure_pk)
    get_object_or_404(ScheduleRule, procedure=procedure, pk=pk).delete()
    messages.success(request, "Plage supprimée ; les créneaux déjà créés restent.")
    return redirect("appointments:agents-procedure", request.prefecture.slug, procedure.pk)


@agent_view("manage")
@require_POST
def procedure_generate(request: HttpRequest, procedure_pk: int) -> HttpResponse:
    procedure = get_object_or_404(_procedures(request), pk=procedure_pk)
    today = timezone.localdate()
    created = services.generate_slots(
        procedure, start=today, end=today + timedelta(days=procedure.opens_days_ahead + 7)
    )
    messages.success(
        request,
        ngettext(
            "%(n)d créneau créé jusqu'à l'horizon d'ouverture.",
            "%(n)d créneaux créés jusqu'à l'horizon d'ouverture.",
            created,
        )
        % {"n": created},
    )
    return redirect("appointments:agents-procedure", request.prefecture.slug, procedure.pk)

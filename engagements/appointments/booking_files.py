"""Files for a booking: calendar (ICS, RFC 5545 with VTIMEZONE), summary and attendance PDFs."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from engagements import words
from engagements.pdf import render_pdf
from engagements.qr import qr_data_uri

from .models import Booking
from .notifications import contact_context


def checkin_url(booking: Booking) -> str:
    """What the QR code holds: the agents' check-in page of this booking (login required)."""
    return settings.SITE_URL + reverse(
        "appointments:agents-checkin", args=[booking.procedure.prefecture.slug, booking.reference]
    )


def ics_for(booking: Booking) -> bytes:
    from icalendar import Calendar, Event

    procedure = booking.procedure
    site = procedure.site
    calendar = Calendar()
    calendar.add("prodid", "-//Engagements//Rendez-vous//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.reference}@engagements")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(booking.slot.starts_at))
    event.add("dtend", timezone.localtime(booking.slot.ends_at))
    event.add("summary", f"{procedure.display_name(booking.language)} — {site.name}")
    event.add("location", f"{site.street}, {site.postal_code} {site.city}")
    # The confirmation mail's words, in the booking's language (French included).
    with translation.override(booking.language):
        reference = translation.gettext("Référence :")
        to_bring = translation.gettext("Documents à apporter :")
    lines = [f"{reference} {booking.reference}"]
    documents = procedure.document_list(booking.language)
    if documents:
        lines.append(to_bring)
        lines += [f"- {doc}" for doc in documents]
    with translation.override(booking.language):
        lines.append(settings.SITE_URL + reverse("appointments:manage", args=[booking.token]))
    event.add("description", "\n".join(lines))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def summary_pdf(booking: Booking) -> bytes:
    with translation.override(booking.language):
        return render_pdf(
            "appointments/pdf/summary.html",
            {
                "booking": booking,
                "procedure": booking.procedure,
                "label": booking.procedure.display_name(booking.language),
                "site": booking.procedure.site,
                "starts_at": timezone.localtime(booking.slot.starts_at),
                "qr": qr_data_uri(checkin_url(booking)),
                "documents": booking.procedure.document_list(booking.language),
                "contact": contact_context(booking.procedure),
            },
        )


def certificate_context(booking: Booking) -> dict:
    """The certificate states what was recorded: the site, the agent and the arrival time."""
    agent = booking.checked_in_by
    title = ""
    if agent is not None:
        role = agent.roles.filter(prefecture=booking.procedure.prefecture).exclude(title="").first()
        title = role.title if role else ""
    return {
        "booking": booking,
        "procedure": booking.procedure,
        "site": booking.procedure.site,
        "prefecture": booking.procedure.prefecture,
        "starts_at": timezone.localtime(booking.slot.starts_at),
        "checked_in_at": timezone.localtime(booking.checked_in_at)
        if booking.checked_in_at
        else None,
        "agent_name": words.person(agent),
        "agent_title": title,
        "issued_at": timezone.localtime(),
    }


def certificate_pdf(booking: Booking) -> bytes:
    return render_pdf("appointments/pdf/certificate.html", certificate_context(booking))

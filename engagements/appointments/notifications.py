"""Mails and SMS to people about their bookings, queued in the outbox inside the calling
service's transaction (delivered after commit, retried, visible on the booking's page).

A new booking only says which mail it owes (`owe_booking_mail`, or within the booking's
own statement on PostgreSQL: services/seats.py); the outbox worker writes it with
`owed_mail_context`, from the booking as it is then, in the booking's language."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from engagements import sms
from engagements.outbox import services as outbox
from engagements.shell.addresses import reverse_plain
from engagements.shell.content_language import long_date


def absolute(name: str, *args, language: str = "fr") -> str:
    if len(args) == 1 and isinstance(args[0], str):
        # A token or short code: the URL around it is resolved once per name and language
        # (a booking's hot path).
        return settings.SITE_URL + reverse_plain(name, args[0], language=language)
    with translation.override(language):
        return settings.SITE_URL + reverse(name, args=args)


def _when(booking) -> str:
    # In the person's language, grammatical ("субота, 5 грудня 2026, 10:30").
    return long_date(booking.slot.starts_at, "full_time", booking.language)


def contact_context(procedure) -> dict:
    """Who writes and how to reach a person, for the mails' signature: the service's phone
    and address, else the site's, else the prefecture's (the mails come from a no-reply
    address)."""
    service, site, prefecture = procedure.service, procedure.site, procedure.prefecture
    return {
        "site_name": site.name,
        "prefecture_name": prefecture.name,
        "phone": service.phone or site.phone or prefecture.phone,
        "email": service.email or site.email or prefecture.email,
    }


def booking_context(booking) -> dict:
    lang = booking.language
    procedure = booking.procedure
    return {
        "booking": booking,
        "contact": contact_context(procedure),
        "procedure_name": procedure.display_name(lang),
        "site": procedure.site,
        "site_name": procedure.site.name,
        "site_street": procedure.site.street,
        # With its postal code, as the confirmation writes the address.
        "site_city": f"{procedure.site.postal_code} {procedure.site.city}".strip(),
        "when": _when(booking),
        "documents": procedure.document_list(lang),
        "manage_url": absolute("appointments:manage", booking.token, language=lang),
        "confirm_url": absolute("appointments:confirm", booking.token, language=lang),
        "day_before_url": absolute("appointments:day-before", booking.token, language=lang),
    }


def purpose(template: str) -> str:
    return f"appointments.{template}"


MAIL_PREFIX = "appointments/mail/"


def owe_booking_mail(booking, template: str):
    """Write that `appointments/mail/<template>` is owed to the person (the outbox worker
    renders and sends it); None without an address."""
    if not booking.email:
        return None
    return outbox.owe_mail(
        MAIL_PREFIX + template,
        [booking.email],
        prefecture=booking.procedure.prefecture_id,
        record=booking,
        purpose=purpose(template),
        language=booking.language,
    )


def owed_mail_insert(booking, template: str):
    """For seats.book_seat: the (SQL, parameters) writing, in the booking's own statement,
    that `template` is owed to the person, given the name of the query that returns the
    new booking's id."""
    from .models import Booking

    def insert(source: str) -> tuple[str, list]:
        return outbox.owed_mail_insert(
            source,
            MAIL_PREFIX + template,
            [booking.email],
            prefecture_id=booking.procedure.prefecture_id,
            record_model=Booking,
            purpose=purpose(template),
            language=booking.language,
        )

    return insert


def deliver_soon(delivery_id: int) -> None:
    outbox.deliver_soon(delivery_id)


def owed_mail_context(delivery) -> dict | None:
    """The context of an owed booking mail (outbox worker); None if the booking is gone."""
    from .models import Booking

    booking = (
        Booking.objects.select_related(
            "slot", "procedure__site", "procedure__service", "procedure__prefecture"
        )
        .filter(pk=delivery.record_id)
        .first()
    )
    return booking_context(booking) if booking is not None else None


def queue_booking_mail(booking, template: str, extra: dict | None = None, **kwargs):
    """Queue `appointments/mail/<template>` to the person; None without an address."""
    if not booking.email:
        return None
    context = booking_context(booking) | (extra or {})
    return outbox.queue_mail(
        f"appointments/mail/{template}",
        context,
        [booking.email],
        prefecture=booking.procedure.prefecture,
        record=booking,
        purpose=purpose(template),
        language=booking.language,
        **kwargs,
    )


# What the service changed, by SMS to a person booked without an e-mail address (at the
# counter or on the phone), who would otherwise be told nothing.
CHANGE_SMS = {
    "moved": gettext_noop(
        "Votre rendez-vous %(ref)s a lieu désormais le %(when)s, %(site)s. Détails : %(url)s"
    ),
    "cancelled_service": gettext_noop(
        "Nous devons annuler votre rendez-vous %(ref)s du %(when)s, %(site)s. Veuillez nous "
        "en excuser. Détails : %(url)s"
    ),
}


# The same, shorter, for a long site name or site address (SITE_URL): one SMS (booking_sms_text
# tries these once the date has lost its year, before it leaves anything out).
SHORT_SMS = {
    "moved": gettext_noop("Rendez-vous %(ref)s déplacé au %(when)s, %(site)s : %(url)s"),
    "cancelled_service": gettext_noop(
        "Rendez-vous %(ref)s du %(when)s annulé par le service, avec nos excuses : %(url)s"
    ),
}


def queue_change_notice(booking, template: str):
    """Tell the person the service moved or cancelled the booking: the mail, or an SMS when
    the booking has a phone and no e-mail address; None with neither."""
    if booking.email:
        return queue_booking_mail(booking, template)
    if not booking.phone:
        return None
    return _queue_booking_sms(
        booking, CHANGE_SMS[template], f"{template}_sms", short=SHORT_SMS[template]
    )


# The confirmation of a booking an agent (at the desk, on the phone) or a partner point made
# for a person without an e-mail address: by SMS, who would otherwise be sent nothing. The
# short link opens the booking's page, where she cancels or moves it.
CONFIRMED_SMS = gettext_noop(
    "Rendez-vous confirmé : %(when)s, %(site)s (%(ref)s). Annuler ou déplacer : %(url)s"
)
SHORT_CONFIRMED_SMS = gettext_noop(
    "Confirmé : %(when)s, %(site)s (%(ref)s). Annuler, déplacer : %(url)s"
)


def queue_confirmation_sms(booking, *, now=None):
    """The booking's confirmation by SMS (a booking with a phone and no e-mail address,
    which is mailed nothing); held by the outbox's quiet hours like every SMS."""
    return _queue_booking_sms(
        booking, CONFIRMED_SMS, "confirmed_sms", short=SHORT_CONFIRMED_SMS, now=now
    )


REMINDER_SMS = gettext_noop("Rappel : rendez-vous %(when)s, %(site)s (%(ref)s). Annuler : %(url)s")
REMINDER_TO_CONFIRM_SMS = gettext_noop(
    "Rappel : rendez-vous %(when)s, %(site)s (%(ref)s). Confirmez votre venue, "
    "sinon il sera annulé, ou annulez : %(url)s"
)
SHORT_REMINDER_TO_CONFIRM_SMS = gettext_noop(
    "Rendez-vous %(when)s, %(site)s (%(ref)s). Confirmez-le, sinon il sera annulé : %(url)s"
)


def queue_reminder_sms(booking, *, now=None):
    """Queue the day-before SMS (held by the outbox's quiet hours, 20:00–09:00)."""
    # The short link leads to the day-before confirmation (with its cancel link) when the
    # no-show policy requires it, else to the booking page.
    to_confirm = booking.needs_day_before_confirmation and booking.day_before_confirmed_at is None
    if to_confirm:
        return _queue_booking_sms(
            booking,
            REMINDER_TO_CONFIRM_SMS,
            "reminder_sms",
            short=SHORT_REMINDER_TO_CONFIRM_SMS,
            now=now,
        )
    return _queue_booking_sms(booking, REMINDER_SMS, "reminder_sms", now=now)


def booking_sms_text(booking, message: str, url: str, short: str = "") -> str:
    """`message` (a msgid with %(ref)s, %(when)s, %(site)s and %(url)s) about the booking,
    in its language, in one GSM-7 SMS, or in at most two UCS-2 parts for a language with no
    GSM writing (Arabic): engagements.sms.one_sms. Shortened only as far as needed, in this
    order: the date without its year ("jeudi 10 décembre, 10:00"), the `short` wording if
    any, the date in figures ("10/12 10:00"), the reference left out (the link shows it),
    the site's name cut. An Arabic text that still does not fit (a very long link) goes in
    French; the link still opens the page in the person's language."""
    starts_at = booking.slot.starts_at
    for language in dict.fromkeys((booking.language or "fr", "fr")):
        with translation.override(language):
            template = translation.gettext(message)
        values = {
            "ref": booking.reference,
            "when": long_date(starts_at, "full_time", language),
            "site": booking.procedure.site.name,
            "url": url,
        }
        shorter = [("when", long_date(starts_at, "weekday_time", language))]
        if short:
            with translation.override(language):
                shorter.append((sms.TEMPLATE, translation.gettext(short)))
        shorter += [("when", timezone.localtime(starts_at).strftime("%d/%m %H:%M")), ("ref", "")]
        try:
            return sms.one_sms(template, values, shorter=tuple(shorter), cut="site")
        except sms.DoesNotFit:
            continue
    raise AssertionError("the French SMS texts are written in the GSM alphabet")


def _queue_booking_sms(booking, message: str, kind: str, *, short: str = "", now=None):
    """Queue `message` (see booking_sms_text) to the booking's phone, with its short link."""
    url = absolute("appointments:short", booking.short_code, language=booking.language)
    return outbox.queue_sms(
        booking.phone,
        booking_sms_text(booking, message, url, short),
        prefecture=booking.procedure.prefecture,
        record=booking,
        purpose=purpose(kind),
        now=now,
    )


def queue_waitlist_offer(entry):
    lang = entry.language
    slot = entry.offered_slot
    when = long_date(slot.starts_at, "full_time", lang)
    expires = long_date(entry.offer_expires_at, "weekday_time", lang)
    return outbox.queue_mail(
        "appointments/mail/offer",
        {
            "entry": entry,
            "procedure_name": entry.procedure.display_name(lang),
            "site": entry.procedure.site,
            "site_name": entry.procedure.site.name,
            "when": when,
            "expires": expires,
            "offer_url": absolute("appointments:offer", entry.token, language=lang),
            "contact": contact_context(entry.procedure),
        },
        [entry.email],
        prefecture=entry.procedure.prefecture,
        record=entry,
        purpose=purpose("offer"),
        language=lang,
    )


def queue_waitlist_address(entry):
    """Tell the corrected address of a waiting-list entry that it is on the list."""
    lang = entry.language
    return outbox.queue_mail(
        "appointments/mail/waitlist_address",
        {
            "entry": entry,
            "procedure_name": entry.procedure.display_name(lang),
            "site_name": entry.procedure.site.name,
            "contact": contact_context(entry.procedure),
        },
        [entry.email],
        prefecture=entry.procedure.prefecture,
        record=entry,
        purpose=purpose("waitlist_address"),
        language=lang,
    )

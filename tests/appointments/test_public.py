"""Public booking pages through the test client (the browser test covers the same path)."""

import re
from datetime import timedelta
from html import unescape as html_unescape

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements import antibot
from engagements.appointments import services
from engagements.appointments.enums import BookingStatus
from engagements.appointments.models import Booking, BookingLog, Slot
from engagements.shell.content_language import long_date
from tests.appointments.factories import (
    BookingFactory,
    ProcedureFactory,
    SlotFactory,
    WaitlistEntryFactory,
)
from tests.factories import ServiceFactory, SiteFactory
from tests.mail import plain_text

pytestmark = pytest.mark.django_db


def _accept(client, procedure):
    data = {"accept": "on"}
    if procedure.requires_permit_expiry:
        data["permit_expires_on"] = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(reverse("appointments:terms", args=[procedure.pk]), data)
    assert response.status_code == 302


def _details(slot, **extra):
    return {
        "first_name": "Léa",
        "last_name": "Martin",
        "email": "lea@usager.test",
        "phone": "06 12 34 56 78",
        "altcha": antibot.solve(antibot.new_challenge()),
        **extra,
    }


def test_prefecture_page_links_to_booking(client, prefecture, service):
    response = client.get(reverse("organisation:prefecture", args=[prefecture.slug]))
    assert reverse("appointments:procedures", args=[prefecture.slug]).encode() in response.content


def test_a_site_named_after_its_town_is_not_followed_by_it_twice(client, service):
    # "Préfecture — Lysville — Lysville" on the choice of procedure.
    site = service.site
    site.name, site.city = "Préfecture — Lysville", "Lysville"
    site.save()
    ProcedureFactory(
        service=ServiceFactory(
            site=SiteFactory(prefecture=site.prefecture, name="Sous-préfecture", city="Sainte-Aure")
        )
    )
    ProcedureFactory(service=service)
    url = reverse("appointments:procedures", args=[site.prefecture.slug])
    page = client.get(url).content.decode()
    assert "Préfecture — Lysville</p>" in page and "Lysville — Lysville" not in page
    assert "Sous-préfecture — Sainte-Aure</p>" in page


def test_week_opens_at_the_first_free_slot(client, service):
    procedure = ProcedureFactory(service=service)
    far = timezone.localtime() + timedelta(days=21)
    SlotFactory(procedure=procedure, full=True)
    slot = SlotFactory(
        procedure=procedure, starts_at=far.replace(hour=9, minute=0, second=0, microsecond=0)
    )
    assert client.get(reverse("appointments:slots", args=[procedure.pk])).status_code == 302
    _accept(client, procedure)
    response = client.get(reverse("appointments:slots", args=[procedure.pk]))
    assert (
        reverse("appointments:details", args=[procedure.pk, slot.pk]) in response.content.decode()
    )
    assert "Semaine précédente" in response.content.decode()


def test_the_form_explains_errors_and_keeps_what_was_typed(client, service):
    slot = SlotFactory(procedure=ProcedureFactory(service=service, renewal=True))
    _accept(client, slot.procedure)
    url = reverse("appointments:details", args=[slot.procedure.pk, slot.pk])
    response = client.post(url, _details(slot, email="pas-valide", foreign_number="12"))
    html = response.content.decode()
    assert response.status_code == 200 and Booking.objects.count() == 0
    assert 'value="Martin"' in html and 'aria-invalid="true"' in html
    assert "Le numéro étranger compte 10 chiffres." in html


@pytest.mark.parametrize("taken", ["before the post", "during the booking"])
def test_a_slot_taken_while_typing_keeps_the_details_for_the_next_slot(
    client, service, monkeypatch, taken
):
    """Someone else took the slot while the person typed (checked when the form arrives, or
    by the seat's own guard a moment later): they go back to the week with their name,
    e-mail and phone kept for the next slot, where they had to type them all again."""
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure)
    other = SlotFactory(procedure=procedure, starts_at=slot.starts_at + timedelta(hours=1))
    _accept(client, procedure)
    url = reverse("appointments:details", args=[procedure.pk, slot.pk])
    assert client.get(url).status_code == 200
    if taken == "before the post":
        Slot.objects.filter(pk=slot.pk).update(booked=slot.capacity)
    else:

        def taken_meanwhile(*args, **kwargs):
            raise services.BookingError(
                "Ce créneau vient d'être pris. Choisissez-en un autre.", "full"
            )

        monkeypatch.setattr(services, "book_slot", taken_meanwhile)
    response = client.post(url, _details(slot, phone="+380 67 123 4567"), follow=True)
    page = html_unescape(response.content.decode())
    assert response.redirect_chain[-1][0] == reverse("appointments:slots", args=[procedure.pk])
    assert "Ce créneau vient d'être pris. Choisissez-en un autre." in page
    assert "Vos coordonnées sont gardées pour le créneau que vous choisirez." in page
    assert Booking.objects.count() == 0
    monkeypatch.undo()
    page = client.get(reverse("appointments:details", args=[procedure.pk, other.pk]))
    page = html_unescape(page.content.decode())
    for value in ("Léa", "Martin", "lea@usager.test", "+380 67 123 4567"):
        assert f'value="{value}"' in page
    # Booked: what was kept is forgotten (another booking on this browser starts empty).
    response = client.post(
        reverse("appointments:details", args=[procedure.pk, other.pk]), _details(other)
    )
    assert response.status_code == 302 and Booking.objects.count() == 1
    third = SlotFactory(procedure=procedure, starts_at=slot.starts_at + timedelta(hours=2))
    page = client.get(reverse("appointments:details", args=[procedure.pk, third.pk]))
    assert 'value="Martin"' not in page.content.decode()


def test_booking_through_the_form_then_duplicate_gets_the_link_by_mail(
    client, service, mailoutbox, django_capture_on_commit_callbacks
):
    procedure = ProcedureFactory(service=service, capacity=2)
    slot = SlotFactory(procedure=procedure)
    _accept(client, procedure)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("appointments:details", args=[procedure.pk, slot.pk]), _details(slot)
        )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.HELD
    link = re.search(r"https?://\S+/confirmer/\S+/", mailoutbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200 and "Confirmer" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD  # the GET changes nothing
    response = client.post("/" + path, follow=True)
    assert "Votre rendez-vous est confirmé" in response.content.decode()
    # The same person, another spelling of the address: no second booking, link re-sent.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("appointments:details", args=[procedure.pk, slot.pk]),
            _details(slot, email="LEA@usager.test ", first_name="Lea"),
            follow=True,
        )
    assert "déjà un rendez-vous" in response.content.decode()
    assert Booking.objects.count() == 1 and Slot.objects.get(pk=slot.pk).booked == 1
    assert booking.token in mailoutbox[-1].body and booking.token not in response.content.decode()


def test_manage_page_ics_pdf_and_cancel(client, service):
    service.phone = "03 87 11 22 33"
    service.save(update_fields=["phone"])
    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
    manage = reverse("appointments:manage", args=[booking.token])
    assert client.get(manage).status_code == 200
    ics = client.get(reverse("appointments:ics", args=[booking.token]))
    assert b"BEGIN:VTIMEZONE" in ics.content and b"TZID:Europe/Paris" in ics.content
    pdf = client.get(reverse("appointments:pdf", args=[booking.token]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # The summary says how to reach the service (it gave no phone nor address).
    from tests.tooling import pdf_text

    summary = " ".join(pdf_text(pdf.content).split())
    assert f"Téléphone : {service.phone} Courriel : {service.email}" in summary
    client.post(reverse("appointments:cancel", args=[booking.token]))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED_BY_USER
    assert Slot.objects.get(pk=booking.slot_id).booked == 0


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_cancelling_asks_first_and_a_slip_of_the_key_keeps_the_appointment(client, service, prefix):
    """The manage page's "Annuler ce rendez-vous" leads to a question, not to the cancel:
    one key pressed by mistake on a phone gave the slot away for good."""
    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
    manage = prefix + reverse("appointments:manage", args=[booking.token])
    ask = reverse("appointments:cancel-confirm", args=[booking.token])
    cancel = reverse("appointments:cancel", args=[booking.token])
    page = client.get(manage).content.decode()
    assert f'href="{prefix}{ask}"' in page and f'action="{prefix}{cancel}"' not in page
    page = client.get(prefix + ask).content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.reference in page and f'action="{prefix}{cancel}"' in page
    assert f'href="{manage}"' in page  # "keep my appointment" goes back, nothing changed
    if prefix:
        assert "Cancel my appointment?" in page and "Yes, cancel my appointment" in page
    else:
        assert "Annuler mon rendez-vous ?" in page and "Oui, annuler mon rendez-vous" in page
    client.post(prefix + cancel)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED_BY_USER
    # Once cancelled, the question is not asked again: back to the booking's page.
    response = client.get(prefix + ask)
    assert response.status_code == 302 and response.url == manage


NAMES_WITH_A_DATE = ("confirm", "manage", "cancel-confirm")


def test_the_arabic_booking_pages_write_the_time_after_an_arabic_comma(client, service):
    """The date and time of the appointment were joined by a Latin ", " on every page, in
    Arabic too ("الخميس 10 ديسمبر 2026, 14:40")."""
    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service), held=True)
    when = timezone.localtime(booking.slot.starts_at)
    paths = [reverse(f"appointments:{n}", args=[booking.token]) for n in NAMES_WITH_A_DATE]
    for name, path in zip(NAMES_WITH_A_DATE, paths, strict=True):
        page = client.get("/ar" + path).content.decode()
        assert f"{when.year}، {when:%H:%M}" in page, name
        assert f"{when.year}, {when:%H:%M}" not in page, name


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_person_takes_the_attendance_certificate_from_the_booking_page(client, service, prefix):
    """Once the desk has recorded the arrival, the booking's page offers the attendance
    certificate the desk prints (people who had left asked the desk for it by phone);
    before that, there is none to take."""
    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
    paths = [
        reverse("appointments:manage", args=[booking.token]),
        reverse("appointments:certificate", args=[booking.token]),
    ]
    manage, certificate = (prefix + path for path in paths)
    assert certificate not in client.get(manage).content.decode()
    assert client.get(certificate).status_code == 404
    for status in (BookingStatus.ATTENDED, BookingStatus.LATE):
        Booking.objects.filter(pk=booking.pk).update(status=status, checked_in_at=timezone.now())
        page = client.get(manage).content.decode()
        assert f'href="{certificate}"' in page
        wanted = (
            "Download the certificate of attendance (PDF)"
            if prefix
            else ("Télécharger l'attestation de passage (PDF)")
        )
        assert wanted in html_unescape(page)
        response = client.get(certificate)
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert f"attestation-{booking.reference}.pdf" in response["Content-Disposition"]
    for status in (BookingStatus.NO_SHOW, BookingStatus.CANCELLED_BY_USER):
        Booking.objects.filter(pk=booking.pk).update(status=status)
        assert client.get(certificate).status_code == 404
    assert (
        client.get(certificate.replace(booking.token, booking.token[:-1] + "x")).status_code == 404
    )


@pytest.mark.parametrize("prefix", ["", "/ar"])
def test_the_waiting_list_form_lets_the_browser_fill_in_the_person_and_leads_back(
    client, service, prefix
):
    """The waiting list asked name and e-mail with no autocomplete (typed again on a phone,
    where the booking form fills them in: WCAG 1.3.5), and its page had no way back to the
    week; it says which fields are required, as the booking form does."""
    procedure = ProcedureFactory(service=service)
    paths = [
        reverse("appointments:waitlist", args=[procedure.pk]),
        reverse("appointments:slots", args=[procedure.pk]),
    ]
    waitlist, slots = (prefix + path for path in paths)
    page = client.get(waitlist).content.decode()
    for name, purpose in (
        ("first_name", "given-name"),
        ("last_name", "family-name"),
        ("email", "email"),
    ):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert f'autocomplete="{purpose}"' in field
    assert f'href="{slots}"' in page
    hint = "كل الخانات" if prefix else "Tous les champs sont obligatoires sauf mention contraire."
    assert hint in page


def test_personal_pages_need_the_exact_token(client, service):
    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
    for name in ("manage", "ics", "pdf"):
        assert (
            client.get(reverse(f"appointments:{name}", args=[booking.token[:-1] + "x"])).status_code
            == 404
        )
        assert (
            client.get(reverse(f"appointments:{name}", args=[booking.reference])).status_code == 404
        )


def test_english_pages(client, service):
    procedure = ProcedureFactory(service=service)
    response = client.get("/en" + reverse("appointments:terms", args=[procedure.pk]))
    assert response.status_code == 200
    assert procedure.name_en in response.content.decode()


def test_reschedule_through_the_manage_link(client, service):
    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
    later = SlotFactory(
        procedure=booking.procedure, starts_at=booking.slot.starts_at + timedelta(days=1)
    )
    url = reverse("appointments:reschedule", args=[booking.token])
    page = client.get(url, {"semaine": timezone.localtime(later.starts_at).date().isoformat()})
    assert f'value="{later.pk}"' in page.content.decode()
    client.post(url, {"slot": later.pk})
    booking.refresh_from_db()
    assert booking.slot == later and booking.reschedule_count == 1


@pytest.mark.parametrize(
    ("language", "move_or_cancel", "no_more_moves", "cancel"),
    [
        (
            "fr",
            "Cet horaire ne vous convient pas ? Déplacez ou annulez :",
            "Ce rendez-vous a déjà été déplacé le nombre de fois permis.",
            "Vous ne pourrez pas venir ? Annulez, le créneau servira à quelqu'un d'autre :",
        ),
        (
            "en",
            "This time does not suit you? Move or cancel:",
            "This appointment has already been moved as many times as allowed.",
            "Cannot come? Cancel, the slot will go to someone else:",
        ),
    ],
    ids=["fr", "en"],
)
def test_the_move_mail_offers_another_move_only_while_one_is_left(
    language,
    move_or_cancel,
    no_more_moves,
    cancel,
    client,
    service,
    agent,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """After the last move the procedure allows, the mail says so and offers to cancel,
    as the manage page does (it said "Move or cancel" and the page had no "Move" left)."""
    procedure = ProcedureFactory(service=service, max_reschedules=2)
    booking = BookingFactory(slot__procedure=procedure, language=language)
    prefix = "" if language == "fr" else f"/{language}"
    url = prefix + reverse("appointments:reschedule", args=[booking.token])
    manage_url = prefix + reverse("appointments:manage", args=[booking.token])
    texts = []
    for days in (1, 2):
        later = SlotFactory(
            procedure=procedure, starts_at=booking.slot.starts_at + timedelta(days=days)
        )
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"slot": later.pk})
        texts.append(plain_text(mailoutbox[-1]))
    first, last = texts
    assert f"{move_or_cancel}\n" in first and no_more_moves not in first
    assert f"{no_more_moves}\n{cancel}\n" in last and move_or_cancel not in last
    assert manage_url + "\n\n--\n" in last  # the link, then the signature
    assert Booking.objects.get(pk=booking.pk).reschedule_count == 2
    page = client.get(manage_url).content.decode()
    assert no_more_moves in page and "/deplacer/" not in page
    # The service moving the slot afterwards sends the same mail: no move offered either.
    with django_capture_on_commit_callbacks(execute=True):
        services.move_slot(later, later.starts_at + timedelta(hours=1), actor=agent)
    assert f"{no_more_moves}\n{cancel}\n" in plain_text(mailoutbox[-1])


@pytest.mark.parametrize(
    ("language", "with_move", "without_move"),
    [
        (
            "fr",
            ("Voir, déplacer ou annuler votre rendez-vous", "Pour le consulter, le déplacer ou"),
            ("Voir ou annuler votre rendez-vous", "Pour le consulter ou l'annuler :"),
        ),
        (
            "en",
            ("View, move or cancel your appointment", "To view, move or cancel it:"),
            ("View or cancel your appointment", "To view or cancel it:"),
        ),
    ],
    ids=["fr", "en"],
)
@pytest.mark.parametrize("moves", [0, 2])
def test_the_booking_mails_offer_a_move_only_where_the_procedure_allows_one(
    moves,
    language,
    with_move,
    without_move,
    service,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """The confirmation and the re-sent link said "view, move or cancel" for a procedure
    that allows no move, whose manage page has no "Move"."""
    procedure = ProcedureFactory(service=service, max_reschedules=moves)
    booking = BookingFactory(slot__procedure=procedure, language=language, held=True)
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.confirm_booking(booking)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resend_manage_link(booking)
    confirmed, link = (plain_text(mail) for mail in mailoutbox[-2:])
    expected, absent = (with_move, without_move) if moves else (without_move, with_move)
    for text, shown, hidden in zip((confirmed, link), expected, absent, strict=True):
        assert shown in text and hidden not in text, text


def test_late_rebooking_link_opens_the_week_for_six_weeks(client, service, agent):
    booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
    with time_machine.travel(booking.slot.starts_at + timedelta(minutes=20)):
        services.record_attendance(booking, BookingStatus.LATE, actor=agent)
    booking.refresh_from_db()
    url = reverse("appointments:rebook", args=[booking.rebooking_token])
    assert client.get(url)["Location"] == reverse("appointments:slots", args=[booking.procedure_id])
    with time_machine.travel(booking.rebooking_expires_at + timedelta(days=1)):
        fresh = client.__class__()
        response = fresh.get(url)
        assert response["Location"] == reverse("appointments:terms", args=[booking.procedure_id])


def test_renewal_asks_the_expiry_first_and_opens_priority_slots_to_urgent_cases(client, service):
    procedure = ProcedureFactory(service=service, renewal=True)
    start = (timezone.localtime() + timedelta(days=4)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    kept = SlotFactory(procedure=procedure, starts_at=start, priority=True)
    details = reverse("appointments:details", args=[procedure.pk, kept.pk])
    terms = reverse("appointments:terms", args=[procedure.pk])
    slots = reverse("appointments:slots", args=[procedure.pk])
    week = {"semaine": start.date().isoformat()}
    # Expires in 3 months: the kept slot is not offered.
    later = (timezone.localdate() + timedelta(days=90)).isoformat()
    client.post(terms, {"accept": "on", "permit_expires_on": later})
    assert details not in client.get(slots, week).content.decode()
    # Expires in 3 weeks: it is, and the date is already filled in on the form.
    soon = (timezone.localdate() + timedelta(days=21)).isoformat()
    client.post(terms, {"accept": "on", "permit_expires_on": soon})
    assert details in client.get(slots, week).content.decode()
    assert f'value="{soon}"' in client.get(details).content.decode()


def test_links_followed_by_mail_scanners_change_nothing(service, mailoutbox):
    """Scanners and link previews GET every link of a message: only a POST (with the
    page's CSRF token) confirms a hold, accepts an offer or confirms the day before."""
    from django.test import Client

    scanner = Client(enforce_csrf_checks=True)
    procedure = ProcedureFactory(service=service)
    held = BookingFactory(held=True, slot__procedure=procedure)
    watched = BookingFactory(
        slot__procedure=procedure,
        slot__starts_at=held.slot.starts_at + timedelta(hours=2),
        needs_day_before_confirmation=True,
    )
    entry = WaitlistEntryFactory(procedure=procedure)
    slot = SlotFactory(procedure=procedure, starts_at=held.slot.starts_at + timedelta(hours=1))
    services.offer_freed_slots()
    entry.refresh_from_db()
    assert entry.status == "offered" and entry.offered_slot == slot
    urls = [
        reverse("appointments:confirm", args=[held.token]),
        reverse("appointments:day-before", args=[watched.token]),
        reverse("appointments:manage", args=[held.token]),
        reverse("appointments:offer", args=[entry.token]),
    ]
    for url in urls:
        assert scanner.get(url).status_code == 200, url
        assert scanner.head(url).status_code in (200, 405), url
    # A POST without the CSRF token of the page is refused.
    assert scanner.post(urls[0]).status_code == 403
    assert scanner.post(urls[1]).status_code == 403
    assert scanner.post(reverse("appointments:cancel", args=[held.token])).status_code == 403
    # The cancel action is POST only.
    assert scanner.get(reverse("appointments:cancel", args=[held.token])).status_code == 405
    held.refresh_from_db()
    watched.refresh_from_db()
    entry.refresh_from_db()
    assert held.status == BookingStatus.HELD and held.confirmed_at is None
    assert watched.day_before_confirmed_at is None
    assert entry.status == "offered" and entry.booking is None
    assert not BookingLog.objects.exclude(to_status__in=["", "held", "confirmed"]).exists()


def test_confirm_page_posts_with_the_csrf_token(service, mailoutbox):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    held = BookingFactory(held=True, slot__procedure=ProcedureFactory(service=service))
    url = reverse("appointments:confirm", args=[held.token])
    page = browser.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == BookingStatus.CONFIRMED
    # Following the link again lands on the booking page.
    assert browser.get(url)["Location"] == reverse("appointments:manage", args=[held.token])


def test_confirm_page_of_an_expired_hold_offers_to_book_again(client, service):
    held = BookingFactory(stale_hold=True, slot__procedure=ProcedureFactory(service=service))
    response = client.get(reverse("appointments:confirm", args=[held.token]))
    html = response.content.decode()
    assert "délai de 15 minutes" in html and 'method="post"' not in html
    response = client.post(reverse("appointments:confirm", args=[held.token]))
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == BookingStatus.EXPIRED


def test_day_before_confirmation_needs_the_button(client, service):
    booking = BookingFactory(
        slot__procedure=ProcedureFactory(service=service), needs_day_before_confirmation=True
    )
    url = reverse("appointments:day-before", args=[booking.token])
    assert "Je viendrai" in client.get(url).content.decode()
    booking.refresh_from_db()
    assert booking.day_before_confirmed_at is None
    client.post(url)
    booking.refresh_from_db()
    assert booking.day_before_confirmed_at is not None


def test_english_pages_name_the_person_and_list_documents_and_languages_in_english(client, service):
    procedure = ProcedureFactory(
        service=service,
        documents="Passeport\nConvocation",
        documents_en="Passport\nNotice",
        languages="français, anglais",
    )
    booking = BookingFactory(slot__procedure=procedure, first_name="Amina", last_name="Testdesk")
    # Reversed before any request: an /en/ request leaves English active in the thread.
    terms_url = reverse("appointments:terms", args=[procedure.pk])
    manage_url = reverse("appointments:manage", args=[booking.token])
    html = client.get("/en" + terms_url).content.decode()
    assert "Passport" in html and "Passeport" not in html
    assert "Languages spoken at the desk: French, English." in html
    html = client.get("/en" + manage_url).content.decode()
    assert "Last name" not in html and "Amina Testdesk" in html
    french = client.get(terms_url).content.decode()
    assert "Passeport" in french and "Langues de l'accueil : français, anglais." in french


@time_machine.travel("2026-12-07 08:00 +01:00", tick=False)
def test_the_week_names_its_month_once(client, service):
    """ "Semaine du 7 au 13 décembre 2026" (it said "du 7 décembre au 13 décembre 2026")."""
    procedure = ProcedureFactory(service=service)
    SlotFactory(procedure=procedure)  # on Thursday 10
    _accept(client, procedure)
    slots = reverse("appointments:slots", args=[procedure.pk])
    assert "Semaine du 7 au 13 décembre 2026" in client.get(slots).content.decode()
    client.post("/en" + reverse("appointments:terms", args=[procedure.pk]), {"accept": "on"})
    assert "Week of 7 to 13 December 2026" in client.get("/en" + slots).content.decode()


@pytest.mark.parametrize("prefix", ["", "/uk"])
def test_the_week_page_leads_back_to_the_choice_of_procedure(client, service, prefix):
    """A person who chose the wrong procedure had no way back from its week but the
    browser's: the week links to the prefecture's procedures."""
    procedure = ProcedureFactory(service=service)
    SlotFactory(procedure=procedure)
    _accept(client, procedure)
    paths = [
        reverse("appointments:slots", args=[procedure.pk]),
        reverse("appointments:procedures", args=[procedure.prefecture.slug]),
    ]
    page = client.get(prefix + paths[0]).content.decode()
    assert f'href="{prefix}{paths[1]}"' in page
    assert ("Обрати іншу послугу" if prefix else "Choisir une autre démarche") in page


def test_renewal_week_says_which_days_the_expiry_date_allows(client, service):
    """Days outside the renewal window show as "non réservable": the page says why, in the
    person's language (a far-off permit otherwise saw a week of unexplained grey slots)."""
    procedure = ProcedureFactory(service=service, renewal=True)
    SlotFactory(procedure=procedure)
    terms = reverse("appointments:terms", args=[procedure.pk])
    slots = reverse("appointments:slots", args=[procedure.pk])
    expiry = timezone.localdate() + timedelta(days=400)
    client.post(terms, {"accept": "on", "permit_expires_on": expiry.isoformat()})
    earliest = expiry - timedelta(days=procedure.renewal_from_days)
    latest = expiry - timedelta(days=procedure.renewal_until_days)
    dates = f"{long_date(earliest, language='fr')} et le {long_date(latest, language='fr')}"
    html = client.get(slots).content.decode()
    assert f"le rendez-vous doit avoir lieu entre le {dates}." in html
    client.post("/en" + terms, {"accept": "on", "permit_expires_on": expiry.isoformat()})
    html = client.get("/en" + slots).content.decode()
    assert (
        f"the appointment must take place between {long_date(earliest, language='en')} and" in html
    )
    # Written the page's way, as its other dates are (it wrote "22/09/2026" on every page).
    client.post("/uk" + terms, {"accept": "on", "permit_expires_on": expiry.isoformat()})
    html = client.get("/uk" + slots).content.decode()
    assert long_date(earliest, language="uk") in html and long_date(latest, language="uk") in html
    assert f"{earliest:%d/%m/%Y}" not in html
    # Other procedures ask no date, and say nothing of it.
    plain = ProcedureFactory(service=service)
    _accept(client, plain)
    html = client.get(reverse("appointments:slots", args=[plain.pk])).content.decode()
    assert "Pour un renouvellement, le rendez-vous doit" not in html


def test_details_refuse_an_expiry_date_changed_to_one_whose_window_is_over(client, service):
    """The details step asks the expiry date again: changed there to an expired permit, it
    is refused on the field as on the terms step (it said the appointment must take place
    between two past dates), what was typed kept and nothing booked."""
    procedure = ProcedureFactory(service=service, renewal=True)
    _accept(client, procedure)  # a permit expiring in 30 days
    slot = SlotFactory(
        procedure=procedure,
        starts_at=(timezone.localtime() + timedelta(days=3)).replace(
            hour=10, minute=0, second=0, microsecond=0
        ),
    )
    expired = timezone.localdate() - timedelta(days=10)
    response = client.post(
        reverse("appointments:details", args=[procedure.pk, slot.pk]),
        _details(slot, foreign_number="0750123456", permit_expires_on=expired.isoformat()),
    )
    assert response.status_code == 200
    html = html_unescape(response.content.decode())
    assert f"Votre titre a expiré le {long_date(expired, language='fr')}" in html
    assert "doit avoir lieu entre le" not in html
    assert f'value="{expired.isoformat()}"' in html and 'value="Martin"' in html
    assert not Booking.objects.exists()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_expiry_date_with_an_impossible_year_is_refused_on_its_field(
    language, client, client_for, agent, prefecture, service
):
    # 01/01/0001 typed where the browser shows a plain text box: the renewal window,
    # counted back from it, overflowed (a server error) on the terms step and when an
    # agent booked.
    procedure = ProcedureFactory(service=service, renewal=True)
    slot = SlotFactory(procedure=procedure)
    prefix = "" if language == "fr" else f"/{language}"
    terms = prefix + reverse("appointments:terms", args=[procedure.pk])
    response = client.post(terms, {"accept": "on", "permit_expires_on": "01/01/0001"})
    assert response.status_code == 200
    wanted = {
        "fr": "Cette date n'est pas plausible : vérifiez l'année.",
        "en": "This date is not plausible: check the year.",
    }[language]
    assert wanted in html_unescape(response.content.decode())
    if language == "fr":
        url = reverse("appointments:agents-book", args=[prefecture.slug, procedure.pk, slot.pk])
        person = {"first_name": "Jo", "last_name": "Durand", "phone": "0611223344"}
        data = {**person, "foreign_number": "0750123456", "permit_expires_on": "01/01/0001"}
        response = client_for(agent).post(url, {**data, "channel": "agent"})
        assert response.status_code == 200
        assert wanted in html_unescape(response.content.decode())
    assert not Booking.objects.exists()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_terms_refuse_an_expiry_date_whose_renewal_window_is_over(language, client, service):
    """A permit whose renewal window has entirely passed is refused on the terms step, with
    what to do, and the date typed stays in the field (the week page showed past dates and
    nothing bookable)."""
    procedure = ProcedureFactory(service=service, renewal=True)
    SlotFactory(procedure=procedure)
    prefix = "" if language == "fr" else f"/{language}"
    terms = prefix + reverse("appointments:terms", args=[procedure.pk])
    slots = prefix + reverse("appointments:slots", args=[procedure.pk])
    today = timezone.localdate()
    expired = today - timedelta(days=10)
    response = client.post(terms, {"accept": "on", "permit_expires_on": expired.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    wanted = {
        "fr": f"Votre titre a expiré le {long_date(expired, language='fr')} : la période de "
        "renouvellement est terminée et ce rendez-vous ne peut plus être pris en ligne. "
        "Vérifiez la date ; si elle est juste, contactez la préfecture pour savoir quoi faire.",
        "en": f"Your permit expired on {long_date(expired, language='en')}: the renewal period "
        "is over and this appointment can no longer be booked online. Check the date; if it "
        "is right, contact the prefecture to find out what to do.",
    }[language]
    # Once in the list above the form (linking to the field), once under the field.
    assert html_unescape(html).count(wanted) == 2
    assert 'href="#id_permit_expires_on"' in html
    assert f'value="{expired.isoformat()}"' in html
    assert not client.session.get("appointments-terms")
    assert client.get(slots).status_code == 302
    # Not expired yet, but too late for the window (it closes the day before the expiry).
    last_day = today - timedelta(days=1)
    response = client.post(terms, {"accept": "on", "permit_expires_on": today.isoformat()})
    wanted = {
        "fr": f"Avec cette date d'expiration, la période de renouvellement s'est terminée le "
        f"{long_date(last_day, language='fr')} et ce rendez-vous ne peut plus être pris en ligne.",
        "en": "With this expiry date, the renewal period ended on "
        f"{long_date(last_day, language='en')} and "
        "this appointment can no longer be booked online.",
    }[language]
    assert wanted in html_unescape(response.content.decode())
    # The last day of the window still to come: accepted.
    tomorrow = today + timedelta(days=1)
    response = client.post(terms, {"accept": "on", "permit_expires_on": tomorrow.isoformat()})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "status, days_after",
    [
        (BookingStatus.CANCELLED_BY_USER, 0),
        (BookingStatus.CANCELLED_BY_SERVICE, 0),
        (BookingStatus.EXPIRED, 0),
        (BookingStatus.CONFIRMED, 4),  # over, not checked in yet
        (BookingStatus.ATTENDED, 4),
    ],
)
def test_a_booking_no_longer_to_come_lists_no_documents_to_bring_nor_actions(
    client, service, status, days_after
):
    """The page of a cancelled booking still said "Documents à apporter" (and offered to
    cancel or move an appointment already over)."""
    procedure = ProcedureFactory(service=service, documents="Passeport\nConvocation")
    booking = BookingFactory(slot__procedure=procedure, status=status)
    manage = reverse("appointments:manage", args=[booking.token])
    with time_machine.travel(timezone.now() + timedelta(days=days_after)):
        html = client.get(manage).content.decode()
    assert "Documents à apporter" not in html and "Passeport" not in html
    assert "Que voulez-vous faire" not in html and "Annuler ce rendez-vous" not in html
    assert "Prendre un nouveau rendez-vous" in html


def test_a_booking_to_come_still_lists_its_documents_and_actions(client, service):
    procedure = ProcedureFactory(service=service, documents="Passeport\nConvocation")
    booking = BookingFactory(slot__procedure=procedure)
    html = client.get(reverse("appointments:manage", args=[booking.token])).content.decode()
    assert "Documents à apporter" in html and "Passeport" in html
    assert "Annuler ce rendez-vous" in html


def test_the_details_page_writes_the_address_with_its_postal_code(client, service):
    # "1 place de la République, Lysville": the terms and the booking's page write the
    # postal code, the page where the person gives her details left it out.
    slot = SlotFactory(procedure=ProcedureFactory(service=service))
    _accept(client, slot.procedure)
    url = reverse("appointments:details", args=[slot.procedure.pk, slot.pk])
    html = client.get(url).content.decode()
    assert "Préfecture — Chef-Lieu — 2 rue de l&#x27;Accueil, 75000 Chef-Lieu</p>" in html


@pytest.mark.parametrize(
    ("prefix", "label"), [("", "votre rendez-vous"), ("/en", "your appointment")]
)
def test_the_move_page_shows_her_own_slot_as_hers_not_as_full(client, service, prefix, label):
    # Her own slot, struck through as "full" among the others, read as if someone had taken
    # her place.
    procedure = ProcedureFactory(service=service, capacity=1)
    booking = BookingFactory(slot=SlotFactory(procedure=procedure))
    free = SlotFactory(procedure=procedure, starts_at=booking.slot.starts_at + timedelta(hours=1))
    url = prefix + reverse("appointments:reschedule", args=[booking.token])
    html = client.get(url).content.decode()
    mine = re.search(r'<span class="appt-slot appt-slot--current">(\d\d:\d\d) <span', html)
    assert mine and mine.group(1) == f"{timezone.localtime(booking.slot.starts_at):%H:%M}"
    assert f'<span class="fr-sr-only">{label}</span>' in html
    assert "appt-slot--full" not in html.split('<div class="appt-week">', 1)[1]
    assert f'name="slot" value="{free.pk}"' in html

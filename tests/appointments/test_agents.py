"""Agents' pages: the day at the counter, check-in, certificate, calendar, export."""

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from engagements.appointments import services
from engagements.appointments.enums import BookingStatus
from engagements.appointments.models import Booking, Procedure, Slot
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.tooling import pdf_text, read_to_end

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_bookings(service):
    procedure = ProcedureFactory(service=service, capacity=3)
    start = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    slot = SlotFactory(procedure=procedure, starts_at=start)
    return [BookingFactory(slot=slot, last_name=name) for name in ("Durand", "Nguyen", "Petit")]


def test_day_view_lists_and_searches_with_bounded_queries(
    client_for, agent, prefecture, today_bookings, django_assert_max_num_queries
):
    client = client_for(agent)
    url = reverse("appointments:agents-day", args=[prefecture.slug])
    # Session, user, roles with their sites and services (3; the prefecture comes with the
    # roles); procedures, bookings.
    with django_assert_max_num_queries(7):
        html = client.get(url).content.decode()
    assert all(b.last_name.upper() in html for b in today_bookings)
    html = client.get(url, {"q": "nguy"}).content.decode()
    assert "NGUYEN" in html and "DURAND" not in html


def test_qr_check_in_and_attendance_certificate(client_for, agent, prefecture, today_bookings):
    client = client_for(agent)
    booking = today_bookings[0]
    response = client.get(
        reverse("appointments:agents-checkin", args=[prefecture.slug, booking.reference])
    )
    assert response["Location"] == reverse(
        "appointments:agents-booking", args=[prefecture.slug, booking.pk]
    )
    client.post(
        reverse("appointments:agents-booking-status", args=[prefecture.slug, booking.pk]),
        {"status": "attended"},
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED and booking.checked_in_at
    pdf = client.get(reverse("appointments:agents-certificate", args=[prefecture.slug, booking.pk]))
    assert pdf.content.startswith(b"%PDF")


def test_the_booking_shows_the_permit_expiry_the_person_gave(
    client_for, agent, prefecture, today_bookings
):
    # The counter could not see the expiry date that gave the person a renewal or a
    # priority slot, to check it against the permit.
    booking = today_bookings[0]
    Booking.objects.filter(pk=booking.pk).update(permit_expires_on=date(2027, 1, 20))
    Slot.objects.filter(pk=booking.slot_id).update(priority=True)
    url = reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk])
    html = client_for(agent).get(url).content.decode()
    assert (
        "<dt>Expiration du titre actuel (déclarée)</dt><dd>20/01/2027 — créneau réservé "
        "aux titres expirant bientôt</dd>"
    ) in html


def test_the_check_in_form_offers_only_the_outcomes_the_booking_may_take(
    client_for, agent, prefecture, today_bookings
):
    # After "Venu", the form still offered "Venu" and "Annulé par le service", both
    # refused once chosen ("transition impossible", "n'est plus actif").
    booking = today_bookings[0]
    # Begun: late and absent are offered from then on (test_desk_day.py).
    Slot.objects.filter(pk=booking.slot_id).update(
        starts_at=timezone.now() - timedelta(minutes=5), ends_at=timezone.now()
    )
    url = reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk])
    client = client_for(agent)

    def offered():
        html = client.get(url).content.decode()
        select = html[html.index('name="status"') :]
        select = select[: select.index("</select>")]
        return re.findall(r'<option value="([a-z_]+)"', select)

    assert offered() == ["attended", "late", "no_show", "cancelled_service", "cancelled_user"]
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.ATTENDED)
    assert offered() == ["late", "no_show"]
    # Nothing chosen in advance for a correction: "Enregistrer" alone changes nothing.
    assert '<option value="" selected>Choisissez la correction</option>' in (
        client.get(url).content.decode()
    )
    status_url = reverse("appointments:agents-booking-status", args=[prefecture.slug, booking.pk])
    client.post(status_url, {"status": ""})
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.ATTENDED
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.NO_SHOW)
    assert offered() == ["attended", "late"]


def test_the_certificate_is_not_offered_by_mail_to_a_booking_without_address(
    client_for, agent, prefecture, today_bookings
):
    # The box "Envoyer l'attestation de passage par courriel" was offered for a booking
    # made by phone without an address: ticked, nothing left and nothing was said.
    booking = today_bookings[0]
    url = reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk])
    client = client_for(agent)
    assert 'name="send_certificate"' in client.get(url).content.decode()
    Booking.objects.filter(pk=booking.pk).update(email="", phone="06 11 22 33 44")
    assert 'name="send_certificate"' not in client.get(url).content.decode()


def test_an_agent_moves_a_booking_for_the_person_who_called(
    client_for, agent, auditor, prefecture, service, mailoutbox, django_capture_on_commit_callbacks
):
    # The person called to change the time: the agents' pages could move a whole slot,
    # never one booking.
    procedure = ProcedureFactory(service=service, capacity=1)
    now = timezone.now()
    booking = BookingFactory(slot=SlotFactory(procedure=procedure, starts_at=now + timedelta(2)))
    taken = SlotFactory(procedure=procedure, starts_at=now + timedelta(days=3))
    BookingFactory(slot=taken)
    closed = SlotFactory(procedure=procedure, starts_at=now + timedelta(days=4), blocked=True)
    free = SlotFactory(procedure=procedure, starts_at=now + timedelta(days=5))
    page = reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk])
    url = reverse("appointments:agents-booking-move", args=[prefecture.slug, booking.pk])
    client = client_for(agent)
    assert f'href="{url}"' in client.get(page).content.decode()
    assert f'href="{url}"' not in client_for(auditor).get(page).content.decode()
    assert client_for(auditor).get(url).status_code == 403
    html = client.get(url).content.decode()
    offered = re.findall(r'<option value="(\d+)"', html)
    assert offered == [str(free.pk)], (offered, taken.pk, closed.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"slot": free.pk}, follow=True)
    assert "La personne est prévenue par courriel." in response.content.decode()
    booking.refresh_from_db()
    assert booking.slot == free and booking.status == BookingStatus.CONFIRMED
    assert [m.to for m in mailoutbox] == [[booking.email]]
    assert Slot.objects.get(pk=free.pk).booked == 1
    # A cancelled booking is not moved.
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED_BY_USER)
    assert f'href="{url}"' not in client.get(page).content.decode()
    response = client.get(url, follow=True)
    assert "Seul un rendez-vous confirmé peut être déplacé." in response.content.decode()


def test_an_agent_cancels_a_booking_at_the_person_s_request(
    client_for, agent, prefecture, today_bookings, mailoutbox, django_capture_on_commit_callbacks
):
    # The person called to cancel: the only way was "Annulé par le service", which mailed
    # "Rendez-vous annulé par le service … Nous devons annuler … Veuillez nous en excuser"
    # and counted as the service's cancellation.
    booking = today_bookings[0]
    url = reverse("appointments:agents-booking-status", args=[prefecture.slug, booking.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(agent).post(url, {"status": "cancelled_user"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED_BY_USER
    assert booking.logs.last().actor == agent
    assert booking.logs.last().note == "À la demande de la personne"
    [mail] = mailoutbox
    assert mail.subject.startswith("Rendez-vous annulé —") and "excuser" not in mail.body
    assert Slot.objects.get(pk=booking.slot_id).booked == 2


def test_a_duplicate_booked_by_an_agent_names_the_booking_the_person_has(
    client_for, agent, agent_other_site, prefecture, service, mailoutbox
):
    # The agent read the person's message, "Vous avez déjà un rendez-vous … Nous venons de
    # vous renvoyer par courriel le lien", though nothing was mailed and no booking named.
    procedure = ProcedureFactory(service=service)
    now = timezone.now()
    first = BookingFactory(
        slot=SlotFactory(procedure=procedure, starts_at=now + timedelta(days=2)),
        email="deja@usager.test",
    )
    slot = SlotFactory(procedure=procedure, starts_at=now + timedelta(days=3))
    url = reverse("appointments:agents-book", args=[prefecture.slug, procedure.pk, slot.pk])
    person = {"first_name": "Jo", "last_name": "Durand", "email": "deja@usager.test"}
    response = client_for(agent).post(url, {**person, "channel": "agent"})
    html = response.content.decode()
    start = timezone.localtime(first.slot.starts_at)
    assert (
        f"Cette personne a déjà un rendez-vous actif pour cette démarche : {first.reference}, "
        f"le {start:%d/%m/%Y à %H:%M}. Déplacez-le ou annulez-le depuis sa fiche."
    ) in html
    assert "Nous venons de vous renvoyer" not in html and not mailoutbox
    assert 'value="Durand"' in html  # what was typed is kept
    # An agent of another site (a partner point) is not told a booking it may not read.
    html = client_for(agent_other_site).post(url, {**person, "channel": "partner"})
    html = html.content.decode()
    assert "Cette personne a déjà un rendez-vous actif pour cette démarche ; le service" in html
    assert first.reference not in html


def test_the_booking_s_history_names_its_channel_in_words(client_for, agent, prefecture, service):
    # The history read "Confirmé (Réservation (agent))", "(online)", "(partner)": codes.
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure)
    booking = services.book_slot(
        slot, services.Person("Jo", "Durand", phone="0611223344"), channel="agent", actor=agent
    )
    url = reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk])
    html = client_for(agent).get(url).content.decode()
    assert "Confirmé (Réservation, canal : Par un agent)" in html
    assert "(agent)" not in html
    # An event that leaves the status as it was reads as the event alone (it read
    # "Confirmé → Confirmé (Déplacé)").
    later = SlotFactory(procedure=procedure, starts_at=slot.starts_at + timedelta(days=1))
    services.reschedule_booking(booking, later, actor=agent)
    html = client_for(agent).get(url).content.decode()
    assert f"— Déplacé par {agent.get_full_name()}</li>" in html
    assert "Confirmé → Confirmé" not in html


def test_moving_a_renewal_offers_only_the_days_of_its_window(
    client_for, agent, prefecture, service
):
    # Every free slot was offered; one outside the permit's renewal window was refused
    # once chosen ("le rendez-vous doit avoir lieu entre …").
    procedure = ProcedureFactory(
        service=service, requires_permit_expiry=True, renewal_from_days=60, renewal_until_days=1
    )
    today = timezone.localdate()
    expires = today + timedelta(days=20)

    def slot(days):
        moment = datetime.combine(today + timedelta(days=days), datetime.min.time())
        return SlotFactory(
            procedure=procedure, starts_at=timezone.make_aware(moment) + timedelta(hours=10)
        )

    booking = BookingFactory(slot=slot(2), permit_expires_on=expires)
    inside, last_day, too_late = slot(5), slot(19), slot(25)
    url = reverse("appointments:agents-booking-move", args=[prefecture.slug, booking.pk])
    html = client_for(agent).get(url).content.decode()
    offered = re.findall(r'<option value="(\d+)"', html)
    assert offered == [str(inside.pk), str(last_day.pk)], (offered, too_late.pk)


def test_the_booking_s_page_reads_back_the_sms_sent(client_for, agent, prefecture, today_bookings):
    # "SMS à 06 11 22 33 44 : envoyé": the agent could not tell which SMS the person got.
    from engagements.appointments import notifications

    booking = today_bookings[0]
    Booking.objects.filter(pk=booking.pk).update(email="", phone="06 11 22 33 44")
    booking.refresh_from_db()
    delivery = notifications.queue_change_notice(booking, "cancelled_service")
    url = reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk])
    html = client_for(agent).get(url).content.decode()
    assert f"SMS « <bdi>{delivery.body}</bdi> » à 06 11 22 33 44" in html.replace("&#x27;", "'")
    # (In its shorter wording when the whole one would take two messages.)
    assert "annul" in delivery.body


def test_auditor_reads_but_cannot_check_in(client_for, auditor, prefecture, today_bookings):
    client = client_for(auditor)
    booking = today_bookings[0]
    url = reverse("appointments:agents-booking-status", args=[prefecture.slug, booking.pk])
    assert client.post(url, {"status": "attended"}).status_code == 403
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_a_read_only_role_is_offered_no_action_it_would_be_refused(
    client_for, auditor, agent, prefecture, today_bookings
):
    # The auditor saw "Venu", "Absent", "Enregistrer", "Réserver pour une personne",
    # "Fermer ce créneau", "Déplacer", "Ouvrir": each click answered 403.
    booking = today_bookings[0]
    slot = booking.slot
    Slot.objects.filter(pk=slot.pk).update(capacity=4)  # a seat left to book
    week = {"semaine": timezone.localdate().isoformat()}
    pages = [
        (reverse("appointments:agents-day", args=[prefecture.slug]), {}),
        (reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk]), {}),
        (reverse("appointments:agents-calendar", args=[prefecture.slug, slot.procedure_id]), week),
        (reverse("appointments:agents-slot", args=[prefecture.slug, slot.pk]), {}),
    ]
    actions = [
        reverse("appointments:agents-booking-status", args=[prefecture.slug, booking.pk]),
        reverse("appointments:agents-book", args=[prefecture.slug, slot.procedure_id, slot.pk]),
        reverse("appointments:agents-slot-block", args=[prefecture.slug, slot.pk]),
        reverse("appointments:agents-slot-new", args=[prefecture.slug, slot.procedure_id]),
        ">Déplacer</button>",
    ]
    for user, offered in ((auditor, False), (agent, True)):
        client = client_for(user)
        html = "".join(client.get(url, query).content.decode() for url, query in pages)
        # The auditor reads the bookings by their reference, not by the person's name.
        assert booking.reference in html and ("DURAND" in html) is offered
        for action in actions:
            assert (action in html) is offered, (user, action)
        # No column of actions left empty on the week.
        assert ('<th scope="col">Actions</th>' in html) is offered


def test_agent_books_on_behalf_even_when_online_booking_is_closed(
    client_for, agent, prefecture, service
):
    procedure = ProcedureFactory(service=service, agents_only=True)
    slot = SlotFactory(procedure=procedure, starts_at=timezone.now() + timedelta(hours=1))
    response = client_for(agent).post(
        reverse("appointments:agents-book", args=[prefecture.slug, procedure.pk, slot.pk]),
        {
            "first_name": "Jo",
            "last_name": "Sans-Courriel",
            "phone": "06 99 88 77 66",
            "channel": "agent",
        },
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.status, booking.channel, booking.created_by) == ("confirmed", "agent", agent)


def test_nobody_is_marked_absent_before_the_time_of_the_appointment(
    client_for, agent, prefecture, service
):
    # "Absent" was offered and recorded for an appointment later that day or next week:
    # the absence counts against the person under the no-show policy. "Venu" and "En
    # retard", which record an arrival now, were offered on other days and then refused.
    morning = timezone.make_aware(datetime(2026, 12, 8, 10, 0))
    with time_machine.travel(morning, tick=False):
        procedure = ProcedureFactory(service=service, capacity=1)

        def booked(hours, name):
            slot = SlotFactory(procedure=procedure, starts_at=morning + timedelta(hours=hours))
            return BookingFactory(slot=slot, last_name=name)

        begun, later, yesterday, tomorrow = (
            booked(-1, "Arnaud"),
            booked(4, "Bonnet"),
            booked(-24, "Colin"),
            booked(24, "Dupuis"),
        )
        client = client_for(agent)
        day = reverse("appointments:agents-day", args=[prefecture.slug])

        def buttons(date):
            html = client.get(day, {"date": date.isoformat()}).content.decode()
            return {
                (name, action)
                for name in ("ARNAUD", "BONNET", "COLIN", "DUPUIS")
                for action in ("Venu", "En retard", "Absent")
                if f'aria-label="{action} : {name} ' in html
            }

        assert buttons(morning.date()) == {
            ("ARNAUD", "Venu"),
            ("ARNAUD", "En retard"),
            ("ARNAUD", "Absent"),
            ("BONNET", "Venu"),  # not late before 14:00 (test_desk_day.py)
        }
        assert buttons(morning.date() - timedelta(days=1)) == {("COLIN", "Absent")}
        assert buttons(morning.date() + timedelta(days=1)) == set()

        for booking in (later, tomorrow):
            url = reverse("appointments:agents-booking-status", args=[prefecture.slug, booking.pk])
            response = client.post(url, {"status": "no_show"}, follow=True)
            assert "ne peut pas être notée absente avant cette heure" in response.content.decode()
            assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
        url = reverse("appointments:agents-booking-status", args=[prefecture.slug, begun.pk])
        client.post(url, {"status": "no_show"})
        assert Booking.objects.get(pk=begun.pk).status == BookingStatus.NO_SHOW
        assert yesterday.status == BookingStatus.CONFIRMED


def test_block_a_slot_and_calendar(client_for, agent, prefecture, today_bookings):
    client = client_for(agent)
    slot = today_bookings[0].slot
    client.post(reverse("appointments:agents-slot-block", args=[prefecture.slug, slot.pk]))
    assert Slot.objects.get(pk=slot.pk).blocked
    response = client.get(
        reverse("appointments:agents-calendar", args=[prefecture.slug, slot.procedure_id]),
        {"semaine": timezone.localdate().isoformat()},
    )
    assert "DURAND" in response.content.decode()


def test_the_week_offers_to_book_only_slots_an_agent_may_book(
    client_for, agent, prefecture, service
):
    # A closed slot or one already begun was offered "Réserver pour une personne"; the
    # agent typed the person's details, then read "Ce créneau vient d'être pris" (closed)
    # or "Ce créneau est passé".
    procedure = ProcedureFactory(service=service, capacity=2)
    now = timezone.now()
    closed = SlotFactory(procedure=procedure, starts_at=now + timedelta(days=1), blocked=True)
    begun = SlotFactory(procedure=procedure, starts_at=now - timedelta(minutes=5))
    free = SlotFactory(procedure=procedure, starts_at=now + timedelta(days=1, hours=1))
    client = client_for(agent)
    pages = [
        client.get(
            reverse("appointments:agents-calendar", args=[prefecture.slug, procedure.pk]),
            {"semaine": timezone.localdate(slot.starts_at).isoformat()},
        ).content.decode()
        for slot in (closed, begun, free)
    ]
    html = "".join(pages)

    def book(slot):
        return reverse("appointments:agents-book", args=[prefecture.slug, procedure.pk, slot.pk])

    assert book(free) in html
    assert book(closed) not in html and book(begun) not in html
    person = {"first_name": "Jo", "last_name": "Durand", "phone": "0699887766"}
    for slot, reason in ((closed, "fermé aux réservations"), (begun, "passé")):
        response = client.post(book(slot), {**person, "channel": "agent"}, follow=True)
        calendar = reverse("appointments:agents-calendar", args=[prefecture.slug, procedure.pk])
        assert response.redirect_chain[0][0].startswith(calendar)
        assert f"Ce créneau est {reason}" in response.content.decode()
    assert not Booking.objects.exists()


def test_csv_export_and_figures(client_for, quality_lead, prefecture, today_bookings):
    client = client_for(quality_lead)
    response = client.get(reverse("appointments:agents-export", args=[prefecture.slug]))
    text = response.content.decode("utf-8-sig")
    assert text.count("\n") == 4 and "Durand" in text
    assert (
        client.get(reverse("appointments:agents-index", args=[prefecture.slug])).status_code == 200
    )


def test_the_day_s_list_downloads_as_csv_with_the_same_rows(
    client_for, agent, prefecture, service, today_bookings
):
    # The day's list had no export (only "the 30 next days" on another page, from today),
    # and that export also listed lapsed unconfirmed holds, which the list leaves out.
    Booking.objects.filter(pk=today_bookings[2].pk).update(status=BookingStatus.EXPIRED)
    other = ProcedureFactory(service=service)
    start = today_bookings[0].slot.starts_at
    BookingFactory(slot=SlotFactory(procedure=other, starts_at=start), last_name="Autre")
    client = client_for(agent)
    day = reverse("appointments:agents-day", args=[prefecture.slug])
    procedure = today_bookings[0].procedure_id
    html = client.get(day, {"procedure": procedure}).content.decode()
    today = timezone.localdate().isoformat()
    link = (
        reverse("appointments:agents-day-csv", args=[prefecture.slug])
        + f"?date={today}&amp;procedure={procedure}"
    )
    assert f'<a href="{link}" download>Télécharger les rendez-vous du jour (CSV)</a>' in html
    assert "<caption>2 rendez-vous</caption>" in html
    # Going to the next or previous day keeps the procedure chosen.
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert f'<a href="?date={tomorrow}&amp;procedure={procedure}">Jour suivant</a>' in html
    response = client.get(link.replace("&amp;", "&"))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 2
    assert {line.split(";")[6] for line in lines[1:]} == {"Durand", "Nguyen"}


def test_the_day_s_csv_ends_with_the_arrival_time_as_the_printed_list(
    client_for, agent, auditor, prefecture, today_bookings
):
    """The printed list had an "Arrivée" column, the day's CSV none. It comes last: the
    columns before keep their order (the 30 days' export keeps its 10, a contract)."""
    arrived = today_bookings[0]
    arrived_at = arrived.slot.starts_at - timedelta(minutes=7)
    Booking.objects.filter(pk=arrived.pk).update(
        status=BookingStatus.ATTENDED, checked_in_at=arrived_at
    )
    url = reverse("appointments:agents-day-csv", args=[prefecture.slug])
    header = "référence;démarche;site;début;statut;canal;nom;prénom;courriel;téléphone;arrivée"
    for user in (agent, auditor):
        lines = client_for(user).get(url).content.decode("utf-8-sig").splitlines()
        assert lines[0] == header and len(lines) == 4
        arrivals = {line.split(";")[0]: line.split(";")[10] for line in lines[1:]}
        assert arrivals == {
            arrived.reference: timezone.localtime(arrived_at).strftime("%H:%M"),
            today_bookings[1].reference: "",
            today_bookings[2].reference: "",
        }
    export = reverse("appointments:agents-export", args=[prefecture.slug])
    first = client_for(agent).get(export).content.decode("utf-8-sig").splitlines()[0]
    assert first == "référence;démarche;site;début;statut;canal;nom;prénom;courriel;téléphone"


def test_the_day_s_list_prints_with_the_same_rows_and_count(
    client_for, agent, prefecture, service, today_bookings
):
    # The day's list had no printable version for the counter.
    from tests.test_pdfs import read_pdf

    Booking.objects.filter(pk=today_bookings[2].pk).update(status=BookingStatus.CANCELLED_BY_USER)
    other = ProcedureFactory(service=service)
    start = today_bookings[0].slot.starts_at
    BookingFactory(slot=SlotFactory(procedure=other, starts_at=start), last_name="Autre")
    client = client_for(agent)
    procedure = today_bookings[0].procedure_id
    html = client.get(
        reverse("appointments:agents-day", args=[prefecture.slug]), {"procedure": procedure}
    ).content.decode()
    today = timezone.localdate().isoformat()
    link = (
        reverse("appointments:agents-day-pdf", args=[prefecture.slug])
        + f"?date={today}&amp;procedure={procedure}"
    )
    assert f'<a href="{link}">Imprimer la liste du jour (PDF)</a>' in html
    assert "<caption>2 rendez-vous, 1 annulé</caption>" in html
    response = client.get(link.replace("&amp;", "&"))
    assert response["Content-Type"] == "application/pdf"
    text = read_pdf(response.content, "appointments-day")
    assert "2 rendez-vous, 1 annulé" in text
    for name in ("DURAND", "NGUYEN", "PETIT"):
        assert name in text
    assert "AUTRE" not in text and today_bookings[0].procedure.name in text


def test_a_day_outside_the_calendar_s_years_shows_today(client_for, agent, prefecture, service):
    # ?date=9999-12-31 (a typo in the year) answered a server error: the day after overflowed.
    procedure = ProcedureFactory(service=service)
    client = client_for(agent)
    today = timezone.localdate()
    for url, name in (
        (reverse("appointments:agents-day", args=[prefecture.slug]), "date"),
        (reverse("appointments:agents-day-pdf", args=[prefecture.slug]), "date"),
        (reverse("appointments:agents-day-csv", args=[prefecture.slug]), "date"),
        (reverse("appointments:agents-calendar", args=[prefecture.slug, procedure.pk]), "semaine"),
        (reverse("appointments:agents-export", args=[prefecture.slug]), "fin"),
    ):
        for value in ("9999-12-31", "0001-01-01"):
            response = client.get(url, {name: value})
            assert response.status_code == 200, (url, value)
    html = client.get(
        reverse("appointments:agents-day", args=[prefecture.slug]), {"date": "9999-12-31"}
    ).content.decode()
    assert f'value="{today.isoformat()}"' in html


def test_scanning_the_qr_code_into_the_search_opens_the_booking(
    client_for, agent, prefecture, today_bookings
):
    from engagements.appointments.booking_files import checkin_url

    booking = today_bookings[1]
    response = client_for(agent).get(
        reverse("appointments:agents-day", args=[prefecture.slug]), {"q": checkin_url(booking)}
    )
    assert response["Location"] == reverse(
        "appointments:agents-booking", args=[prefecture.slug, booking.pk]
    )


def test_open_an_extra_slot(client_for, agent, prefecture, service):
    procedure = ProcedureFactory(service=service)
    url = reverse("appointments:agents-slot-new", args=[prefecture.slug, procedure.pk])
    when = (timezone.localtime() + timedelta(days=5)).replace(hour=17, minute=0)
    client_for(agent).post(url, {"starts_at": when.strftime("%Y-%m-%dT%H:%M")})
    slot = Slot.objects.get(procedure=procedure)
    assert timezone.localtime(slot.starts_at).hour == 17 and slot.capacity == procedure.capacity


def test_the_week_asks_the_time_of_the_extra_slot_it_offers_to_open(
    client_for, agent, prefecture, service
):
    # The form under the week had only its "Ouvrir" button: no field to say when.
    procedure = ProcedureFactory(service=service)
    html = (
        client_for(agent)
        .get(reverse("appointments:agents-calendar", args=[prefecture.slug, procedure.pk]))
        .content.decode()
    )
    form = html[html.index("Ouvrir un créneau supplémentaire") :]
    assert 'type="datetime-local" name="starts_at"' in form
    assert "Date et heure du créneau" in form


def test_an_extra_slot_refused_comes_back_with_what_was_typed(
    client_for, agent, prefecture, service
):
    # A refused extra slot sent back to this week's page with an empty form; one opened
    # in another week sent back to this week, where it did not show.
    procedure = ProcedureFactory(service=service)
    url = reverse("appointments:agents-slot-new", args=[prefecture.slug, procedure.pk])
    client = client_for(agent)
    past = (timezone.localtime() - timedelta(days=30)).replace(hour=10, minute=0)
    response = client.post(url, {"starts_at": past.strftime("%Y-%m-%dT%H:%M")})
    html = response.content.decode()
    assert response.status_code == 200 and "est déjà passé" in html
    assert f'name="starts_at" value="{past:%Y-%m-%dT%H:%M}"' in html
    week = reverse("appointments:agents-calendar", args=[prefecture.slug, procedure.pk])
    assert f'<a href="{week}?semaine=' in html  # the week's links lead to the week
    later = (timezone.localtime() + timedelta(days=40)).replace(hour=17, minute=0)
    response = client.post(url, {"starts_at": later.strftime("%Y-%m-%dT%H:%M")})
    assert response["Location"] == f"{week}?semaine={later.date().isoformat()}"


def test_a_slot_at_a_time_in_the_year_9999_is_refused_on_the_field(
    client_for, agent, prefecture, service
):
    # A typo in the year: opening or moving the slot answered a server error.
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure)
    client = client_for(agent)
    for url in (
        reverse("appointments:agents-slot-new", args=[prefecture.slug, procedure.pk]),
        reverse("appointments:agents-slot", args=[prefecture.slug, slot.pk]),
    ):
        response = client.post(url, {"starts_at": "9999-12-31T23:50"})
        assert response.status_code == 200
        assert "Indiquez une date entre 2000 et 2100." in response.content.decode()
    assert Slot.objects.get().starts_at == slot.starts_at


def test_quality_lead_sets_up_a_procedure_and_its_week(
    client_for, quality_lead, agent, prefecture, service
):
    client = client_for(quality_lead)
    response = client.post(
        reverse("appointments:agents-procedure-new", args=[prefecture.slug]),
        {
            "service": service.pk,
            "name": "DCEM",
            "name_en": "",
            "description": "",
            "is_public": "on",
            "duration_minutes": 20,
            "capacity": 2,
            "opens_days_ahead": 14,
            "opens_at": "08:00",
            "closes_hours_before": 2,
            "documents": "Passeport",
            "languages": "français",
            "renewal_from_days": 120,
            "renewal_until_days": 1,
            "priority_share": 0,
            "priority_release_hours": 48,
            "max_reschedules": 2,
            "no_show_policy": "confirm",
            "no_show_limit": 2,
            "no_show_period_days": 182,
            "no_show_wait_weeks": 4,
        },
    )
    procedure = Procedure.objects.get(name="DCEM")
    assert response.status_code == 302 and procedure.site == service.site
    assert procedure.survey_invitation is False  # the box was left unticked
    assert procedure.history.count() == 1
    client.post(
        reverse("appointments:agents-rule-add", args=[prefecture.slug, procedure.pk]),
        {"weekday": 0, "starts_at": "09:00", "ends_at": "10:00"},
    )
    client.post(
        reverse("appointments:agents-procedure-generate", args=[prefecture.slug, procedure.pk])
    )
    assert procedure.slots.count() >= 3 * 2  # at least two Mondays ahead, 3 slots each
    # An agent may not change the settings.
    url = reverse("appointments:agents-procedure", args=[prefecture.slug, procedure.pk])
    assert client_for(agent).get(url).status_code == 403


def test_a_weekly_range_on_a_day_without_slots_is_refused(
    client_for, quality_lead, prefecture, service
):
    # A Saturday range was "ajoutée", then generated nothing: slots are made on working
    # days only.
    procedure = ProcedureFactory(service=service)
    client = client_for(quality_lead)
    url = reverse("appointments:agents-procedure", args=[prefecture.slug, procedure.pk])
    html = client.get(url).content.decode()
    select = html[html.index('name="weekday"') :]
    select = select[: select.index("</select>")]
    assert ">vendredi</option>" in select
    assert "samedi" not in select and "dimanche" not in select
    assert "les créneaux sont créés les jours ouvrés" in html
    client.post(
        reverse("appointments:agents-rule-add", args=[prefecture.slug, procedure.pk]),
        {"weekday": 5, "starts_at": "09:00", "ends_at": "12:00"},
    )
    assert not procedure.rules.exists()


def test_the_weekly_ranges_say_when_they_apply(client_for, quality_lead, prefecture, service):
    # A range valid until a date read "au 31/01/2027", one without dates an empty cell.
    procedure = ProcedureFactory(service=service)
    rules = procedure.rules
    rules.create(weekday=0, starts_at="09:00", ends_at="10:00")
    rules.create(weekday=1, starts_at="09:00", ends_at="10:00", valid_until=date(2027, 1, 31))
    rules.create(weekday=2, starts_at="09:00", ends_at="10:00", valid_from=date(2027, 3, 1))
    rules.create(
        weekday=3,
        starts_at="09:00",
        ends_at="10:00",
        valid_from=date(2027, 3, 1),
        valid_until=date(2027, 6, 30),
    )
    url = reverse("appointments:agents-procedure", args=[prefecture.slug, procedure.pk])
    html = client_for(quality_lead).get(url).content.decode().replace("&#x27;", "'")
    cells = re.findall(r"</td>\s*<td>([^<]*)</td>\s*<td><form", html)
    assert cells == [
        "sans limite",
        "jusqu'au 31/01/2027",
        "à partir du 01/03/2027",
        "du 01/03/2027 au 30/06/2027",
    ]


def test_a_weekly_range_valid_until_before_it_starts_is_refused(
    client_for, quality_lead, prefecture, service
):
    # "Plage ajoutée", valid on no day at all: the dates typed the wrong way round.
    procedure = ProcedureFactory(service=service)
    response = client_for(quality_lead).post(
        reverse("appointments:agents-rule-add", args=[prefecture.slug, procedure.pk]),
        {
            "weekday": 0,
            "starts_at": "09:00",
            "ends_at": "12:00",
            "valid_from": "2027-03-01",
            "valid_until": "2027-01-31",
        },
    )
    html = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert "Plage non ajoutée : corrigez les champs signalés." in html
    assert "La plage ne vaudrait aucun jour : « jusqu'au » (31/01/2027) précède" in html
    # What was typed is still there to correct (the page came back with an empty form).
    assert 'name="valid_from" value="2027-03-01"' in html
    assert 'name="starts_at" value="09:00"' in html
    # The settings' form on that page still posts to the settings.
    settings_url = reverse("appointments:agents-procedure", args=[prefecture.slug, procedure.pk])
    assert f'<form method="post" action="{settings_url}" novalidate>' in html
    assert not procedure.rules.exists()


def test_a_procedure_without_duration_or_seats_is_refused(
    client_for, quality_lead, prefecture, service
):
    # "Durée (minutes)" 0 was saved; "Générer les créneaux" then never returned (every
    # slot started where the last one did) and the nightly generation hung with it.
    procedure = ProcedureFactory(service=service, duration_minutes=15, capacity=2)
    procedure.rules.create(weekday=0, starts_at="09:00", ends_at="10:00")
    url = reverse("appointments:agents-procedure", args=[prefecture.slug, procedure.pk])
    client = client_for(quality_lead)
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in (
            (name, form[name].value()) for name in form.fields if form[name].value() is not None
        )
        if value is not False
    }
    data.update(duration_minutes=0, capacity=0, no_show_policy="wait", no_show_limit=0)
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["duration_minutes"] == ["Entre 1 et 480 minutes (8 heures)."]
    assert errors["capacity"] == ["Au moins une place par créneau."]
    assert errors["no_show_limit"] == [
        "Au moins 1 avec un délai d'attente : le délai court après la dernière absence."
    ]
    procedure.refresh_from_db()
    assert (procedure.duration_minutes, procedure.capacity) == (15, 2)
    # One saved before the form refused it generates nothing rather than for ever.
    Procedure.objects.filter(pk=procedure.pk).update(duration_minutes=0)
    procedure.refresh_from_db()
    today = timezone.localdate()
    assert services.generate_slots(procedure, start=today, end=today + timedelta(days=14)) == 0


def test_procedure_list_has_a_bounded_number_of_queries(
    client_for, quality_lead, prefecture, service, django_assert_max_num_queries
):
    for _ in range(6):
        procedure = ProcedureFactory(service=service)
        BookingFactory(slot=SlotFactory(procedure=procedure, past=True), no_show=True)
        SlotFactory(procedure=procedure)
    client = client_for(quality_lead)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("appointments:agents-index", args=[prefecture.slug]))
    assert response.content.decode().count("100,0\u00a0%") == 6  # one no-show each, last 30 days


def test_a_partner_point_agent_books_for_another_service(
    client_for, agent_other_site, prefecture, service
):
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure)
    client = client_for(agent_other_site)
    page = client.get(reverse("appointments:agents-book-start", args=[prefecture.slug]))
    url = reverse("appointments:agents-book", args=[prefecture.slug, procedure.pk, slot.pk])
    assert url in page.content.decode()
    response = client.post(
        url,
        {"first_name": "Jo", "last_name": "Doe", "email": "jo@usager.test", "channel": "partner"},
    )
    booking = Booking.objects.get()
    assert booking.channel == "partner" and booking.status == "confirmed"
    # He booked it, but the record stays in the other service's scope.
    assert response["Location"] == reverse("appointments:agents-book-start", args=[prefecture.slug])


def test_the_auditor_s_export_keeps_the_columns_with_the_people_left_out(
    client_for, auditor, quality_lead, prefecture, today_bookings
):
    """The auditor checks the figures and the records' facts: the export's columns are a
    contract, so the person's columns stay, empty; the other roles still get them filled."""
    export = reverse("appointments:agents-export", args=[prefecture.slug])
    lines = client_for(auditor).get(export).content.decode("utf-8-sig").splitlines()
    header = "référence;démarche;site;début;statut;canal;nom;prénom;courriel;téléphone"
    assert lines[0] == header and len(lines) == 4
    by_reference = {b.reference: b for b in today_bookings}
    for line in lines[1:]:
        cells = line.split(";")
        booking = by_reference[cells[0]]
        assert cells[1:6] == [
            booking.procedure.name,
            booking.procedure.site.name,
            timezone.localtime(booking.slot.starts_at).strftime("%d/%m/%Y %H:%M"),
            "Confirmé",
            booking.get_channel_display(),
        ]
        assert cells[6:] == ["", "", "", ""]
    text = "\n".join(lines)
    for booking in today_bookings:
        assert booking.last_name not in text and booking.email not in text
        assert booking.phone not in text and booking.first_name not in text
    lead = client_for(quality_lead).get(export).content.decode("utf-8-sig").splitlines()
    assert lead[0] == header
    assert {line.split(";")[6] for line in lead[1:]} == {"Durand", "Nguyen", "Petit"}


def test_the_auditor_reads_the_day_s_bookings_without_the_people(
    client_for, auditor, quality_lead, prefecture, today_bookings
):
    """Lists, the booking's page and the printed list give the auditor the facts (time,
    procedure, status, reference), not who the person is; what is all about the person
    (the papers she sent, her certificate) is refused him, and a search by name finds no
    one. The staff still read everything."""
    booking = today_bookings[0]
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.ATTENDED)
    document = booking.documents.create(
        file=ContentFile(b"%PDF-1.4 test", name="passeport.pdf"),
        name="passeport-durand.pdf",
        content_type="application/pdf",
        size=13,
    )
    slug = prefecture.slug
    pages = {
        "day": reverse("appointments:agents-day", args=[slug]),
        "slot": reverse("appointments:agents-slot", args=[slug, booking.slot_id]),
        "calendar": reverse("appointments:agents-calendar", args=[slug, booking.procedure_id]),
        "booking": reverse("appointments:agents-booking", args=[slug, booking.pk]),
        "overdue": reverse("appointments:agents-documents-overdue", args=[slug]),
    }
    pdf = reverse("appointments:agents-day-pdf", args=[slug])
    personal = [booking.last_name.upper(), booking.email, booking.phone, "passeport-durand"]
    client = client_for(auditor)
    for name, url in pages.items():
        html = client.get(url).content.decode()
        assert not [word for word in personal if word in html], name
    assert booking.reference in client.get(pages["day"]).content.decode()
    text = pdf_text(client.get(pdf).content)
    assert booking.reference in text and "DURAND" not in text
    found = client.get(pages["day"], {"q": "durand"}).content.decode()
    assert "<caption>0 rendez-vous</caption>" in found
    assert booking.reference in client.get(pages["day"], {"q": booking.reference}).content.decode()
    certificate = reverse("appointments:agents-certificate", args=[slug, booking.pk])
    papers = reverse("appointments:agents-booking-document", args=[slug, booking.pk, document.pk])
    assert client.get(certificate).status_code == 403
    assert client.get(papers).status_code == 403
    lead = client_for(quality_lead)
    assert "DURAND" in lead.get(pages["booking"]).content.decode()
    assert booking.email in lead.get(pages["booking"]).content.decode()
    assert "DURAND" in pdf_text(lead.get(pdf).content)
    assert lead.get(certificate).status_code == 200
    response = lead.get(papers)
    read_to_end(response)
    assert response.status_code == 200

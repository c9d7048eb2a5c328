"""Documents a procedure asks before the appointment (issue 23, item 1, last sentence):
the same rule as the register's missing documents. The person sends them from her
booking's page, is reminded two days before the end, may ask once for more time up to the
limit; past the end nothing is cancelled by itself: the booking waits on the agents'
"pièces en attente — délai dépassé" list, where they extend, cancel or keep it."""

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from engagements.appointments import services
from engagements.appointments.enums import BookingStatus, Channel
from engagements.appointments.models import Booking, BookingDocument, BookingDocumentWait, Slot
from engagements.appointments.services import documents
from tests.appointments.factories import ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)
APPOINTMENT = datetime(2026, 3, 30, 10, 0)  # a Monday, four weeks later


def at(day: date, hour: int = 9):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


@pytest.fixture
def procedure(service):
    return ProcedureFactory(service=service, documents_before=True, capacity=2)


def book(procedure, starts_at=APPOINTMENT, **person):
    starts_at = timezone.make_aware(starts_at)
    slot = Slot.objects.filter(procedure=procedure, starts_at=starts_at).first() or SlotFactory(
        procedure=procedure, starts_at=starts_at, capacity=5
    )
    values = {"first_name": "Amina", "last_name": "Diallo", "email": "amina@usager.test"}
    return services.book_slot(slot, services.Person(**(values | person)), channel=Channel.AGENT)


def pdf(name="passeport.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 passeport", content_type="application/pdf")


def manage(booking, name="appointments:manage", prefix=""):
    with translation.override("fr"):
        return prefix + reverse(name, args=[booking.token])


@time_machine.travel(at(MONDAY), tick=False)
def test_booking_starts_the_wait_never_past_the_day_before(procedure, service):
    booking = book(procedure)
    wait = booking.documents_wait
    assert (wait.requested_on, wait.ends_on, wait.first_ends_on) == (
        MONDAY,
        date(2026, 3, 10),  # 8 calendar days, indicative
        date(2026, 3, 10),
    )
    assert documents.extension_limit(wait) == date(2026, 3, 29)  # the eve caps the 30 days
    soon = book(procedure, datetime(2026, 3, 5, 10, 0), email="b@usager.test")
    assert soon.documents_wait.ends_on == date(2026, 3, 4)
    plain = ProcedureFactory(service=service)
    assert not BookingDocumentWait.objects.filter(booking=book(plain, email="c@usager.test"))


@time_machine.travel(at(MONDAY), tick=False)
def test_the_job_reminds_then_lists_overdue_and_cancels_nothing(
    procedure, mailoutbox, django_capture_on_commit_callbacks
):
    booking = book(procedure)
    done = book(procedure, email="d@usager.test")
    documents.add_document(done, pdf())
    run = services.remind_and_flag_document_waits
    assert run(today=date(2026, 3, 7)) == {"reminded": 0, "overdue": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert run(today=date(2026, 3, 8)) == {"reminded": 1, "overdue": 0}
    mail = mailoutbox[-1]
    assert mail.to == ["amina@usager.test"]
    assert mail.subject.startswith("Documents à envoyer avant votre rendez-vous")
    assert "au plus tard le 10 mars 2026" in mail.body and "Passeport" in mail.body
    assert manage(booking) in mail.body
    assert run(today=date(2026, 3, 10)) == {"reminded": 0, "overdue": 0}
    assert run(today=date(2026, 3, 11)) == {"reminded": 0, "overdue": 1}
    assert run(today=date(2026, 3, 12)) == {"reminded": 0, "overdue": 0}
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED  # nothing cancelled by itself
    assert booking.documents_wait.overdue_on == date(2026, 3, 11)
    assert list(documents.overdue_waits(booking.procedure.bookings.all())) == [
        booking.documents_wait
    ]


@time_machine.travel(at(MONDAY), tick=False)
def test_the_booking_history_reads_notes_as_notes(procedure, agent, client_for):
    booking = book(procedure)
    services.remind_and_flag_document_waits(today=date(2026, 3, 8))
    page = client_for(agent).get(
        reverse("appointments:agents-booking", args=[booking.procedure.prefecture.slug, booking.pk])
    )
    html = page.content.decode().replace("&#x27;", "'")
    assert "— Relance envoyée, documents attendus jusqu'au 10/03/2026</li>" in html
    assert "(Relance envoyée" not in html  # not "Confirmé (Relance envoyée…)"
    assert "— Confirmé" in html  # the booking's first line still says what it became


@time_machine.travel(at(date(2026, 3, 6)), tick=False)
def test_the_person_asks_once_for_more_time_and_sends_documents(
    procedure, client, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(MONDAY), tick=False):
        booking = book(procedure)
    page = client.get(manage(booking)).content.decode()
    assert "Documents à envoyer avant le rendez-vous" in page
    assert "Envoyez-les au plus tard le 10 mars 2026" in page
    assert "Besoin de plus de temps ?" in page and 'max="2026-03-29"' in page
    ask = manage(booking, "appointments:documents-more-time")
    # Beyond the limit, or without a reason: refused, nothing written, what was typed kept.
    response = client.post(ask, {"until": "2026-03-30", "reason": "Hospitalisée"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "au plus tard le 29 mars 2026" in body and "Hospitalisée" in body
    assert client.post(ask, {"until": "2026-03-20", "reason": ""}).status_code == 400
    assert BookingDocumentWait.objects.get().ends_on == date(2026, 3, 10)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(ask, {"until": "2026-03-20", "reason": "Hospitalisée"}).status_code == 302
        )
    wait = BookingDocumentWait.objects.get()
    assert (wait.ends_on, wait.extension_asked_on) == (date(2026, 3, 20), date(2026, 3, 6))
    assert wait.extension_reason == "Hospitalisée" and wait.extended
    assert mailoutbox[-1].subject.startswith("Délai prolongé pour vos documents")
    assert "jusqu'au 20 mars 2026" in mailoutbox[-1].body
    page = client.get(manage(booking)).content.decode()
    assert "Besoin de plus de temps ?" not in page
    assert "Vous avez demandé un délai complémentaire le 6 mars 2026" in page
    client.post(ask, {"until": "2026-03-25", "reason": "Encore"})
    assert BookingDocumentWait.objects.get().ends_on == date(2026, 3, 20)
    # The reminder follows the new end.
    assert services.remind_and_flag_document_waits(today=date(2026, 3, 11))["overdue"] == 0
    # A file that is not a PDF, JPEG or PNG is refused; a PDF is kept for the agents.
    send = manage(booking, "appointments:send-document")
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post(send, {"document": fake})
    assert response.status_code == 400 and "Seuls les fichiers PDF" in response.content.decode()
    assert client.post(send, {"document": pdf()}).status_code == 302
    document = BookingDocument.objects.get()
    assert (document.name, document.content_type) == ("passeport.pdf", "application/pdf")
    assert BookingDocumentWait.objects.get().received_on == date(2026, 3, 6)
    page = client.get(manage(booking)).content.decode()
    assert "Nous avons bien reçu vos documents" in page and "passeport.pdf" in page
    assert services.remind_and_flag_document_waits(today=date(2026, 3, 25)) == {
        "reminded": 0,
        "overdue": 0,
    }
    # A cancelled booking takes no more documents.
    services.cancel_booking(booking)
    assert client.post(send, {"document": pdf("autre.pdf")}).status_code == 400
    assert BookingDocument.objects.count() == 1


@time_machine.travel(at(MONDAY), tick=False)
def test_the_page_speaks_english(procedure, client):
    booking = book(procedure)
    page = client.get(manage(booking, prefix="/en")).content.decode()
    assert "Documents to send before the appointment" in page
    assert "Need more time?" in page
    response = client.post(
        manage(booking, "appointments:documents-more-time", prefix="/en"),
        {"until": "2026-03-30", "reason": "Abroad"},
    )
    assert response.status_code == 400
    assert "at the latest on 29 March 2026" in response.content.decode()


@time_machine.travel(at(MONDAY), tick=False)
def test_agents_list_extend_keep_or_cancel_within_their_scope(
    procedure,
    agent,
    agent_other_site,
    outsider,
    client_for,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    first = book(procedure)
    services.remind_and_flag_document_waits(today=date(2026, 3, 11))
    slug = procedure.prefecture.slug
    url = reverse("appointments:agents-documents-overdue", args=[slug])
    client = client_for(agent)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert f'data-booking="{first.reference}"' in page and "10/03/2026" in page
    second = book(procedure, email="e@usager.test", last_name="Martin")
    third = book(procedure, email="f@usager.test", last_name="Bernard")
    services.remind_and_flag_document_waits(today=date(2026, 3, 12))
    with CaptureQueriesContext(connection) as more:
        page = client.get(url).content.decode()
    assert len(more) == len(queries)  # one query for the list, whatever its length
    assert len(queries) == 6  # session, user, roles, his sites and services; the list
    assert page.count("data-booking=") == 3
    assert client_for(outsider).get(url).status_code == 404
    other = client_for(agent_other_site).get(url).content.decode()
    assert "data-booking=" not in other  # another site's agent does not see these
    home = client.get(reverse("organisation:agents-prefecture", args=[slug])).content.decode()
    assert "3 rendez-vous en délai dépassé pour leurs pièces" in home
    decide = lambda b, action: reverse(  # noqa: E731
        "appointments:agents-documents-decide", args=[slug, b.pk, action]
    )
    assert client_for(agent_other_site).post(decide(first, "annuler")).status_code == 404
    # Extend: off the list, the person told.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide(first, "prolonger"),
            {"until": "2026-03-20", "reason": "Appel", "next": "overdue"},
        )
    assert response.status_code == 302 and response.url == url
    wait = BookingDocumentWait.objects.get(booking=first)
    assert (wait.ends_on, wait.overdue_on, wait.extension_reason) == (
        date(2026, 3, 20),
        None,
        "Appel",
    )
    assert mailoutbox[-1].subject.startswith("Délai prolongé")
    # Keep: off the list, the booking stands.
    client.post(decide(second, "maintenir"))
    assert BookingDocumentWait.objects.get(booking=second).kept_by == agent
    # Cancel: the cancellation mail, the seat freed.
    booked = Slot.objects.get(pk=third.slot_id).booked
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide(third, "annuler"))
    third.refresh_from_db()
    assert third.status == BookingStatus.CANCELLED_BY_SERVICE
    assert Slot.objects.get(pk=third.slot_id).booked == booked - 1
    assert mailoutbox[-1].to == ["f@usager.test"]
    assert "annul" in mailoutbox[-1].subject.lower()
    assert "data-booking=" not in client.get(url).content.decode()
    # Nothing left to decide: a second cancel is refused.
    client.post(decide(second, "annuler"))
    assert BookingDocumentWait.objects.get(booking=second).closed is False


@time_machine.travel(at(MONDAY), tick=False)
def test_agents_read_the_documents_on_the_booking_within_their_scope(
    procedure, agent, agent_other_site, outsider, client_for
):
    booking = book(procedure)
    document = documents.add_document(booking, pdf())
    slug = procedure.prefecture.slug
    page = client_for(agent).get(reverse("appointments:agents-booking", args=[slug, booking.pk]))
    assert "passeport.pdf" in page.content.decode()
    download = reverse("appointments:agents-booking-document", args=[slug, booking.pk, document.pk])
    response = client_for(agent).get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 passeport"
    assert response["Content-Type"] == "application/pdf"
    assert client_for(agent_other_site).get(download).status_code == 404
    assert (
        client_for(outsider)
        .get(
            reverse("appointments:agents-booking-document", args=["beta", booking.pk, document.pk])
        )
        .status_code
        == 404
    )


@time_machine.travel(at(MONDAY), tick=False)
def test_agent_dates_follow_the_shared_rule(procedure, agent):
    booking = book(procedure)
    with pytest.raises(services.BookingError, match="après aujourd'hui"):
        documents.extend_wait(booking, actor=agent, until=MONDAY)
    with pytest.raises(services.BookingError, match="moins d'un an"):
        documents.extend_wait(booking, actor=agent, until=MONDAY + timedelta(days=400))
    with pytest.raises(services.BookingError, match="pas en délai dépassé"):
        documents.keep_booking(booking, actor=agent)


def test_the_quality_lead_sets_the_documents_before_on_a_procedure(
    client_for, quality_lead, prefecture, service
):
    procedure = ProcedureFactory(service=service)
    url = reverse("appointments:agents-procedure", args=[prefecture.slug, procedure.pk])
    page = client_for(quality_lead).get(url).content.decode()
    assert "documents à envoyer avant le rendez-vous" in page.lower()
    form = {
        "service": service.pk,
        "name": procedure.name,
        "is_public": "on",
        "duration_minutes": 15,
        "capacity": 1,
        "opens_days_ahead": 60,
        "opens_at": "08:00",
        "closes_hours_before": 2,
        "documents": "Passeport",
        "documents_before": "on",
        "documents_before_days": "",
        "documents_extension_days": 10,
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
    }
    assert client_for(quality_lead).post(url, form).status_code == 302
    procedure.refresh_from_db()
    assert procedure.documents_before
    assert (procedure.documents_before_days, procedure.documents_extension_days) == (8, 10)


@time_machine.travel(at(MONDAY), tick=False)
def test_the_documents_go_with_the_personal_data(
    procedure, settings, django_capture_on_commit_callbacks
):
    """The files go once the purge is committed (a rolled-back erasure keeps them)."""
    booking = book(procedure)
    document = documents.add_document(booking, pdf())
    path = document.file.path
    services.cancel_booking(booking)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.purge_personal_data(now=at(date(2027, 6, 1)), months=12) == 1
    assert not BookingDocument.objects.exists()
    assert Path(path).exists()
    for callback in callbacks:
        callback()
    assert not Path(path).exists()


@time_machine.travel(at(MONDAY), tick=False)
def test_the_names_of_the_files_sent_go_from_the_history_with_the_personal_data(procedure):
    """The booking's history noted each file by the name the person gave it (often her
    own name): once her details are purged, the history keeps that she sent a document."""
    booking = book(procedure)
    documents.add_document(booking, pdf("titre-sejour-rose-lemaire.pdf"))
    other = book(procedure, last_name="Martin", email="martin@usager.test")
    documents.add_document(other, pdf("martin.pdf"))
    services.cancel_booking(booking)
    later = SlotFactory(procedure=procedure, starts_at=at(date(2027, 7, 1)))
    Booking.objects.filter(pk=other.pk).update(slot=later)  # not past the retention yet
    assert services.purge_personal_data(now=at(date(2027, 6, 1)), months=12) == 1
    notes = list(booking.logs.values_list("note", flat=True))
    assert "Document envoyé" in notes and not [n for n in notes if "lemaire" in n]
    assert other.logs.filter(note="Document envoyé : martin.pdf").exists()


@time_machine.travel(at(MONDAY), tick=False)
def test_the_auditor_reads_that_a_document_came_not_its_name(procedure, auditor, client_for):
    booking = book(procedure)
    documents.add_document(booking, pdf("titre-sejour-rose-lemaire.pdf"))
    page = reverse("appointments:agents-booking", args=[procedure.prefecture.slug, booking.pk])
    html = client_for(auditor).get(page).content.decode()
    assert "Document envoyé" in html and "lemaire" not in html


@time_machine.travel(at(MONDAY), tick=False)
def test_a_booking_moved_earlier_awaits_the_documents_before_it(procedure):
    booking = book(procedure)
    earlier = SlotFactory(
        procedure=procedure, starts_at=timezone.make_aware(datetime(2026, 3, 6, 10, 0))
    )
    services.reschedule_booking(booking, earlier)
    wait = BookingDocumentWait.objects.get()
    assert (wait.ends_on, wait.first_ends_on) == (date(2026, 3, 5), date(2026, 3, 5))
    assert documents.extension_limit(wait) == date(2026, 3, 5)


@time_machine.travel(at(MONDAY), tick=False)
def test_a_slot_moved_earlier_by_the_service_awaits_the_documents_before_it(procedure, agent):
    # The service moved the whole slot to 6 March: the documents were still awaited until
    # a day after the appointment (only a booking moved on its own had its wait brought
    # before it).
    booking = book(procedure)
    before = BookingDocumentWait.objects.get().ends_on
    services.move_slot(booking.slot, timezone.make_aware(datetime(2026, 3, 6, 10, 0)), actor=agent)
    wait = BookingDocumentWait.objects.get()
    assert before > date(2026, 3, 5)
    assert (wait.ends_on, wait.first_ends_on) == (date(2026, 3, 5), date(2026, 3, 5))


@time_machine.travel(at(MONDAY), tick=False)
def test_the_extension_mail_writes_its_date_as_the_person_reads_it(
    procedure, agent, mailoutbox, django_capture_on_commit_callbacks
):
    """ "jusqu'au 1er avril 2026", not "1 avril"; in Ukrainian the month's genitive
    ("1 квітня", not "1 Квітень"), in Spanish "1 de abril de 2026"."""
    later = datetime(2026, 4, 20, 10, 0)
    french = book(procedure, later)
    ukrainian = book(procedure, later, email="o@usager.test")
    ukrainian.language = "uk"
    ukrainian.save(update_fields=["language"])
    spanish = book(procedure, later, email="e@usager.test")
    spanish.language = "es"
    spanish.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        for booking in (french, ukrainian, spanish):
            documents.extend_wait(booking, actor=agent, until=date(2026, 4, 1))
    bodies = {mail.to[0]: mail.body for mail in mailoutbox[-3:]}
    assert "jusqu'au 1er avril 2026." in bodies["amina@usager.test"]
    assert "1 квітня 2026" in bodies["o@usager.test"]
    assert "1 de abril de 2026" in bodies["e@usager.test"]


@time_machine.travel(at(MONDAY), tick=False)
def test_the_reason_the_person_gave_for_more_time_is_hers(procedure, auditor, agent, client_for):
    """Asking for more time, the person writes why (her health, her family): the staff
    read it; the auditor reads that more time was given, not why; the purge forgets it
    with her name, in the wait and in the booking's history."""
    booking = book(procedure)
    documents.ask_for_more_time(booking, until=date(2026, 3, 20), reason="Hospitalisée")
    slug = procedure.prefecture.slug
    page = reverse("appointments:agents-booking", args=[slug, booking.pk])
    assert "Hospitalisée" in client_for(agent).get(page).content.decode()
    html = client_for(auditor).get(page).content.decode()
    assert "Délai complémentaire demandé par la personne" in html and "Hospitalisée" not in html
    services.cancel_booking(booking)
    assert services.purge_personal_data(now=at(date(2027, 6, 1)), months=12) == 1
    assert BookingDocumentWait.objects.get(booking=booking).extension_reason == ""
    notes = " ".join(booking.logs.values_list("note", flat=True))
    assert "Délai complémentaire demandé par la personne" in notes and "Hospitalisée" not in notes

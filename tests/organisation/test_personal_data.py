"""A person's rights over her data, done by the agents: find what the prefecture holds
about her in every area, hand it over (PDF statement, CSV export), erase it on request,
and the log of those requests (GDPR arts. 12, 15 to 17)."""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.appointments.models import Booking, WaitlistEntry
from engagements.committee.models import Seat
from engagements.correspondence.enums import ClosedReason, Status
from engagements.correspondence.models import Message
from engagements.organisation import rights
from engagements.organisation.models import RightsRequest
from engagements.outbox.enums import Kind
from engagements.outbox.enums import Status as DeliveryStatus
from engagements.outbox.models import Delivery
from engagements.shell import personal_data
from engagements.shell.personal_data import Person, PersonalDataSource
from tests.appointments.factories import BookingFactory, SlotFactory, WaitlistEntryFactory
from tests.committee.factories import CommitteeFactory, SeatFactory
from tests.correspondence.factories import MessageFactory
from tests.outbox.agent_urls import failed_delivery
from tests.tooling import pdf_text

EMAIL = "Camille.Martin@Exemple.fr"
PHONE = "06 12 34 56 78"
TODAY = date(2026, 12, 7)


def _url(prefecture, name="agents-personal-data"):
    return reverse(f"organisation:{name}", args=[prefecture.slug])


def _form(**fields):
    return {"email": EMAIL, "phone": "", "reference": "", "received_on": "2026-12-01", **fields}


@pytest.fixture
def held(prefecture, service, other_prefecture_service):
    """Camille's records in prefecture A (each area), and the same address in prefecture B."""
    past = timezone.now() - timedelta(days=10)
    records = {
        "open_message": MessageFactory(
            service=service, sender_email="camille.martin@exemple.fr", sender_name="Camille Martin"
        ),
        "answered_message": MessageFactory(
            service=service,
            sender_email="",
            sender_phone="+33 6 12 34 56 78",
            sender_name="Camille Martin",
            body="Mon titre de séjour expire le mois prochain.",
            answered_on_time=True,
        ),
        "past_booking": BookingFactory(
            slot=SlotFactory(procedure__service=service, starts_at=past),
            email="CAMILLE.MARTIN@exemple.fr",
            first_name="Camille",
            last_name="Martin",
            attended=True,
        ),
        "coming_booking": BookingFactory(
            slot=SlotFactory(procedure__service=service),
            email="",
            phone="0612345678",
            first_name="Camille",
            last_name="Martin",
        ),
        "ended_entry": WaitlistEntryFactory(
            procedure__service=service, email="camille.martin@exemple.fr", status="left"
        ),
        "seat": SeatFactory(
            committee=CommitteeFactory(prefecture=prefecture),
            email="camille.martin@exemple.fr",
            mandate_end=date(2025, 12, 31),
        ),
        "delivery": failed_delivery(
            prefecture, to=["camille.martin@exemple.fr"], status=DeliveryStatus.SENT
        ),
        "sms": failed_delivery(prefecture, to=["+33612345678"]),
        # Someone else, and Camille in another prefecture: never shown, never touched.
        "someone_else": MessageFactory(service=service, sender_email="autre@exemple.fr"),
        "elsewhere": MessageFactory(
            service=other_prefecture_service, sender_email="camille.martin@exemple.fr"
        ),
        "elsewhere_booking": BookingFactory(
            slot=SlotFactory(procedure__service=other_prefecture_service, starts_at=past),
            email="camille.martin@exemple.fr",
        ),
    }
    Delivery.objects.filter(pk=records["sms"].pk).update(kind=Kind.SMS)
    return records


def _found(prefecture, **person):
    found = rights.find(prefecture, Person.of(**person))
    return {f.source.code: [r.pk for r in f.records] for f in found}


@pytest.mark.django_db
def test_finds_the_person_in_every_area_of_this_prefecture_only(prefecture, held):
    found = _found(prefecture, email=EMAIL, phone=PHONE)
    assert sorted(found["correspondence"]) == sorted(
        [held["open_message"].pk, held["answered_message"].pk]
    )
    assert sorted(found["bookings"]) == sorted([held["past_booking"].pk, held["coming_booking"].pk])
    assert found["waitlist"] == [held["ended_entry"].pk]
    assert found["committee"] == [held["seat"].pk]
    assert sorted(found["outbox"]) == sorted([held["delivery"].pk, held["sms"].pk])
    # Each area's ids are its own table's (a booking and a message may share an id).
    assert held["someone_else"].pk not in found["correspondence"]
    assert held["elsewhere"].pk not in found["correspondence"]
    assert held["elsewhere_booking"].pk not in found["bookings"]


@pytest.mark.django_db
def test_the_phone_alone_finds_what_holds_the_number(prefecture, held):
    found = _found(prefecture, phone="+33 (0)6 12 34 56 78".replace("(0)", ""))
    assert found["correspondence"] == [held["answered_message"].pk]
    assert found["bookings"] == [held["coming_booking"].pk]
    assert found["outbox"] == [held["sms"].pk]
    assert found["committee"] == [] and found["waitlist"] == []


@pytest.mark.django_db
def test_a_reference_finds_a_purged_record_shown_as_purged(prefecture, held):
    booking = held["past_booking"]
    Booking.objects.filter(pk=booking.pk).update(
        email="", email_key="", first_name="", last_name="", purged_at=timezone.now()
    )
    found = rights.find(prefecture, Person.of(email="x@y.fr", reference=booking.reference))
    [record] = next(f for f in found if f.source.code == "bookings").records
    assert record.purged and not record.erasable


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("quality_lead", 200),
        ("national_admin", 200),
        ("site_manager", 403),
        ("agent", 403),
        ("committee_member", 403),
        ("auditor", 403),
        ("outsider", 404),
    ],
)
def test_only_the_quality_lead_and_national_admins_open_it(
    request, role, status, prefecture, held, client_for
):
    client = client_for(request.getfixturevalue(role))
    assert client.get(_url(prefecture)).status_code == status
    assert client.post(_url(prefecture), _form()).status_code == status
    for name in ("statement", "export", "erase"):
        response = client.post(_url(prefecture, f"agents-personal-data-{name}"), _form(confirm="1"))
        assert response.status_code in ({200, 302} if status == 200 else {status}), name
    if status != 200:
        assert not RightsRequest.objects.exists()
        assert Message.objects.get(pk=held["answered_message"].pk).purged_at is None


@pytest.mark.django_db
def test_the_page_lists_the_records_by_area(prefecture, held, quality_lead, client_for):
    response = client_for(quality_lead).post(_url(prefecture), _form(phone=PHONE))
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Courriers et courriels (2)",
        "Rendez-vous (2)",
        "Listes d&#x27;attente (1)",
        "Comité des usagers (1)",
        "Courriels et SMS envoyés (2)",
        held["open_message"].reference,
        "Demande en cours de traitement",
        "Rendez-vous à venir : annulez-le d&#x27;abord.",
    ):
        assert text in page, text
    assert "autre@exemple.fr" not in page
    # Her address is never in an address of the page (server logs).
    assert "exemple.fr" not in response.wsgi_request.get_full_path()


@pytest.mark.django_db
@time_machine.travel(timezone.make_aware(timezone.datetime(2026, 12, 7, 10)), tick=False)
def test_the_statement_reads_back_addressed_to_her_with_labels_and_french_dates(
    prefecture, held, quality_lead, client_for
):
    response = client_for(quality_lead).post(
        _url(prefecture, "agents-personal-data-statement"), _form(phone=PHONE)
    )
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    for expected in (
        "Relevé des données personnelles",
        prefecture.name.upper(),
        "Camille Martin",
        "camille.martin@exemple.fr",
        "le 1er décembre 2026",
        "Courriers et courriels",
        held["answered_message"].reference,
        "Mon titre de séjour expire le mois prochain.",
        "Rendez-vous",
        "Vous proposer un créneau libéré",
        "Courriel envoyé",
        "CNIL",
        "www.cnil.fr",
        "dans un délai d'un mois",
    ):
        assert expected in text, expected
    # Labels, never the stored codes.
    for code in ("answered", "attended", "confirmed", "left", "titulaire"):
        assert f" {code} " not in f" {text} "
    assert "autre@exemple.fr" not in text
    [logged] = RightsRequest.objects.all()
    assert logged.kind == RightsRequest.Kind.ACCESS
    assert logged.received_on == date(2026, 12, 1)
    assert logged.answer_due == date(2027, 1, 1)
    assert logged.done_by == quality_lead and logged.done_at is not None
    assert logged.counts["Rendez-vous"] == 2
    assert "camille" not in str(logged.__dict__).lower()
    assert "0612345678" not in str(logged.__dict__)


@pytest.mark.django_db
def test_the_export_parses_back_one_line_per_value(prefecture, held, quality_lead, client_for):
    response = client_for(quality_lead).post(
        _url(prefecture, "agents-personal-data-export"), _form()
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    booking = held["past_booking"]
    mine = [r for r in rows if r["reference"] == booking.reference]
    assert {"donnee": "Courriel", "valeur": "CAMILLE.MARTIN@exemple.fr"}.items() <= next(
        r for r in mine if r["donnee"] == "Courriel"
    ).items()
    assert all(r["domaine"] == "Rendez-vous" for r in mine)
    assert mine[0]["date"] == timezone.localtime(booking.slot.starts_at).date().isoformat()
    assert {r["domaine"] for r in rows} == {
        "Courriers et courriels",
        "Rendez-vous",
        "Listes d'attente",
        "Comité des usagers",
        "Courriels et SMS envoyés",
    }
    assert RightsRequest.objects.get().kind == RightsRequest.Kind.ACCESS


@pytest.mark.django_db
def test_erasure_anonymises_what_may_go_and_leaves_what_is_in_use(
    prefecture, held, quality_lead, client_for, django_capture_on_commit_callbacks
):
    counted = Message.objects.filter(prefecture=prefecture).count()
    client = client_for(quality_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(prefecture, "agents-personal-data-erase"), _form(phone=PHONE, confirm="1")
        )
    assert response.status_code == 200
    answered = Message.objects.get(pk=held["answered_message"].pk)
    assert answered.purged_at is not None
    assert (answered.sender_name, answered.sender_phone, answered.body) == ("", "", "")
    assert answered.status == Status.ANSWERED and answered.answered_on is not None
    past = Booking.objects.get(pk=held["past_booking"].pk)
    assert (past.first_name, past.email, past.email_key) == ("", "", "")
    assert past.purged_at is not None and past.status == "attended"
    assert not WaitlistEntry.objects.filter(pk=held["ended_entry"].pk).exists()
    seat = Seat.objects.get(pk=held["seat"].pk)
    assert seat.email == "" and seat.last_name == held["seat"].last_name
    assert not Delivery.objects.filter(pk__in=[held["delivery"].pk, held["sms"].pk]).exists()
    # Left: the request being handled, the appointment to come.
    assert Message.objects.get(pk=held["open_message"].pk).sender_email
    assert Booking.objects.get(pk=held["coming_booking"].pk).phone == "0612345678"
    # Others' data and the figures stay.
    assert Message.objects.get(pk=held["someone_else"].pk).sender_email == "autre@exemple.fr"
    assert Message.objects.get(pk=held["elsewhere"].pk).purged_at is None
    assert Booking.objects.get(pk=held["elsewhere_booking"].pk).email
    assert Message.objects.filter(prefecture=prefecture).count() == counted
    logged = RightsRequest.objects.get()
    assert logged.kind == RightsRequest.Kind.ERASURE and logged.done_at is None
    assert logged.counts == {
        "Courriers et courriels": 1,
        "Rendez-vous": 1,
        "Listes d'attente": 1,
        "Comité des usagers": 1,
        "Courriels et SMS envoyés": 2,
    }
    assert logged.left == {"Courriers et courriels": 1, "Rendez-vous": 1}
    page = client.get(_url(prefecture)).content.decode()
    assert "en cours" in page


@pytest.mark.django_db
def test_erasing_again_once_the_records_ended_completes_the_same_request(
    prefecture, held, quality_lead
):
    person = Person.of(email=EMAIL, phone=PHONE)
    rights.erase(prefecture, person, received_on=TODAY, actor=quality_lead)
    Message.objects.filter(pk=held["open_message"].pk).update(
        status=Status.CLOSED, closed_on=TODAY, closed_reason=ClosedReason.SPAM
    )
    Booking.objects.filter(pk=held["coming_booking"].pk).update(status="cancelled")
    again = rights.erase(prefecture, person, received_on=TODAY, actor=quality_lead)
    assert again.left == []
    logged = again.request
    assert logged.done_at is not None and logged.left == {}
    assert RightsRequest.objects.count() == 1
    # The log counts what both runs erased, not only the last one's.
    assert logged.counts["Courriers et courriels"] == 2
    assert logged.counts["Rendez-vous"] == 2
    assert logged.counts["Listes d'attente"] == 1


@pytest.mark.django_db
def test_a_failure_mid_erasure_writes_nothing(prefecture, held, quality_lead):
    def fail(prefecture, records):
        raise RuntimeError("disk full")

    personal_data.register_personal_data_source(
        PersonalDataSource(
            code="failing",
            label="Échec",
            find=lambda prefecture, person: personal_data.personal_data_sources()[0].find(
                prefecture, person
            ),
            erase=fail,
            order=25,  # after the register and the bookings
        )
    )
    try:
        with pytest.raises(RuntimeError):
            rights.erase(
                prefecture, Person.of(email=EMAIL, phone=PHONE), received_on=TODAY, actor=None
            )
    finally:
        personal_data.unregister_personal_data_source("failing")
    assert Message.objects.get(pk=held["answered_message"].pk).purged_at is None
    assert Booking.objects.get(pk=held["past_booking"].pk).email
    assert not RightsRequest.objects.exists()


@pytest.mark.django_db
def test_erasure_needs_the_box_ticked(prefecture, held, quality_lead, client_for):
    response = client_for(quality_lead).post(
        _url(prefecture, "agents-personal-data-erase"), _form()
    )
    assert response.status_code == 200
    assert "Cochez la case" in response.content.decode()
    assert Booking.objects.get(pk=held["past_booking"].pk).email


@pytest.mark.django_db
def test_the_daily_purges_and_the_erasure_take_one_way(prefecture, held):
    """The register's and the bookings' daily purges call the same function per record as
    an erasure (purge_message, purge_bookings): what one blanks, the other does."""
    from engagements.appointments.services.sweeps import purge_personal_data
    from engagements.correspondence.services.messages import purge_personal_data as purge_register

    with time_machine.travel(timezone.now() + timedelta(days=365 * 3)):
        assert purge_register() >= 1
        assert purge_personal_data() >= 1
    answered = Message.objects.get(pk=held["answered_message"].pk)
    assert answered.purged_at and not answered.body
    assert not Booking.objects.get(pk=held["past_booking"].pk).email


@pytest.mark.django_db
def test_the_log_flags_late_requests_and_is_purged_after_the_retention(
    prefecture, quality_lead, client_for, settings
):
    settings.RIGHTS_REQUEST_RETENTION_YEARS = 3
    person = Person.of(email=EMAIL)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2023, 3, 1, 10)), tick=False):
        old = rights.hand_over(prefecture, person, received_on=date(2023, 1, 31), actor=None)[1]
    assert old.answer_due == date(2023, 2, 28)
    assert rights.is_late(old)  # answered on 1 March, after the month
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 12, 7, 10)), tick=False):
        on_time = rights.hand_over(prefecture, person, received_on=date(2026, 12, 1), actor=None)[1]
        assert not rights.is_late(on_time)
        page = client_for(quality_lead).get(_url(prefecture)).content.decode()
        assert page.count("en retard") == 1
        assert rights.purge_rights_requests() == 1
    assert list(RightsRequest.objects.all()) == [on_time]


@pytest.mark.django_db
def test_the_page_reads_the_log_in_a_fixed_number_of_queries(
    prefecture, quality_lead, client_for, django_assert_max_num_queries
):
    for n in range(30):
        RightsRequest.objects.create(
            prefecture=prefecture,
            kind=RightsRequest.Kind.ACCESS,
            person_hash=str(n),
            received_on=TODAY,
            answer_due=TODAY,
            done_by=quality_lead,
            done_at=timezone.now(),
            counts={"Rendez-vous": 1},
        )
    client = client_for(quality_lead)
    client.get(_url(prefecture))
    with django_assert_max_num_queries(12):
        response = client.get(_url(prefecture))
    assert response.content.decode().count("Accès à ses données") == 30


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "elle vous répond dans un délai d'un mois"),
        ("en", "it answers within one month"),
    ],
)
def test_the_privacy_page_says_the_answer_comes_within_a_month(client, language, text):
    from django.utils import translation

    with translation.override(language):
        url = reverse("home:privacy")
    assert text in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_statement_and_the_export_answer_one_request(
    prefecture, held, quality_lead, client_for
):
    client = client_for(quality_lead)
    client.post(_url(prefecture, "agents-personal-data-statement"), _form())
    client.post(_url(prefecture, "agents-personal-data-export"), _form())
    assert RightsRequest.objects.count() == 1


@pytest.mark.django_db
def test_the_mails_copies_are_listed_without_their_text(prefecture, held):
    """A mail about a booking holds its secret links: the agent never reads them there."""
    Delivery.objects.filter(pk=held["delivery"].pk).update(body="Gérer : https://x.test/t0k3n")
    found = rights.find(prefecture, Person.of(email=EMAIL))
    [mail] = [r for f in found if f.source.code == "outbox" for r in f.records]
    assert "t0k3n" not in str(mail.fields) and ("Objet", "Votre demande") in mail.fields


@pytest.mark.django_db
def test_a_rolled_back_erasure_keeps_the_files(
    prefecture, held, quality_lead, django_capture_on_commit_callbacks
):
    """The attachments' files go once the erasure is committed, never before."""
    from django.core.files.base import ContentFile

    from engagements.correspondence.models import Attachment

    attachment = Attachment(
        message=held["answered_message"], name="titre.pdf", content_type="application/pdf", size=4
    )
    attachment.file.save("titre.pdf", ContentFile(b"%PDF"), save=True)
    path = Path(attachment.file.path)
    register = personal_data._sources["correspondence"]
    personal_data.register_personal_data_source(
        PersonalDataSource(  # runs after the register's erasure, then fails
            code="failing", label="Échec", find=register.find, erase=lambda *a: 1 / 0, order=99
        )
    )
    try:
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError):
            rights.erase(prefecture, Person.of(phone=PHONE), received_on=TODAY, actor=quality_lead)
    finally:
        personal_data.unregister_personal_data_source("failing")
    assert path.exists()
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        rights.erase(prefecture, Person.of(phone=PHONE), received_on=TODAY, actor=quality_lead)
    assert not path.exists()


@pytest.mark.django_db
def test_mails_to_check_are_found_by_their_sender_and_erased_once_resolved(
    prefecture, site, service, quality_lead
):
    from engagements.correspondence.enums import QuarantineStatus
    from engagements.correspondence.models import Mailbox, QuarantinedMail

    mailbox = Mailbox.objects.create(
        prefecture=prefecture, site=site, service=service, label="Boîte", host="h", username="u",
        password="p",
    )  # fmt: skip

    def mail(sender, status=QuarantineStatus.PENDING):
        return QuarantinedMail.objects.create(
            mailbox=mailbox, sender=sender, raw="correspondence/x.eml", error="trop gros",
            status=status,
        )  # fmt: skip

    pending = mail("Camille Martin <camille.martin@exemple.fr>")
    resolved = mail("camille.martin@EXEMPLE.fr", QuarantineStatus.DISCARDED)
    longer = mail("Autre <xcamille.martin@exemple.fr>", QuarantineStatus.DISCARDED)
    found = _found(prefecture, email=EMAIL)
    assert sorted(found["quarantine"]) == sorted([pending.pk, resolved.pk])
    erasure = rights.erase(
        prefecture, Person.of(email=EMAIL), received_on=TODAY, actor=quality_lead
    )
    assert erasure.request.counts == {"Courriels reçus à vérifier": 1}
    assert [r.pk for area in erasure.left for r in area.blocked] == [pending.pk]
    assert set(QuarantinedMail.objects.values_list("pk", flat=True)) == {pending.pk, longer.pk}


@pytest.mark.django_db
@time_machine.travel(timezone.make_aware(timezone.datetime(2026, 12, 7, 10)), tick=False)
def test_erasure_shows_at_once_what_was_erased_and_what_was_kept_and_why(
    prefecture, held, quality_lead, client_for
):
    """After « Effacer » the page redirected to an empty search: the agent had to search
    again to see what remained. The outcome is shown at once, above what is still held."""
    client = client_for(quality_lead)
    response = client.post(
        _url(prefecture, "agents-personal-data-erase"), _form(phone=PHONE, confirm="1")
    )
    assert response.status_code == 200
    page = response.content.decode()
    outcome = page.split('id="erasure-outcome"', 1)[1].split("Ce que la préfecture détient", 1)[0]
    assert "Effacement fait : 6 enregistrements anonymisés" in outcome
    assert "Rendez-vous : 1" in outcome and "Listes d&#x27;attente : 1" in outcome
    assert held["answered_message"].reference in outcome
    kept = outcome.split("Gardé pour l'instant, et pourquoi", 1)[1]
    assert held["open_message"].reference in kept
    assert held["coming_booking"].reference in kept
    assert "réponse due le 1 janvier 2027" in kept
    # What is still held, listed below, without searching again: the two records left.
    still = page.split("Ce que la préfecture détient encore", 1)[1].split("Demandes reçues")[0]
    assert held["coming_booking"].reference in still
    assert held["answered_message"].reference not in still
    # The page sent again (a refresh) erases nothing more and logs no second request.
    again = client.post(
        _url(prefecture, "agents-personal-data-erase"), _form(phone=PHONE, confirm="1")
    )
    assert "Rien n'est effacé pour l'instant" in again.content.decode()
    logged = RightsRequest.objects.get()
    assert sum(logged.counts.values()) == 6


@pytest.mark.django_db
def test_a_finished_erasure_sent_again_logs_no_second_request(prefecture, quality_lead):
    person = Person.of(email="personne@exemple.fr")
    first = rights.erase(prefecture, person, received_on=TODAY, actor=quality_lead)
    again = rights.erase(prefecture, person, received_on=TODAY, actor=quality_lead)
    assert first.request.done_at is not None and again.request == first.request
    assert RightsRequest.objects.count() == 1


@pytest.mark.django_db
def test_the_deadline_is_extended_by_two_months_at_most_within_the_first_month(
    prefecture, held, quality_lead
):
    """GDPR art. 12.3: the month may be extended by two further months where necessary,
    the person told within the first month, with the reasons."""
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 12, 7, 10)), tick=False):
        request = rights.erase(
            prefecture, Person.of(email=EMAIL, phone=PHONE), received_on=date(2026, 11, 30),
            actor=quality_lead,
        ).request  # fmt: skip
        assert request.answer_due == date(2026, 12, 30) and request.done_at is None
        assert rights.latest_extension(request) == date(2027, 2, 28)  # 30 February: the 28th
        for until, reason, message in (
            (date(2027, 2, 28), "  ", "Donnez le motif"),
            (date(2027, 3, 1), "Dossier complexe", "le 28 février 2027 au plus tard"),
            (date(2026, 12, 30), "Dossier complexe", "suit l'échéance d'un mois"),
        ):
            with pytest.raises(rights.RightsError, match=message):
                rights.extend_deadline(request, until=until, reason=reason, actor=quality_lead)
        extended = rights.extend_deadline(
            request, until=date(2027, 2, 28), reason="Archives à consulter", actor=quality_lead
        )
        assert (extended.due, extended.extension_reason) == (
            date(2027, 2, 28),
            "Archives à consulter",
        )
        with pytest.raises(rights.RightsError, match="déjà prolongé"):
            rights.extend_deadline(
                extended, until=date(2027, 2, 1), reason="Encore", actor=quality_lead
            )
    # The late flag reads the extended date: open on 15 January, not late; on 1 March, late.
    with time_machine.travel(timezone.make_aware(timezone.datetime(2027, 1, 15, 10)), tick=False):
        assert not rights.is_late(extended)
    assert rights.is_late(extended, date(2027, 3, 1))
    # Past the first month, too late to extend.
    late = RightsRequest.objects.create(
        prefecture=prefecture, kind=RightsRequest.Kind.ERASURE, person_hash="x",
        received_on=date(2026, 10, 1), answer_due=date(2026, 11, 1),
    )  # fmt: skip
    with pytest.raises(rights.RightsError, match="Trop tard pour prolonger"):
        rights.extend_deadline(
            late, until=date(2026, 12, 1), reason="Complexe", actor=None, today=date(2026, 11, 2)
        )


@pytest.mark.django_db
@time_machine.travel(timezone.make_aware(timezone.datetime(2026, 12, 7, 10)), tick=False)
def test_the_page_extends_a_request_and_shows_it_in_the_log(prefecture, quality_lead, client_for):
    request = RightsRequest.objects.create(
        prefecture=prefecture, kind=RightsRequest.Kind.ERASURE, person_hash="x",
        received_on=date(2026, 11, 30), answer_due=date(2026, 12, 30),
    )  # fmt: skip
    client = client_for(quality_lead)
    page = client.get(_url(prefecture)).content.decode()
    assert "Prolonger un délai" in page
    assert f'name="x{request.pk}-until" value="2027-02-28"' in page
    url = reverse("organisation:agents-personal-data-extend", args=[prefecture.slug, request.pk])
    # Refused: the person not told; what was typed is kept, the reason explained in French.
    refused = client.post(
        url, {f"x{request.pk}-until": "2027-02-15", f"x{request.pk}-reason": "Archives"}
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Informez la personne de la prolongation" in text and "\nArchives</textarea>" in text
    request.refresh_from_db()
    assert request.extended_until is None
    done = client.post(
        url,
        {
            f"x{request.pk}-until": "2027-02-15",
            f"x{request.pk}-reason": "Archives à consulter",
            f"x{request.pk}-informed": "on",
        },
    )
    assert done.status_code == 302
    page = client.get(_url(prefecture)).content.decode()
    assert "15 février 2027" in page and "motif : Archives à consulter" in page
    assert "au lieu du 30 décembre 2026" in page
    assert "Prolonger un délai" not in page  # once only


@pytest.mark.django_db
def test_another_prefectures_request_is_not_extended(
    prefecture, other_prefecture, quality_lead, client_for
):
    request = RightsRequest.objects.create(
        prefecture=other_prefecture, kind=RightsRequest.Kind.ERASURE, person_hash="x",
        received_on=TODAY, answer_due=rights.one_month_after(TODAY),
    )  # fmt: skip
    url = reverse("organisation:agents-personal-data-extend", args=[prefecture.slug, request.pk])
    response = client_for(quality_lead).post(
        url,
        {
            f"x{request.pk}-until": "2027-02-15",
            f"x{request.pk}-reason": "A",
            f"x{request.pk}-informed": "on",
        },
    )
    assert response.status_code == 404

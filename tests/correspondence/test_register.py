"""The register's write paths: references, due dates, state machine, duplicates, purge."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from engagements.correspondence import services
from engagements.correspondence.enums import ClosedReason, EventKind, Kind, Status
from engagements.correspondence.models import Message, RegisterSettings
from engagements.organisation.enums import Channel
from tests.correspondence.factories import MessageFactory
from tests.factories import ClosureFactory

pytestmark = pytest.mark.django_db


def create(prefecture, service, **kwargs):
    values = {
        "site": service.site,
        "service": service,
        "channel": Channel.EMAIL,
        "kind": Kind.INFORMATION,
        "received_on": date(2026, 3, 2),
        "sender_email": "lea.martin@example.test",
        "sender_name": "Léa Martin",
        "subject": "Renouvellement de mon titre de séjour",
    }
    values.update(kwargs)
    return services.create_message(prefecture, **values)


def test_references_are_gapless_per_prefecture_and_year(
    prefecture, service, other_prefecture_service
):
    first = create(prefecture, service, sender_email="a@example.test", subject="Un")
    second = create(prefecture, service, sender_email="b@example.test", subject="Deux")
    next_year = create(prefecture, service, received_on=date(2027, 1, 4), subject="Trois")
    elsewhere = create(
        other_prefecture_service.site.prefecture, other_prefecture_service, subject="Quatre"
    )
    assert [first.reference, second.reference] == ["2026-000001", "2026-000002"]
    assert next_year.reference == "2027-000001"
    assert elsewhere.reference == "2026-000001"


def test_a_rolled_back_creation_gives_its_number_back(prefecture, service, other_service):
    with pytest.raises(services.RegisterError):
        # The service does not belong to the site: refused before any number is taken.
        create(prefecture, other_service, site=service.site)
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        create(prefecture, service)
        raise RuntimeError("the insert's transaction fails")
    assert create(prefecture, service).reference == "2026-000001"


def test_due_date_counts_working_days_skipping_weekends_holidays_and_closures(prefecture, service):
    # Thursday 30 April 2026; 1 May (Friday) is a holiday, 4 May a local closure.
    ClosureFactory(prefecture=prefecture, date=date(2026, 5, 4), label="Inventaire")
    message = create(prefecture, service, received_on=date(2026, 4, 30))
    # 5 working days after: 5, 6, 7 (8 May is a holiday), 11, 12 May.
    assert message.deadline_days == 5
    assert message.due_on == date(2026, 5, 12)
    letter = create(
        prefecture,
        service,
        channel=Channel.LETTER,
        received_on=date(2026, 4, 30),
        sender_email="",
        sender_address="3 rue Haute, 75001 Paris",
    )
    # 10 working days: 5, 6, 7, 11, 12, 13, 15 (14 May is Ascension), 18, 19, 20 May.
    assert letter.due_on == date(2026, 5, 20)


def test_acknowledgement_is_mailed_after_commit_with_the_due_date(
    prefecture, service, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = create(prefecture, service)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["lea.martin@example.test"]
    assert message.reference in mail.subject
    # The due date: 5 working days after Monday 2 March.
    assert "au plus tard le 9 mars 2026." in mail.body
    assert service.name in mail.body
    message.refresh_from_db()
    assert message.acknowledged_at is not None
    assert message.events.filter(kind=EventKind.ACKNOWLEDGED).exists()


def test_no_acknowledgement_mail_for_a_letter(
    prefecture, service, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create(prefecture, service, channel=Channel.LETTER, sender_address="1 rue X")
    assert mailoutbox == []


def test_state_machine_logs_each_transition_and_refuses_illegal_ones(prefecture, service, agent):
    message = create(prefecture, service)
    message = services.assign_message(message, agent=agent, actor=agent)
    services.answer_message(
        message,
        actor=agent,
        subject="Réponse",
        text="Voici la réponse.",
        channel="email",
        answered_on=date(2026, 3, 4),
        send=False,
    )
    message.refresh_from_db()
    assert message.status == Status.ANSWERED
    transitions = list(message.events.exclude(to_status="").values_list("from_status", "to_status"))
    assert transitions == [("", "new"), ("new", "assigned"), ("assigned", "answered")]
    with pytest.raises(services.RegisterError, match="Répondu"):
        services.close_message(message, reason=ClosedReason.SPAM, actor=agent)
    with pytest.raises(services.RegisterError):
        services.assign_message(message, agent=agent, actor=agent)


def test_no_documents_is_not_a_reason_to_close_by_hand(
    prefecture, service, agent, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    """The reason "Pièces non reçues" closes a wait for documents, with the closing letter;
    the plain "Clore sans réponse" offered it on every message and told the person nothing."""
    message = create(prefecture, service)
    client = client_for(agent)
    page = client.get(reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk]))
    reasons = dict(page.context["close_form"].fields["reason"].choices)
    assert ClosedReason.NO_DOCUMENTS not in reasons
    services.request_documents(message, actor=agent, documents="Passeport")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("correspondence:agents-close", args=[prefecture.slug, message.pk]),
            {"reason": ClosedReason.NO_DOCUMENTS},
        )
    message.refresh_from_db()
    assert message.status == Status.WAITING and mailoutbox == []
    with pytest.raises(services.RegisterError, match="Pièces non reçues"):
        services.close_message(message, reason=ClosedReason.NO_DOCUMENTS, actor=agent)


def test_the_duplicate_warning_states_the_prefecture_s_window(
    prefecture, service, agent, client_for
):
    """The warning said "dans les 10 jours ouvrés" whatever the register's setting."""
    RegisterSettings.objects.create(prefecture=prefecture, duplicate_window=15)
    create(prefecture, service, subject="Renouvellement titre de séjour bloqué")
    again = create(
        prefecture,
        service,
        received_on=date(2026, 3, 19),  # 13 working days later
        subject="Renouvellement de titre de séjour toujours bloqué",
    )
    assert again.suspected_duplicate_of is not None
    page = client_for(agent).get(
        reverse("correspondence:agents-detail", args=[prefecture.slug, again.pk])
    )
    assert "Même usager, objet proche, dans les 15 jours ouvrés." in page.content.decode()


def test_closing_then_reopening(prefecture, service, agent):
    message = create(prefecture, service)
    services.close_message(message, reason=ClosedReason.WITHDRAWN, actor=agent, note="Appel")
    message.refresh_from_db()
    assert (message.status, message.closed_reason) == (Status.CLOSED, ClosedReason.WITHDRAWN)
    with pytest.raises(services.RegisterError):
        services.close_message(message, reason="", actor=agent)
    services.reopen_message(message, actor=agent)
    message.refresh_from_db()
    assert message.status == Status.NEW and message.closed_reason == ""


def test_same_sender_similar_subject_within_ten_working_days_is_flagged(prefecture, service, agent):
    first = create(prefecture, service, subject="Renouvellement titre de séjour bloqué")
    again = create(
        prefecture,
        service,
        received_on=date(2026, 3, 13),
        subject="RE: renouvellement de titre de séjour toujours bloqué",
    )
    other_subject = create(
        prefecture, service, received_on=date(2026, 3, 13), subject="Permis de conduire perdu"
    )
    much_later = create(
        prefecture,
        service,
        received_on=date(2026, 4, 20),
        subject="Renouvellement titre de séjour bloqué",
    )
    assert again.suspected_duplicate_of == first
    assert other_subject.suspected_duplicate_of is None
    assert much_later.suspected_duplicate_of is None

    services.merge_duplicate(again, original=first, actor=agent)
    again.refresh_from_db()
    assert again.status == Status.CLOSED
    assert again.closed_reason == ClosedReason.DUPLICATE
    assert again.duplicate_of == first
    assert first.events.filter(kind=EventKind.MERGED).exists()


def test_purge_blanks_personal_data_after_retention_but_keeps_counts(prefecture, service):
    RegisterSettings.objects.create(prefecture=prefecture, retention_years=2)
    old = MessageFactory(
        service=service, answered_on_time=True, received_on=date(2023, 3, 1), sender_phone="06"
    )
    recent = MessageFactory(service=service, answered_on_time=True, received_on=date(2025, 6, 2))
    still_open = MessageFactory(service=service, received_on=date(2022, 1, 3))
    services.comment_message(old, actor=None, text="Rappelée au 06 12 34 56 78")
    with time_machine.travel(date(2026, 3, 10)):
        assert services.purge_personal_data() == 1
    old.refresh_from_db()
    assert (old.sender_name, old.sender_email, old.sender_phone, old.body) == ("", "", "", "")
    assert not old.events.exclude(text="").exists()
    assert old.purged_at is not None and old.answered_on is not None
    recent.refresh_from_db()
    still_open.refresh_from_db()
    assert recent.sender_email and still_open.sender_email
    assert Message.objects.filter(prefecture=prefecture).count() == 3


def test_daily_alert_lists_late_and_due_tomorrow(
    prefecture, service, quality_lead, mailoutbox, django_capture_on_commit_callbacks
):
    late = MessageFactory(service=service, received_on=date(2026, 3, 2))  # due 9 March
    soon = MessageFactory(service=service, received_on=date(2026, 3, 6))  # due 13 March
    MessageFactory(service=service, received_on=date(2026, 3, 11))  # due 18 March
    quality_lead.email = "qualite@example.test"
    quality_lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_alerts(today=date(2026, 3, 12)) == 2
    to_service = next(m for m in mailoutbox if m.to == [service.email])
    assert late.reference in to_service.body and soon.reference in to_service.body
    assert "1 en retard, 1 à traiter" in to_service.subject
    assert any(m.to == ["qualite@example.test"] for m in mailoutbox)


def test_a_mail_server_failure_keeps_the_message_and_is_retried(
    prefecture, service, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from engagements.outbox.services import deliver_due
    from tests.mail import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_TIMEOUT = 2
    with django_capture_on_commit_callbacks(execute=True):
        message = create(prefecture, service)
    message.refresh_from_db()
    assert message.reference == "2026-000001" and message.acknowledged_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        assert deliver_due() == 1
        assert deliver_due() == 0
    assert mailoutbox[0].to == ["lea.martin@example.test"]
    message.refresh_from_db()
    assert message.acknowledged_at is not None


def test_acknowledgement_wording_comes_from_the_published_template(
    prefecture, service, mailoutbox, django_capture_on_commit_callbacks
):
    from engagements.correspondence.enums import AnswerChannel, TemplatePurpose
    from tests.correspondence.factories import TemplateFactory, VersionFactory

    VersionFactory(
        template=TemplateFactory(
            prefecture=prefecture,
            purpose=TemplatePurpose.ACKNOWLEDGEMENT,
            channel=AnswerChannel.EMAIL,
        ),
        body="Bien reçu : {reference}, réponse au plus tard le {date_echeance}.\n"
        "{direction} — {service_nom} — {prefecture_adresse}",
        published=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        message = create(prefecture, service)
    assert f"Bien reçu : {message.reference}, réponse au plus tard le 9 mars 2026." in (
        mailoutbox[0].body
    )


def test_an_answer_to_an_english_message_is_signed_in_english(
    prefecture, service, agent, mailoutbox, django_capture_on_commit_callbacks
):
    """The answer's signature said "Référence :" under an English text."""
    message = create(prefecture, service, language="en", acknowledge=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_message(
            message,
            actor=agent,
            subject="Your residence permit",
            text="Dear Ms Martin,\n\nHere is our answer.",
            channel="email",
            answered_on=date(2026, 3, 4),
        )
    [mail] = mailoutbox
    assert mail.body.rstrip().endswith(f"Reference: {message.reference}")
    assert "Référence" not in mail.body

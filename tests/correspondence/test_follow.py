"""Following a request ("suivre ma demande") and waits for missing documents (issue 13,
item 12): the signed link, the lookup without enumeration, documents added by the person,
the "waiting for documents" state, its reminder and closing job, and the figures."""

import re
import subprocess
from datetime import date
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from engagements.correspondence import queries, services
from engagements.correspondence.enums import ClosedReason, EventKind, Kind, Status
from engagements.correspondence.models import DocumentRequest, Message
from engagements.correspondence.services import follow as follow_link
from engagements.organisation.enums import Channel
from tests.browser import SCREENSHOTS
from tests.tooling import require_tool

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, by e-mail: 5 working days, due Monday 9 March.
MONDAY = date(2026, 3, 2)
WEDNESDAY = date(2026, 3, 4)
NEXT_MONDAY = date(2026, 3, 9)
NEXT_WEDNESDAY = date(2026, 3, 11)


def create(prefecture, service, **kwargs):
    values = {
        "site": service.site,
        "service": service,
        "channel": Channel.EMAIL,
        "kind": Kind.INFORMATION,
        "received_on": MONDAY,
        "sender_email": "lea.martin@example.test",
        "sender_name": "Léa Martin",
        "sender_phone": "06 12 34 56 78",
        "subject": "Renouvellement de mon titre de séjour",
        "body": "Mon numéro étranger est 1234567890.",
    }
    values.update(kwargs)
    return services.create_message(prefecture, **values)


def pdf(name="justificatif.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 document", content_type="application/pdf")


def link_in(mail) -> str:
    match = re.search(r"https?://\S+/suivre-ma-demande/\S+/", mail.body)
    assert match, mail.body
    return urlsplit(match.group(0)).path


# --- The follow link and page ------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_the_acknowledgement_links_to_a_page_showing_where_the_request_stands(
    prefecture, service, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = create(prefecture, service)
    url = link_in(mailoutbox[0])
    assert url == reverse(
        "correspondence:follow", args=[prefecture.slug, follow_link.follow_token(message)]
    )
    page = client.get(url).content.decode()
    assert message.reference in page and "Renouvellement de mon titre de séjour" in page
    assert service.name in page and "9 mars 2026" in page
    assert 'data-status="new"' in page
    # Nothing personal beyond what the person sent, and nothing of the agents.
    for private in ("Léa Martin", "lea.martin@example.test", "06 12 34 56 78"):
        assert private not in page


def test_a_forged_or_foreign_token_is_not_found(prefecture, service, other_prefecture, client):
    message = create(prefecture, service)
    token = follow_link.follow_token(message)
    assert (
        client.get(reverse("correspondence:follow", args=[prefecture.slug, "1:x"])).status_code
        == 404
    )
    forged = f"{message.pk + 1}:{token.split(':', 1)[1]}"
    assert (
        client.get(reverse("correspondence:follow", args=[prefecture.slug, forged])).status_code
        == 404
    )
    other = reverse("correspondence:follow", args=[other_prefecture.slug, token])
    assert client.get(other).status_code == 404


def test_the_page_follows_the_answer_in_english(prefecture, service, agent, client):
    message = create(prefecture, service, language="en")
    with time_machine.travel(date(2026, 3, 5), tick=False):
        services.answer_message(
            message, actor=agent, subject="Réponse", text="Voici.", channel="email", send=False
        )
    url = "/en" + reverse(
        "correspondence:follow", args=[prefecture.slug, follow_link.follow_token(message)]
    )
    with time_machine.travel(date(2026, 3, 6), tick=False):
        page = client.get(url).content.decode()
    assert 'data-status="answered"' in page
    assert "We answered you on" in page and "Voici." not in page


# --- Lookup by reference and address -----------------------------------------------------


def test_lookup_answers_the_same_and_mails_the_link_only_for_a_matching_pair(
    prefecture, service, client, mailoutbox, django_capture_on_commit_callbacks
):
    message = create(prefecture, service, acknowledge=False)
    url = reverse("correspondence:follow-lookup", args=[prefecture.slug])
    answers = []
    for reference, email in (
        (message.reference, "LEA.MARTIN@example.test"),
        (message.reference, "someone@example.test"),
        ("2026-999999", "lea.martin@example.test"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"reference": reference, "email": email})
        assert response.status_code == 200
        page = response.content.decode().replace(reference, "").replace(email, "")
        answers.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
    assert answers[0] == answers[1] == answers[2]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["lea.martin@example.test"]
    assert link_in(mailoutbox[0]).endswith(follow_link.follow_token(message) + "/")


def test_lookup_is_rate_limited_per_connection(prefecture, client):
    url = reverse("correspondence:follow-lookup", args=[prefecture.slug])
    data = {"reference": "2026-000001", "email": "x@example.test"}
    statuses = [client.post(url, data, REMOTE_ADDR="192.0.2.77").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


# --- Documents added by the person ---------------------------------------------------------


@time_machine.travel(date(2026, 3, 3), tick=False)
def test_a_document_added_on_the_page_reaches_the_agent_only(
    prefecture,
    service,
    agent,
    client,
    client_for,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    message = create(prefecture, service, acknowledge=False)
    url = reverse(
        "correspondence:follow", args=[prefecture.slug, follow_link.follow_token(message)]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"document": pdf()})
    assert response.status_code == 302
    attachment = message.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert message.events.filter(kind=EventKind.DOCUMENT_ADDED).exists()
    assert mailoutbox[-1].subject.startswith("Document reçu")
    # Stored privately: no public URL; the agents' permission-checked view serves it.
    assert "/media/" not in client.get(url).content.decode()
    download = reverse("correspondence:agents-attachment", args=[prefecture.slug, attachment.pk])
    assert client.get(download).status_code == 302  # to the login page
    agents = client_for(agent)
    assert b"".join(agents.get(download).streaming_content) == b"%PDF-1.4 document"
    # The agent is told on the message page and by the worklist's filter.
    detail = agents.get(reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk]))
    assert "a ajouté un document" in detail.content.decode()
    worklist = reverse("correspondence:agents-list", args=[prefecture.slug])
    listed = agents.get(worklist, {"status": "replied"}).context["page"].object_list
    assert [m.pk for m in listed] == [message.pk]


def test_a_document_of_another_type_or_too_big_is_refused(prefecture, service, client):
    message = create(prefecture, service, acknowledge=False)
    url = reverse(
        "correspondence:follow", args=[prefecture.slug, follow_link.follow_token(message)]
    )
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post(url, {"document": fake})
    assert response.status_code == 400
    assert "Seuls les fichiers PDF, JPEG et PNG" in response.content.decode()
    assert not message.attachments.exists()


def test_no_document_can_be_added_to_a_closed_request(prefecture, service, agent, client):
    message = create(prefecture, service, acknowledge=False)
    services.close_message(message, reason=ClosedReason.WITHDRAWN, actor=agent)
    url = reverse(
        "correspondence:follow", args=[prefecture.slug, follow_link.follow_token(message)]
    )
    assert "Ajouter un document" not in client.get(url).content.decode()
    client.post(url, {"document": pdf()})
    assert not message.attachments.exists()


# --- Missing documents ---------------------------------------------------------------------


def _ask(message, agent, day=WEDNESDAY):
    with time_machine.travel(day, tick=False):
        return services.request_documents(
            message, actor=agent, documents="Justificatif de domicile\n- Photo d'identité"
        )


def test_asking_for_documents_stops_the_clock_and_mails_the_seed_wording(
    prefecture, service, agent, mailoutbox, django_capture_on_commit_callbacks
):
    message = create(prefecture, service, acknowledge=False)
    with django_capture_on_commit_callbacks(execute=True):
        wait = _ask(message, agent)
    message.refresh_from_db()
    assert message.status == Status.WAITING
    assert wait.document_list == ["Justificatif de domicile", "Photo d'identité"]
    assert wait.ends_on == date(2026, 3, 12)
    mail = mailoutbox[-1]
    assert "Justificatif de domicile" in mail.body and "Vous disposez de 8 jours" in mail.body
    assert "jusqu'au 12 mars 2026" in mail.body
    assert "Si vous ne pouvez pas respecter ce délai, prévenez" in mail.body
    assert "/suivre-ma-demande/" in mail.body
    # A waiting message is neither open nor late; it cannot be answered before it resumes.
    assert not message.is_open and not message.is_late(date(2026, 3, 20))
    with pytest.raises(services.RegisterError):
        services.answer_message(message, actor=agent, subject="R", text="T", channel="email")
    with pytest.raises(services.RegisterError):
        _ask(message, agent)


def test_reminder_on_day_six_then_listed_overdue_not_closed_and_the_clock_stays_stopped(
    prefecture, service, agent, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 23.1: the 8 days are indicative; past them, nothing closes by itself."""
    message = create(prefecture, service, acknowledge=False)
    _ask(message, agent)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_and_flag_waits(today=date(2026, 3, 9)) == {
            "reminded": 0,
            "overdue": 0,
        }
        assert services.remind_and_flag_waits(today=date(2026, 3, 10)) == {
            "reminded": 1,
            "overdue": 0,
        }
        assert services.remind_and_flag_waits(today=date(2026, 3, 11))["reminded"] == 0
        assert services.remind_and_flag_waits(today=date(2026, 3, 12))["overdue"] == 0
        assert services.remind_and_flag_waits(today=date(2026, 3, 13))["overdue"] == 1
        assert services.remind_and_flag_waits(today=date(2026, 3, 20)) == {
            "reminded": 0,
            "overdue": 0,
        }
    subjects = [m.subject for m in mailoutbox]
    assert any(s.startswith("Rappel : pièces manquantes") for s in subjects)
    assert not any(s.endswith("est close") for s in subjects)
    message.refresh_from_db()
    assert message.status == Status.WAITING and message.closed_reason == ""
    wait = DocumentRequest.objects.get()
    assert not wait.closed and wait.overdue_on == date(2026, 3, 13)
    assert wait.reminded_on == date(2026, 3, 10)
    kinds = list(message.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-3:] == [
        EventKind.DOCUMENTS_REQUESTED,
        EventKind.DOCUMENTS_REMINDED,
        EventKind.DOCUMENTS_OVERDUE,
    ]
    # The clock stays stopped while an agent decides: pending, never late (indicators.md).
    figures = queries.figures(Message.objects.all(), at=date(2026, 4, 30))
    assert (figures["late"], figures["pending"], figures["excluded"]) == (0, 1, 0)
    # The "délai dépassé" list shows it; an agent closes it with the letter.
    agents = client_for(agent)
    overdue_url = reverse("correspondence:agents-overdue", args=[prefecture.slug])
    page = agents.get(overdue_url).content.decode()
    assert f'data-message="{message.reference}"' in page and "Justificatif de domicile" in page
    with (
        time_machine.travel(date(2026, 3, 16), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = agents.post(
            reverse("correspondence:agents-close-overdue", args=[prefecture.slug, message.pk]),
            {"next": "overdue", "note": "Aucune nouvelle malgré un appel"},
        )
    assert response.status_code == 302 and response.url == overdue_url
    message.refresh_from_db()
    assert message.status == Status.CLOSED
    assert message.closed_reason == ClosedReason.NO_DOCUMENTS
    assert message.closed_on == date(2026, 3, 16) and message.waited_days == 0
    closing = mailoutbox[-1]
    assert closing.subject.endswith("est close") and "12 mars 2026" in closing.body
    assert f'data-message="{message.reference}"' not in agents.get(overdue_url).content.decode()
    # Excluded from the rates (indicators.md).
    figures = queries.figures(Message.objects.all(), at=date(2026, 3, 31))
    assert (figures["excluded"], figures["rate_on_time"]) == (1, None)


def test_documents_uploaded_within_the_days_resume_the_message(
    prefecture, service, agent, client, mailoutbox, django_capture_on_commit_callbacks
):
    message = create(prefecture, service, acknowledge=False)
    services.assign_message(message, agent=agent, actor=agent)
    _ask(message, agent)
    url = reverse(
        "correspondence:follow", args=[prefecture.slug, follow_link.follow_token(message)]
    )
    page = client.get(url).content.decode()
    assert 'data-status="waiting"' in page and "Justificatif de domicile" in page
    with (
        time_machine.travel(NEXT_MONDAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert client.post(url, {"document": pdf()}).status_code == 302
    message.refresh_from_db()
    assert message.status == Status.ASSIGNED
    assert message.waited_days == 3  # Thursday 5, Friday 6, Monday 9
    assert message.due_on == date(2026, 3, 12)  # 9 March moved by 3 working days
    wait = DocumentRequest.objects.get()
    assert (wait.received_on, wait.waited_days, wait.closed) == (NEXT_MONDAY, 3, False)
    assert "12 mars 2026" in mailoutbox[-1].body and "reprend" in mailoutbox[-1].body
    assert EventKind.DOCUMENTS_RECEIVED in message.events.values_list("kind", flat=True)
    # The job leaves a resumed message alone.
    assert services.remind_and_flag_waits(today=date(2026, 3, 20)) == {
        "reminded": 0,
        "overdue": 0,
    }


def test_the_delay_leaves_out_the_wait_as_indicators_md_defines(
    prefecture, service, agent, client_for
):
    """Received Monday 2, documents asked Wednesday 4, received Monday 9, answered
    Wednesday 11 March: 7 working days, 3 of them waited (5, 6, 9) → delay 4 ≤ 5."""
    message = create(prefecture, service, acknowledge=False)
    _ask(message, agent)
    with time_machine.travel(NEXT_MONDAY, tick=False):
        services.record_documents_received(message, actor=agent, received_on=NEXT_MONDAY)
    with time_machine.travel(NEXT_WEDNESDAY, tick=False):
        services.answer_message(
            message, actor=agent, subject="Réponse", text="Voici.", channel="email", send=False
        )
    message.refresh_from_db()
    assert (message.waited_days, message.due_on) == (3, date(2026, 3, 12))
    figures = queries.figures(Message.objects.all(), at=date(2026, 3, 31))
    assert figures["answered"] == 1 and figures["on_time"] == 1
    assert (figures["rate_on_time"], figures["average_delay"]) == (100.0, 4.0)
    detail = client_for(agent).get(
        reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk])
    )
    assert detail.context["delay"] == 4 and detail.context["on_time"] is True
    assert "reportée de 3 jours d'attente de pièces" in detail.content.decode()


def test_a_message_waiting_for_documents_is_pending_not_late(prefecture, service, agent):
    """The clock stops while documents are awaited: past its first due date, still pending."""
    message = create(prefecture, service, acknowledge=False)
    _ask(message, agent)
    message.refresh_from_db()
    assert message.status == Status.WAITING
    figures = queries.figures(Message.objects.all(), at=message.due_on.replace(day=28))
    assert (figures["late"], figures["pending"], figures["rate_on_time"]) == (0, 1, None)


def test_agents_ask_for_documents_and_record_them_from_the_message_page(
    prefecture, service, agent, client_for
):
    message = create(prefecture, service, acknowledge=False)
    client = client_for(agent)
    detail = reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk])
    assert "Demander des pièces manquantes" in client.get(detail).content.decode()
    with time_machine.travel(WEDNESDAY, tick=False):
        response = client.post(
            reverse("correspondence:agents-request-documents", args=[prefecture.slug, message.pk]),
            {"documents": "Avis d'imposition 2025"},
        )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.WAITING
    page = client.get(detail).content.decode()
    assert "En attente de pièces depuis le 04/03/2026" in page and "Avis d&#x27;imposition" in page
    with time_machine.travel(date(2026, 3, 6), tick=False):
        client.post(
            reverse("correspondence:agents-documents-received", args=[prefecture.slug, message.pk]),
            {"received_on": "2026-03-06", "note": "Déposées au guichet"},
        )
    message.refresh_from_db()
    assert message.status == Status.NEW and message.waited_days == 2
    events = "\n".join(message.events.values_list("text", flat=True))
    assert "Déposées au guichet" in events and "nouvelle échéance le 11/03/2026" in events


def test_closing_a_waiting_message_ends_its_wait(prefecture, service, agent):
    message = create(prefecture, service, acknowledge=False)
    _ask(message, agent)
    services.close_message(message, reason=ClosedReason.WITHDRAWN, actor=agent)
    assert DocumentRequest.objects.get().closed
    assert services.remind_and_flag_waits(today=date(2026, 3, 30))["overdue"] == 0


def test_the_missing_documents_sheet_prints_for_a_person_without_e_mail(
    prefecture, service, agent, client_for, tmp_path
):
    pdftotext = require_tool("pdftotext", "poppler-utils")
    message = create(
        prefecture,
        service,
        channel=Channel.LETTER,
        sender_email="",
        sender_address="12 rue des Lilas\n75011 Paris",
    )
    wait = _ask(message, agent)
    url = reverse(
        "correspondence:agents-documents-letter", args=[prefecture.slug, message.pk, wait.pk]
    )
    response = client_for(agent).get(url)
    assert response["Content-Type"] == "application/pdf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "correspondence-missing-documents.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    for expected in (
        "Justificatif de domicile",
        "Photo d'identité",
        "Vous disposez de 8 jours",
        "soit jusqu'au 12 mars 2026 inclus.",
        "Si vous ne pouvez pas respecter ce délai, prévenez",
        message.reference,
    ):
        assert expected in text, expected


def test_the_contact_form_confirmation_links_to_the_follow_page(prefecture, service, client):
    from django.core import signing

    from engagements.correspondence.views.public import SALT

    message = create(prefecture, service, acknowledge=False)
    sent = reverse(
        "correspondence:contact-sent", args=[prefecture.slug, signing.dumps(message.pk, salt=SALT)]
    )
    follow = reverse(
        "correspondence:follow", args=[prefecture.slug, follow_link.follow_token(message)]
    )
    assert f'href="{follow}"' in client.get(sent).content.decode()


def test_the_daily_job_is_scheduled():
    from engagements import jobs

    names = {job.name for job in jobs.registered_schedules()}
    assert "correspondence-document-waits" in names


def test_the_purge_blanks_the_documents_asked_and_the_page_shows_no_subject(
    prefecture, service, agent, client
):
    message = create(prefecture, service, acknowledge=False)
    _ask(message, agent)
    with time_machine.travel(date(2026, 3, 5), tick=False):
        services.record_documents_received(message, actor=agent)
    with time_machine.travel(date(2026, 3, 6), tick=False):
        services.answer_message(
            message, actor=agent, subject="R", text="T", channel="email", send=False
        )
    assert services.purge_personal_data(today=date(2029, 1, 1)) == 1
    assert DocumentRequest.objects.get().documents == ""
    url = reverse(
        "correspondence:follow", args=[prefecture.slug, follow_link.follow_token(message)]
    )
    # Purged two years after the answer: the link has long stopped working.
    with time_machine.travel(date(2029, 1, 1), tick=False):
        page = client.get(url).content.decode()
    assert 'data-status="expired"' in page and "Renouvellement" not in page
    assert "Ajouter un document" not in page
    with time_machine.travel(date(2026, 3, 7), tick=False):
        page = client.get(url).content.decode()  # (a purge sooner, by a shorter retention)
    assert 'data-status="answered"' in page and "Renouvellement" not in page


def test_a_merged_waiting_message_can_be_reopened_and_asked_again(prefecture, service, agent):
    message = create(prefecture, service, acknowledge=False)
    original = create(prefecture, service, acknowledge=False, sender_email="x@example.test")
    _ask(message, agent)
    services.merge_duplicate(message, original=original, actor=agent)
    services.reopen_message(message, actor=agent)
    _ask(message, agent, day=date(2026, 3, 5))
    assert [w.pending for w in DocumentRequest.objects.order_by("pk")] == [False, True]


@time_machine.travel(MONDAY, tick=False)
def test_an_english_acknowledgement_links_to_the_english_page(
    prefecture, service, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create(prefecture, service, language="en")
    body = mailoutbox[0].body
    assert "Follow your request (where it stands, who handles it, add a document):" in body
    assert link_in(mailoutbox[0]).startswith(f"/en/prefectures/{prefecture.slug}/")


# --- The link's end ------------------------------------------------------------------------


def _follow(message, prefix=""):
    token = follow_link.follow_token(message)
    return (
        prefix + reverse("correspondence:follow", args=[message.prefecture.slug, token]),
        prefix + reverse("correspondence:follow-more-time", args=[message.prefecture.slug, token]),
    )


def test_the_link_stops_working_a_while_after_the_answer_with_a_page_saying_why(
    prefecture, service, agent, client, settings
):
    """The link mailed with the acknowledgement showed the request's state to whoever read
    the mailbox, for ever."""
    settings.CORRESPONDENCE_FOLLOW_LINK_DAYS = 90
    service.phone = "03 87 11 22 33"
    service.save()
    message = create(prefecture, service, acknowledge=False)
    with time_machine.travel(date(2026, 3, 5), tick=False):
        services.answer_message(
            message, actor=agent, subject="R", text="T", channel="email", send=False
        )
    url, more_time = _follow(message)
    with time_machine.travel(date(2026, 6, 3), tick=False):  # 90 days after: still works
        assert 'data-status="answered"' in client.get(url).content.decode()
    with time_machine.travel(date(2026, 6, 4), tick=False):
        response = client.get(url)
        assert response.status_code == 410
        page = response.content.decode()
        assert "Ce lien de suivi n'est plus valable" in page and message.reference in page
        assert "Nous avons répondu à cette demande le 5 mars 2026." in page
        assert "a cessé de fonctionner le 4 juin 2026" in page
        assert reverse("correspondence:contact", args=[prefecture.slug]) in page
        assert "03 87 11 22 33" in page and "Renouvellement" not in page
        assert client.post(url, {"document": pdf()}).status_code == 410
        assert client.post(more_time, {}).status_code == 410
        english = client.get(_follow(message, "/en")[0]).content.decode()
        assert "This follow-up link no longer works" in english
        assert "We answered this request on 5 March 2026." in english
    assert not message.attachments.exists()


def test_a_closed_request_s_link_ends_from_its_closing_and_works_again_once_reopened(
    prefecture, service, agent, client, settings
):
    settings.CORRESPONDENCE_FOLLOW_LINK_DAYS = 30
    message = create(prefecture, service, acknowledge=False)
    with time_machine.travel(date(2026, 3, 5), tick=False):
        services.close_message(message, reason=ClosedReason.WITHDRAWN, actor=agent)
    url, _ = _follow(message)
    with time_machine.travel(date(2026, 4, 5), tick=False):
        page = client.get(url).content.decode()
        assert "Cette demande a été close le 5 mars 2026." in page
        services.reopen_message(message, actor=agent)
        assert client.get(url).status_code == 200


def test_the_lookup_mails_no_dead_link_but_says_when_the_request_ended(
    prefecture, service, agent, client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """Asked for again after CORRESPONDENCE_FOLLOW_LINK_DAYS, the lookup mailed a link whose
    page only said "this link no longer works". The mail says when the request was
    answered and how to reach the service, in the person's language; the page answers the
    same as for a pair that matches nothing."""
    settings.CORRESPONDENCE_FOLLOW_LINK_DAYS = 90
    service.phone = "03 87 11 22 33"
    service.save()
    message = create(prefecture, service, acknowledge=False, language="es")
    with time_machine.travel(date(2026, 3, 5), tick=False):
        services.answer_message(
            message, actor=agent, subject="R", text="T", channel="email", send=False
        )
    url = reverse("correspondence:follow-lookup", args=[prefecture.slug])
    answers = []
    with time_machine.travel(date(2026, 6, 4), tick=False):
        for reference, email in (
            (message.reference, "lea.martin@example.test"),
            ("2026-999999", "lea.martin@example.test"),
        ):
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(url, {"reference": reference, "email": email})
            assert response.status_code == 200
            page = response.content.decode().replace(reference, "")
            answers.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
    assert answers[0] == answers[1]
    [mail] = mailoutbox
    assert mail.to == ["lea.martin@example.test"]
    assert "/suivre-ma-demande/" not in mail.body and follow_link.follow_token(message) not in (
        mail.body
    )
    assert mail.subject == f"Su solicitud {message.reference}"
    assert "Respondimos a esta solicitud el 5 de marzo de 2026." in mail.body
    assert "ya no está disponible" in mail.body
    contact = "/es" + reverse("correspondence:contact", args=[prefecture.slug]).removeprefix("/es")
    assert settings.SITE_URL + contact in mail.body
    assert message.reference in mail.body and "03 87 11 22 33" in mail.body


def test_the_lookup_of_a_request_closed_long_ago_says_it_was_closed(
    prefecture, service, agent, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.CORRESPONDENCE_FOLLOW_LINK_DAYS = 30
    message = create(prefecture, service, acknowledge=False)
    with time_machine.travel(date(2026, 3, 5), tick=False):
        services.close_message(message, reason=ClosedReason.WITHDRAWN, actor=agent)
    with time_machine.travel(date(2026, 4, 4), tick=False):  # 30 days after: still works
        with django_capture_on_commit_callbacks(execute=True):
            follow_link.send_follow_link(
                prefecture, reference=message.reference, email=message.sender_email
            )
    with time_machine.travel(date(2026, 4, 5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            follow_link.send_follow_link(
                prefecture, reference=message.reference, email=message.sender_email
            )
    working, ended = mailoutbox
    assert link_in(working).endswith(follow_link.follow_token(message) + "/")
    assert "/suivre-ma-demande/" not in ended.body
    assert "Cette demande a été close le 5 mars 2026." in ended.body
    assert "écrivez-nous" in ended.body

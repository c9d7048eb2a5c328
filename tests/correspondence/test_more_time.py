"""Missing documents: the 8 days are indicative (issue 23, item 1). The person asks for more
time from the follow page (a reason, a date up to the prefecture's limit), an agent grants
more, the "délai dépassé" list and the closing letter."""

import subprocess
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from engagements.correspondence import services
from engagements.correspondence.enums import EventKind, Status
from engagements.correspondence.models import DocumentRequest, Message, RegisterSettings
from engagements.correspondence.services import follow as follow_link
from engagements.organisation.enums import Channel
from tests.browser import SCREENSHOTS
from tests.correspondence.test_follow import MONDAY, WEDNESDAY, _ask, create
from tests.tooling import require_tool

pytestmark = pytest.mark.django_db


def follow_url(message, name="correspondence:follow"):
    return reverse(name, args=[message.prefecture.slug, follow_link.follow_token(message)])


@time_machine.travel(date(2026, 3, 10), tick=False)
def test_the_person_asks_once_for_more_time_up_to_the_limit(
    prefecture, service, agent, client, mailoutbox, django_capture_on_commit_callbacks
):
    message = create(prefecture, service, acknowledge=False)
    _ask(message, agent)  # Wednesday 4 March: documents awaited until 12 March
    page = client.get(follow_url(message)).content.decode()
    assert "Besoin de plus de temps ?" in page
    assert 'max="2026-04-11"' in page  # 12 March + 30 days, the default limit
    assert "ne sera pas close sans que nous ayons pris en compte votre situation" in page
    ask = follow_url(message, "correspondence:follow-more-time")
    # Beyond the limit, or without a reason: refused, nothing written, what was typed kept.
    response = client.post(ask, {"until": "2026-04-12", "reason": "Hospitalisée"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "au plus tard le 11 avril 2026" in body and "Hospitalisée" in body
    assert client.post(ask, {"until": "2026-04-01", "reason": ""}).status_code == 400
    assert DocumentRequest.objects.get().ends_on == date(2026, 3, 12)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ask, {"until": "2026-04-11", "reason": "Hospitalisée"})
    assert response.status_code == 302
    wait = DocumentRequest.objects.get()
    assert (wait.ends_on, wait.extension_asked_on) == (date(2026, 4, 11), date(2026, 3, 10))
    assert wait.extension_reason == "Hospitalisée" and wait.extended
    mail = mailoutbox[-1]
    assert mail.subject == f"Délai complémentaire pour votre demande {message.reference}"
    assert "jusqu'au 11 avril 2026 inclus" in mail.body and "Justificatif de domicile" in mail.body
    assert "/suivre-ma-demande/" in mail.body
    event = message.events.get(kind=EventKind.DOCUMENTS_EXTENDED)
    assert "demandé par l'usager" in event.text and "Hospitalisée" in event.text
    # Once: then the service decides.
    page = client.get(follow_url(message)).content.decode()
    assert "Besoin de plus de temps ?" not in page and "11 avril 2026" in page
    assert "Vous avez demandé un délai complémentaire le 10 mars 2026" in page
    client.post(ask, {"until": "2026-04-11", "reason": "Encore"})
    assert DocumentRequest.objects.get().extension_reason == "Hospitalisée"
    # The reminder follows the new end, and the wait is not overdue on the old one.
    assert services.remind_and_flag_waits(today=date(2026, 3, 13)) == {
        "reminded": 0,
        "overdue": 0,
    }
    assert services.remind_and_flag_waits(today=date(2026, 4, 9))["reminded"] == 1
    assert services.remind_and_flag_waits(today=date(2026, 4, 12))["overdue"] == 1


@time_machine.travel(date(2026, 3, 5), tick=False)
def test_the_prefecture_sets_the_limit_and_the_page_speaks_english(
    prefecture, service, agent, client, quality_lead, client_for
):
    response = client_for(quality_lead).post(
        reverse("correspondence:agents-settings", args=[prefecture.slug]),
        {
            "retention_years": 2,
            "observation_days": 15,
            "duplicate_window": 10,
            "extension_max_days": 10,
        },
    )
    assert response.status_code == 302
    assert RegisterSettings.for_prefecture(prefecture).extension_max_days == 10
    message = create(prefecture, service, acknowledge=False, language="en")
    _ask(message, agent)
    page_url = "/en" + follow_url(message)
    ask_url = "/en" + follow_url(message, "correspondence:follow-more-time")
    page = client.get(page_url).content.decode()
    assert "Need more time?" in page and 'max="2026-03-22"' in page
    response = client.post(ask_url, {"until": "2026-03-23", "reason": "Abroad"})
    assert response.status_code == 400
    assert "at the latest on 22 March 2026" in response.content.decode()


@time_machine.travel(date(2026, 3, 5), tick=False)
def test_a_date_typed_as_the_help_text_says_is_read_day_first_in_english(
    prefecture, service, agent, client
):
    """Where the browser shows a plain text box, the person types "Format: dd/mm/yyyy" as
    asked: the English page read 05/04/2026 as 4 May (beyond the limit, refused) and
    refused 20/03/2026 as not a date."""
    message = create(prefecture, service, acknowledge=False, language="en")
    _ask(message, agent)  # documents awaited until 12 March, more time up to 11 April
    ask_url = "/en" + follow_url(message, "correspondence:follow-more-time")
    response = client.post(ask_url, {"until": "05/04/2026", "reason": "Abroad"}, follow=True)
    assert response.redirect_chain[-1][1] == 302
    # The answer writes the date out the page's way (it wrote "05/04/2026" in every language).
    assert "send your documents by 5 April 2026 at the latest" in response.content.decode()
    assert DocumentRequest.objects.get().ends_on == date(2026, 4, 5)


def test_an_agent_grants_more_even_overdue_and_the_clock_stays_stopped(
    prefecture, service, agent, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    message = create(prefecture, service, acknowledge=False)
    _ask(message, agent)
    services.remind_and_flag_waits(today=date(2026, 3, 13))
    assert DocumentRequest.objects.get().overdue_on == date(2026, 3, 13)
    client = client_for(agent)
    with (
        time_machine.travel(date(2026, 3, 20), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("correspondence:agents-extend-wait", args=[prefecture.slug, message.pk]),
            {"until": "2026-06-30", "reason": "Attend un document du consulat", "next": "overdue"},
        )
    assert response.url == reverse("correspondence:agents-overdue", args=[prefecture.slug])
    wait = DocumentRequest.objects.get()
    assert (wait.ends_on, wait.overdue_on, wait.reminded_on) == (date(2026, 6, 30), None, None)
    assert wait.extension_asked_on is None  # the person may still ask herself
    assert "Le service vous accorde un délai complémentaire" in mailoutbox[-1].body
    assert "30 juin 2026" in mailoutbox[-1].body
    # Documents arrive on 1 April: every working day since 4 March is left out of the delay.
    with time_machine.travel(date(2026, 4, 1), tick=False):
        services.record_documents_received(message, actor=agent)
    message.refresh_from_db()
    assert message.status == Status.NEW
    # 5 March → 1 April: 20 working days; 9 March + 20 working days, Easter Monday skipped.
    assert message.waited_days == 20
    assert message.due_on == date(2026, 4, 7)


def test_extending_a_wait_asked_after_the_due_date_does_not_say_the_clock_stopped(
    prefecture, service, agent, client_for
):
    """Asked late, the wait stops no clock: "le délai de réponse reste suspendu" was false."""
    message = create(prefecture, service, acknowledge=False)  # due Monday 9 March
    with time_machine.travel(date(2026, 3, 11), tick=False):
        services.request_documents(message, actor=agent, documents="Passeport")
    with time_machine.travel(date(2026, 3, 12), tick=False):
        response = client_for(agent).post(
            reverse("correspondence:agents-extend-wait", args=[prefecture.slug, message.pk]),
            {"until": "2026-03-31", "reason": "Consulat"},
            follow=True,
        )
    flashed = [str(m) for m in response.context["messages"]]
    assert flashed == [
        "Délai prolongé : pièces attendues jusqu'au 31/03/2026 ; le message reste en retard, "
        "le délai de réponse n'étant pas suspendu."
    ]


def test_an_agent_cannot_extend_into_the_past_nor_a_message_not_waiting(prefecture, service, agent):
    message = create(prefecture, service, acknowledge=False)
    with pytest.raises(services.RegisterError, match="n'attend pas de pièces"):
        services.extend_documents_wait(message, actor=agent, until=date.today() + timedelta(days=5))
    _ask(message, agent)
    with (
        time_machine.travel(date(2026, 3, 20), tick=False),
        pytest.raises(services.RegisterError, match="après aujourd'hui"),
    ):
        services.extend_documents_wait(message, actor=agent, until=date(2026, 3, 19))


def test_the_overdue_list_is_scoped_and_counted_on_the_home_page(
    prefecture, service, agent, client_for, outsider
):
    message = create(prefecture, service, acknowledge=False)
    _ask(message, agent)
    services.remind_and_flag_waits(today=date(2026, 3, 13))
    client = client_for(agent)
    url = reverse("correspondence:agents-overdue", args=[prefecture.slug])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert f'data-message="{message.reference}"' in page
    other = create(prefecture, service, acknowledge=False, subject="Autre")
    _ask(other, agent)
    services.remind_and_flag_waits(today=date(2026, 3, 14))
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(queries)  # one query for the list, whatever its length
    assert len(queries) == 6  # session, user, roles, his sites and services; the list
    home = client.get(reverse("organisation:agents-prefecture", args=[prefecture.slug])).content
    assert "2 messages en délai dépassé pour leurs pièces" in home.decode()
    assert client_for(outsider).get(url).status_code == 404


def test_the_overdue_list_tells_which_messages_are_still_late(
    prefecture, service, agent, client_for
):
    """It said the clock of every listed message was stopped; documents asked after the
    due date stop none, and the message stays late."""
    in_time = create(prefecture, service, acknowledge=False)
    _ask(in_time, agent)  # Wednesday 4 March, before the due date (Monday 9 March)
    asked_late = create(prefecture, service, acknowledge=False, subject="Autre")
    with time_machine.travel(date(2026, 3, 11), tick=False):
        services.request_documents(asked_late, actor=agent, documents="Passeport")
    services.remind_and_flag_waits(today=date(2026, 3, 25))
    url = reverse("correspondence:agents-overdue", args=[prefecture.slug])
    page = " ".join(client_for(agent).get(url).content.decode().split())
    rows = {ref: page.split(f'data-message="{ref}"')[1].split("</tr>")[0] for ref in (
        in_time.reference, asked_late.reference)}  # fmt: skip
    assert "après l'échéance du 09/03/2026" in rows[asked_late.reference]
    assert "en retard" in rows[asked_late.reference]
    assert "après l'échéance" not in rows[in_time.reference]
    assert "sauf pour les pièces demandées après l'échéance" in page


def test_closing_without_documents_prints_the_letter_for_a_person_without_e_mail(
    prefecture, service, agent, client_for
):
    pdftotext = require_tool("pdftotext", "poppler-utils")
    message = create(
        prefecture,
        service,
        channel=Channel.LETTER,
        sender_email="",
        sender_address="12 rue des Lilas\n75011 Paris",
    )
    _ask(message, agent)
    services.remind_and_flag_waits(today=date(2026, 3, 13))
    client = client_for(agent)
    with time_machine.travel(date(2026, 3, 16), tick=False):
        response = client.post(
            reverse("correspondence:agents-close-overdue", args=[prefecture.slug, message.pk])
        )
    wait = DocumentRequest.objects.get()
    letter = reverse(
        "correspondence:agents-documents-closed-letter",
        args=[prefecture.slug, message.pk, wait.pk],
    )
    assert response.url == letter
    response = client.get(letter)
    assert response["Content-Type"] == "application/pdf"
    assert f"cloture-pieces-{message.reference}.pdf" in response["Content-Disposition"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "correspondence-documents-closed.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    for expected in (
        "Justificatif de domicile",
        "4 mars 2026",
        "12 mars 2026",
        "close sans réponse",
        "12 rue des Lilas",
        message.reference,
    ):
        assert expected in text, expected
    assert Message.objects.get().closed_reason == "no_documents"
    assert MONDAY < WEDNESDAY


def test_an_overdue_person_asks_for_a_date_ahead_and_not_past_the_limit(
    prefecture, service, agent, client
):
    message = create(prefecture, service, acknowledge=False)
    _ask(message, agent)  # awaited until 12 March, limit 11 April
    services.remind_and_flag_waits(today=date(2026, 3, 13))
    ask = follow_url(message, "correspondence:follow-more-time")
    with time_machine.travel(date(2026, 3, 20), tick=False):
        assert 'min="2026-03-20"' in client.get(follow_url(message)).content.decode()
        # A date already gone is refused, one ahead lifts the "délai dépassé" flag.
        assert client.post(ask, {"until": "2026-03-15", "reason": "Malade"}).status_code == 400
        assert client.post(ask, {"until": "2026-03-30", "reason": "Malade"}).status_code == 302
    wait = DocumentRequest.objects.get()
    assert (wait.ends_on, wait.overdue_on) == (date(2026, 3, 30), None)
    # Past the prefecture's limit, the page offers no more time: the service decides.
    other = create(prefecture, service, acknowledge=False, subject="Autre")
    _ask(other, agent)
    with time_machine.travel(date(2026, 4, 12), tick=False):
        assert "Besoin de plus de temps ?" not in client.get(follow_url(other)).content.decode()

"""What leaves the prefecture is finished and true (issue 19, items 5 and 6): a late
request for documents leaves the message late, the printed sheet states the system's date,
no placeholder or bracketed instruction is sent, salutations are not glued to a name,
letters print each block once, a letter template needs a postal address."""

import subprocess
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from engagements.correspondence import placeholders, queries, services
from engagements.correspondence.demo import TEMPLATES
from engagements.correspondence.enums import AnswerChannel, Kind, Status, TemplatePurpose
from engagements.correspondence.models import Answer, Message
from engagements.organisation.enums import Channel
from tests.browser import SCREENSHOTS
from tests.correspondence.factories import (
    LETTER_BODY,
    MessageFactory,
    TemplateFactory,
    VersionFactory,
)
from tests.tooling import require_tool

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, by e-mail: 5 working days, due Monday 9 March.
MONDAY = date(2026, 3, 2)


def create(prefecture, service, **kwargs):
    values = {
        "site": service.site,
        "service": service,
        "channel": Channel.EMAIL,
        "kind": Kind.INFORMATION,
        "received_on": MONDAY,
        "sender_email": "lea.martin@example.test",
        "sender_name": "Léa Martin",
        "subject": "Renouvellement de mon titre de séjour",
        "body": "Bonjour.",
        "acknowledge": False,
    }
    values.update(kwargs)
    return services.create_message(prefecture, **values)


def pdf_text(content: bytes, name: str) -> str:
    pdftotext = require_tool("pdftotext", "poppler-utils")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    path.write_bytes(content)
    return subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


# --- Item 5: missing documents --------------------------------------------------------------


def test_a_request_made_after_the_due_date_leaves_the_message_late(prefecture, service, agent):
    message = create(prefecture, service)
    assert message.due_on == date(2026, 3, 9)
    with time_machine.travel(date(2026, 3, 11), tick=False):
        wait = services.request_documents(message, actor=agent, documents="Avis d'imposition")
    assert wait.made_late
    figures = queries.figures(Message.objects.all(), at=date(2026, 3, 12))
    assert (figures["late"], figures["pending"]) == (1, 0)
    with time_machine.travel(date(2026, 3, 13), tick=False):
        services.record_documents_received(message, actor=agent, received_on=date(2026, 3, 13))
    message.refresh_from_db()
    # The clock did not stop: no day waited, the due date stays.
    assert (message.waited_days, message.due_on) == (0, date(2026, 3, 9))
    assert "le délai n'a pas été suspendu" in message.events.latest("pk").text
    figures = queries.figures(Message.objects.all(), at=date(2026, 3, 14))
    assert (figures["late"], figures["pending"]) == (1, 0)


def test_a_request_made_in_time_still_stops_the_clock(prefecture, service, agent):
    message = create(prefecture, service)
    with time_machine.travel(date(2026, 3, 9), tick=False):  # on the due date: in time
        wait = services.request_documents(message, actor=agent, documents="Avis d'imposition")
    assert not wait.made_late
    figures = queries.figures(Message.objects.all(), at=date(2026, 3, 12))
    assert (figures["late"], figures["pending"]) == (0, 1)


def test_the_message_page_says_a_late_request_does_not_stop_the_clock(
    prefecture, service, agent, client_for
):
    message = create(prefecture, service)
    with time_machine.travel(date(2026, 3, 11), tick=False):
        services.request_documents(message, actor=agent, documents="Avis d'imposition")
        page = client_for(agent).get(
            reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk])
        )
    html = page.content.decode()
    assert "le délai n'est pas suspendu, le message reste en retard" in html
    assert "Le délai est suspendu." not in html
    # The page's badge, the model and the figures agree: the message is late.
    assert "En retard</p>" in html
    message.refresh_from_db()
    assert message.status == Status.WAITING
    assert message.is_late(date(2026, 3, 11))
    with time_machine.travel(date(2026, 3, 11), tick=False):
        worklist = client_for(agent).get(
            reverse("correspondence:agents-list", args=[prefecture.slug]), {"status": ""}
        )
    assert [row["late"] for row in worklist.context["rows"]] == [True]


def test_a_message_waiting_for_documents_asked_in_time_is_not_late(prefecture, service, agent):
    message = create(prefecture, service)
    with time_machine.travel(date(2026, 3, 9), tick=False):
        services.request_documents(message, actor=agent, documents="Avis d'imposition")
    message.refresh_from_db()
    assert not message.is_late(date(2026, 3, 20))


def _seeded(prefecture, purpose, channel):
    name, _purpose, _channel, subject, body = next(
        t for t in TEMPLATES if t[1] == purpose and t[2] == channel
    )
    return VersionFactory(
        template=TemplateFactory(
            prefecture=prefecture, name=name, purpose=purpose, channel=channel
        ),
        subject=subject,
        body=body,
        published=True,
    )


def test_the_request_for_documents_says_whether_the_clock_stopped(
    prefecture, service, agent, client_for
):
    """It said "Pièces demandées : demandées après l'échéance, le délai n'est pas suspendu,
    l'usager a jusqu'au …"."""
    client = client_for(agent)
    flashed = []
    for day in (date(2026, 3, 4), date(2026, 3, 11)):  # due Monday 9 March
        message = create(prefecture, service)
        with time_machine.travel(day, tick=False):
            response = client.post(
                reverse(
                    "correspondence:agents-request-documents", args=[prefecture.slug, message.pk]
                ),
                {"documents": "Passeport"},
                follow=True,
            )
        flashed += [str(m) for m in response.context["messages"]]
    assert flashed == [
        "Pièces demandées : le délai est suspendu ; l'usager a jusqu'au 12/03/2026 pour les "
        "transmettre.",
        "Pièces demandées après l'échéance : le délai n'est pas suspendu, le message reste en "
        "retard ; l'usager a jusqu'au 19/03/2026 pour les transmettre.",
    ]


def test_the_missing_documents_sheet_is_not_offered_as_an_answer(
    prefecture, service, agent, client_for
):
    """Documents are asked for with "Demander des pièces" (the wait, its list, its last
    day); the sheet picked as an answer printed "jusqu'au  inclus" and counted as answered."""
    sheet = _seeded(prefecture, TemplatePurpose.MISSING_DOCUMENTS, AnswerChannel.LETTER)
    answer = _seeded(prefecture, TemplatePurpose.INFORMATION_ANSWER, AnswerChannel.EMAIL)
    message = create(prefecture, service, channel=Channel.LETTER, sender_address="1 rue A")
    url = reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk])
    client = client_for(agent)
    page = client.get(url)
    assert [v.pk for v in page.context["available"]] == [answer.pk]
    assert f"?template={sheet.pk}" not in page.content.decode()
    assert client.get(url, {"template": sheet.pk}).context["chosen"] is None


def test_a_letter_writes_the_first_of_the_month_as_french_does(
    prefecture, service, agent, client_for
):
    """ "1er juin 2026", in the letter's date and in its text, not "1 juin 2026"."""
    with time_machine.travel(date(2026, 6, 1), tick=False):
        message = create(
            prefecture,
            service,
            channel=Channel.LETTER,
            received_on=date(2026, 6, 1),
            sender_email="",
            sender_address="12 rue des Lilas\n75011 Paris",
        )
        assert placeholders.values_for(message)["date_reception"] == "1er juin 2026"
        url = reverse("correspondence:agents-ack-letter", args=[prefecture.slug, message.pk])
        text = " ".join(pdf_text(client_for(agent).get(url).content, "ack-first.pdf").split())
    assert "Chef-Lieu, le 1er juin 2026" in text and "reçu le 1er juin 2026" in text
    assert " 1 juin" not in text


@pytest.mark.parametrize("reworded", [False, True, "extended"])
def test_the_printed_sheet_states_the_date_the_system_closes_the_wait(
    prefecture, service, agent, client_for, reworded
):
    version = _seeded(prefecture, TemplatePurpose.MISSING_DOCUMENTS, AnswerChannel.LETTER)
    if reworded is True:  # a sheet written before the date placeholder existed
        version.body = version.body.replace(
            "date de ce courrier pour nous les transmettre, soit jusqu'au {date_limite_pieces} "
            "inclus.",
            "réception de ce courrier pour nous les transmettre.",
        ).replace("[Liste des pièces.]", "[Liste des pièces, une par ligne.]")
        version.save()
    message = create(
        prefecture,
        service,
        channel=Channel.LETTER,
        sender_email="",
        sender_address="12 rue des Lilas\n75011 Paris",
    )
    with time_machine.travel(date(2026, 3, 4), tick=False):
        wait = services.request_documents(message, actor=agent, documents="Photo d'identité")
    url = reverse(
        "correspondence:agents-documents-letter", args=[prefecture.slug, message.pk, wait.pk]
    )
    if reworded == "extended":
        with time_machine.travel(date(2026, 3, 10), tick=False):
            services.extend_documents_wait(
                message, actor=agent, until=date(2026, 3, 20), reason="Pièce en attente"
            )
        text = " ".join(pdf_text(client_for(agent).get(url).content, "missing-sheet.pdf").split())
        assert "Vous avez jusqu'au 20 mars 2026 inclus" in text and "12 mars" not in text
        assert text.count("jusqu'au") == 1, text  # said once (it was printed twice)
        return
    text = " ".join(pdf_text(client_for(agent).get(url).content, "missing-sheet.pdf").split())
    assert wait.ends_on == date(2026, 3, 12)
    assert "soit jusqu'au 12 mars 2026 inclus" in text  # as the letter's date
    # Said once: the sentence written with the long date was not found by its short date,
    # and the sheet printed it a second time under the list.
    assert text.count("jusqu'au") == 1, text
    assert "réception de ce courrier" not in text
    assert "Photo d'identité" in text and "[" not in text and "{" not in text
    assert text.count("Chef-Lieu, le ") == 1 and "Chef-Lieu, le 4 mars 2026" in text


# --- Item 6: nothing unfinished leaves --------------------------------------------------------


def test_an_answer_with_a_bracketed_instruction_or_placeholder_is_not_sent(
    prefecture, service, agent, client_for, mailoutbox
):
    message = create(prefecture, service)
    url = reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk])
    text = (
        "Madame, Monsieur,\n\nNous pouvons vous recevoir.\n"
        "[Proposez un créneau…]\n\nCordialement,\n{signataire_nom}"
    )
    page = client_for(agent).post(
        url,
        {
            "channel": "email",
            "subject": "Votre rendez-vous",
            "text": text,
            "answered_on": "2026-03-03",
        },
    )
    assert page.status_code == 200
    errors = page.context["form"].errors["text"][0]
    assert "« [Proposez un créneau…] » (ligne 4)" in errors
    assert "« {signataire_nom} » (ligne 7)" in errors
    assert page.context["form"]["text"].value() == text  # what was typed is kept
    assert not Answer.objects.exists() and mailoutbox == []
    message.refresh_from_db()
    assert message.status != Status.ANSWERED
    with pytest.raises(services.UnfinishedAnswer, match="dans l'objet"):
        services.answer_message(
            message, actor=agent, subject="Votre [objet]", text="Réponse.", channel="email"
        )


def test_unfinished_places_ignore_numbers_and_plain_text():
    assert placeholders.unfinished_places("Article [1] du code, tarif 25 €.") == []
    assert placeholders.unfinished_places("a\n[Réponse personnalisée]") == [
        (2, "[Réponse personnalisée]")
    ]


@pytest.mark.parametrize("name", ["Léa Martin", ""])
def test_salutations_are_never_glued_to_a_name(prefecture, service, agent, client_for, name):
    message = create(prefecture, service, sender_name=name)
    version = _seeded(prefecture, TemplatePurpose.INFORMATION_ANSWER, AnswerChannel.EMAIL)
    assert "Madame, Monsieur {usager_nom}," in version.body
    url = reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk])
    filled = client_for(agent).get(url, {"template": version.pk}).context["form"].initial["text"]
    first_line = filled.splitlines()[0]
    assert first_line == "Madame, Monsieur,"
    assert "Madame, Monsieur Madame" not in filled and "Monsieur Léa" not in filled
    # The closing formula is left alone.
    closing = "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations."
    assert placeholders.fix_salutation(closing) == closing
    # Typed by hand, glued: corrected when the answer is recorded.
    answer = services.answer_message(
        message,
        actor=agent,
        subject="Votre demande",
        text="Madame, Monsieur Léa Martin,\n\nVoici la réponse.",
        channel="email",
        send=False,
    )
    assert answer.text.splitlines()[0] == "Madame, Monsieur,"


def test_a_letter_prints_each_block_once(prefecture, service, quality_lead, client_for):
    quality_lead.roles.update(title="Secrétaire générale")
    version = VersionFactory(
        template=TemplateFactory(
            prefecture=prefecture,
            purpose=TemplatePurpose.COMPLAINT_ANSWER,
            channel=AnswerChannel.LETTER,
        ),
        subject="{objet}",
        body=LETTER_BODY,
        published=True,
    )
    message = MessageFactory(service=service, letter=True, sender_name="Jeanne Dupont")
    client = client_for(quality_lead)
    answer_url = reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk])
    filled = client.get(answer_url, {"template": version.pk}).context["form"].initial
    response = client.post(
        answer_url,
        {
            "channel": "letter",
            "subject": filled["subject"],
            "text": filled["text"].replace("[réponse]", "votre titre est prêt"),
            "answered_on": "2026-03-05",
            "template_version": version.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    answer = message.answers.get()
    pdf = client.get(reverse("correspondence:agents-answer-pdf", args=[prefecture.slug, answer.pk]))
    text = pdf_text(pdf.content, "correspondence-letter-once.pdf")
    flat = " ".join(text.split())
    assert "votre titre est prêt" in flat
    assert "Destinataire" not in flat  # the window address is the recipient block
    for block in (
        "Jeanne Dupont",
        "12 rue des Lilas",
        prefecture.postal_address,
        prefecture.website,
        f"{prefecture.name} — {service.name}",
        "Secrétaire générale",
    ):
        assert flat.count(block) <= 1, block
    for block in ("Jeanne Dupont", "12 rue des Lilas", prefecture.postal_address):
        assert flat.count(block) == 1, block
    assert flat.count(f"{service.site.city}, le ") == 1
    assert "Chef-Lieu, le 5 mars 2026" in flat


def test_a_letter_template_is_not_offered_without_a_postal_address(
    prefecture, service, agent, client_for
):
    letter = VersionFactory(
        template=TemplateFactory(
            prefecture=prefecture, name="Courrier type", channel=AnswerChannel.LETTER
        ),
        published=True,
    )
    email = VersionFactory(
        template=TemplateFactory(prefecture=prefecture, name="Courriel type"), published=True
    )
    client = client_for(agent)
    without = create(prefecture, service, sender_address="")
    url = reverse("correspondence:agents-answer", args=[prefecture.slug, without.pk])
    page = client.get(url)
    assert [v.pk for v in page.context["available"]] == [email.pk]
    assert "Courrier type" not in page.content.decode()
    assert client.get(url, {"template": letter.pk}).context["chosen"] is None
    with_address = create(prefecture, service, sender_address="3 rue Haute\n75002 Paris")
    url = reverse("correspondence:agents-answer", args=[prefecture.slug, with_address.pk])
    assert {v.pk for v in client.get(url).context["available"]} == {email.pk, letter.pk}


def test_the_worklist_keeps_a_late_request_among_the_late_messages(
    prefecture, service, agent, client_for
):
    message = create(prefecture, service)
    in_time = create(prefecture, service, sender_email="karim@example.test")
    with time_machine.travel(date(2026, 3, 9), tick=False):
        services.request_documents(in_time, actor=agent, documents="Photo d'identité")
    with time_machine.travel(date(2026, 3, 11), tick=False):
        services.request_documents(message, actor=agent, documents="Avis d'imposition")
    url = reverse("correspondence:agents-list", args=[prefecture.slug])
    with time_machine.travel(date(2026, 3, 12), tick=False):
        client = client_for(agent)
        late = client.get(url, {"late": "on", "status": ""})
        assert [m.pk for m in late.context["page"].object_list] == [message.pk]
        assert late.context["counts"] == {"open": 0, "late": 1, "unassigned": 0, "mine": 0}
        # "En retard seulement" with the default status lists what the counter counts.
        default = client.get(url, {"late": "on"}).context["page"].object_list
        assert [m.pk for m in default] == [message.pk]
        waiting = client.get(url, {"status": Status.WAITING})
        rows = {row["pk"]: row["late"] for row in waiting.context["rows"]}
        assert rows == {message.pk: True, in_time.pk: False}


def test_open_counts_over_several_prefectures_count_each_late_request(
    prefecture, service, other_prefecture, other_prefecture_service, agent
):
    """The counters' query is one row whatever the messages span (the late requests are
    counted by a subquery that must not group them by prefecture)."""
    waiting = [
        create(prefecture, service),
        create(other_prefecture, other_prefecture_service),
        create(prefecture, service, sender_email="karim@example.test"),
    ]
    with time_machine.travel(date(2026, 3, 11), tick=False):  # after the due date
        for message in waiting[:2]:
            services.request_documents(message, actor=agent, documents="Avis d'imposition")
    with time_machine.travel(date(2026, 3, 4), tick=False):  # in time: not late
        services.request_documents(waiting[2], actor=agent, documents="Photo d'identité")
    open_late = create(prefecture, service, sender_email="ines@example.test")
    assert open_late.status == Status.NEW
    counts = queries.open_counts(Message.objects.all(), today=date(2026, 3, 12))
    assert counts == {"open": 1, "late": 3, "unassigned": 1}

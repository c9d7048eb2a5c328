"""Agents' pages and the public contact form (server side)."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from engagements.antibot import new_challenge, solve
from engagements.correspondence import services
from engagements.correspondence.enums import Status
from engagements.correspondence.models import Message
from tests.correspondence.factories import MessageFactory, TemplateFactory, VersionFactory

pytestmark = pytest.mark.django_db


def worklist_queries(client, prefecture, django_assert_max_num_queries, limit):
    url = reverse("correspondence:agents-list", args=[prefecture.slug])
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url, {"status": "", "q": ""})
    assert response.status_code == 200
    # Its choice lists are plain queries, not server-side cursors (engagements.forms).
    assert not any("DECLARE" in query["sql"] for query in captured.captured_queries)
    return len(captured.captured_queries), response


def test_worklist_query_count_does_not_grow_with_messages(
    prefecture, service, quality_lead, client_for, django_assert_max_num_queries
):
    client = client_for(quality_lead)
    MessageFactory(service=service, assigned_to=quality_lead)
    # Session, user, roles (with the prefecture); count, page, counters; sites, services, agents.
    one, _response = worklist_queries(client, prefecture, django_assert_max_num_queries, 9)
    MessageFactory.create_batch(199, service=service, assigned_to=quality_lead)
    many, response = worklist_queries(client, prefecture, django_assert_max_num_queries, one)
    assert many == one
    assert response.context["page"].paginator.count == 200


def test_a_filtered_worklist_costs_no_more_queries(
    prefecture, site, service, quality_lead, client_for, django_assert_max_num_queries
):
    """The site and service asked are found in the choice lists the filters show (a query
    each otherwise), so filtering costs what the plain page does."""
    client = client_for(quality_lead)
    MessageFactory(service=service, assigned_to=quality_lead)
    plain, _response = worklist_queries(client, prefecture, django_assert_max_num_queries, 9)
    url = reverse("correspondence:agents-list", args=[prefecture.slug])
    with django_assert_max_num_queries(plain):
        response = client.get(url, {"status": "", "site": site.pk, "service": service.pk})
    assert response.context["form"].cleaned_data["service"] == service
    assert response.context["page"].paginator.count == 1


@time_machine.travel(date(2026, 3, 20), tick=False)
def test_worklist_sorts_by_due_date_filters_and_flags_late(
    prefecture, service, other_service, quality_lead, client_for
):
    late = MessageFactory(service=service, received_on=date(2026, 3, 2), subject="Titre bloqué")
    later = MessageFactory(service=service, received_on=date(2026, 3, 18), subject="Adresse")
    elsewhere = MessageFactory(service=other_service, received_on=date(2026, 3, 10))
    MessageFactory(service=service, answered_on_time=True)
    client = client_for(quality_lead)
    url = reverse("correspondence:agents-list", args=[prefecture.slug])
    listed = client.get(url)
    page, rows = listed.context["page"], listed.context["rows"]
    assert [m.reference for m in page.object_list] == [
        late.reference,
        elsewhere.reference,
        later.reference,
    ]
    assert rows[0]["late"] and not rows[2]["late"]
    html = client.get(url).content.decode()
    assert 'class="eng-late"' in html
    detail = reverse("correspondence:agents-detail", args=[prefecture.slug, late.pk])
    assert f'<a href="{detail}"><span class="eng-ref">{late.reference}</span></a>' in html
    only_late = client.get(url, {"late": "on"}).context["page"].object_list
    assert [m.pk for m in only_late] == [late.pk, elsewhere.pk]
    by_service = client.get(url, {"service": other_service.pk}).context["page"].object_list
    assert [m.pk for m in by_service] == [elsewhere.pk]
    found = client.get(url, {"q": "bloqué"}).context["page"].object_list
    assert [m.pk for m in found] == [late.pk]


def test_bulk_assignment(prefecture, service, quality_lead, agent, client_for):
    messages = MessageFactory.create_batch(3, service=service)
    client = client_for(quality_lead)
    client.post(
        reverse("correspondence:agents-bulk-assign", args=[prefecture.slug]),
        {"messages": [messages[0].pk, messages[1].pk], "agent": agent.pk},
    )
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert statuses[messages[0].pk] == statuses[messages[1].pk] == Status.ASSIGNED
    assert statuses[messages[2].pk] == Status.NEW


def test_bulk_assignment_comes_back_to_the_list_as_it_was_filtered(
    prefecture, service, quality_lead, agent, client_for
):
    """The list came back unfiltered after each assignment: an agent giving out the
    complaints, a page at a time, had to filter again after every click."""
    complaints = MessageFactory.create_batch(2, service=service, complaint=True)
    MessageFactory(service=service)
    client = client_for(quality_lead)
    url = reverse("correspondence:agents-list", args=[prefecture.slug])
    page = client.get(url, {"kind": "complaint", "q": "dossier"}).content.decode()
    assert 'name="filters" value="kind=complaint&amp;q=dossier&amp;status=open"' in page
    response = client.post(
        reverse("correspondence:agents-bulk-assign", args=[prefecture.slug]),
        {
            "messages": [complaints[0].pk],
            "agent": agent.pk,
            "filters": "kind=complaint&q=dossier&status=open",
        },
    )
    assert response.url == f"{url}?kind=complaint&q=dossier&status=open"
    # Only a query string is taken back, never somewhere else.
    response = client.post(
        reverse("correspondence:agents-bulk-assign", args=[prefecture.slug]),
        {"messages": [complaints[1].pk], "agent": agent.pk, "filters": "//evil.test/x"},
    )
    assert response.url.startswith(f"{url}?")


def test_the_worklist_lists_an_agent_s_own_messages_and_those_of_no_one(
    prefecture, service, agent, quality_lead, client_for, django_assert_max_num_queries
):
    """No filter on the agent in charge: an agent could not list what was given to him
    (a helpdesk's "my tickets") nor what no one had taken, short of sorting by eye."""
    mine = MessageFactory(service=service)
    services.assign_message(mine, agent=agent, actor=quality_lead)
    theirs = MessageFactory(service=service)
    services.assign_message(theirs, agent=quality_lead, actor=quality_lead)
    nobody = MessageFactory(service=service)
    client = client_for(agent)
    url = reverse("correspondence:agents-list", args=[prefecture.slug])
    with django_assert_max_num_queries(11) as plain:
        html = client.get(url).content.decode()
    assert f'href="{url}?charge=moi"' in html and "1 attribué à moi<" in html
    assert f'href="{url}?charge=personne"' in html and ">1 non attribué<" in html
    # The counts come in the header's one query; the filter costs none.
    with django_assert_max_num_queries(len(plain.captured_queries)):
        listed = client.get(url, {"charge": "moi"}).context["page"].object_list
    assert [m.pk for m in listed] == [mine.pk]
    listed = client.get(url, {"charge": "personne"}).context["page"].object_list
    assert [m.pk for m in listed] == [nobody.pk]
    # The bulk assignment's "agent" field is on the same page: one element per id.
    assert html.count('id="id_agent"') == 1


def test_an_agent_takes_a_message_in_one_click(prefecture, service, agent, client_for):
    """Taking a message meant finding oneself in the agents' list, then "Attribuer"."""
    message = MessageFactory(service=service)
    client = client_for(agent)
    url = reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk])
    page = client.get(url).content.decode()
    assert "Me l'attribuer" in page
    assert f'name="agent" value="{agent.pk}"' in page
    client.post(
        reverse("correspondence:agents-assign", args=[prefecture.slug, message.pk]),
        {"agent": agent.pk},
    )
    message.refresh_from_db()
    assert (message.status, message.assigned_to) == (Status.ASSIGNED, agent)
    # His own message, or one he may not work on: no button.
    assert "Me l'attribuer" not in client.get(url).content.decode()


def test_no_one_click_taking_of_a_closed_message(prefecture, service, agent, client_for):
    closed = MessageFactory(service=service)
    services.close_message(closed, reason="spam", actor=agent)
    page = client_for(agent).get(
        reverse("correspondence:agents-detail", args=[prefecture.slug, closed.pk])
    )
    assert "Me l'attribuer" not in page.content.decode()


def test_a_search_narrowed_by_the_status_says_what_it_finds_in_every_status(
    prefecture, service, agent, client_for
):
    """The list opens on "À traiter": the reference of an answered message, read out on the
    phone, found nothing, with no word why."""
    answered = MessageFactory(service=service, answered_on_time=True)
    client = client_for(agent)
    url = reverse("correspondence:agents-list", args=[prefecture.slug])
    response = client.get(url, {"q": answered.reference, "status": "open"})
    assert response.context["page"].paginator.count == 0
    html = response.content.decode()
    assert (
        "Recherche limitée au statut « À traiter » ; tous statuts confondus, 1 message "
        "correspond." in html
    )
    link = re.search(r'<a href="\?([^"]+)">Chercher dans tous les statuts</a>', html).group(1)
    wider = client.get(f"{url}?{link.replace('&amp;', '&')}")
    assert [m.pk for m in wider.context["page"].object_list] == [answered.pk]
    assert "Recherche limitée" not in wider.content.decode()
    # Without a search, or when the status hides nothing, no such line.
    assert "Recherche limitée" not in client.get(url).content.decode()
    open_one = MessageFactory(service=service, subject="Carte grise perdue")
    found = client.get(url, {"q": open_one.reference})
    assert found.context["page"].paginator.count == 1
    assert "Recherche limitée" not in found.content.decode()


def test_the_worklist_sorts_by_date_received_newest_first(prefecture, service, agent, client_for):
    """Only the due date ordered the list: "Tous" opened on the oldest messages of last
    year, and the mail that came in this morning was nowhere to be found first."""
    old = MessageFactory(service=service, received_on=date(2026, 3, 2))
    new = MessageFactory(service=service, received_on=date(2026, 3, 9))
    middle = MessageFactory(service=service, received_on=date(2026, 3, 5), complaint=True)
    client = client_for(agent)
    url = reverse("correspondence:agents-list", args=[prefecture.slug])
    by_due = client.get(url, {"status": ""})
    assert [m.pk for m in by_due.context["page"].object_list] == [old.pk, middle.pk, new.pk]
    newest = client.get(url, {"status": "", "tri": "recus"})
    assert [m.pk for m in newest.context["page"].object_list] == [new.pk, middle.pk, old.pk]
    html = newest.content.decode()
    assert "Messages triés par date de réception, les plus récents d&#x27;abord (3)" in html


def test_a_message_is_given_only_to_those_who_may_work_on_it(
    prefecture, service, other_service, quality_lead, agent, agent_other_site, client_for
):
    """The list offered every agent of the prefecture: given a message of another site, the
    agent could not open it and it left the "non attribués" count."""
    message = MessageFactory(service=service)
    other = MessageFactory(service=other_service)
    client = client_for(quality_lead)
    page = client.get(reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk]))
    offered = list(page.context["assign_form"].fields["agent"].queryset)
    assert agent in offered and quality_lead in offered and agent_other_site not in offered
    client.post(
        reverse("correspondence:agents-assign", args=[prefecture.slug, message.pk]),
        {"agent": agent_other_site.pk},
    )
    response = client.post(
        reverse("correspondence:agents-bulk-assign", args=[prefecture.slug]),
        {"messages": [message.pk, other.pk], "agent": agent_other_site.pk},
        follow=True,
    )
    assert f"({message.reference}) : rien n&#x27;a été attribué" in response.content.decode()
    assert not Message.objects.filter(assigned_to=agent_other_site).exists()
    with pytest.raises(services.RegisterError, match=message.reference):
        services.assign_message(message, agent=agent_other_site, actor=quality_lead)


def test_the_answer_page_offers_only_the_ways_the_person_can_be_answered(
    prefecture, service, agent, client_for
):
    """ "Courrier (PDF)" was offered to answer an e-mail without postal address, and refused
    once the whole answer was written."""
    client = client_for(agent)
    by_mail = MessageFactory(service=service, sender_email="lea@example.test", sender_address="")
    by_post = MessageFactory(service=service, letter=True, sender_email="")
    both = MessageFactory(service=service, letter=True, sender_email="paul@example.test")
    offered = {}
    for message in (by_mail, by_post, both):
        url = reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk])
        form = client.get(url).context["form"]
        offered[message.pk] = [value for value, _label in form.fields["channel"].choices]
    assert offered == {
        by_mail.pk: ["email"],
        by_post.pk: ["letter"],
        both.pk: ["email", "letter"],
    }


def test_an_e_mail_template_for_a_person_without_e_mail_starts_as_a_letter(
    prefecture, service, agent, client_for
):
    """The template's channel was ticked even where the person cannot be answered that way:
    for a letter without e-mail, an e-mail template left no way ticked, and the written
    answer came back with "Ce champ est obligatoire"."""
    by_post = MessageFactory(service=service, letter=True, sender_email="")
    version = VersionFactory(
        template=TemplateFactory(prefecture=prefecture, channel="email"), published=True
    )
    url = reverse("correspondence:agents-answer", args=[prefecture.slug, by_post.pk])
    form = client_for(agent).get(url, {"template": version.pk}).context["form"]
    assert form["channel"].value() == "letter"
    assert form["text"].value()  # the template's text, to be laid out as a letter


@time_machine.travel(date(2026, 3, 20), tick=False)
def test_a_later_answer_is_not_given_the_first_answers_delay(
    prefecture, service, agent, client_for
):
    """The figures measure the first answer; a second one (the person wrote again) showed
    the same "délai : 3 jours ouvrés (dans les délais)" as if it had been measured."""
    message = MessageFactory(service=service, received_on=date(2026, 3, 2))
    for day in (date(2026, 3, 5), date(2026, 3, 19)):
        services.answer_message(
            message,
            actor=agent,
            subject="Votre demande",
            text="Madame, Monsieur,\n\nVoici notre réponse.",
            channel="email",
            answered_on=day,
            send=False,
        )
        message.refresh_from_db()
    page = client_for(agent).get(
        reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk])
    )
    body = " ".join(page.content.decode().split())
    assert '<h2 class="fr-h4">Réponses</h2>' in body
    assert body.count("— délai :") == 1 and body.count("— réponse complémentaire") == 1
    assert body.index("05/03/2026 par") < body.index("— délai :") < body.index("19/03/2026 par")


def test_the_acknowledgement_time_reads_as_the_answers_does(prefecture, service, agent, client_for):
    """ "envoyé le 02/03/2026 12:00" beside "Courriel envoyé le 18/12/2025 à 12:00"."""
    at = datetime(2026, 3, 2, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))
    message = MessageFactory(service=service, acknowledged_at=at)
    page = client_for(agent).get(
        reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk])
    )
    assert "<dd>envoyé le 02/03/2026 à 10:30</dd>" in page.content.decode()


def test_a_reference_is_not_split_at_its_hyphen_on_a_phone(prefecture, service, agent, client_for):
    """At 360 px the heading broke "2026-" / "000355" across two lines."""
    message = MessageFactory(service=service)
    client = client_for(agent)
    held = f'<span class="eng-ref">{message.reference}</span></h1>'
    for name in ("correspondence:agents-detail", "correspondence:agents-answer"):
        page = client.get(reverse(name, args=[prefecture.slug, message.pk]))
        assert held in page.content.decode(), name


def test_no_request_for_documents_is_offered_to_reach_nobody(
    prefecture, service, agent, client_for
):
    """A suggestion-box form without e-mail or address was offered "Demander les pièces",
    refused once the list was typed ("Pas de courriel ni d'adresse pour cet usager")."""
    client = client_for(agent)
    anonymous = MessageFactory(service=service, channel="box", sender_email="", sender_address="")
    reachable = MessageFactory(service=service, sender_email="lea@example.test")
    pages = {
        m.pk: client.get(
            reverse("correspondence:agents-detail", args=[prefecture.slug, m.pk])
        ).content.decode()
        for m in (anonymous, reachable)
    }
    assert "Demander les pièces" not in pages[anonymous.pk]
    assert "l'usager n'a donné ni courriel ni adresse postale" in pages[anonymous.pk]
    assert "Demander les pièces" in pages[reachable.pk]


def test_no_written_answer_is_offered_to_reach_nobody(prefecture, service, agent, client_for):
    """Each channel's refusal sent the agent to the other: "Pas de courriel pour cet usager :
    produisez un courrier", then "Pas d'adresse postale : répondez par courriel"."""
    client = client_for(agent)
    anonymous = MessageFactory(service=service, channel="box", sender_email="", sender_address="")
    detail = client.get(
        reverse("correspondence:agents-detail", args=[prefecture.slug, anonymous.pk])
    ).content.decode()
    answer_url = reverse("correspondence:agents-answer", args=[prefecture.slug, anonymous.pk])
    assert answer_url not in detail
    assert "Pas de réponse écrite possible" in detail
    for channel in ("email", "letter"):
        with pytest.raises(services.RegisterError, match="ni courriel ni adresse postale"):
            services.answer_message(
                anonymous, actor=agent, subject="Suggestion", text="Merci.", channel=channel
            )


def test_agent_pages_render(prefecture, service, quality_lead, client_for):
    message = MessageFactory(service=service, letter=True)
    version = VersionFactory(template=TemplateFactory(prefecture=prefecture), published=True)
    client = client_for(quality_lead)
    for name, args in (
        ("agents-list", []),
        ("agents-new", []),
        ("agents-detail", [message.pk]),
        ("agents-answer", [message.pk]),
        ("agents-figures", []),
        ("agents-templates", []),
        ("agents-template-new", []),
        ("agents-templates-collection", []),
        ("agents-template", [version.template_id]),
        ("agents-template-edit", [version.template_id]),
    ):
        response = client.get(reverse(f"correspondence:{name}", args=[prefecture.slug, *args]))
        assert response.status_code == 200, name
    csv = client.get(reverse("correspondence:agents-figures-csv", args=[prefecture.slug]))
    assert csv.content.decode().startswith("\ufeffdimension;valeur;total;répondus")
    ack = client.get(
        reverse("correspondence:agents-ack-letter", args=[prefecture.slug, message.pk])
    )
    assert ack["Content-Type"] == "application/pdf"


@time_machine.travel(date(2026, 3, 4), tick=False)
def test_agent_registers_a_letter_with_its_scan(
    prefecture, service, agent, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(agent)
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    photo = SimpleUploadedFile("enveloppe.png", b"\x89PNG\r\n\x1a\n...", content_type="image/png")
    response = client.post(
        reverse("correspondence:agents-new", args=[prefecture.slug]),
        {
            "channel": "letter",
            "service": service.pk,
            "kind": "complaint",
            "received_on": "2026-03-03",
            "sender_name": "Paul Henry",
            "sender_address": "4 avenue Foch\n75016 Paris",
            "subject": "Attente au guichet",
            "scans": [scan, photo],
        },
    )
    message = Message.objects.get()
    assert response.status_code == 302
    assert message.channel == "letter" and message.due_on == date(2026, 3, 17)
    # The due date is the last day on time (late from the day after), not a day "before".
    flashed = [str(m) for m in response.wsgi_request._messages]
    assert flashed == [
        f"Message enregistré sous la référence {message.reference}, à traiter au plus tard "
        "le 17/03/2026."
    ]
    assert sorted(message.attachments.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/png",
    ]


def test_entry_form_keeps_input_and_explains_errors(prefecture, service, agent, client_for):
    response = client_for(agent).post(
        reverse("correspondence:agents-new", args=[prefecture.slug]),
        {"channel": "letter", "service": service.pk, "kind": "complaint", "subject": "Garde"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and Message.objects.count() == 0
    assert "Indiquez au moins un moyen de répondre" in body
    assert 'value="Garde"' in body


def test_entry_form_says_the_chosen_scans_must_be_chosen_again(
    prefecture, service, agent, client_for
):
    """A browser never fills a file field again: sent back for a missing address, the form
    had dropped the scans without a word, and the letter was then registered without them."""
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    response = client_for(agent).post(
        reverse("correspondence:agents-new", args=[prefecture.slug]),
        {
            "channel": "letter",
            "service": service.pk,
            "kind": "complaint",
            "subject": "Garde",
            "scans": [scan],
        },
    )
    assert response.status_code == 200 and Message.objects.count() == 0
    assert response.context["form"].errors["scans"] == [
        "Les fichiers choisis (scan.pdf) n'ont pas été gardés : choisissez-les à nouveau "
        "avant d'enregistrer."
    ]


def test_entry_form_refuses_a_year_typed_short(prefecture, service, agent, client_for):
    """A date box takes "0026" for a year typed short: the letter was registered as
    "26-000001", due on "15/12/26"."""
    response = client_for(agent).post(
        reverse("correspondence:agents-new", args=[prefecture.slug]),
        {
            "channel": "letter",
            "service": service.pk,
            "kind": "complaint",
            "received_on": "0026-03-02",
            "sender_address": "4 avenue Foch\n75016 Paris",
            "subject": "Garde",
        },
    )
    assert response.status_code == 200 and Message.objects.count() == 0
    assert response.context["form"].errors["received_on"] == [
        "Vérifiez l'année : 0026 est hors des années admises (2000 à aujourd'hui)."
    ]


def contact_data(service, **extra):
    data = {
        "service": service.pk,
        "kind": "complaint",
        "name": "Léa Martin",
        "email": "lea@example.test",
        "subject": "Mon rendez-vous",
        "body": "Je n'arrive pas à obtenir de rendez-vous.",
        "altcha": solve(new_challenge()),
    }
    data.update(extra)
    return data


def test_contact_form_registers_and_shows_reference_and_due_date(
    prefecture, service, client, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("correspondence:contact", args=[prefecture.slug])
    with time_machine.travel(date(2026, 3, 2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, contact_data(service), follow=True)
    message = Message.objects.get()
    assert message.channel == "web_form" and message.kind == "complaint"
    body = response.content.decode()
    assert message.reference in body and "9 mars 2026" in body
    assert mailoutbox[0].to == ["lea@example.test"]


def test_a_form_sent_back_with_errors_says_so_in_the_page_title(prefecture, service, client):
    # A screen reader's user hears the title first when the page comes back (RGAA 8.6).
    url = reverse("correspondence:contact", args=[prefecture.slug])
    title = re.compile(r"<title>(.*?)</title>")
    assert not title.search(client.get(url).content.decode()).group(1).startswith("Erreur")
    french = client.post(url, contact_data(service, email="pas-une-adresse")).content.decode()
    assert title.search(french).group(1).startswith("Erreur — ")
    english = client.post("/en" + url, contact_data(service, email="x")).content.decode()
    assert title.search(english).group(1).startswith("Error — ")
    assert not Message.objects.exists()


def test_contact_form_in_english_acknowledges_in_english(
    prefecture, service, client, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("correspondence:contact", args=[prefecture.slug])
    assert url.startswith("/prefectures/")
    with (
        time_machine.travel(date(2026, 3, 2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/en" + url, contact_data(service), follow=True)
    assert "Your message is registered" in response.content.decode()
    assert Message.objects.get().language == "en"
    assert "Acknowledgement of your message" in mailoutbox[0].subject
    # Dates an English reader cannot misread (it said "02/03/2026", the 3rd of February
    # to an American).
    body = mailoutbox[0].body
    assert "We received your message on 2 March 2026." in body
    assert "by 9 March 2026 at the latest" in body and "/2026" not in body


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("", "elles sont effacées 2 ans après"),
        ("/en", "they are erased 2 years after"),
        ("/uk", "через 2 роки після"),
        ("/ar", "وتُحذف بعد سنتين من إغلاق طلبك"),
    ],
)
def test_contact_form_says_how_long_details_are_kept_in_the_language_s_plural(
    prefecture, service, client, language, expected
):
    """ "2 سنوات" in Arabic (two takes the dual, "سنتين") and "2 р." in Ukrainian: the
    sentence counted its years with one form for every number."""
    page = client.get(language + reverse("correspondence:contact", args=[prefecture.slug]))
    assert expected in page.content.decode()


def test_a_form_sent_back_with_errors_lists_them_above_its_fields(prefecture, service, client):
    """On a phone an error under the fold went unseen: the form starts with what is wrong,
    each line linking to its field, in the page's language."""
    url = reverse("correspondence:contact", args=[prefecture.slug])
    assert "data-form-errors" not in client.get(url).content.decode()
    html = client.post(url, contact_data(service, email="pas-une-adresse", subject="")).content
    html = html.decode()
    summary = html[
        html.index("data-form-errors") : html.index("</div>", html.index("data-form-errors"))
    ]
    assert "Le formulaire n'a pas été envoyé. À corriger :" in summary
    assert '<a href="#id_email">' in summary and '<a href="#id_subject">' in summary
    assert html.index("data-form-errors") < html.index('id="id_name"')
    english = client.post("/en" + url, contact_data(service, email="x")).content.decode()
    assert "The form was not sent. Please correct:" in english
    assert 'href="#id_email"' in english and not Message.objects.exists()


def test_contact_form_without_proof_of_work_keeps_input_and_says_why(prefecture, service, client):
    url = reverse("correspondence:contact", args=[prefecture.slug])
    response = client.post(url, contact_data(service, altcha=""))
    body = response.content.decode()
    assert response.status_code == 400 and Message.objects.count() == 0
    assert "nécessite JavaScript" in body
    assert "Je n&#x27;arrive pas à obtenir de rendez-vous." in body


def test_contact_form_counts_line_breaks_as_the_browser_does(prefecture, service, client):
    """The textarea's maxlength let 5,000 characters through, line breaks counted once;
    the browser posts them as CRLF, and the server refused the message as 5,099 long."""
    typed = "\n".join(["x" * 49] * 100)  # 5,000 characters on the page
    assert len(typed) + typed.count("\n") > 5000
    response = client.post(
        reverse("correspondence:contact", args=[prefecture.slug]),
        contact_data(service, body=typed.replace("\n", "\r\n")),
    )
    assert response.status_code == 302
    assert Message.objects.get().body == typed


def test_contact_form_refuses_a_disguised_file(prefecture, service, client):
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post(
        reverse("correspondence:contact", args=[prefecture.slug]),
        contact_data(service, attachment=fake),
    )
    assert response.status_code == 400 and Message.objects.count() == 0
    assert "Seuls les fichiers PDF, JPEG et PNG" in response.content.decode()


# Frozen clock: the limit counts in fixed one-hour windows.
@time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
def test_contact_form_is_rate_limited_per_address(prefecture, service, client):
    url = reverse("correspondence:contact", args=[prefecture.slug])
    codes = [client.post(url, contact_data(service)).status_code for _ in range(6)]
    assert codes[:5] == [302] * 5 and codes[5] == 429
    assert Message.objects.count() == 5


def test_contact_is_a_call_to_action_on_the_prefecture_page(prefecture, client):
    page = client.get(reverse("organisation:prefecture", args=[prefecture.slug]))
    assert reverse("correspondence:contact", args=[prefecture.slug]) in page.content.decode()
    assert "Nous écrire" in page.content.decode()


def test_quality_lead_sets_retention_and_topics(prefecture, quality_lead, agent, client_for):
    client = client_for(quality_lead)
    url = reverse("correspondence:agents-settings", args=[prefecture.slug])
    assert client.get(url).status_code == 200
    client.post(url, {"retention_years": 3, "observation_days": 15, "duplicate_window": 10})
    assert prefecture.correspondence_settings.retention_years == 3
    bad = client.post(url, {"retention_years": 40, "observation_days": 15, "duplicate_window": 10})
    assert "entre 1 et 10 ans" in bad.content.decode()
    # Both delays were taken up to 32,767 days: a duplicate window of years walked the
    # calendar day by day for each message registered.
    bad = client.post(url, {"retention_years": 3, "observation_days": 0, "duplicate_window": 900})
    assert "entre 1 et 60 jours." in bad.content.decode()
    assert "entre 1 et 60 jours ouvrés." in bad.content.decode()
    assert 'value="900"' in bad.content.decode()
    settings = prefecture.correspondence_settings
    settings.refresh_from_db()
    assert (settings.observation_days, settings.duplicate_window) == (15, 10)
    add = reverse("correspondence:agents-topic-add", args=[prefecture.slug])
    client.post(add, {"name": "Prise de rendez-vous", "position": 1})
    client.post(add, {"name": "prise de rendez-vous", "position": 2})
    topic = prefecture.topics.get()
    client.post(reverse("correspondence:agents-topic-toggle", args=[prefecture.slug, topic.pk]))
    topic.refresh_from_db()
    assert not topic.is_active
    assert client_for(agent).get(url).status_code == 403


def test_worklist_query_count_for_a_scoped_agent_with_filters(
    prefecture, service, agent, client_for, django_assert_max_num_queries
):
    client = client_for(agent)
    url = reverse("correspondence:agents-list", args=[prefecture.slug])
    params = {"q": "dossier", "kind": "information", "late": "on", "status": "open"}
    MessageFactory(service=service, received_on=date(2026, 1, 5))
    # Session, user, roles with their sites and services (3; the prefecture comes with the
    # roles); count, page, counters; sites, services, agents; a search narrowed by the
    # status also counts what it finds in every status (one more).
    with django_assert_max_num_queries(12) as one:
        client.get(url, params)
    MessageFactory.create_batch(120, service=service, received_on=date(2026, 1, 5))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url, params)
    assert response.context["page"].paginator.count == 121


def test_attachment_download_is_scoped(
    prefecture, service, agent, agent_other_site, client_for, tmp_path, settings
):
    from django.core.signals import request_finished
    from django.db import close_old_connections

    from engagements.correspondence import services

    settings.MEDIA_ROOT = tmp_path
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    message = services.create_message(
        prefecture,
        site=service.site,
        service=service,
        channel="letter",
        kind="complaint",
        received_on=date(2026, 3, 2),
        sender_address="1 rue X",
        attachments=[scan],
    )
    item = message.attachments.get()
    url = reverse("correspondence:agents-attachment", args=[prefecture.slug, item.pk])
    response = client_for(agent).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 scan"
    # Closing sends request_finished, which would close the test's database connection
    # (as Django's test client does, keep the connection while closing the file).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert client_for(agent_other_site).get(url).status_code == 404


def test_close_and_assign_forms_have_no_default(prefecture, service, quality_lead, client_for):
    """Neither "Doublon" nor the current user is preselected on an unassigned message."""
    message = MessageFactory(service=service)
    client = client_for(quality_lead)
    response = client.get(
        reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk])
    )
    assert response.context["close_form"]["reason"].value() in (None, "")
    assert response.context["assign_form"]["agent"].value() is None
    html = response.content.decode()
    assert "— Choisir un motif —" in html and "— Choisir un agent —" in html
    client.post(
        reverse("correspondence:agents-close", args=[prefecture.slug, message.pk]), {"note": "x"}
    )
    message.refresh_from_db()
    assert message.status != Status.CLOSED

"""Public survey pages: anonymous answers, channels, one per session, limits, languages,
invitations after an appointment."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from engagements.shell.content_language import long_date
from engagements.surveys.enums import Channel
from engagements.surveys.models import Answer, Comment, Invitation, Response
from engagements.surveys.services import invite_after_visit
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def campaign(site, service):
    return CampaignFactory(site=site, services=[service])


def _url(campaign, service, name="surveys:answer"):
    return reverse(name, args=[campaign.token, service.slug])


def test_qr_answer_is_recorded_without_who_answered(client, campaign, service):
    response = client.post(
        _url(campaign, service),
        {"q_courtoisie": "4", "q_attente": "2", "q_commentaire": "Merci !"},
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 302
    saved = Response.objects.get()
    assert (saved.channel, saved.service, saved.language) == (Channel.QR, service, "fr")
    assert saved.answered_on == timezone.localdate()
    assert {a.question.code: a.value for a in Answer.objects.all()} == {
        "courtoisie": 4,
        "attente": 2,
    }
    # Nothing that identifies the person is stored on the response.
    field_names = {f.name for f in Response._meta.get_fields()}
    assert not field_names & {"ip", "session", "user", "email", "created_at"}
    assert Comment.objects.get().status == "pending"


def test_website_link_and_stars_count_under_their_own_channel(client, site, service):
    web = CampaignFactory(site=site, services=[service])
    client.post(_url(web, service) + "?canal=web", {"q_global": "3"})
    stars = CampaignFactory(site=site, services=[service], stars_poster=True)
    client.post(_url(stars, service), {"q_etoiles": "5"})
    assert sorted(Response.objects.values_list("channel", flat=True)) == ["stars", "web"]


def test_one_answer_per_browser_session_and_campaign(client, campaign, service):
    client.post(_url(campaign, service), {"q_global": "4"})
    again = client.get(_url(campaign, service))
    assert "Vous avez déjà répondu" in again.content.decode()
    client.post(_url(campaign, service), {"q_global": "1"})
    assert Response.objects.count() == 1


def test_empty_submission_explains_and_keeps_nothing(client, campaign, service):
    response = client.post(_url(campaign, service), {"q_commentaire": ""})
    assert response.status_code == 200
    assert "Répondez au moins à une question." in response.content.decode()
    assert Response.objects.count() == 0


def test_a_comment_as_long_as_the_page_allows_is_kept_whole(client, campaign, service):
    """The comment's textarea lets 2,000 characters through, each line break counted once;
    the browser posts line breaks as CRLF, which the server once counted twice and refused
    the answer as too long (every project form reads a textarea's text with LF breaks)."""
    typed = "\n".join(["y" * 39] * 50)  # 2,000 characters on the page
    response = client.post(
        _url(campaign, service),
        {"q_global": "4", "q_commentaire": typed.replace("\n", "\r\n")},
    )
    assert response.status_code == 302
    assert Comment.objects.get().text == typed


def test_invalid_value_is_refused_and_input_kept(client, campaign, service):
    response = client.post(_url(campaign, service), {"q_global": "9", "q_commentaire": "gardé"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "gardé" in html
    assert 'aria-invalid="true"' in html
    assert Response.objects.count() == 0


def test_rate_limit_per_address(client, site, service, settings):
    campaigns = [CampaignFactory(site=site, services=[service]) for _ in range(21)]
    statuses = [
        client.post(_url(c, service), {"q_global": "4"}, REMOTE_ADDR="198.51.100.7").status_code
        for c in campaigns
    ]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
    assert Response.objects.count() == 20


def test_closed_campaign_accepts_no_answer(client, site, service):
    finished = CampaignFactory(site=site, services=[service], finished=True)
    response = client.post(_url(finished, service), {"q_global": "4"})
    assert response.status_code == 410
    assert Response.objects.count() == 0


def test_a_campaign_not_yet_started_says_so_not_that_it_is_over(client, site, service):
    from django.utils import translation

    coming = CampaignFactory(site=site, services=[service], not_started=True)
    day = coming.starts_on
    response = client.post(_url(coming, service), {"q_global": "4"})
    html = response.content.decode()
    assert response.status_code == 200 and Response.objects.count() == 0
    assert "Cette enquête n'a pas encore commencé" in html and "terminée" not in html
    assert f"Elle sera ouverte à partir du {day.day} " in html
    with translation.override("en"):
        url = _url(coming, service)
    english = client.get(url).content.decode()
    assert "This survey has not started yet" in english
    assert f"It will open on {day.day} " in english


def test_a_survey_not_open_writes_its_date_the_page_s_way_and_leads_on(client, site, service):
    """A campaign opening on 1 December: the Ukrainian page wrote its month in the
    nominative ("1 Грудень 2026") and the French one "1 décembre"; and the pages saying a
    survey is not open yet, over, or already answered stopped there, with no way on."""
    with time_machine.travel(date(2026, 11, 20), tick=False):
        coming = CampaignFactory(
            site=site, services=[service], starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 20)
        )
        paths = [_url(coming, service), reverse("surveys:prefecture", args=[site.prefecture.slug])]
        for prefix, day in (("", "1er décembre 2026"), ("/uk", "1 грудня 2026")):
            page = client.get(prefix + paths[0]).content.decode()
            assert f" {day}" in page
            assert f'href="{prefix}{paths[1]}"' in page
    finished = CampaignFactory(site=site, services=[service], finished=True)
    with translation.override("fr"):
        page = Client().get(_url(finished, service))  # a new visitor, in French
    assert page.status_code == 410
    assert f'href="{paths[1]}"' in page.content.decode()


def test_english_interface_and_questions(client, campaign, service):
    url = _url(campaign, service)  # before the request: it leaves English active
    html = client.get("/en" + url).content.decode()
    assert "Overall, are you satisfied with how you were received?" in html
    assert "Very satisfied" in html
    assert 'lang="en"' in html
    client.post("/en" + url, {"q_global": "4", "langue": "en"})
    assert Response.objects.get().language == "en"


GERMAN_INTERFACE = {
    "heading": "Ihre Meinung",
    "intro": "Anonyme Antwort: Beantworten Sie mindestens eine Frage.",
    "submit": "Meinung senden",
    "empty": "Beantworten Sie mindestens eine Frage.",
    "languages": "Sprache des Fragebogens",
    "scale_1": "Gar nicht zufrieden",
    "scale_2": "Wenig zufrieden",
    "scale_3": "Zufrieden",
    "scale_4": "Sehr zufrieden",
    "no": "Nein",
    "yes": "Ja",
    "not_concerned": "Nicht betroffen",
    "comment_help": "Geben Sie weder Ihren Namen noch Ihre Kontaktdaten an.",
}


def test_language_added_by_the_prefecture_is_offered_only_when_complete(client, campaign, service):
    from engagements.surveys import services, translations

    questionnaire = campaign.questionnaire
    questionnaire.extra_languages = ["de"]
    questionnaire.save()
    question = questionnaire.questions.get(code="global")
    question.translations["de"] = {"text": "Sind Sie insgesamt zufrieden?"}
    question.save()
    # Only one question translated: German is not offered, the page stays French.
    html = client.get(_url(campaign, service) + "?langue=de&canal=web").content.decode()
    assert "Sind Sie insgesamt zufrieden?" not in html and "Deutsch" not in html
    missing = translations.missing(questionnaire, "de")
    assert "question « courtoisie »" in missing and "Bouton d'envoi" in missing
    services.save_translation(
        questionnaire,
        "de",
        questions={q.pk: {"text": f"DE {q.code}"} for q in questionnaire.questions.all()}
        | {question.pk: {"text": "Sind Sie insgesamt zufrieden?"}},
        interface=GERMAN_INTERFACE,
        actor=None,
    )
    questionnaire.refresh_from_db()
    assert translations.missing(questionnaire, "de") == []
    html = client.get(_url(campaign, service) + "?langue=de&canal=web").content.decode()
    for text in ("Sind Sie insgesamt zufrieden?", "Ihre Meinung", "Meinung senden"):
        assert text in html, text
    assert "Sehr zufrieden" in html and "Nicht betroffen" in html
    assert "Très satisfait" not in html and "Envoyer mon avis" not in html
    # The language links keep the channel.
    assert 'href="?langue=fr&amp;canal=web"' in html or 'href="?canal=web&amp;langue=fr"' in html
    client.post(_url(campaign, service) + "?canal=web", {"q_global": "3", "langue": "de"})
    saved = Response.objects.get()
    assert (saved.language, saved.channel) == ("de", Channel.WEB)


def test_editor_shows_what_is_missing(client_for, quality_lead, campaign, prefecture):
    questionnaire = campaign.questionnaire
    questionnaire.extra_languages = ["de"]
    questionnaire.save()
    client = client_for(quality_lead)
    page = client.get(
        reverse("surveys:agents-questionnaire", args=[prefecture.slug, questionnaire.pk])
    ).content.decode()
    assert "non proposée" in page and "question « courtoisie »" in page
    url = reverse(
        "surveys:agents-questionnaire-translation", args=[prefecture.slug, questionnaire.pk, "de"]
    )
    form = client.get(url).context["form"]
    data = {f"ui_{key}": GERMAN_INTERFACE.get(key, "x") for key in form.interface_keys}
    data |= {f"text_{q.pk}": f"DE {q.code}" for q in questionnaire.questions.all()}
    response = client.post(url, data, follow=True)
    assert "Traduction complète" in response.content.decode()
    page = client.get(
        reverse("surveys:agents-questionnaire", args=[prefecture.slug, questionnaire.pk])
    ).content.decode()
    assert "proposée au public" in page


def test_short_link_goes_to_the_only_service(client, campaign, service):
    response = client.get(reverse("surveys:campaign", args=[campaign.token]))
    assert response["Location"] == _url(campaign, service)


def test_prefecture_page_lists_open_surveys(client, campaign, service, prefecture):
    html = client.get(reverse("surveys:prefecture", args=[prefecture.slug])).content.decode()
    assert _url(campaign, service) in html


def test_prefecture_page_offers_no_link_to_a_closed_service(client, site, service, prefecture):
    from tests.factories import ServiceFactory

    closed = ServiceFactory(site=site, name="Guichet fermé", is_active=False)
    campaign = CampaignFactory(site=site, services=[service, closed])
    html = client.get(reverse("surveys:prefecture", args=[prefecture.slug])).content.decode()
    assert _url(campaign, service) in html
    assert _url(campaign, closed) not in html and "Guichet fermé" not in html
    assert client.get(_url(campaign, closed)).status_code == 404
    # A campaign left with no open service is not announced at all (no empty heading).
    campaign.services.set([closed])
    html = client.get(reverse("surveys:prefecture", args=[prefecture.slug])).content.decode()
    assert f'id="site-{site.slug}"' not in html
    assert "Aucune enquête n'est ouverte" in html.replace("&#x27;", "'")


def test_invitation_after_a_visit_is_single_use(
    client, campaign, service, prefecture, smtp_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_after_visit(prefecture, service, "usager@example.test", language="en")
    [mail] = smtp_mail.to("usager@example.test")
    assert "appointment" in mail.subject.lower() or "rendez-vous" in mail.subject.lower()
    link = reverse("surveys:invitation", args=[invitation.token])
    assert link in mail.text()
    # The address is not stored anywhere.
    assert "usager@example.test" not in str(Invitation.objects.values().get())
    assert client.post(link, {"q_global": "4"}).status_code == 302
    response = Response.objects.get()
    assert response.channel == Channel.APPOINTMENT_EMAIL
    assert client.get(link).status_code == 410
    assert client.post(link, {"q_global": "4"}).status_code == 410
    assert Response.objects.count() == 1


def test_the_invitation_reads_the_same_in_its_text_and_html_parts(
    campaign, service, prefecture, smtp_mail, django_capture_on_commit_callbacks
):
    """The plain-text part showed "Préfecture de l&#x27;Yonne" (HTML escaping in a text
    mail), and told every reader "vous avez été reçu"."""
    prefecture.name = "Préfecture de l'Yonne"
    prefecture.save(update_fields=["name"])
    service.name = "Bureau de l'accueil"
    service.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=True):
        invite_after_visit(prefecture, service, "usager@example.test")
    [mail] = smtp_mail.to("usager@example.test")
    text = " ".join(mail.text().split())
    assert "&#x27;" not in text and "&amp;" not in text
    sentence = "Vous avez eu rendez-vous récemment avec le service « Bureau de l'accueil »."
    assert sentence in text and text.endswith("Préfecture de l'Yonne")
    assert sentence.replace("'", "&#x27;") in mail.html()


def test_an_invitation_never_outlives_its_campaign(
    site, service, prefecture, smtp_mail, django_capture_on_commit_callbacks
):
    ending = CampaignFactory(
        site=site, services=[service], ends_on=timezone.localdate() + timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_after_visit(prefecture, service, "usager@example.test")
    assert timezone.localtime(invitation.expires_at).date() == ending.ends_on
    [mail] = smtp_mail.to("usager@example.test")
    assert f"expire le {long_date(ending.ends_on)}" in " ".join(mail.text().split())
    # A link of a longer campaign keeps its fourteen days.
    CampaignFactory(site=site, services=[service], ends_on=None)
    ending.delete()
    longer = invite_after_visit(prefecture, service, "autre@example.test")
    assert longer.expires_at - timezone.now() > timedelta(days=13)


def test_no_invitation_without_a_running_campaign(prefecture, service, mailoutbox):
    assert invite_after_visit(prefecture, service, "x@example.test") is None
    assert mailoutbox == []


def test_end_of_call_survey_has_two_questions_and_its_own_channel(client, site, service):
    call = CampaignFactory(site=site, services=[service], end_of_call=True)
    short = client.get(reverse("surveys:campaign", args=[call.token]))
    assert short.status_code == 302
    page = client.get(short["Location"]).content.decode()
    assert page.count("<fieldset") == 2
    client.post(short["Location"], {"q_reponse": "2", "q_global": "5"})
    assert Response.objects.get().channel == Channel.END_OF_CALL


def test_api_publishes_aggregates_only(client, campaign, prefecture):
    listing = client.get(f"/api/v1/prefectures/{prefecture.slug}/surveys").json()
    assert [c["id"] for c in listing] == [campaign.pk]
    report = client.get(f"/api/v1/prefectures/{prefecture.slug}/surveys/{campaign.pk}/report")
    assert report.json()["questions"]["global"]["rate"] is None


def test_prefecture_page_offers_to_give_an_opinion(client, prefecture, campaign):
    html = client.get(reverse("organisation:prefecture", args=[prefecture.slug])).content.decode()
    assert f'href="{reverse("surveys:prefecture", args=[prefecture.slug])}"' in html
    assert "Donner votre avis" in html
    english = client.get("/en/prefectures/" + prefecture.slug + "/").content.decode()
    assert "Give your opinion" in english


def test_single_choice_question_in_english(client, site, service):
    from tests.surveys.factories import QuestionFactory, QuestionnaireFactory

    questionnaire = QuestionnaireFactory(prefecture=site.prefecture)
    QuestionFactory(
        questionnaire=questionnaire,
        code="motif",
        kind="choice",
        criterion="",
        text="Motif de votre venue ?",
        choices=["Titre de séjour", "Permis de conduire"],
        translations={
            "en": {"text": "Why did you come?", "choices": ["Residence permit", "Driving licence"]}
        },
    )
    campaign = CampaignFactory(site=site, services=[service], questionnaire=questionnaire)
    url = _url(campaign, service)
    html = client.get("/en" + url).content.decode()
    assert "Residence permit" in html and "Driving licence" in html
    client.post("/en" + url, {"q_motif": "2", "langue": "en"})
    assert Answer.objects.get().value == 2


def test_stars_form_says_one_answer_is_needed_and_refuses_an_empty_submit(client, site, service):
    stars = CampaignFactory(site=site, services=[service], stars_poster=True)
    page = client.get(_url(stars, service)).content.decode()
    assert "Toutes les questions sont facultatives" not in page
    assert "Répondez à au moins une question" in page
    refused = client.post(_url(stars, service), {"q_commentaire": ""}).content.decode()
    assert "Répondez au moins à une question." in refused


def test_reduced_mobility_offers_not_concerned_left_out_of_rates(client, campaign, service):
    from engagements.surveys.enums import NOT_CONCERNED, QuestionKind
    from engagements.surveys.queries import campaign_answers, figures_by

    pmr = campaign.questionnaire.questions.get(code="pmr")
    assert pmr.kind == QuestionKind.YES_NO and pmr.not_concerned
    html = client.get(_url(campaign, service)).content.decode()
    assert "Non concerné" in html and "Oui" in html and "Très satisfait" in html
    for value in ("0", "0", "2", "1"):
        client.cookies.clear()
        response = client.post(_url(campaign, service), {"q_pmr": value, "q_global": "4"})
        assert response.status_code == 302
    values = sorted(Answer.objects.filter(question=pmr).values_list("value", flat=True))
    assert values == [NOT_CONCERNED, NOT_CONCERNED, 1, 2]
    figure = figures_by(campaign_answers(campaign))[None]["criteria"]["reduced_mobility"]
    assert (figure.answers, figure.satisfied, figure.dissatisfied) == (2, 1, 1)
    # "Not concerned" is refused where the question does not offer it.
    client.cookies.clear()
    client.post(_url(campaign, service), {"q_global": "0"})
    assert not Answer.objects.filter(question__code="global", value=0).exists()

"""What agents write reaches the public in its languages: procedure names, documents to
bring, FAQ answers and "nous l'avons fait" summaries are written per language, shown in
the visitor's language where written and in French otherwise (marked lang="fr"); dates are
written the way each language writes them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from engagements.appointments.forms import ProcedureForm
from engagements.faq.models import Entry
from engagements.quality.models import Action
from engagements.quality.services import (
    change_status,
    create_action,
    record_effectiveness,
    status_for_code,
)
from engagements.shell.content_language import localise, long_date, range_start
from tests.appointments.factories import ProcedureFactory
from tests.faq.factories import EntryFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 5)
FRENCH_MARK = 'lang="fr" dir="ltr"'


def test_long_dates_follow_each_language():
    assert long_date(DAY, language="uk") == "5 грудня 2026"  # genitive, lower case
    assert long_date(DAY, language="ar") == "5 ديسمبر 2026"
    assert long_date(DAY, language="es") == "5 de diciembre de 2026"
    assert long_date(DAY, language="pt") == "5 de dezembro de 2026"
    assert long_date(DAY, language="fr") == "5 décembre 2026"
    assert long_date(date(2027, 2, 1), language="fr") == "1er février 2027"
    assert long_date(date(2027, 2, 1), language="uk") == "1 лютого 2027"
    assert long_date(DAY, "weekday", language="uk") == "субота, 5 грудня"
    assert long_date(DAY, "day", language="uk") == "5 грудня"
    moment = datetime(2026, 12, 5, 9, 30, tzinfo=ZoneInfo("UTC"))  # 10:30 in Paris
    assert long_date(moment, "full_time", language="uk") == "субота, 5 грудня 2026, 10:30"
    assert long_date(moment, "full_time", language="fr") == "samedi 5 décembre 2026, 10:30"
    # Arabic writes its own comma before the time (it showed the Latin ", ").
    assert long_date(moment, "full_time", language="ar") == "السبت 5 ديسمبر 2026، 10:30"
    with translation.override("uk"):
        assert long_date(DAY) == "5 грудня 2026"


def test_a_date_range_names_its_month_and_year_once():
    """ "Semaine du 7 au 13 décembre 2026", not "du 7 décembre au 13 décembre 2026"."""
    assert range_start(date(2026, 12, 7), date(2026, 12, 13), "fr") == "7"
    assert range_start(date(2027, 2, 1), date(2027, 2, 7), "fr") == "1er"
    assert range_start(date(2027, 2, 1), date(2027, 2, 7), "en") == "1"
    assert range_start(date(2026, 11, 30), date(2026, 12, 6), "fr") == "30 novembre"
    assert range_start(date(2026, 11, 30), date(2026, 12, 6), "es") == "30 de noviembre"
    assert range_start(date(2026, 12, 28), date(2027, 1, 3), "fr") == "28 décembre 2026"


def test_localise_falls_back_to_french_and_says_so():
    translations = {"uk": {"name": "Видача посвідки"}, "ar": {"name": "  "}}
    uk = localise(translations, "name", "Remise de titre", "uk")
    assert (uk, uk.lang) == ("Видача посвідки", "uk")
    ar = localise(translations, "name", "Remise de titre", "ar")
    assert (ar, ar.lang) == ("Remise de titre", "fr")


def test_faq_in_ukrainian_shows_written_answers_and_marks_french_ones(client, prefecture):
    EntryFactory(
        prefecture=prefecture,
        question="Comment renouveler mon titre de séjour ?",
        answer="Prenez rendez-vous deux mois avant la fin.",
        reviewed_on=DAY,
        translations={
            "uk": {
                "question": "Як продовжити посвідку на проживання?",
                "answer": "Запишіться на прийом за два місяці до закінчення строку.",
            }
        },
    )
    EntryFactory(prefecture=prefecture, question="Où se garer ?", answer="Parking rue Haute.")
    html = client.get(f"/uk/faq/{prefecture.slug}/").content.decode()
    assert "Як продовжити посвідку на проживання?" in html
    assert "Запишіться на прийом" in html
    assert "Comment renouveler" not in html
    # The untranslated one is shown in French, marked as such (read with a French voice).
    assert f"{FRENCH_MARK}>Où se garer ?" in html
    assert f"{FRENCH_MARK}><p>Parking rue Haute.</p>" in html
    assert "5 грудня 2026" in html and "Грудень" not in html
    # A search typed in Ukrainian finds the translated answer.
    found = client.get(f"/uk/faq/{prefecture.slug}/", {"q": "посвідку"}).content.decode()
    assert "Як продовжити посвідку на проживання?" in found
    # French pages are unchanged.
    french = client.get(f"/faq/{prefecture.slug}/").content.decode()
    assert "Comment renouveler mon titre de séjour ?" in french and "Як" not in french


def test_procedure_in_arabic_with_its_documents(client, prefecture, service):
    procedure = ProcedureFactory(
        service=service,
        name="Remise de titre de séjour",
        documents="Passeport\nConvocation",
        translations={"ar": {"name": "تسليم بطاقة الإقامة", "documents": "جواز السفر\nالاستدعاء"}},
    )
    ProcedureFactory(service=service, name="Naturalisation")
    listing = client.get(f"/ar/rendez-vous/prefecture/{prefecture.slug}/").content.decode()
    assert "تسليم بطاقة الإقامة" in listing and "Remise de titre de séjour" not in listing
    assert f"{FRENCH_MARK}>Naturalisation</a>" in listing
    terms = client.get(
        "/ar" + reverse("appointments:terms", args=[procedure.pk]).removeprefix("/ar")
    ).content.decode()
    assert "<li>جواز السفر</li>" in terms and "<li>الاستدعاء</li>" in terms
    # Ukrainian is not written: French, marked, item by item.
    with translation.override("uk"):
        documents = procedure.document_list()
    assert documents == ["Passeport", "Convocation"]
    assert {d.lang for d in documents} == {"fr"}
    # Mails and the partners' API keep their language: the booking's and French.
    assert procedure.display_name("ar") == "تسليم بطاقة الإقامة"
    assert procedure.display_name(None) == "Remise de titre de séjour"


def test_done_page_in_ukrainian(client, prefecture, site, quality_lead):
    written = create_action(
        prefecture,
        site=site,
        year=2026,
        title="Affichage de l'attente",
        opened_on=date(2026, 1, 5),
        public_summary="Nous affichons le temps d'attente.",
        translations={"uk": {"public_summary": "Ми показуємо час очікування."}},
        is_public=True,
    )
    record_effectiveness(written, actor=quality_lead, text="Moins de questions au guichet.")
    change_status(
        written,
        status_for_code(prefecture, "done"),
        actor=quality_lead,
        closed_on=date(2026, 5, 12),
    )
    create_action(
        prefecture,
        site=site,
        year=2026,
        title="Bancs",
        public_summary="Des bancs dans le hall.",
        is_public=True,
    )
    response = client.get(f"/uk/prefectures/{prefecture.slug}/nous-l-avons-fait/")
    assert response.status_code == 200  # served in Ukrainian, not sent to French
    html = response.content.decode()
    assert 'lang="uk"' in html and "Ви нам сказали — ми зробили" in html
    assert "Ми показуємо час очікування." in html and "Nous affichons" not in html
    assert f"{FRENCH_MARK}>Des bancs dans le hall.</span>" in html
    assert "12 травня 2026" in html and "Виконана" in html


def test_agents_write_the_translations(client_for, prefecture, service, quality_lead, site):
    client = client_for(quality_lead)
    new_entry = reverse("faq:agents-new", args=[prefecture.slug])
    page = client.get(new_entry).content.decode()
    assert 'name="tr_uk_answer"' in page and 'lang="ar" dir="rtl"' in page
    client.post(
        new_entry,
        {
            "service": "",
            "language": "fr",
            "question": "Horaires ?",
            "answer": "De 9 h à 16 h.",
            "tr_uk_question": "Години роботи?",
            "tr_uk_answer": "З 9 до 16 години.",
            "tr_ar_question": "",
        },
    )
    entry = Entry.objects.get(question="Horaires ?")
    assert entry.translations == {
        "uk": {"question": "Години роботи?", "answer": "З 9 до 16 години."}
    }
    # Translations belong to a French entry: an English entry with them is refused, kept.
    refused = client.post(
        new_entry,
        {
            "language": "en",
            "question": "Hours?",
            "answer": "9 to 4.",
            "tr_es_question": "¿Horario?",
        },
    ).content.decode()
    assert "rédigée en français" in refused and "¿Horario?" in refused
    # The procedure form.
    procedure = ProcedureFactory(service=service)
    data = {
        name: getattr(procedure, name)
        for name in ProcedureForm.Meta.fields
        if name != "service" and getattr(procedure, name) is not None
    }
    data.update(service=service.pk, opens_at="08:00", tr_pt_name="Entrega do título")
    data["tr_pt_documents"] = "Passaporte\nConvocatória"
    form = ProcedureForm(data, instance=procedure, services=service.site.services.all())
    assert form.is_valid(), form.errors
    form.save()
    procedure.refresh_from_db()
    assert procedure.translations["pt"] == {
        "name": "Entrega do título",
        "documents": "Passaporte\nConvocatória",
    }
    # The action form: the summary in each public language, English included.
    response = client.post(
        reverse("quality:agents-action-new", args=[prefecture.slug]),
        {
            "title": "Signalétique",
            "kind": "improvement",
            "site": site.pk,
            "year": 2026,
            "public_summary": "Nouveaux panneaux.",
            "tr_en_public_summary": "New signs.",
            "tr_uk_public_summary": "Нові вказівники.",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(title="Signalétique")
    assert action.translations == {
        "en": {"public_summary": "New signs."},
        "uk": {"public_summary": "Нові вказівники."},
    }
    edit = reverse("quality:agents-action-edit", args=[prefecture.slug, action.pk])
    assert "Нові вказівники." in client.get(edit).content.decode()


@override_settings(FLOW_PAGES=[])
def test_done_page_outside_the_flows_goes_back_to_french(client, prefecture):
    response = client.get(f"/uk/prefectures/{prefecture.slug}/nous-l-avons-fait/")
    assert response.status_code == 302

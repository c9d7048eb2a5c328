"""Contracts: `import_faq --prefecture SLUG FILE.csv` and `GET /api/v1/prefectures/{slug}/faq`."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from engagements.faq.models import Entry
from tests.faq.factories import EntryFactory

pytestmark = pytest.mark.django_db

HEADER = "site,service,question,answer,tags,language\n"


def _write(tmp_path, text, name="faq.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_creates_then_updates_by_question(tmp_path, prefecture, service, capsys):
    first = _write(
        tmp_path,
        HEADER
        + 'chef-lieu,sejour,Comment renouveler ?,En ligne.,"séjour, ANEF",fr\n'
        + ",,Horaires ?,9h-16h,,\n"
        + "chef-lieu,,Parking ?,Gratuit.,accès,en\n",
    )
    call_command("import_faq", "--prefecture", "alpha", first)
    assert Entry.objects.count() == 3
    entry = Entry.objects.get(question="Comment renouveler ?")
    assert (entry.service, entry.site, entry.tags, entry.language) == (
        service,
        service.site,
        "séjour, ANEF",
        "fr",
    )
    general = Entry.objects.get(question="Horaires ?")
    assert (general.site, general.service, general.language) == (None, None, "fr")
    assert Entry.objects.get(question="Parking ?").site == service.site
    second = _write(
        tmp_path,
        HEADER + "chef-lieu,sejour,Comment renouveler ?,Sur le site de l'ANEF.,,fr\n",
        "2.csv",
    )
    call_command("import_faq", "--prefecture", "alpha", second)
    entry.refresh_from_db()
    assert entry.answer == "Sur le site de l'ANEF." and Entry.objects.count() == 3
    assert "mises à jour : 1" in capsys.readouterr().out


def test_import_is_all_or_nothing_with_line_errors(tmp_path, prefecture, service):
    path = _write(
        tmp_path,
        HEADER
        + "chef-lieu,sejour,Bonne ligne ?,Oui.,,fr\n"
        + "inconnu,sejour,Site inconnu ?,R.,,fr\n"
        + "chef-lieu,absent,Service inconnu ?,R.,,fr\n"
        + "chef-lieu,sejour,,Sans question.,,fr\n"
        + "chef-lieu,sejour,Langue ?,R.,,de\n",
    )
    with pytest.raises(CommandError) as error:
        call_command("import_faq", "--prefecture", "alpha", path)
    message = str(error.value)
    for line in ("ligne 3", "ligne 4", "ligne 5", "ligne 6"):
        assert line in message
    assert "« site »" in message and "« service »" in message and "« language »" in message
    assert not Entry.objects.exists()


def test_import_reads_codes_in_any_case_and_names_the_valid_ones(tmp_path, prefecture, service):
    ok = _write(tmp_path, HEADER + "Chef-Lieu,SEJOUR,Où se garer ?,Place du marché.,,fr\n")
    call_command("import_faq", "--prefecture", "alpha", ok)
    assert Entry.objects.get().service == service
    bad = _write(
        tmp_path,
        HEADER + "nord,sejour,Q ?,R.,,fr\nchef-lieu,accueil-nord,Q ?,R.,,fr\n",
        "bad.csv",
    )
    with pytest.raises(CommandError) as error:
        call_command("import_faq", "--prefecture", "alpha", bad)
    message = str(error.value)
    assert "site « nord » inconnu ; valeurs possibles : chef-lieu" in message
    assert (
        "service du site chef-lieu « accueil-nord » inconnu ; valeurs possibles : sejour" in message
    )


def test_import_refuses_other_columns_and_unknown_prefecture(tmp_path, prefecture):
    path = _write(tmp_path, "site,service,question,answer\nx,y,z,w\n")
    with pytest.raises(CommandError):
        call_command("import_faq", "--prefecture", "alpha", path)
    with pytest.raises(CommandError, match="Préfecture inconnue"):
        call_command("import_faq", "--prefecture", "nulle-part", _write(tmp_path, HEADER))


def test_api_contract(client, prefecture, service):
    for n in range(12):
        EntryFactory(service=service, question=f"Titre de séjour : cas {n} ?", answer="Réponse.")
    EntryFactory(prefecture=prefecture, language="en", question="Residence permit renewal?")
    response = client.get("/api/v1/prefectures/alpha/faq", {"q": "titres de sejour"})
    assert response.status_code == 200
    data = response.json()
    assert len(data) == 10
    assert set(data[0]) == {"question", "answer", "site", "service", "url"}
    assert data[0]["site"] == "chef-lieu" and data[0]["service"] == "sejour"
    assert data[0]["url"].startswith("http") and "/faq/alpha/questions/" in data[0]["url"]
    english = client.get("/api/v1/prefectures/alpha/faq", {"q": "permits", "lang": "en"}).json()
    assert english[0] == {
        "question": "Residence permit renewal?",
        "answer": "Une réponse claire.",
        "site": None,
        "service": None,
        "url": english[0]["url"],
    }
    assert "/en/faq/alpha/questions/" in english[0]["url"]
    assert client.get("/api/v1/prefectures/alpha/faq").json() == []
    assert client.get("/api/v1/prefectures/nulle-part/faq", {"q": "x"}).status_code == 404


def test_api_is_documented_with_its_404(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/prefectures/{slug}/faq"]["get"]
    assert {"200", "404"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} == {"slug", "q", "lang"}


def test_api_gives_the_translation_in_a_public_flow_language(client, prefecture, service):
    EntryFactory(
        service=service,
        question="Comment renouveler mon titre de séjour ?",
        answer="Sur le site de l'ANEF.",
        translations={"uk": {"question": "Як продовжити посвідку?", "answer": "На сайті ANEF."}},
    )
    EntryFactory(service=service, question="Titre de séjour perdu ?", answer="Déclarez la perte.")
    found = client.get("/api/v1/prefectures/alpha/faq", {"q": "titre de sejour", "lang": "uk"})
    data = {item["question"]: item for item in found.json()}
    assert data["Як продовжити посвідку?"]["answer"] == "На сайті ANEF."
    url = data["Як продовжити посвідку?"]["url"]
    assert "/uk/faq/alpha/questions/" in url
    page = client.get(url.removeprefix(settings.SITE_URL))
    assert page.status_code == 200 and "Як продовжити посвідку?" in page.content.decode()
    # Not translated: given in French, as the FAQ page does.
    assert data["Titre de séjour perdu ?"]["answer"] == "Déclarez la perte."
    french = client.get("/api/v1/prefectures/alpha/faq", {"q": "titre de sejour"}).json()
    assert "Comment renouveler mon titre de séjour ?" in {item["question"] for item in french}
    assert all("/uk/" not in item["url"] for item in french)


def test_a_second_import_keeps_the_answers_agents_changed_in_the_app(
    tmp_path, prefecture, service, capsys, django_user_model
):
    """Re-importing the FAQ's file replaced the answers agents had corrected in the app
    since (and brought back the questions they had renamed or deleted)."""
    from engagements.faq import services

    agent = django_user_model.objects.create_user("agent")
    lines = [
        ",,Horaires ?,9h-16h.,,fr",
        ",,Parking ?,Gratuit.,,fr",
        ",,Adresse ?,1 rue de la Paix.,,fr",
        ",,Téléphone ?,01 02 03 04 05.,,fr",
        ",,Courriel ?,contact@alpha.test.,,fr",
    ]
    call_command("import_faq", "--prefecture", "alpha", _write(tmp_path, HEADER + "\n".join(lines)))
    edited = Entry.objects.get(question="Horaires ?")
    edited.answer = "9h-16h, 17h le jeudi."
    services.save_entry(edited, actor=agent)
    renamed = Entry.objects.get(question="Parking ?")
    renamed.question = "Où se garer ?"
    services.save_entry(renamed, actor=agent)
    Entry.objects.get(question="Adresse ?").delete()
    services.mark_reviewed(Entry.objects.get(question="Téléphone ?"), actor=agent)  # no edit
    EntryFactory(prefecture=prefecture, question="Accès ?", answer="Tram A.")  # the app's own
    capsys.readouterr()

    again = [line.replace(".,,fr", " (mis à jour).,,fr") for line in lines]
    again.append(",,Accès ?,Bus 3.,,fr")
    path = _write(tmp_path, HEADER + "\n".join(again), "2.csv")
    call_command("import_faq", "--prefecture", "alpha", path)
    out = capsys.readouterr().out
    assert "Questions créées : 0 ; mises à jour : 2." in out
    assert (
        "4 réponses modifiées dans l'application depuis le dernier import n'ont pas été "
        "remplacées : « Horaires ? » ; « Parking ? » ; « Adresse ? » ; « Accès ? ». "
        "Pour les remplacer aussi : --force."
    ) in out
    answers = dict(Entry.objects.values_list("question", "answer"))
    assert answers == {
        "Horaires ?": "9h-16h, 17h le jeudi.",
        "Où se garer ?": "Gratuit.",
        "Téléphone ?": "01 02 03 04 05 (mis à jour).",
        "Courriel ?": "contact@alpha.test (mis à jour).",
        "Accès ?": "Tram A.",
    }
    # The same file again: the agents' answers are still kept, the file's own unchanged.
    call_command("import_faq", "--prefecture", "alpha", path)
    assert dict(Entry.objects.values_list("question", "answer")) == answers
    # Forced, the file wins.
    call_command("import_faq", "--prefecture", "alpha", path, "--force")
    assert Entry.objects.get(question="Horaires ?").answer == "9h-16h (mis à jour)."
    assert Entry.objects.get(question="Accès ?").answer == "Bus 3."
    assert Entry.objects.filter(question__in=["Parking ?", "Adresse ?"]).count() == 2


def test_the_imports_page_names_the_kept_answers_and_may_replace_them(prefecture, service):
    from engagements.shell.imports import import_kind, run_import

    EntryFactory(prefecture=prefecture, question="Accès ?", answer="Tram A.")
    kind = import_kind("faq")
    data = (HEADER + ",,Accès ?,Bus 3.,,fr\n").encode()
    summary = run_import(kind, prefecture, data, options={})
    assert summary.notes == [
        "1 réponse modifiée dans l'application depuis le dernier import n'a pas été "
        "remplacée : « Accès ? »."
    ]
    assert Entry.objects.get().answer == "Tram A."
    run_import(kind, prefecture, data, options={"edited": "replace"})
    assert Entry.objects.get().answer == "Bus 3."

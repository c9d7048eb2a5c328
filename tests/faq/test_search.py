"""The FAQ search forgives accents, plurals and one wrong letter (PostgreSQL full text with
`french_unaccent` + trigrams), and its SQLite fallback finds the same simple cases."""

import pytest
from django.db import connection

from engagements.faq import search as faq_search
from engagements.faq.models import Entry
from engagements.faq.text import normalise, words
from tests.faq.factories import EntryFactory
from tests.tooling import require_postgres

ENTRIES = {
    "sejour": (
        "Comment renouveler mon titre de séjour ?",
        "Faites la demande en ligne sur le site de l'ANEF, entre quatre et deux mois avant "
        "l'expiration de votre titre.",
        "étrangers, ANEF",
    ),
    "recepisse": (
        "Mon récépissé expire bientôt : que faire ?",
        "Si votre demande est en cours, un nouveau récépissé vous est envoyé par courriel.",
        "attestation",
    ),
    "carte-grise": (
        "Comment obtenir une carte grise pour un véhicule d'occasion ?",
        "La demande de certificat d'immatriculation se fait uniquement en ligne.",
        "immatriculation, véhicule",
    ),
    "permis": (
        "Comment échanger un permis de conduire étranger ?",
        "L'échange se demande en ligne dans l'année qui suit l'installation en France.",
        "conduite",
    ),
    "passeport": (
        "Où déposer une demande de passeport ?",
        "Dans n'importe quelle mairie équipée d'un dispositif de recueil, sur rendez-vous.",
        "identité, voyage",
    ),
    "naturalisation": (
        "Quels documents pour une demande de naturalisation ?",
        "La liste des pièces dépend de votre situation ; le dossier se dépose en ligne.",
        "nationalité",
    ),
    "rdv": (
        "Comment annuler mon rendez-vous au guichet ?",
        "Utilisez le lien reçu dans le courriel de confirmation.",
        "guichet",
    ),
    "horaires": (
        "Quels sont les horaires d'ouverture de l'accueil ?",
        "Du lundi au vendredi, de 8 h 30 à 12 h et de 13 h 30 à 16 h.",
        "accueil, horaires",
    ),
    "association": (
        "Comment déclarer la création d'une association ?",
        "La déclaration se fait en ligne sur le compte association.",
        "associations",
    ),
    "armes": (
        "Comment obtenir une autorisation de détention d'armes ?",
        "Déposez le formulaire avec les justificatifs du club de tir.",
        "chasse, tir",
    ),
}

QUERIES = [
    # without accents
    ("titre de sejour", "sejour"),
    ("recepisse expire", "recepisse"),
    ("echanger permis etranger", "permis"),
    ("detention arme", "armes"),
    ("creation association", "association"),
    # plurals
    ("cartes grises", "carte-grise"),
    ("passeports", "passeport"),
    ("horaires", "horaires"),
    ("documents naturalisation", "naturalisation"),
    ("rendez-vous annulés", "rdv"),
    # one wrong letter
    ("pasxeport", "passeport"),
    ("naturelisation", "naturalisation"),
    ("renouveller titre", "sejour"),
    ("carte grose", "carte-grise"),
    ("immatriculetion", "carte-grise"),
    ("recepise", "recepisse"),
]


@pytest.fixture
def faq(prefecture, service):
    return {
        key: EntryFactory(service=service, question=q, answer=a, tags=t)
        for key, (q, a, t) in ENTRIES.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_right_answer_in_top_three_on_postgres(faq, prefecture, query, expected):
    require_postgres()
    found = faq_search.search(prefecture, query)
    assert faq[expected] in found[:3], (query, [e.question for e in found])


@pytest.mark.django_db
def test_search_vector_is_kept_on_write(faq, prefecture):
    require_postgres()
    entry = faq["armes"]
    entry.answer = "Désormais la demande se fait sur le portail des armes : SIA."
    entry.tags = "portail"
    entry.save()
    assert faq_search.search(prefecture, "portail")[0] == entry
    assert Entry.objects.filter(search_vector__isnull=True).count() == 0


@pytest.mark.django_db
def test_tags_are_searched(faq, prefecture):
    assert faq_search.search(prefecture, "nationalité")[0] == faq["naturalisation"]


@pytest.mark.django_db
def test_other_prefectures_and_languages_and_unpublished_are_left_out(
    faq, prefecture, other_prefecture_service
):
    EntryFactory(service=other_prefecture_service, question="Passeport : où le déposer ?")
    EntryFactory(prefecture=prefecture, language="en", question="Where to apply for a passport?")
    faq["passeport"].is_published = False
    faq["passeport"].save()
    assert faq_search.search(prefecture, "passeport") == []
    english = faq_search.search(prefecture, "passports", language="en")
    assert [e.question for e in english] == ["Where to apply for a passport?"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("titre de sejour", "sejour"),
        ("passeports", "passeport"),
        ("naturelisation", "naturalisation"),
    ],
)
def test_python_fallback(faq, prefecture, query, expected):
    """The SQLite path (also usable on PostgreSQL: it only reads the stored text)."""
    found = faq_search._search_python(Entry.objects.filter(prefecture=prefecture), words(query), 3)
    assert faq[expected] in found, (query, [e.question for e in found])


def test_normalise_and_words():
    assert normalise("Récépissé ÉTÉ") == "recepisse ete"
    assert words("Où est mon titre de séjour ?") == ["titre", "sejour"]


@pytest.mark.django_db
def test_search_uses_one_query(faq, prefecture, django_assert_num_queries):
    with django_assert_num_queries(1):
        faq_search.search(prefecture, "titre de séjour renouveler")
    assert connection.vendor in ("postgresql", "sqlite")

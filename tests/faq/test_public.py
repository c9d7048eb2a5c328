"""Public FAQ pages: per prefecture and service, FR/EN, search with a constant number of
queries, unanswered searches logged, anonymous votes limited, suggestion fragment."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from engagements.faq.models import Entry, SearchMiss
from tests.faq.factories import EntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def entries(service, other_service):
    return [
        EntryFactory(service=service, question="Comment renouveler mon titre de séjour ?"),
        EntryFactory(service=service, question="Où déposer une demande de passeport ?"),
        EntryFactory(service=other_service, question="Quels sont les horaires de l'accueil ?"),
        EntryFactory(
            service=service, language="en", question="How do I renew my residence permit?"
        ),
    ]


def test_prefecture_page_lists_entries_by_service(client, prefecture, entries):
    response = client.get(reverse("faq:prefecture", args=[prefecture.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "titre de séjour" in html and "horaires de l&#x27;accueil" in html
    assert "How do I renew" not in html


def test_english_page_shows_english_entries(client, prefecture, entries):
    response = client.get(f"/en/faq/{prefecture.slug}/")
    html = response.content.decode()
    assert "How do I renew my residence permit?" in html
    assert "Comment renouveler" not in html
    assert "Frequently asked questions" in html


def test_service_page(client, prefecture, service, entries):
    url = reverse("faq:service", args=[prefecture.slug, service.site.slug, service.slug])
    html = client.get(url).content.decode()
    assert "passeport" in html and "horaires" not in html
    assert client.get(url.replace(service.slug, "inconnu")).status_code == 404


def test_a_closed_service_s_answers_are_no_longer_public(client, prefecture, entries):
    # Its own FAQ page is a 404: the prefecture's page neither links to it nor lists, finds
    # or shows its answers (they would send people to a closed desk).
    closed = entries[0].service
    closed.is_active = False
    closed.save()
    service_url = reverse("faq:service", args=[prefecture.slug, closed.site.slug, closed.slug])
    assert client.get(service_url).status_code == 404
    page = client.get(reverse("faq:prefecture", args=[prefecture.slug])).content.decode()
    assert service_url not in page and "Comment renouveler" not in page
    assert "horaires de l&#x27;accueil" in page
    found = client.get(reverse("faq:prefecture", args=[prefecture.slug]), {"q": "titre de sejour"})
    assert "Comment renouveler" not in found.content.decode()
    entry = reverse("faq:entry", args=[prefecture.slug, entries[0].pk])
    assert client.get(entry).status_code == 404


def test_search_query_count_is_constant(client, prefecture, service, django_assert_max_num_queries):
    for n in range(3):
        EntryFactory(service=service, question=f"Titre de séjour, cas {n} ?")
    url = reverse("faq:prefecture", args=[prefecture.slug])
    with django_assert_max_num_queries(8):
        client.get(url, {"q": "titre de sejour"})
    for n in range(3, 30):
        EntryFactory(service=service, question=f"Titre de séjour, cas {n} ?")
    with django_assert_max_num_queries(8):
        response = client.get(url, {"q": "titre de sejour"})
    assert "10 réponses" in response.content.decode()
    with django_assert_max_num_queries(8):
        client.get(url)


def test_search_without_result_is_logged_once_per_query(client, prefecture, service, entries):
    url = reverse("faq:service", args=[prefecture.slug, service.site.slug, service.slug])
    response = client.get(url, {"q": "Allocation chômage"})
    assert "0 réponse" in response.content.decode()
    client.get(url, {"q": "allocation  CHOMAGE"})
    miss = SearchMiss.objects.get()
    assert (miss.query, miss.count, miss.service) == ("allocation chomage", 2, service)


def test_vote_counts_once_per_person(client, prefecture, entries):
    entry = entries[0]
    url = reverse("faq:vote", args=[prefecture.slug, entry.pk])
    response = client.post(url, {"utile": "oui"})
    assert response.status_code == 302 and response.url.endswith("?merci=1")
    client.post(url, {"utile": "oui"})
    client.post(url, {"utile": "peut-être"})
    entry.refresh_from_db()
    assert (entry.helpful_yes, entry.helpful_no) == (1, 0)
    assert client.get(url).status_code == 405
    page = client.get(reverse("faq:entry", args=[prefecture.slug, entry.pk]) + "?merci=1")
    assert "Merci, votre avis est enregistré." in page.content.decode()


def test_unpublished_entry_is_hidden(client, prefecture, entries):
    Entry.objects.filter(pk=entries[0].pk).update(is_published=False)
    assert (
        client.get(reverse("faq:entry", args=[prefecture.slug, entries[0].pk])).status_code == 404
    )


def test_suggestions_fragment(client, prefecture, entries):
    url = reverse("faq:suggestions", args=[prefecture.slug])
    html = client.get(url, {"q": "je veux renouveler mon titre de sejour"}).content.decode()
    assert "Ces réponses peuvent vous aider" in html and "titre de séjour" in html
    assert client.get(url, {"q": ""}).content.decode().strip() == ""


def test_contact_form_offers_faq_answers(client, prefecture, service, entries):
    html = client.get(reverse("correspondence:contact", args=[prefecture.slug])).content.decode()
    assert 'data-faq-suggest="/faq/alpha/suggestions/"' in html
    assert "voir les réponses" in html

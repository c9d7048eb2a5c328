"""Agents' FAQ pages: the référent manages every entry, service agents theirs only."""

import pytest
import time_machine
from django.urls import reverse

from engagements.faq.models import Entry, SearchMiss
from engagements.organisation.views.agents import prefecture_home
from tests.faq.factories import EntryFactory, SearchMissFactory

pytestmark = pytest.mark.django_db


def test_agent_creates_an_entry_for_his_service(client_for, agent, prefecture, service):
    client = client_for(agent)
    url = reverse("faq:agents-new", args=[prefecture.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "service": service.pk,
            "language": "fr",
            "question": "Puis-je venir sans rendez-vous ?",
            "answer": "Non, sauf pour retirer un titre.",
            "tags": "rendez-vous; guichet, Guichet",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.site, entry.reviewed_by, entry.tags) == (
        service.site,
        agent,
        "rendez-vous, guichet",
    )


def test_agent_cannot_write_for_the_whole_prefecture(client_for, agent, prefecture):
    response = client_for(agent).post(
        reverse("faq:agents-new", args=[prefecture.slug]),
        {"service": "", "language": "fr", "question": "Q ?", "answer": "R."},
    )
    assert response.status_code == 200 and not Entry.objects.exists()


def test_agent_does_not_see_other_services(client_for, agent, prefecture, other_service):
    other = EntryFactory(service=other_service)
    general = EntryFactory(prefecture=prefecture)
    client = client_for(agent)
    for entry in (other, general):
        assert (
            client.get(reverse("faq:agents-edit", args=[prefecture.slug, entry.pk])).status_code
            == 404
        )
    assert (
        other.question
        not in client.get(reverse("faq:agents-list", args=[prefecture.slug])).content.decode()
    )


def test_quality_lead_manages_prefecture_wide_entries(client_for, quality_lead, prefecture):
    client = client_for(quality_lead)
    response = client.post(
        reverse("faq:agents-new", args=[prefecture.slug]),
        {"service": "", "language": "en", "question": "Opening hours?", "answer": "9 to 5."},
    )
    assert response.status_code == 302
    assert Entry.objects.get().service is None


def test_committee_member_has_no_access(client_for, committee_member, prefecture):
    response = client_for(committee_member).get(reverse("faq:agents-list", args=[prefecture.slug]))
    assert response.status_code == 403


def test_overdue_entries_show_on_home_and_can_be_marked_reviewed(
    client_for, agent, prefecture, service, rf, settings
):
    settings.FAQ_REVIEW_MONTHS = 6
    with time_machine.travel("2026-01-10 10:00 +01:00"):
        old = EntryFactory(service=service, question="Ancienne réponse ?")
    with time_machine.travel("2026-07-10 10:00 +02:00"):
        client = client_for(agent)
        home = client.get(reverse("organisation:agents-prefecture", args=[prefecture.slug]))
        assert "1 réponse de la FAQ à relire" in home.content.decode()
        listing = client.get(
            reverse("faq:agents-list", args=[prefecture.slug]), {"etat": "a-relire"}
        )
        assert "Ancienne réponse ?" in listing.content.decode()
        client.post(reverse("faq:agents-review", args=[prefecture.slug, old.pk]))
        old.refresh_from_db()
        assert str(old.reviewed_on) == "2026-07-10" and old.reviewed_by == agent
        home = client.get(reverse("organisation:agents-prefecture", args=[prefecture.slug]))
        assert "à relire" not in home.content.decode()
    assert prefecture_home


def test_list_query_count_is_constant(
    client_for, quality_lead, prefecture, service, django_assert_max_num_queries
):
    client = client_for(quality_lead)
    url = reverse("faq:agents-list", args=[prefecture.slug])
    EntryFactory.create_batch(2, service=service)
    client.get(url)
    with django_assert_max_num_queries(5) as first:
        client.get(url)
    EntryFactory.create_batch(20, service=service)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_misses_listed_for_the_service_and_dismissed(
    client_for, agent, prefecture, service, other_service
):
    mine = SearchMissFactory(service=service, query="allocation logement", count=4)
    SearchMissFactory(service=other_service, query="permis bateau")
    client = client_for(agent)
    html = client.get(reverse("faq:agents-misses", args=[prefecture.slug])).content.decode()
    assert "allocation logement" in html and "permis bateau" not in html
    assert f"?question=allocation%20logement&amp;service={service.pk}" in html
    client.post(reverse("faq:agents-miss-dismiss", args=[prefecture.slug, mine.pk]))
    assert SearchMiss.objects.get(pk=mine.pk).dismissed


def test_insert_endpoint_for_the_reply_form(client_for, agent, prefecture, service):
    EntryFactory(service=service, question="Délai de traitement ?", answer="Trois mois environ.")
    response = client_for(agent).get(
        reverse("faq:agents-insert", args=[prefecture.slug]), {"q": "delais"}
    )
    assert response.json()["results"][0]["answer"] == "Trois mois environ."

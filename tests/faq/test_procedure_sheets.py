"""The agents' documentation base (issue 23.7): procedure sheets per service with an owner,
a review date, versions and review reminders; searched like the FAQ; never public."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from engagements.faq import services
from engagements.faq.models import ProcedureSheet
from engagements.outbox.models import Delivery
from tests.faq.factories import EntryFactory, SheetFactory

pytestmark = pytest.mark.django_db
SECRET = "Procédure interne : vérifier l'authenticité du titre avec la lampe ultraviolette."


@time_machine.travel(date(2026, 3, 2), tick=False)
def test_an_agent_writes_a_sheet_and_every_version_is_kept(
    prefecture, service, other_service, agent, client_for
):
    client = client_for(agent)
    new = reverse("faq:agents-sheet-new", args=[prefecture.slug])
    form = {
        "service": service.pk,
        "title": "Remise des titres de séjour",
        "body": "Vérifier le passeport.",
        "tags": "remise, titre",
        "owner": agent.pk,
        "review_on": "",
    }
    response = client.post(new, form)
    sheet = ProcedureSheet.objects.get()
    assert response.status_code == 302
    assert (sheet.version, sheet.owner, sheet.review_on) == (1, agent, date(2026, 9, 2))
    edit = reverse("faq:agents-sheet-edit", args=[prefecture.slug, sheet.pk])
    client.post(
        edit,
        {**form, "body": SECRET, "note": "Lampe UV", "review_on": "2026-06-01"},
    )
    client.post(edit, {**form, "body": SECRET, "review_on": "2026-06-01"})  # unchanged text
    sheet.refresh_from_db()
    assert sheet.version == 2 and sheet.review_on == date(2026, 6, 1)
    versions = list(sheet.versions.values_list("number", "body", "note"))
    assert versions == [(2, SECRET, "Lampe UV"), (1, "Vérifier le passeport.", "")]
    page = client.get(reverse("faq:agents-sheet", args=[prefecture.slug, sheet.pk]))
    text = page.content.decode()
    assert "Version 1 du 02/03/2026" in text and "Vérifier le passeport." in text
    # A service the agent does not work for is not offered.
    refused = client.post(new, {**form, "title": "Autre", "service": other_service.pk})
    assert refused.status_code == 200 and ProcedureSheet.objects.count() == 1


def test_sheets_are_searched_like_the_faq(prefecture, service, agent, client_for):
    SheetFactory(service=service, title="Remise des titres de séjour", body=SECRET)
    SheetFactory(service=service, title="Standard téléphonique", body="Transférer l'appel.")
    url = reverse("faq:agents-sheets", args=[prefecture.slug])
    client = client_for(agent)
    # Accents, a plural and a typo forgiven, as in the FAQ's search.
    for query in ("sejour", "titres", "authentcité"):
        text = client.get(url, {"q": query}).content.decode()
        assert "Remise des titres de séjour" in text, query
        assert "Standard téléphonique" not in text, query


def leaks(response) -> bool:
    """Whether a page shows the sheet (its title or its text; the query itself is echoed)."""
    text = response.content.decode()
    return "Contrôle ultraviolet" in text or "authenticité" in text or "authenticit\\u00e9" in text


def test_sheets_are_never_public(prefecture, service, client, agent, client_for):
    sheet = SheetFactory(service=service, title="Contrôle ultraviolet", body=SECRET)
    EntryFactory(prefecture=prefecture, question="Quels papiers ?", answer="Un passeport.")
    # Public FAQ search, its suggestions, its question pages and the public API.
    public = client.get(reverse("faq:prefecture", args=[prefecture.slug]), {"q": "ultraviolette"})
    assert public.status_code == 200 and not leaks(public)
    suggestions = client.get(
        reverse("faq:suggestions", args=[prefecture.slug]), {"q": "lampe ultraviolette"}
    )
    assert not leaks(suggestions)
    # The question page at the sheet's number shows a question (or nothing), never the sheet.
    entry_page = client.get(reverse("faq:entry", args=[prefecture.slug, sheet.pk]))
    assert entry_page.status_code in (200, 404) and not leaks(entry_page)
    api = client.get(f"/api/v1/prefectures/{prefecture.slug}/faq", {"q": "ultraviolette"})
    assert api.status_code == 200 and not leaks(api)
    # Its agents' pages ask for a login; an agent of another prefecture gets a 404.
    detail = reverse("faq:agents-sheet", args=[prefecture.slug, sheet.pk])
    assert client.get(detail).status_code == 302
    assert client_for(agent).get(detail).status_code == 200


@time_machine.travel(date(2026, 3, 2), tick=False)
def test_review_reminders_like_the_faq(prefecture, service, agent, client_for):
    agent.email = "agathe@alpha.gouv.fr"
    agent.save()
    due = SheetFactory(service=service, owner=agent, review_on=date(2026, 3, 1), title="Vieille")
    SheetFactory(service=service, owner=agent, title="Récente")
    home = client_for(agent).get(reverse("organisation:agents-prefecture", args=[prefecture.slug]))
    assert "1 fiche de procédure à relire" in home.content.decode()
    assert services.send_sheet_review_reminders() == 1
    assert services.send_sheet_review_reminders() == 0  # once
    delivery = Delivery.objects.get(purpose="procedure-sheet-review")
    assert delivery.to == ["agathe@alpha.gouv.fr"]
    assert delivery.subject == "Documentation des agents : 1 fiche de procédure à relire"
    assert "Vieille" in delivery.body and "Récente" not in delivery.body
    assert "si elle est toujours juste" in delivery.body and "Relisez-les" not in delivery.body
    client_for(agent).post(reverse("faq:agents-sheet-review", args=[prefecture.slug, due.pk]))
    due.refresh_from_db()
    assert due.review_on == date(2026, 9, 2) and due.reminded_on is None


def test_a_sheet_is_owned_by_someone_who_works_here(
    prefecture, service, agent, committee_member, auditor, client_for
):
    # The owner receives the review reminders and edits the sheet: a committee member or an
    # auditor opens neither, so is not offered (nor accepted when posted).
    new = reverse("faq:agents-sheet-new", args=[prefecture.slug])
    client = client_for(agent)
    owners = client.get(new).context["form"].fields["owner"].queryset
    assert agent in owners
    assert committee_member not in owners and auditor not in owners
    form = {"service": service.pk, "title": "Accueil", "body": "Orienter.", "tags": ""}
    refused = client.post(new, {**form, "owner": committee_member.pk, "review_on": ""})
    assert refused.status_code == 200 and "owner" in refused.context["form"].errors
    assert not ProcedureSheet.objects.exists()


@time_machine.travel(date(2026, 3, 2), tick=False)
def test_a_review_by_someone_of_another_service_is_refused_with_a_word(
    prefecture, other_service, agent, client_for
):
    # Every agent reads every sheet; only the service's agents note it reviewed. The post
    # was ignored without a word.
    sheet = SheetFactory(service=other_service, review_on=date(2026, 3, 1))
    url = reverse("faq:agents-sheet-review", args=[prefecture.slug, sheet.pk])
    page = client_for(agent).post(url, follow=True).content.decode()
    assert "Seul un agent du service peut noter cette fiche relue." in page
    sheet.refresh_from_db()
    assert sheet.review_on == date(2026, 3, 1)

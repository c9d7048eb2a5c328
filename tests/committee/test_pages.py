"""Agent pages, the members' space, the public page and the home warnings."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from engagements.committee.enums import MeetingStatus, MinutesStatus, SuggestionStatus
from engagements.committee.models import Minutes, Suggestion
from engagements.committee.services import minutes as minutes_services
from engagements.organisation.enums import RoleKind
from tests.committee.agent_urls import cases
from tests.committee.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CommitteeFactory,
    DecisionFactory,
    MeetingFactory,
    MinutesFactory,
    SeatFactory,
    SuggestionFactory,
    at,
)
from tests.factories import RoleFactory


@pytest.fixture
def member(prefecture):
    role = RoleFactory(kind=RoleKind.COMMITTEE_MEMBER, prefecture=prefecture)
    committee = CommitteeFactory(prefecture=prefecture)
    SeatFactory(committee=committee, user=role.user, organisation="UFC fictive")
    return role.user


def _published(committee, day=date(2025, 3, 10)):
    meeting = MeetingFactory(
        committee=committee, starts_at=at(day), status=MeetingStatus.MINUTES_APPROVED
    )
    item = AgendaItemFactory(meeting=meeting, title="Bilan de l'année")
    minutes = MinutesFactory(meeting=meeting, summary_en="The committee reviewed the year.")
    DecisionFactory(
        minutes=minutes, agenda_item=item, text="Les horaires seront affichés en anglais."
    )
    Minutes.objects.filter(pk=minutes.pk).update(status=MinutesStatus.APPROVED, approved_on=day)
    minutes.refresh_from_db()
    minutes_services.publish_minutes(minutes)
    return minutes


@pytest.mark.django_db
def test_member_sees_only_the_members_space(
    member, prefecture, other_prefecture, client_for, site, service
):
    client = client_for(member)
    names = cases(prefecture, site, service)
    for name, kwargs in names.items():
        response = client.get(reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs}))
        if name.startswith("committee:members-"):
            assert response.status_code in {200, 405}, name
        else:
            assert response.status_code in {403, 405}, name
    space = reverse("committee:members-space", args=[other_prefecture.slug])
    assert client.get(space).status_code == 404
    # Operational records stay closed to members.
    assert (
        client.get(reverse("correspondence:agents-list", args=[prefecture.slug])).status_code == 403
    )


@pytest.mark.django_db
def test_member_suggests_and_reads_the_answer(member, prefecture, client_for):
    client = client_for(member)
    url = reverse("committee:members-suggest", args=[prefecture.slug])
    response = client.post(url, {"text": "Un fléchage depuis l'arrêt de bus."})
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.author == member and suggestion.seat.organisation == "UFC fictive"
    suggestion.status = SuggestionStatus.ACCEPTED
    suggestion.answer = "Le fléchage sera posé en juin."
    suggestion.save()
    SuggestionFactory(committee=suggestion.committee, text="Suggestion d'un autre membre")
    page = client.get(reverse("committee:members-space", args=[prefecture.slug])).content.decode()
    assert "Le fléchage sera posé en juin." in page and "Retenue" in page
    assert "Suggestion d'un autre membre" not in page


@pytest.mark.django_db
def test_only_members_post_suggestions(member, prefecture, auditor, quality_lead, client_for):
    """Issue 20 row 4: the auditor reads the committee's documents but changes nothing."""
    url = reverse("committee:members-suggest", args=[prefecture.slug])
    space = reverse("committee:members-space", args=[prefecture.slug])
    for user in (auditor, quality_lead):
        client = client_for(user)
        assert client.post(url, {"text": "Une suggestion d'auditeur"}).status_code == 403
        page = client.get(space)
        assert page.status_code == 200 and "Envoyer ma suggestion" not in page.content.decode()
    assert not Suggestion.objects.exists()
    assert "Envoyer ma suggestion" in client_for(member).get(space).content.decode()


@pytest.mark.django_db
def test_members_space_shows_upcoming_meeting_and_documents(member, prefecture, client_for):
    committee = member.committee_seats.get().committee
    with time_machine.travel("2025-03-01 10:00 +01:00", tick=False):
        meeting = MeetingFactory(
            committee=committee, starts_at=at(date(2025, 3, 20)), convened=True
        )
        AgendaItemFactory(
            meeting=meeting, title="Modèles à relire", document_kind="templates_collection"
        )
        AgendaItemFactory(meeting=meeting, title="Chiffres", document_kind="correspondence_figures")
        page = client_for(member).get(reverse("committee:members-space", args=[prefecture.slug]))
    html = page.content.decode()
    assert "Modèles à relire" in html
    assert reverse("correspondence:agents-templates-collection", args=[prefecture.slug]) in html
    # Figures need a capability the member lacks: no dead link, a mention instead.
    assert reverse("correspondence:agents-figures", args=[prefecture.slug]) not in html


@pytest.mark.django_db
def test_agent_pages_render(
    quality_lead, prefecture, client_for, site, service, django_assert_max_num_queries
):
    client = client_for(quality_lead)
    names = cases(prefecture, site, service)
    for name, kwargs in names.items():
        response = client.get(reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs}))
        assert response.status_code in {200, 405}, name
    committee = CommitteeFactory(prefecture=prefecture)
    for n in range(15):
        meeting = MeetingFactory(committee=committee, starts_at=at(date(2024, 1, 1 + n)))
        AttendanceFactory(meeting=meeting)
        SeatFactory(committee=committee)
    with django_assert_max_num_queries(5):
        client.get(reverse("committee:agents-meetings", args=[prefecture.slug]))
    with django_assert_max_num_queries(6):
        client.get(reverse("committee:agents-members", args=[prefecture.slug]))


@pytest.mark.django_db
def test_the_meeting_form_asks_for_a_place_or_a_link_without_calling_both_optional(
    quality_lead, prefecture, client_for
):
    """One of the two is required: each said "(facultatif)", and leaving both empty was
    refused."""
    CommitteeFactory(prefecture=prefecture)
    url = reverse("committee:agents-meetings", args=[prefecture.slug])
    client = client_for(quality_lead)
    page = client.get(url).content.decode()
    for name in ("place", "video_link"):
        match = re.search(rf'<label class="fr-label" for="id_{name}">(.*?)</label>', page, re.S)
        assert match, name
        assert "facultatif" not in match.group(1), match.group(1)
        assert "Un lieu, un lien de visioconférence, ou les deux." in match.group(1)
    assert "(facultatif)" in page  # the other optional fields keep their mark


@pytest.mark.django_db
def test_public_page_lists_published_minutes(prefecture, client):
    committee = CommitteeFactory(prefecture=prefecture)
    minutes = _published(committee)
    unpublished = MeetingFactory(committee=committee, starts_at=at(date(2025, 10, 2)))
    MinutesFactory(meeting=unpublished)
    page = client.get(reverse("committee:public", args=[prefecture.slug])).content.decode()
    assert "10 mars 2025" in page and "2 octobre 2025" not in page
    pdf = reverse("committee:public-minutes-pdf", args=[prefecture.slug, minutes.pk])
    assert pdf in page
    response = client.get(pdf)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    draft = unpublished.minutes.get()
    assert (
        client.get(
            reverse("committee:public-minutes-pdf", args=[prefecture.slug, draft.pk])
        ).status_code
        == 404
    )
    english = client.get(
        "/en" + reverse("committee:public", args=[prefecture.slug])
    ).content.decode()
    assert "The committee reviewed the year." in english and "Local users' committee" in english
    home = client.get(reverse("organisation:prefecture", args=[prefecture.slug])).content.decode()
    assert reverse("committee:public", args=[prefecture.slug]) in home


@pytest.mark.django_db
def test_public_page_writes_the_approval_day_in_words(prefecture, client):
    # 05/04/2025 reads as 4 May in English: the day is written as the meeting's is.
    minutes = _published(CommitteeFactory(prefecture=prefecture))
    Minutes.objects.filter(pk=minutes.pk).update(approved_on=date(2025, 4, 5))
    url = reverse("committee:public", args=[prefecture.slug])
    assert "approuvé le 5 avril 2025" in client.get(url).content.decode()
    english = client.get("/en" + url).content.decode()
    assert "approved on 5 April 2025" in english and "05/04/2025" not in english


@pytest.mark.django_db
def test_home_warnings(prefecture, quality_lead, committee_member, client_for):
    committee = CommitteeFactory(prefecture=prefecture, planned_audit_date=date(2025, 6, 1))
    home = reverse("organisation:agents-prefecture", args=[prefecture.slug])
    with time_machine.travel("2025-03-01 10:00 +01:00", tick=False):
        html = client_for(quality_lead).get(home).content.decode()
        assert "Aucune réunion du comité local des usagers cette année" in html
        assert "Audit prévu le 01/06/2025 sans réunion du comité avant" in html
        assert (
            "Aucune réunion du comité"
            not in client_for(committee_member).get(home).content.decode()
        )
        MeetingFactory(committee=committee, starts_at=at(date(2025, 5, 15)))
        html = client_for(quality_lead).get(home).content.decode()
        assert "Aucune réunion du comité local des usagers cette année" not in html
        assert "sans réunion du comité avant" not in html


@pytest.mark.django_db
def test_audit_date_comes_from_the_quality_app_when_it_plans_one(prefecture, site):
    """The quality app's next planned audit wins over the date typed on the committee."""
    from engagements.committee.queries import audit_date
    from tests.quality.factories import AssessmentFactory

    committee = CommitteeFactory(prefecture=prefecture, planned_audit_date=date(2025, 6, 1))
    with time_machine.travel("2025-03-01 10:00 +01:00", tick=False):
        assert audit_date(committee) == date(2025, 6, 1)
        AssessmentFactory(site=site, planned_on=date(2025, 9, 15))
        assert audit_date(committee) == date(2025, 9, 15)


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 5, 4, 10, 0, tzinfo=UTC))
def test_the_members_space_shows_the_results_the_prefecture_published(
    member, prefecture, quality_lead, client_for
):
    """Under "Résultats publiés", the values of the prefecture's latest publication, as it
    published them; figures computed from the records but never published are not shown."""
    from decimal import Decimal

    from engagements.indicators.models import Publication, PublishedValue

    client = client_for(member)
    url = reverse("committee:members-space", args=[prefecture.slug])
    page = client.get(url).content.decode()
    assert "La préfecture n'a pas encore publié de résultats." in page
    # The register's figures, computed from the records, were shown as "published".
    assert "Courriers et courriels" not in page and "Satisfaction globale" not in page

    publication = Publication.objects.create(
        prefecture=prefecture,
        period_kind="quarter",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        published_by=quality_lead,
        published_at=datetime(2026, 4, 15, 9, 0, tzinfo=UTC),
    )
    for position, (code, name, value, target, met) in enumerate(
        [
            ("calls_answered_rate", "Taux de décroché", "85.5", "80", True),
            ("satisfaction_rate", "Taux de satisfaction", "71.0", "75", False),
            ("no_value", "Indicateur sans valeur", None, "50", None),
        ]
    ):
        PublishedValue.objects.create(
            publication=publication,
            code=code,
            name_fr=name,
            unit="percent",
            frequency="trimestrielle",
            value=Decimal(value) if value else None,
            target=Decimal(target),
            met=met,
            updated_at=publication.published_at,
            position=position,
        )
    page = " ".join(client.get(url).content.decode().split())
    assert "Derniers résultats publiés par la préfecture : 1er trimestre 2026, publiés le " in (
        page
    )
    assert "Taux de décroché : 85,5 % (objectif : 80,0 %, atteint)" in page
    assert "Taux de satisfaction : 71,0 % (objectif : 75,0 %, non atteint)" in page
    assert "Indicateur sans valeur" not in page

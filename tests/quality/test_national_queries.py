"""The national overview reads every prefecture in a fixed number of queries (issue 24: it
made a dozen queries per prefecture, 1,200 for the country), and its batched reads give
what each prefecture's own page gives."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.indicators.models import Publication, PublishedValue
from engagements.indicators.queries import published_summaries, published_summary
from engagements.quality.models import CriterionResult
from engagements.quality.obligations import year_obligations, year_obligations_by_prefecture
from engagements.quality.service_scopes import add_plan_item, set_service_scope
from engagements.surveys.enums import CheckStatus
from tests.committee.factories import MeetingFactory, at
from tests.factories import PrefectureFactory, ServiceFactory, SiteFactory
from tests.quality.cycle_factories import LabelFactory, TrainingFactory
from tests.quality.factories import AssessmentFactory, CommitmentFactory
from tests.surveys.factories import AnswerFactory, CampaignFactory, MysteryCheckFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)


@pytest.fixture
def commitment(db):
    """A commitment of the SP+ diagnostic (a referential shared by every prefecture)."""
    return CommitmentFactory(module__referential__code="services-publics-plus")


def populate(n: int, by, commitment) -> object:
    """A prefecture with records of every kind the overview reads: two sites (one labelled
    on modules 1 and 2, one expiring), services in scope with a fraud referent, a yearly
    survey with answers, a mystery check done, trainings and a plan, a self-assessment,
    committee meetings and a published quarter."""
    prefecture = PrefectureFactory(slug=f"pref-{n}", name=f"Préfecture {n:02d}")
    main = SiteFactory(prefecture=prefecture, slug="chef-lieu", name="Chef-lieu")
    other = SiteFactory(prefecture=prefecture, slug="sous-pref", name="Sous-préfecture")
    LabelFactory(site=main, module=1, next_audit_on=date(2026, 10, 1))
    LabelFactory(site=main, module=2, next_audit_on=date(2026, 5, 15))
    LabelFactory(site=other, module=1, expiring=True)
    sejour = ServiceFactory(site=main, slug="sejour", name="Bureau du séjour")
    titres = ServiceFactory(site=main, slug="titres", name="Centre des titres")
    set_service_scope(prefecture, sejour, [1])
    set_service_scope(prefecture, titres, [2], fraud_referent=by if n % 2 else None)
    campaign = CampaignFactory(site=main, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31))
    AnswerFactory(response__campaign=campaign, response__service=sejour)
    MysteryCheckFactory(
        service=sejour,
        status=CheckStatus.DONE,
        planned_on=date(2026, 3, 1),
        performed_at=timezone.make_aware(datetime(2026, 3, 1, 10)),
    )
    TrainingFactory(service=titres, fraud=True, date=date(2026, 2, 1))
    add_plan_item(prefecture, year=2026, service=sejour, topic="handicap")
    assessment = AssessmentFactory(
        site=main,
        referential=commitment.module.referential,
        kind="self_evaluation",
        planned_on=date(2026, 4, 10),
    )
    CriterionResult.objects.create(
        assessment=assessment, commitment=commitment, criterion="C1", result="non"
    )
    meeting = MeetingFactory(
        committee__prefecture=prefecture, starts_at=at(date(2026, 3, 10)), held=True
    )
    MeetingFactory(committee=meeting.committee, starts_at=at(date(2026, 9, 15)))
    publication = Publication.objects.create(
        prefecture=prefecture,
        period_kind="quarter",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        published_by=by,
    )
    for position, code in enumerate(["delai", "decroche"]):
        PublishedValue.objects.create(
            publication=publication,
            code=code,
            name_fr=code.capitalize(),
            unit="percent",
            frequency="trimestrielle",
            value=80 + n,
            target=90,
            met=bool(n % 2),
            position=position,
            updated_at=publication.published_at,
        )
    return prefecture


def key(obligations) -> list[tuple]:
    return [
        (o.site.pk if o.site else None, o.title, o.state, o.deadline, o.done_on, o.url)
        for o in obligations
    ]


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_the_overview_s_queries_do_not_grow_with_the_prefectures(
    client_for, national_admin, quality_lead, commitment, django_assert_max_num_queries
):
    for n in range(2):
        populate(n, quality_lead, commitment)
    client = client_for(national_admin)
    page_url = reverse("quality:national-labels")
    csv_url = reverse("quality:national-labels-csv")
    client.get(page_url)  # warm the session
    with django_assert_max_num_queries(21) as two:
        page = client.get(page_url)
    assert page.status_code == 200
    assert "Préfecture 01" in page.content.decode()
    with django_assert_max_num_queries(21) as two_csv:
        assert client.get(csv_url).status_code == 200
    for n in range(2, 5):
        populate(n, quality_lead, commitment)
    with django_assert_max_num_queries(len(two.captured_queries)) as five:
        page = client.get(page_url)
    assert page.status_code == 200
    assert "Préfecture 04" in page.content.decode()
    with django_assert_max_num_queries(len(two_csv.captured_queries)):
        response = client.get(csv_url)
    # Five populated prefectures (plus the national administrator's own), one row each.
    assert response.content.decode("utf-8-sig").count("Préfecture 0") == 5
    assert len(five.captured_queries) == len(two.captured_queries)


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_the_batched_reads_give_each_prefecture_s_own_figures(quality_lead, commitment):
    prefectures = [populate(n, quality_lead, commitment) for n in range(3)]
    empty = PrefectureFactory(slug="vide", name="Préfecture sans rien")
    everyone = [*prefectures, empty]
    batched = year_obligations_by_prefecture(everyone, 2026, today=TODAY)
    for prefecture in everyone:
        alone = year_obligations(prefecture, 2026, today=TODAY)
        assert key(batched[prefecture.pk]) == key(alone)
    # The records of every kind gave obligations, some done, some late.
    states = {o.state for o in batched[prefectures[0].pk]}
    assert states == {"done", "due", "late"}
    assert batched[empty.pk] == []
    summaries = published_summaries(everyone)
    for prefecture in prefectures:
        assert summaries[prefecture.pk] == published_summary(prefecture)
    assert empty.pk not in summaries and published_summary(empty) is None

"""Figures (docs/indicators.md) by dimension, on the agents' page and as CSV; API."""

from datetime import date

import pytest
from django.urls import reverse

from engagements.correspondence import queries
from engagements.correspondence.models import Message
from engagements.organisation.enums import Channel, Indicator
from engagements.organisation.models import Target
from tests.correspondence.factories import MessageFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(prefecture, service, other_service):
    topic = TopicFactory(prefecture=prefecture, name="Prise de rendez-vous")
    # Monday 2 March 2026, courriel (5 days, due 9 March).
    MessageFactory(service=service, topic=topic, answered_on_time=True)  # delay 1
    MessageFactory(service=service, topic=topic, status="answered", answered_on=date(2026, 3, 16))
    MessageFactory(service=other_service, letter=True, complaint=True)  # due 16 March
    MessageFactory(service=other_service, spam=True)
    MessageFactory(service=service, received_on=date(2025, 3, 3), answered_on_time=True)
    return topic


def test_breakdowns_by_site_service_channel_kind_topic_and_month(prefecture, site, register):
    qs = queries.year_messages(prefecture, 2026)
    at = date(2026, 3, 31)
    by_site = {row["label"]: row for row in queries.breakdown(qs, at=at, by="site")}
    assert by_site[site.name]["answered"] == 2 and by_site[site.name]["rate_on_time"] == 50.0
    other = next(row for name, row in by_site.items() if name != site.name)
    assert (other["late"], other["excluded"], other["rate_on_time"]) == (1, 1, 0.0)
    by_topic = {row["label"]: row for row in queries.breakdown(qs, at=at, by="topic")}
    assert by_topic["Prise de rendez-vous"]["average_delay"] == 5.5  # (1 + 10) / 2
    by_channel = {row["key"]: row for row in queries.breakdown(qs, at=at, by="channel")}
    assert by_channel[Channel.LETTER]["late"] == 1
    months = queries.breakdown(qs, at=at, by="month")
    assert [row["label"] for row in months] == ["03/2026"]
    assert {row["key"] for row in queries.breakdown(qs, at=at, by="kind")} == {
        "information",
        "complaint",
    }
    assert len(queries.breakdown(qs, at=at, by="service")) == 2


def test_figures_page_shows_value_target_and_previous_year(
    prefecture, register, quality_lead, client_for
):
    Target.objects.create(
        prefecture=prefecture, year=2026, indicator=Indicator.CORRESPONDENCE_RATE, value=75
    )
    client = client_for(quality_lead)
    url = reverse("correspondence:agents-figures", args=[prefecture.slug])
    response = client.get(url, {"year": 2026, "at": "2026-03-31"})
    context = response.context
    assert context["total"]["rate_on_time"] == pytest.approx(33.3)
    assert context["previous"]["answered"] == 1
    assert context["target_rate"] == 75 and not context["rate_met"]
    by_service = next(t for t in context["tables"] if t["by"] == "service")["rows"]
    assert {row["previous_rate"] for row in by_service} == {100.0, None}
    body = response.content.decode()
    assert "<caption>" in body and "33,3\u00a0%" in body
    csv = client.get(
        reverse("correspondence:agents-figures-csv", args=[prefecture.slug]),
        {"year": 2026, "at": "2026-03-31"},
    ).content.decode()
    # The summary's figures, as on the page: this year's total and the previous year's line.
    assert "ensemble;2026;4;2;1;1;0;1;33,3;5,5;;100,0;75,0;5,0\r\n" in csv
    assert "ensemble;2025;1;1;1;0;0;0;100,0;" in csv
    assert "Thème;Prise de rendez-vous;2;2;1;0;0;0;50,0;5,5" in csv
    assert csv.startswith("\ufeffdimension;valeur;total;répondus;dans les délais;en retard")


def test_a_year_without_answers_does_not_say_the_targets_are_missed(
    prefecture, register, quality_lead, client_for
):
    """With no figure, "Cible atteinte" said "non" (as if measured and missed)."""
    url = reverse("correspondence:agents-figures", args=[prefecture.slug])
    response = client_for(quality_lead).get(url, {"year": 2024, "at": "2024-12-31"})
    assert response.context["rate_met"] is None and response.context["delay_met"] is None
    body = " ".join(response.content.decode().split())
    assert ">non</td>" not in body and body.count("<td>—</td></tr>") >= 2


def test_a_field_in_error_does_not_drop_the_other_filters(
    prefecture, register, quality_lead, client_for
):
    """With a year out of bounds, the page showed the whole register while the nature chosen
    beside it still showed as selected (and the CSV followed)."""
    client = client_for(quality_lead)
    asked = {"year": 1999, "at": "2026-03-31", "kind": "complaint"}
    page = client.get(reverse("correspondence:agents-figures", args=[prefecture.slug]), asked)
    assert page.context["form"].errors["year"]
    assert page.context["filters"] == {"kind": "complaint"} and page.context["year"] == 2026
    assert page.context["total"]["total"] == 1  # the one complaint, not the four messages
    csv = client.get(reverse("correspondence:agents-figures-csv", args=[prefecture.slug]), asked)
    assert csv["Content-Disposition"].endswith(f'courriers-{prefecture.slug}-2026-complaint.csv"')


def test_agent_figures_are_limited_to_his_scope(prefecture, register, site_manager, client_for):
    response = client_for(site_manager).get(
        reverse("correspondence:agents-figures", args=[prefecture.slug]),
        {"year": 2026, "at": "2026-03-31"},
    )
    assert response.context["total"]["answered"] == 2
    assert response.context["total"]["late"] == 0


def test_api_gives_the_yearly_figures(prefecture, register, client):
    response = client.get(
        f"/api/v1/prefectures/{prefecture.slug}/correspondence/2026?at=2026-03-31"
    )
    assert response.status_code == 200
    assert response.json()["answered"] == 2 and response.json()["late"] == 1
    assert Message.objects.count() == 5


def test_schedules_and_housekeeping_are_registered():
    from engagements import jobs
    from engagements.organisation.jobs import _TASKS

    names = {job.name for job in jobs.registered_schedules()}
    assert {"correspondence-fetch-mail", "correspondence-due-alerts"} <= names
    assert "engagements.correspondence.jobs.purge" in _TASKS


def test_duplicate_actions_from_the_message_page(prefecture, service, agent, client_for):
    first = MessageFactory(service=service)
    second = MessageFactory(service=service, suspected_duplicate_of=first)
    client = client_for(agent)
    url = reverse("correspondence:agents-duplicate", args=[prefecture.slug, second.pk])
    page = client.get(reverse("correspondence:agents-detail", args=[prefecture.slug, second.pk]))
    assert "Doublon possible de" in page.content.decode()
    client.post(url, {"action": "link", "original": first.reference})
    second.refresh_from_db()
    assert second.duplicate_of == first and second.suspected_duplicate_of is None
    client.post(url, {"action": "merge", "original": first.reference})
    second.refresh_from_db()
    assert second.status == "closed" and second.closed_reason == "duplicate"

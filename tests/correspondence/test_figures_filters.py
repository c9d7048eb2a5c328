"""The agents' figures page: the filters of `correspondence_report` (site, nature, canal,
period), a site's target overrides, topic shares, unambiguous rows, the CSV matching the
page, and a query count that does not grow with the messages."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from engagements.correspondence import queries
from engagements.organisation import services as organisation_services
from engagements.organisation.enums import Channel, Indicator
from engagements.organisation.models import Target
from tests.correspondence.factories import MessageFactory, TopicFactory
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db
AT = {"year": 2026, "at": "2026-03-31"}


@pytest.fixture
def register(prefecture, service, other_service):
    topic = TopicFactory(prefecture=prefecture, name="Prise de rendez-vous")
    other_topic = TopicFactory(prefecture=prefecture, name="Délai séjour")
    # Monday 2 March 2026, courriel (5 days, due 9 March).
    MessageFactory(service=service, topic=topic, answered_on_time=True)  # delay 1
    MessageFactory(service=service, topic=topic, status="answered", answered_on=date(2026, 3, 16))
    MessageFactory(service=service, topic=other_topic, complaint=True, answered_on_time=True)
    MessageFactory(service=other_service, letter=True, complaint=True)  # late at 31/03
    MessageFactory(service=other_service, spam=True)
    return topic


def url(prefecture, csv=False):
    name = "correspondence:agents-figures-csv" if csv else "correspondence:agents-figures"
    return reverse(name, args=[prefecture.slug])


def test_filters_by_site_nature_and_channel_like_the_report(
    prefecture, site, other_site, register, quality_lead, client_for
):
    client = client_for(quality_lead)
    everything = client.get(url(prefecture), AT).context["total"]
    assert (everything["answered"], everything["late"], everything["excluded"]) == (3, 1, 1)
    on_site = client.get(url(prefecture), {**AT, "site": site.slug}).context
    assert (on_site["total"]["answered"], on_site["total"]["late"]) == (3, 0)
    assert {
        row["label"] for row in next(t for t in on_site["tables"] if t["by"] == "site")["rows"]
    } == {site.name}
    complaints = client.get(url(prefecture), {**AT, "kind": "complaint"}).context["total"]
    assert (complaints["answered"], complaints["late"]) == (1, 1)
    letters = client.get(url(prefecture), {**AT, "channel": Channel.LETTER}).context["total"]
    assert (letters["answered"], letters["late"], letters["excluded"]) == (0, 1, 0)
    # The same numbers as the command with the same filters.
    out = StringIO()
    call_command(
        "correspondence_report",
        "--prefecture",
        prefecture.slug,
        "--year",
        "2026",
        "--at",
        "2026-03-31",
        "--site",
        site.slug,
        "--kind",
        "reclamation",
        "--format",
        "json",
        stdout=out,
    )
    page = client.get(url(prefecture), {**AT, "site": site.slug, "kind": "complaint"})
    shown = {key: value for key, value in page.context["total"].items() if key != "total"}
    assert json.loads(out.getvalue()) == shown
    assert "Filtré par site : Préfecture — Chef-Lieu ; nature : Réclamation" in (
        page.content.decode()
    )


def test_a_site_target_overrides_the_prefecture_target(
    prefecture, site, other_site, register, quality_lead, client_for
):
    organisation_services.set_targets(
        prefecture, 2026, {Indicator.CORRESPONDENCE_RATE: 80}, actor=None
    )
    organisation_services.set_targets(
        prefecture, 2026, {Indicator.CORRESPONDENCE_RATE: 60}, actor=None, site=site
    )
    assert Target.objects.filter(site=site).count() == 1
    client = client_for(quality_lead)
    assert client.get(url(prefecture), AT).context["target_rate"] == 80
    on_site = client.get(url(prefecture), {**AT, "site": site.slug}).context
    assert on_site["target_rate"] == 60 and on_site["rate_met"]  # 2 on time out of 3
    # No override for the other site: the prefecture's target.
    assert client.get(url(prefecture), {**AT, "site": other_site.slug}).context["target_rate"] == 80
    assert prefecture.target_for(2026, Indicator.CORRESPONDENCE_DELAY, site) == 5.0


def test_topic_shares_and_service_rows_told_apart(
    prefecture, site, other_site, register, quality_lead, client_for
):
    # Two "Accueil général" services on two sites.
    first = ServiceFactory(site=site, name="Accueil général")
    second = ServiceFactory(site=other_site, name="Accueil général")
    MessageFactory(service=first)
    MessageFactory(service=second)
    client = client_for(quality_lead)
    context = client.get(url(prefecture), AT).context
    topics = {
        row["label"]: row
        for row in next(t for t in context["tables"] if t["by"] == "topic")["rows"]
    }
    assert topics["Prise de rendez-vous"]["share"] == 28.6  # 2 of 7 messages
    assert topics["Sans thème"]["share"] == 57.1
    labels = [
        row["label"] for row in next(t for t in context["tables"] if t["by"] == "service")["rows"]
    ]
    assert f"Accueil général — {site.name}" in labels
    assert f"Accueil général — {other_site.name}" in labels
    assert "Bureau du séjour" in labels  # unique names stay as they are
    body = client.get(url(prefecture), AT).content.decode()
    assert "28,6\u00a0%" in body and f"Accueil général — {other_site.name}" in body
    csv = client.get(url(prefecture, csv=True), AT).content.decode()
    assert f"Service;Accueil général — {other_site.name};1;" in csv
    assert "Thème;Prise de rendez-vous;2;2;1;0;0;0;50,0;5,5;28,6;" in csv


def test_csv_follows_the_filters(prefecture, site, register, quality_lead, client_for):
    response = client_for(quality_lead).get(
        url(prefecture, csv=True), {**AT, "site": site.slug, "kind": "complaint"}
    )
    assert response["Content-Disposition"].endswith(
        f'courriers-{prefecture.slug}-2026-{site.slug}-complaint.csv"'
    )
    lines = response.content.decode().splitlines()
    assert lines[1].startswith("ensemble;2026;1;1;1;0;0;0;100,0;1,0")
    assert lines[2].startswith("ensemble;2025;")
    assert "part des messages (%)" in lines[0]


def test_figures_page_query_count_does_not_grow_with_messages(
    prefecture, service, other_service, quality_lead, client_for, django_assert_max_num_queries
):
    client = client_for(quality_lead)
    topics = [TopicFactory(prefecture=prefecture) for _ in range(4)]
    MessageFactory.create_batch(3, service=service, topic=topics[0], answered_on_time=True)
    client.get(url(prefecture), AT)  # builds the stored calendars once
    with django_assert_max_num_queries(8) as few:
        client.get(url(prefecture), AT)
    for index in range(40):
        MessageFactory(
            service=other_service if index % 2 else service,
            topic=topics[index % 4],
            received_on=date(2026 - index % 2, 1 + index % 3, 2 + index % 20),
            answered_on_time=index % 3 == 0,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(prefecture), AT)
    assert response.status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(prefecture, csv=True), AT).status_code == 200


def test_breakdown_keeps_its_signature_and_order(prefecture, register):
    rows = queries.breakdown(
        queries.year_messages(prefecture, 2026), at=date(2026, 3, 31), by="topic"
    )
    assert [row["label"] for row in rows][0] == "Prise de rendez-vous"
    with pytest.raises(ValueError):
        queries.breakdown(queries.year_messages(prefecture, 2026), at=date(2026, 3, 31), by="x")


def test_site_targets_are_set_and_removed_from_the_settings(
    prefecture, site, quality_lead, client_for
):
    client = client_for(quality_lead)
    edit = reverse("organisation:agents-edit-targets", args=[prefecture.slug, 2026])
    page = client.get(edit, {"site": site.slug})
    assert "Vide : cible de la préfecture (75)" in page.content.decode()
    response = client.post(f"{edit}?site={site.slug}", {Indicator.CORRESPONDENCE_RATE: "90"})
    assert response.status_code == 302
    assert prefecture.target_for(2026, Indicator.CORRESPONDENCE_RATE, site) == 90
    assert prefecture.target_for(2026, Indicator.CORRESPONDENCE_RATE) == 75
    settings_page = client.get(reverse("organisation:agents-settings", args=[prefecture.slug]))
    assert f"{site.name} — " in settings_page.content.decode()
    client.post(f"{edit}?site={site.slug}", {Indicator.CORRESPONDENCE_RATE: ""})
    assert not Target.objects.filter(site=site).exists()

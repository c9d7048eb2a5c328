"""Dashboards, publication, public results, API, poster and the desk (server side)."""

import re
import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from engagements.indicators import services
from engagements.indicators.models import (
    CallHour,
    ImmutableError,
    Publication,
    PublishedValue,
    Value,
    Visit,
    WebsiteUpdate,
)
from engagements.indicators.periods import Period
from tests.correspondence.factories import MessageFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime(2026, 1, 15, 10, 0, tzinfo=PARIS)


def calls(site, day, offered, answered, hour=10):
    CallHour.objects.create(
        prefecture=site.prefecture,
        site=site,
        date=day,
        hour=hour,
        offered=offered,
        answered=answered,
        source="hourly",
    )


def publish_confirmed(client, prefecture, period: str, note: str = ""):
    """Open the publication preview, then confirm it (the fingerprint it showed)."""
    import re

    preview = client.get(
        reverse("indicators:agents-publication-preview", args=[prefecture.slug]),
        {"period": period, "note": note},
    )
    assert preview.status_code == 200, preview
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', preview.content.decode())
    return client.post(
        reverse("indicators:agents-publish", args=[prefecture.slug]),
        {"period": period, "note": note, "fingerprint": fingerprint.group(1)},
    )


@pytest.fixture
def records(prefecture, site, service):
    # Q4 2025: calls 90 / 100; late messages; Q4 2024 for last year's column.
    calls(site, date(2025, 11, 3), 100, 90)
    calls(site, date(2024, 11, 4), 100, 95)
    for _ in range(3):
        MessageFactory(service=service, received_on=date(2025, 10, 6), answered_on_time=True)
    MessageFactory(service=service, received_on=date(2025, 10, 6), subject="Retard titre")
    return site


@time_machine.travel(TODAY, tick=False)
def test_dashboard_cards_compare_targets_and_query_count_is_flat(
    records, prefecture, site, quality_lead, client_for, django_assert_max_num_queries
):
    services.recompute_values(prefecture, [Period.parse("2025"), Period.parse("2024")])
    client = client_for(quality_lead)
    url = reverse("indicators:agents-dashboard", args=[prefecture.slug])
    with django_assert_max_num_queries(11) as first:
        response = client.get(url, {"period": "2025"})
    cards = {c["code"]: c for c in response.context["cards"]}
    assert len(cards) == 12
    assert cards["calls_answered_rate"]["display"] == "90,0\u00a0%"
    assert cards["calls_answered_rate"]["target_display"] == "93,0\u00a0%"
    assert cards["calls_answered_rate"]["met"] is False
    assert cards["calls_answered_rate"]["previous_display"] == "95,0\u00a0%"
    assert "En baisse de 5 points" in cards["calls_answered_rate"]["trend"]
    assert cards["correspondence_on_time_rate"]["met"] is True  # 3 / 4 = 75 %
    # Every target of the targets screen is compared with a card.
    compared = {c["entry"].target_key for c in cards.values() if c["target"] is not None}
    assert compared == set(prefecture.targets_for(2025))
    # More records, same number of queries (the dashboard reads the values table).
    for day in range(1, 28):
        calls(site, date(2025, 10, day), 10, 9, hour=9)
        MessageFactory(service=records.services.first(), received_on=date(2025, 10, day))
    services.recompute_values(prefecture, [Period.parse("2025")])
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url, {"period": "2025"})
    assert response.status_code == 200
    csv = client.get(
        reverse("indicators:agents-dashboard-csv", args=[prefecture.slug]), {"period": "2025"}
    )
    text = csv.content.decode("utf-8-sig")
    assert "calls_answered_rate" in text and text.count("\n") == 13


@time_machine.travel(TODAY, tick=False)
def test_the_register_figure_lists_the_messages_it_counts(
    records, prefecture, quality_lead, client_for
):
    """The records behind the on-time rate are the period's messages as the figure counts
    them, the one that keeps it from 100 % first (it led to the worklist's late messages of
    every period, not the messages behind the figure)."""
    MessageFactory(service=records.services.first(), received_on=date(2025, 9, 1))  # Q3
    client = client_for(quality_lead)
    url = reverse(
        "indicators:agents-records", args=[prefecture.slug, "correspondence_on_time_rate"]
    )
    response = client.get(url, {"period": "2025-Q4"})
    assert response.status_code == 200
    rows = response.context["rows"]
    states = [row[-1] for row in rows]
    assert states == ["Sans réponse, échéance dépassée"] + ["Répondu dans les délais"] * 3
    assert all(row[1] == "06/10/2025" for row in rows)  # not the Q3 message
    late = prefecture.messages.get(subject="Retard titre")
    detail = reverse("correspondence:agents-detail", args=[prefecture.slug, late.pk])
    assert (
        f'<a href="{detail}"><span class="eng-ref">{late.reference}</span></a>'
        in response.content.decode()
    )
    calls_page = client.get(
        reverse("indicators:agents-records", args=[prefecture.slug, "calls_answered_rate"]),
        {"period": "2025-Q4"},
    )
    assert "03/11/2025" in calls_page.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_site_manager_sees_his_site_only(
    records, prefecture, other_site, site_manager, client_for, django_assert_max_num_queries
):
    client = client_for(site_manager)
    url = reverse("indicators:agents-dashboard", args=[prefecture.slug])
    assert client.get(url).context["site"] == records
    assert client.get(url, {"site": other_site.pk}).context["site"] == records
    with django_assert_max_num_queries(13):  # his first site is read only when none is asked
        assert client.get(url, {"site": records.pk}).context["site"] == records


@time_machine.travel(TODAY, tick=False)
def test_site_dashboard_query_count(
    records, prefecture, site, quality_lead, client_for, django_assert_max_num_queries
):
    """A site's dashboard in a fixed number of queries: the site's targets read through
    the page's prefecture (not `site.prefecture`), the prefecture's own indicators with the
    built-in ones."""
    services.recompute_values(prefecture, [Period.parse("2025")])
    client = client_for(quality_lead)
    url = reverse("indicators:agents-dashboard", args=[prefecture.slug])
    with django_assert_max_num_queries(11):  # the site checked in the listed choices
        response = client.get(url, {"period": "2025", "site": site.pk})
    assert response.context["site"] == site


@time_machine.travel(TODAY, tick=False)
def test_each_chart_keeps_its_data_table(records, prefecture, quality_lead, client_for):
    """A card's monthly chart (bars written in Python) comes with the table of its values,
    one row per month, for those who do not see the bars."""
    year = Period.parse("2025")
    services.recompute_values(prefecture, [year, *year.months()])
    page = client_for(quality_lead).get(
        reverse("indicators:agents-dashboard", args=[prefecture.slug]), {"period": "2025"}
    )
    html = page.content.decode()
    card = html[html.index('id="card-calls_answered_rate"') :]
    card = card[: card.index("</section>")]
    assert "<caption>Appels aboutis par mois</caption>" in card
    assert card.count('<tr><th scope="row">') == 12
    assert '<tr><th scope="row">novembre 2025</th><td>90,0\u00a0%</td></tr>' in card
    assert '<tr><th scope="row">octobre 2025</th><td>—</td></tr>' in card
    assert card.count("<rect ") == 12
    assert '<rect x="224" y="18" width="16" height="72" fill="#000091"></rect>' in card  # 90 %


@time_machine.travel(TODAY, tick=False)
def test_publish_is_immutable_versioned_and_public(
    records, prefecture, site, quality_lead, committee_member, client_for, client
):
    lead = client_for(quality_lead)
    # Publishing goes through the preview (issue 19, item 4): confirmed with what it showed.
    publish_confirmed(lead, prefecture, "2025-Q4")
    publication = Publication.objects.get()
    assert publication.version == 1 and publication.published_by == quality_lead
    value = PublishedValue.objects.get(
        publication=publication, site=None, code="calls_answered_rate"
    )
    assert (value.value, value.numerator, value.denominator) == (90, 90, 100)
    assert value.previous == 95 and value.met is False
    with pytest.raises(ImmutableError):
        value.save()
    with pytest.raises(ImmutableError):
        publication.delete()
    # A correction needs a reason and is a new version; the old one stays.
    calls(site, date(2025, 11, 4), 100, 100)
    publish_confirmed(lead, prefecture, "2025-Q4")
    assert Publication.objects.count() == 1
    publish_confirmed(lead, prefecture, "2025-Q4", note="Fichier du 4 novembre reçu en retard")
    assert Publication.objects.count() == 2
    # Public API: current version only, one row per structure × indicator × period.
    api = client.get(f"/api/v1/prefectures/{prefecture.slug}/indicators")
    assert api.status_code == 200
    rows = api.json()
    assert len(rows) == 24  # 12 indicators × (prefecture + 1 site)
    row = next(
        r for r in rows if r["code"] == "calls_answered_rate" and r["structure"] == "prefecture"
    )
    assert row["value"] == 95.0 and row["numerator"] == 190 and row["denominator"] == 200
    assert row["period"] == "2025-Q4" and row["period_start"] == "2025-10-01"
    assert row["period_end"] == "2025-12-31" and row["version"] == 2
    assert row["unit"] == "percent" and row["methodology_url"].endswith("#calls_answered_rate")
    # Public pages, FR and EN, and the poster show the published value.
    page = client.get(reverse("indicators:public-results", args=[prefecture.slug]))
    assert "95,0\u00a0%" in page.content.decode() and "4e trimestre 2025" in page.content.decode()
    english = client.get("/en" + reverse("indicators:public-results", args=[prefecture.slug]))
    assert "Calls answered" in english.content.decode() and "Q4 2025" in english.content.decode()
    site_page = client.get(
        reverse("indicators:public-site-results", args=[prefecture.slug, site.slug])
    )
    assert site_page.status_code == 200
    csv = client.get(reverse("indicators:public-results-csv", args=[prefecture.slug]))
    assert csv.content.decode("utf-8-sig").count("calls_answered_rate") == 2
    # The CLU member reads published values.
    published = client_for(committee_member).get(
        reverse("indicators:agents-published", args=[prefecture.slug])
    )
    assert published.status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_poster_pdf_has_values_and_qr(records, prefecture, quality_lead, client, tmp_path):
    services.publish(prefecture, Period.parse("2025-Q4"), actor=quality_lead)
    for size in ("a4", "a3"):
        response = client.get(reverse("indicators:public-poster", args=[prefecture.slug, size]))
        assert response["Content-Type"] == "application/pdf"
        path = tmp_path / f"{size}.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Appels aboutis" in text and "90,0 %" in text
        assert "prefectures/alpha/resultats/" in "".join(text.split())


def test_prefecture_page_links_to_results(prefecture, client):
    page = client.get(reverse("organisation:prefecture", args=[prefecture.slug])).content.decode()
    assert reverse("indicators:public-results", args=[prefecture.slug]) in page
    assert reverse("indicators:public-affluence", args=[prefecture.slug]) in page


@time_machine.travel(TODAY, tick=False)
def test_desk_taps_and_website_queue(prefecture, site, service, agent, quality_lead, client_for):
    client = client_for(agent)
    desk = reverse("indicators:agents-desk", args=[prefecture.slug])
    client.post(desk, {"site": site.pk, "service": service.pk})
    visit = Visit.objects.get()
    assert visit.service == service and visit.served_at is None
    with time_machine.travel(TODAY + timedelta(minutes=12), tick=False):
        client.post(reverse("indicators:agents-desk-served", args=[prefecture.slug, visit.pk]))
    visit.refresh_from_db()
    assert visit.served_at - visit.arrived_at == timedelta(minutes=12)
    assert "Personne n'attend" in client.get(desk).content.decode()
    client.post(
        reverse("indicators:agents-website-new", args=[prefecture.slug]),
        {"page": "/demarches", "kind": "correction", "details": "Horaires", "service": service.pk},
    )
    update = WebsiteUpdate.objects.get()
    assert update.reference == "WEB-2026-00001" and update.requested_on == TODAY.date()
    queue = client.get(reverse("indicators:agents-website", args=[prefecture.slug]))
    assert "WEB-2026-00001" in queue.content.decode()
    client_for(quality_lead).post(
        reverse("indicators:agents-website-published", args=[prefecture.slug, update.pk]),
        {"published_url": "https://www.alpha.test/demarches"},
    )
    update.refresh_from_db()
    assert update.published_on == TODAY.date()


@time_machine.travel(TODAY, tick=False)
def test_affluence_grid_words_and_hidden_cells(prefecture, site, client, quality_lead, client_for):
    # Mondays 10 h busy (4 weeks), Mondays 9 h calm (4 weeks), Tuesday 14 h seen once: hidden.
    monday = date(2026, 1, 12)
    for week in range(1, 5):
        day = monday - timedelta(weeks=week)
        calls(site, day, 40, 38, hour=10)
        calls(site, day, 4, 4, hour=9)
    calls(site, date(2026, 1, 6), 50, 50, hour=14)
    page = client.get(reverse("indicators:public-affluence", args=[prefecture.slug]))
    html = page.content.decode()
    assert "Chargé" in html and "Calme" in html and "trop peu d" in html
    # The same grid is a section of the public prefecture page (SP+: quiet and busy hours).
    home = client.get(reverse("organisation:prefecture", args=[prefecture.slug])).content.decode()
    assert "Quand venir, quand appeler" in home and "● Chargé" in home.replace(
        '<span aria-hidden="true">●</span> ', "● "
    )
    staff = client_for(quality_lead).get(
        reverse("indicators:agents-heatmap", args=[prefecture.slug])
    )
    assert staff.status_code == 200
    # Each grid's dates under its own title, not between the grids.
    caption = re.search(r"<caption>(.*?)</caption>", staff.content.decode(), re.S).group(1)
    assert "Appels présentés" in caption and "Du 06/11/2025 au 14/01/2026" in caption


def test_values_job_is_registered():
    from engagements import jobs

    assert any(
        j.func == "engagements.indicators.jobs.recompute_values"
        for j in jobs.registered_schedules()
    )


@time_machine.travel(TODAY, tick=False)
def test_values_job_writes_rows(records, prefecture):
    from engagements.indicators.jobs import recompute_values

    assert recompute_values() > 0
    assert (
        Value.objects.filter(
            prefecture=prefecture,
            site=None,
            breakdown="",
            period_kind="quarter",
            period_start=date(2025, 10, 1),
            indicator__code="calls_answered_rate",
        )
        .get()
        .value
        == 90
    )
    assert Value.objects.filter(breakdown__startswith="kind:").exists()


@time_machine.travel(TODAY, tick=False)
def test_manual_indicator_typed_in_with_source(prefecture, site, quality_lead, auditor, client_for):
    client = client_for(quality_lead)
    url = reverse("indicators:agents-manual", args=[prefecture.slug])
    client.post(
        url,
        {
            "form": "indicator",
            "name_fr": "Délai de délivrance des CNI",
            "family": "performance",
            "unit": "days",
            "definition": "Jours entre le dépôt complet et la mise à disposition.",
            "source": "Tableau de bord ANTS",
            "lower_is_better": "on",
        },
    )
    from engagements.indicators.models import Indicator

    indicator = Indicator.objects.get(prefecture=prefecture)
    assert indicator.code == "delai-de-delivrance-des-cni" and indicator.is_manual
    client.post(
        url,
        {
            "form": "value",
            "indicator": indicator.pk,
            "period": "2025-Q4",
            "value": "12.5",
            "source": "ANTS, extraction du 5 janvier",
        },
    )
    value = Value.objects.get(indicator=indicator)
    assert value.value == 12.5 and value.source == "ANTS, extraction du 5 janvier"
    # Typed the French way, with a comma: taken, not "Saisissez un nombre".
    typed = client.post(
        url,
        {
            "form": "value",
            "indicator": indicator.pk,
            "period": "2025-Q3",
            "value": "9,75",
            "numerator": "39",
            "denominator": "4",
            "source": "ANTS",
        },
    )
    assert typed.status_code == 302
    assert Value.objects.get(indicator=indicator, period_start=date(2025, 7, 1)).value == 9.75
    page = client.get(
        reverse("indicators:agents-dashboard", args=[prefecture.slug]), {"period": "2025-Q4"}
    )
    assert "Délai de délivrance des CNI" in page.content.decode()
    assert "12,50 jours" in page.content.decode()
    # Published with the quarter, beside the catalogue's indicators.
    services.publish(prefecture, Period.parse("2025-Q4"), actor=quality_lead)
    assert PublishedValue.objects.filter(code=indicator.code, value=12.5).exists()
    # The auditor reads, never writes.
    assert client_for(auditor).post(url, {"form": "value"}).status_code == 403


@time_machine.travel(TODAY, tick=False)
def test_annual_report_pdf(records, prefecture, committee_member, client_for, tmp_path):
    from tests.correspondence.factories import TopicFactory

    topic = TopicFactory(prefecture=prefecture, name="Délai des titres")
    for _ in range(3):
        MessageFactory(
            service=records.services.first(),
            received_on=date(2025, 5, 5),
            complaint=True,
            topic=topic,
            answered_on_time=True,
        )
    MessageFactory(service=records.services.first(), received_on=date(2025, 5, 5), complaint=True)
    response = client_for(committee_member).get(
        reverse("indicators:agents-annual-report", args=[prefecture.slug, 2025])
    )
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Rapport annuel 2025" in text
    assert "Appels aboutis" in text and "90,0 %" in text and "93,0 %" in text
    assert "Délai des titres" in text and "75,0 %" in text  # 3 of 4 complaints on the topic
    assert "4 réclamations" in text


@time_machine.travel(TODAY, tick=False)
def test_home_todos(prefecture, site, quality_lead, agent, client_for):
    WebsiteUpdate.objects.create(
        prefecture=prefecture, reference="W1", page="/a", requested_on=date(2026, 1, 5)
    )
    home = client_for(quality_lead).get(
        reverse("organisation:agents-prefecture", args=[prefecture.slug])
    )
    text = home.content.decode()
    assert "1 demande de mise à jour du site internet à publier" in text
    assert "Résultats du 4e trimestre 2025 à valider et publier" in text
    other = client_for(agent).get(reverse("organisation:agents-prefecture", args=[prefecture.slug]))
    assert "à valider et publier" not in other.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_the_home_asks_for_the_period_the_publication_form_is_filled_with(
    prefecture, quality_lead, client_for
):
    """The home and the publication form agree on what is due: the last quarter, then,
    for a prefecture that publishes its years, the year just ended."""
    url = reverse("organisation:agents-prefecture", args=[prefecture.slug])

    def due():
        todos = client_for(quality_lead).get(url).context["todos"]
        return [todo.label for todo in todos if "à valider et publier" in todo.label]

    assert due() == ["Résultats du 4e trimestre 2025 à valider et publier"]
    services.publish(prefecture, Period.of("quarter", date(2025, 10, 1)), actor=quality_lead)
    assert due() == []  # the first quarter of 2026 has not ended
    services.publish(prefecture, Period.year(2024), actor=quality_lead)
    assert due() == ["Résultats de l'année 2025 à valider et publier"]


@time_machine.travel(TODAY, tick=False)
def test_values_per_service(records, prefecture, site, service, quality_lead, client_for):
    from tests.factories import ServiceFactory

    other = ServiceFactory(site=site, slug="permis", name="Permis de conduire")
    MessageFactory(service=other, received_on=date(2025, 10, 6), answered_on_time=True)
    services.recompute_values(prefecture, [Period.parse("2025-Q4"), Period.parse("2024-Q4")])
    rate = Value.objects.get(
        service=service, period_kind="quarter", period_start=date(2025, 10, 1),
        indicator__code="correspondence_on_time_rate",
    )  # fmt: skip
    assert (rate.numerator, rate.denominator) == (3, 4)
    calls_value = Value.objects.get(
        service=other, period_kind="quarter", period_start=date(2025, 10, 1),
        indicator__code="calls_answered_rate",
    )  # fmt: skip
    assert calls_value.value is None  # calls are counted per site, not per service
    page = client_for(quality_lead).get(
        reverse("indicators:agents-dashboard", args=[prefecture.slug]),
        {"period": "2025-Q4", "service": other.pk},
    )
    cards = {c["code"]: c for c in page.context["cards"]}
    assert cards["correspondence_on_time_rate"]["display"] == "100,0\u00a0%"
    assert page.context["site"] == site


@time_machine.travel(TODAY, tick=False)
def test_dashboard_says_a_survey_figure_is_withheld_under_five_answers(
    prefecture, site, service, quality_lead, client_for
):
    from tests.surveys.factories import AnswerFactory, CampaignFactory, ResponseFactory

    campaign = CampaignFactory(site=site, services=[service])
    overall = campaign.questionnaire.questions.get(code="global")
    for value in (4, 3):
        response = ResponseFactory(
            campaign=campaign, service=service, answered_on=date(2025, 11, 4)
        )
        AnswerFactory(response=response, question=overall, value=value)
    services.recompute_values(prefecture, [Period.parse("2025-11")])
    page = client_for(quality_lead).get(
        reverse("indicators:agents-dashboard", args=[prefecture.slug]), {"period": "2025-11"}
    )
    card = page.content.decode().split('id="card-satisfaction_overall_rate"')[1]
    card = card.split("</section>")[0]
    assert "2 sur 2 — pas assez de réponses (moins de 5) : pas de chiffre" in card


@time_machine.travel(TODAY, tick=False)
def test_indicators_pages_offer_the_auditor_no_link_he_is_refused(
    records, prefecture, quality_lead, auditor, client_for
):
    import re

    services.recompute_values(prefecture, [Period.parse("2025")])
    pages = [
        reverse("indicators:agents-dashboard", args=[prefecture.slug]) + "?period=2025",
        reverse("indicators:agents-publications", args=[prefecture.slug]),
    ]
    lead = client_for(quality_lead)
    assert "Créer une action" in lead.get(pages[0]).content.decode()  # calls under target
    client = client_for(auditor)
    for page in pages:
        html = client.get(page).content.decode().replace("&amp;", "&")
        for link in set(re.findall(rf'href="(/agents/{prefecture.slug}/[^"#]*)', html)):
            assert client.get(link).status_code != 403, (page, link)


def test_annual_report_pdf_keeps_each_table_title_with_its_table(
    prefecture, committee_member, client_for, tmp_path
):
    """A site's name (the table's caption) or a section title never ends a page, its table
    starting on the next one."""
    from tests.factories import SiteFactory

    names = [f"Lieu d'accueil numéro {n}" for n in range(1, 9)]
    for name in names:
        SiteFactory(prefecture=prefecture, name=name)
    response = client_for(committee_member).get(
        reverse("indicators:agents-annual-report", args=[prefecture.slug, 2025])
    )
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) > 2
    for number, page in enumerate(pages, 1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        last = next(line for line in reversed(lines) if not line.startswith("page "))
        assert last not in names and not last[:2].rstrip(".").isdigit(), (number, last)


@pytest.mark.parametrize(
    ("kind", "day", "said"),
    [
        ("year", date(2025, 1, 1), "de l'année 2025"),
        ("quarter", date(2026, 7, 1), "du 3e trimestre 2026"),
        ("month", date(2026, 3, 1), "de mars 2026"),
        ("month", date(2026, 4, 1), "d'avril 2026"),  # elided, as « de » before a vowel
    ],
)
def test_the_home_names_the_period_to_publish_in_french(kind, day, said):
    from engagements.indicators.todos import _of

    assert _of(Period.of(kind, day)) == said

"""A publication she previews, of a closed period (issue 19, item 4); all sites on one
screen with a target for every indicator (item 8); closed hours shown as closed (item 10)."""

import csv
import io
import re
import subprocess
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from engagements.indicators import annual, poster, services
from engagements.indicators.catalogue import CATALOGUE
from engagements.indicators.models import Publication, PublishedValue
from engagements.indicators.periods import Period
from engagements.organisation.enums import HoursChannel, Indicator
from engagements.organisation.models import OpeningHours, Target
from tests.correspondence.factories import MessageFactory
from tests.indicators.test_views import calls

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime(2026, 1, 15, 10, 0, tzinfo=PARIS)


def preview(client, prefecture, period, **extra):
    return client.get(
        reverse("indicators:agents-publication-preview", args=[prefecture.slug]),
        {"period": period, **extra},
    )


def confirm(client, prefecture, page, period, **extra):
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', page.content.decode())
    return client.post(
        reverse("indicators:agents-publish", args=[prefecture.slug]),
        {"period": period, "fingerprint": fingerprint.group(1), **extra},
        follow=True,
    )


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "poster.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@time_machine.travel(TODAY, tick=False)
def test_the_preview_shows_what_is_published_and_nothing_before_confirmation(
    prefecture, site, service, quality_lead, client_for, client, tmp_path
):
    calls(site, date(2025, 11, 3), 100, 90)
    MessageFactory(service=service, received_on=date(2025, 10, 6), answered_on_time=True)
    lead = client_for(quality_lead)
    # The publications page asks for a period and opens the preview; a direct POST
    # without the preview's confirmation only leads to it.
    direct = lead.post(
        reverse("indicators:agents-publish", args=[prefecture.slug]), {"period": "2025-Q4"}
    )
    assert direct.status_code == 302 and "apercu" in direct["Location"]
    page = preview(lead, prefecture, "2025-Q4")
    html = page.content.decode()
    assert not Publication.objects.exists()
    assert "Rien n'est encore publié" in html
    # The pages of the prefecture and of the site, the poster, the open-data lines.
    assert html.count('data-code="calls_answered_rate"') == 2
    assert "90,0\u00a0%" in html and site.name in html
    # Every indicator × (prefecture + site)
    assert len(page.context["open_data"]) == 2 * len(CATALOGUE)
    poster = lead.get(
        reverse("indicators:agents-publication-preview-poster", args=[prefecture.slug, "a4"]),
        {"period": "2025-Q4"},
    )
    text = pdf_text(poster.content, tmp_path)
    assert "Appels aboutis" in text and "90,0 %" in text
    assert not Publication.objects.exists()

    # Confirmed: exactly the previewed values are published.
    def number(value):
        return None if value in ("", None) else float(value)

    # (structure, code) -> value, as the open-data lines of the preview gave them
    shown = {(row[1], row[3]): number(row[8]) for row in page.context["open_data"]}
    done = confirm(lead, prefecture, page, "2025-Q4")
    assert "publiés (version 1)" in done.content.decode()
    published = {
        ("site" if v.site_id else "prefecture", v.code): number(v.value)
        for v in PublishedValue.objects.all()
    }
    assert published == shown
    exported = client.get(reverse("indicators:public-results-csv", args=[prefecture.slug]))
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert [line[:19] for line in lines[1:]] == [
        [str(cell) for cell in row[:19]] for row in page.context["open_data"]
    ]


@time_machine.travel(TODAY, tick=False)
def test_values_changed_since_the_preview_are_not_published(
    prefecture, site, quality_lead, client_for
):
    calls(site, date(2025, 11, 3), 100, 90)
    lead = client_for(quality_lead)
    page = preview(lead, prefecture, "2025-Q4")
    calls(site, date(2025, 11, 4), 100, 100)  # a late telephony file arrives meanwhile
    done = confirm(lead, prefecture, page, "2025-Q4")
    assert "Les valeurs ont changé depuis l&#x27;aperçu" in done.content.decode()
    assert not Publication.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_an_ongoing_period_is_published_only_as_provisoire(
    prefecture, site, quality_lead, client_for, client, tmp_path
):
    calls(site, date(2026, 1, 5), 100, 90)
    lead = client_for(quality_lead)
    page = preview(lead, prefecture, "2026-Q1")
    assert "publiés que marqués « provisoires »" in page.content.decode()
    refused = confirm(lead, prefecture, page, "2026-Q1")
    assert "cochez la case" in refused.content.decode()
    assert not Publication.objects.exists()
    confirm(lead, prefecture, page, "2026-Q1", provisional="on")
    publication = Publication.objects.get()
    assert publication.provisional
    results = client.get(reverse("indicators:public-results", args=[prefecture.slug]))
    assert "1er trimestre 2026 (provisoire)" in results.content.decode()
    assert "Résultats provisoires" in results.content.decode()
    english = client.get("/en" + reverse("indicators:public-results", args=[prefecture.slug]))
    assert "Q1 2026 (provisional)" in english.content.decode()
    api = client.get(f"/api/v1/prefectures/{prefecture.slug}/indicators").json()
    assert {row["provisional"] for row in api} == {True}
    exported = client.get(reverse("indicators:public-results-csv", args=[prefecture.slug]))
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][-1] == "provisoire" and {line[-1] for line in lines[1:]} == {"oui"}
    poster = client.get(reverse("indicators:public-poster", args=[prefecture.slug, "a4"]))
    assert "(provisoire)" in pdf_text(poster.content, tmp_path)
    # A prefecture that publishes closed periods only: refused, nothing written.
    prefecture.publish_ongoing_periods = False
    prefecture.save()
    refused = preview(lead, prefecture, "2026-01")
    assert refused.status_code == 302
    with pytest.raises(services.IndicatorsError, match="que des périodes terminées"):
        services.publish(prefecture, Period.month(2026, 1), actor=quality_lead, provisional=True)


@time_machine.travel(TODAY, tick=False)
def test_previous_periods_never_list_the_one_shown(prefecture, site, quality_lead, client):
    calls(site, date(2025, 8, 4), 100, 90)
    calls(site, date(2025, 11, 3), 100, 90)
    services.publish(prefecture, Period.quarter(2025, 3), actor=quality_lead)
    services.publish(prefecture, Period.quarter(2025, 4), actor=quality_lead)
    url = reverse("indicators:public-results", args=[prefecture.slug])
    for shown, other in (("", "3e trimestre 2025"), ("2025-Q3", "4e trimestre 2025")):
        page = client.get(url, {"periode": shown} if shown else {})
        listed = page.content.decode().split('id="other-periods"')[1].split("</ul>")[0]
        assert other in listed
        assert page.context["period_label"] not in listed


@time_machine.travel(TODAY, tick=False)
def test_survey_figures_under_five_answers_say_so_not_unmeasured(
    prefecture, site, service, quality_lead, client
):
    from django.utils import translation

    from tests.surveys.factories import AnswerFactory, CampaignFactory, ResponseFactory

    campaign = CampaignFactory(site=site, services=[service])
    overall = campaign.questionnaire.questions.get(code="global")
    for value in (4, 3, 1):  # three answers: measured, but withheld under five
        response = ResponseFactory(
            campaign=campaign, service=service, answered_on=date(2025, 11, 4)
        )
        AnswerFactory(response=response, question=overall, value=value)
    services.publish(prefecture, Period.quarter(2025, 4), actor=quality_lead)
    url = reverse("indicators:public-results", args=[prefecture.slug])
    page = client.get(url).content.decode()
    for code in ("satisfaction_overall_rate", "satisfaction_net"):
        row = page.split(f'data-code="{code}"')[1].split("</tr>")[0]
        assert "— (pas assez de réponses)" in row and "non mesuré" not in row
    # Nothing at all is still "not measured" (the visitors, here).
    visitors = page.split('data-code="reception_visits"')[1].split("</tr>")[0]
    assert "— (non mesuré)" in visitors
    with translation.override("en"):
        url = reverse("indicators:public-results", args=[prefecture.slug])
    english = client.get(url).content.decode()
    assert "— (not enough answers)" in english


@time_machine.travel(TODAY, tick=False)
def test_open_data_gives_no_numerator_of_a_survey_figure_under_five_answers(
    prefecture, site, service, quality_lead, client
):
    from tests.surveys.factories import AnswerFactory, CampaignFactory, ResponseFactory

    campaign = CampaignFactory(site=site, services=[service])
    overall = campaign.questionnaire.questions.get(code="global")
    for value in (4, 4, 1):  # 2 satisfied of 3: the withheld 66.7 % must not be derivable
        response = ResponseFactory(
            campaign=campaign, service=service, answered_on=date(2025, 11, 4)
        )
        AnswerFactory(response=response, question=overall, value=value)
    services.publish(prefecture, Period.quarter(2025, 4), actor=quality_lead)
    exported = client.get(reverse("indicators:public-results-csv", args=[prefecture.slug]))
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    rows = [line for line in lines if line[3].startswith("satisfaction_")]
    assert rows and {(line[8], line[9], line[10]) for line in rows} == {("", "", "3")}
    api = client.get(f"/api/v1/prefectures/{prefecture.slug}/indicators").json()
    survey = [r for r in api if r["code"].startswith("satisfaction_")]
    assert {(r["value"], r["numerator"], r["denominator"]) for r in survey} == {(None, None, 3.0)}


@time_machine.travel(TODAY, tick=False)
def test_unmeasured_visitors_show_a_dash_never_zero(
    prefecture, site, quality_lead, client, tmp_path
):
    calls(site, date(2025, 11, 3), 100, 90)  # the site counts calls, not visitors
    services.publish(prefecture, Period.quarter(2025, 4), actor=quality_lead)
    value = PublishedValue.objects.get(site=None, code="reception_visits")
    assert value.value is None
    page = client.get(reverse("indicators:public-results", args=[prefecture.slug]))
    row = page.content.decode().split('data-code="reception_visits"')[1].split("</tr>")[0]
    assert "— (non mesuré)" in row and ">0<" not in row
    api = client.get(f"/api/v1/prefectures/{prefecture.slug}/indicators").json()
    assert {r["value"] for r in api if r["code"] == "reception_visits"} == {None}
    exported = client.get(reverse("indicators:public-results-csv", args=[prefecture.slug]))
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert {line[8] for line in lines if line[3] == "reception_visits"} == {""}
    # The référent puts the visitors on the hall poster (issue 19.7: her 3 to 6 indicators).
    poster.save_choice(
        prefecture,
        codes=["calls_answered_rate", "reception_visits", "reception_served_within_15_min_rate"],
        next_update=None,
        actor=quality_lead,
    )
    poster_pdf = client.get(reverse("indicators:public-poster", args=[prefecture.slug, "a4"]))
    text = pdf_text(poster_pdf.content, tmp_path)
    visitors = text.split("Visiteurs à l'accueil")[1].split("Visiteurs reçus")[0]
    assert "mesuré" in visitors and "0" not in visitors.split("—")[0]
    assert "0 visiteurs" not in text
    report = annual.annual_report(prefecture, 2025, at=TODAY.date())
    visits = [r for r in report["indicator_tables"][0]["rows"] if r["name"].startswith("Visit")]
    assert visits[0]["value"] == "—"


@time_machine.travel(TODAY, tick=False)
def test_all_sites_against_their_targets_on_one_screen_and_one_csv(
    prefecture, site, other_site, quality_lead, site_manager, client_for,
    django_assert_max_num_queries,
):  # fmt: skip
    calls(site, date(2025, 6, 2), 100, 95)
    calls(other_site, date(2025, 6, 2), 100, 80)
    # A target for an indicator without a default, and a site's own override.
    Target.objects.create(
        prefecture=prefecture, year=2025, indicator=Indicator.CALLS_WITHIN_5_RINGS, value=70
    )
    Target.objects.create(
        prefecture=prefecture,
        site=other_site,
        year=2025,
        indicator=Indicator.CALLS_ANSWERED,
        value=75,
    )
    services.recompute_values(prefecture, [Period.year(2025)], with_services=False)
    lead = client_for(quality_lead)
    url = reverse("indicators:agents-sites", args=[prefecture.slug])
    with django_assert_max_num_queries(6):
        page = lead.get(url, {"period": "2025"})
    assert page.context["structures"] == [prefecture.name, site.name, other_site.name]
    row = next(r for r in page.context["rows"] if r["entry"].code == "calls_answered_rate")
    cells = [(c["value"], c["target"], c["met"]) for c in row["cells"]]
    assert [(float(v), t, m) for v, t, m in cells] == [
        (87.5, 93.0, False),
        (95.0, 93.0, True),
        (80.0, 75.0, True),  # the site's own target
    ]
    rings = next(
        r for r in page.context["rows"] if r["entry"].code == "calls_answered_within_5_rings_rate"
    )
    assert {c["target"] for c in rings["cells"]} == {70.0}
    exported = lead.get(
        reverse("indicators:agents-sites-csv", args=[prefecture.slug]), {"period": "2025"}
    )
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == [
        "structure", "code", "indicateur", "période", "valeur", "cible", "cible atteinte"
    ]  # fmt: skip
    assert [other_site.name, "calls_answered_rate"] == lines[-22][:2] or any(
        line[:2] == [other_site.name, "calls_answered_rate"] and line[5] == "75,0" for line in lines
    )
    assert len(lines) == 1 + len(CATALOGUE) * 3
    # A site manager sees his site only.
    own = client_for(site_manager).get(url, {"period": "2025"})
    assert own.context["structures"] == [site.name]


def test_every_indicator_can_have_a_target_and_next_year_is_proposed_from_this_year(
    prefecture, quality_lead, client_for
):
    assert {entry.code for entry in CATALOGUE} <= set(Indicator.values)
    Target.objects.create(
        prefecture=prefecture, year=2025, indicator=Indicator.SATISFACTION_NET, value=40
    )
    Target.objects.create(
        prefecture=prefecture, year=2025, indicator=Indicator.CORRESPONDENCE_RATE, value=82
    )
    lead = client_for(quality_lead)
    url = reverse("organisation:agents-edit-targets", args=[prefecture.slug, 2026])
    page = lead.get(url, {"depuis": "2025"})
    form = page.context["form"]
    assert form.fields[Indicator.SATISFACTION_NET].initial == 40
    assert form.fields[Indicator.CORRESPONDENCE_RATE].initial == 82
    assert "Rien n&#x27;est enregistré avant" in page.content.decode()
    assert not Target.objects.filter(year=2026).exists()  # proposed, not saved
    data = {
        name: "" if field.initial is None else str(field.initial).replace(".", ",")
        for name, field in form.fields.items()
    }
    assert lead.post(url, data).status_code == 302
    assert prefecture.target_for(2026, Indicator.SATISFACTION_NET) == 40
    assert prefecture.target_for(2026, Indicator.CORRESPONDENCE_RATE) == 82
    assert prefecture.target_for(2026, Indicator.FIRST_FREE_SLOT) is None


@time_machine.travel(TODAY, tick=False)
def test_closed_hours_show_as_closed_not_calm(prefecture, site, client):
    # The phone opens 9–12 and 14–17 on weekdays; a few calls land at 12 h and 17 h
    # (people calling out of hours) and used to show "Calme".
    for weekday in range(5):
        OpeningHours.objects.create(
            site=site,
            channel=HoursChannel.TELEPHONE,
            weekday=weekday,
            opens_at=time(9),
            closes_at=time(12),
            reopens_at=time(14),
            closes_again_at=time(17),
        )
    monday = date(2026, 1, 12)
    for week in range(1, 5):
        day = monday - timedelta(weeks=week)
        calls(site, day, 40, 38, hour=10)
        calls(site, day, 2, 0, hour=12)
        calls(site, day, 1, 0, hour=17)
    page = client.get(reverse("indicators:public-affluence", args=[prefecture.slug]))
    grid = next(g for g in page.context["grids"] if g["site"] == site)
    monday_cells = {c["hour"]: c for c in grid["grid"][0]["cells"]}
    assert monday_cells[12]["word"] == "Fermé" and monday_cells[17]["word"] == "Fermé"
    assert monday_cells[10]["word"] == "Chargé"
    html = page.content.decode()
    assert "Fermé" in html
    english = client.get("/en" + reverse("indicators:public-affluence", args=[prefecture.slug]))
    assert "Closed" in english.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_the_form_suggests_the_next_quarter_not_published_and_asks_a_reason_only_to_correct(
    prefecture, site, quality_lead, client_for
):
    prefecture.publish_ongoing_periods = False
    prefecture.save(update_fields=["publish_ongoing_periods"])
    lead = client_for(quality_lead)
    url = reverse("indicators:agents-publications", args=[prefecture.slug])
    # Nothing published: the last ended quarter, a first version (no correction reason).
    form = lead.get(url).context["form"]
    assert form.initial["period"] == "2025-Q4" and "note" not in form.fields
    assert "Motif de la correction" not in lead.get(url).content.decode()
    page = preview(lead, prefecture, "2025-Q4")
    assert "note" not in page.context["form"].fields
    confirm(lead, prefecture, page, "2025-Q4")
    assert Publication.objects.count() == 1
    # Q4 published and Q1 2026 not ended (the prefecture publishes only ended periods):
    # nothing suggested, rather than the quarter already published.
    form = lead.get(url).context["form"]
    assert "period" not in form.initial and "note" not in form.fields
    # Publishing Q4 again is a correction: its preview asks the reason, required.
    page = preview(lead, prefecture, "2025-Q4")
    assert page.context["form"].fields["note"].required
    refused = confirm(lead, prefecture, page, "2025-Q4")
    assert "indiquez le motif" in refused.content.decode()
    assert Publication.objects.count() == 1
    confirm(lead, prefecture, page, "2025-Q4", note="Fichier reçu en retard")
    assert Publication.objects.count() == 2
    # A prefecture publishing ongoing periods is offered the current quarter next.
    prefecture.publish_ongoing_periods = True
    prefecture.save(update_fields=["publish_ongoing_periods"])
    form = lead.get(url).context["form"]
    assert form.initial["period"] == "2026-Q1" and "note" not in form.fields


@time_machine.travel(datetime(2026, 5, 12, 10, 0, tzinfo=PARIS), tick=False)
def test_the_form_suggests_the_next_month_quarter_and_year_filled_with_the_one_due_first(
    prefecture, site, quality_lead, client_for
):
    """The form suggested quarters only, though a publication covers a month, a quarter or
    a year (`Publication.period_kind`): it offers the next period of each kind, filled with
    the one due first among the kinds the prefecture publishes."""
    from engagements.indicators.queries import periods_to_publish

    prefecture.publish_ongoing_periods = False
    prefecture.save(update_fields=["publish_ongoing_periods"])
    today = date(2026, 5, 12)
    lead = client_for(quality_lead)
    url = reverse("indicators:agents-publications", args=[prefecture.slug])

    # Nothing published: the last ended period of each kind, filled with the quarter.
    suggested, due = periods_to_publish(prefecture, today)
    assert [p.code for p in suggested] == ["2026-Q1", "2025", "2026-04"]
    assert due.code == "2026-Q1"
    page = lead.get(url)
    assert page.context["form"].initial["period"] == "2026-Q1"
    html = page.content.decode()
    assert (
        "Prochaines périodes à publier : 1er trimestre 2026 (2026-Q1) ; année 2025 (2025) ; "
        "avril 2026 (2026-04). Ou une autre : un mois AAAA-MM"
    ) in html
    assert 'list="periods-to-publish"' in html
    assert '<option value="2026-04" label="avril 2026">' in html

    # A prefecture publishing months too is filled with the month after its latest one
    # once its quarter is published.
    services.publish(prefecture, Period.parse("2026-Q1"), actor=quality_lead)
    services.publish(prefecture, Period.parse("2026-02"), actor=quality_lead)
    suggested, due = periods_to_publish(prefecture, today)
    assert [p.code for p in suggested] == ["2025", "2026-03"]
    assert due.code == "2026-03"
    # Nothing of its kinds can be published (the current month and quarter are not over):
    # nothing filled in, the year still suggested.
    services.publish(prefecture, Period.parse("2026-03"), actor=quality_lead)
    services.publish(prefecture, Period.parse("2026-04"), actor=quality_lead)
    suggested, due = periods_to_publish(prefecture, today)
    assert ([p.code for p in suggested], due) == (["2025"], None)
    form = lead.get(url).context["form"]
    assert "period" not in form.initial and form.suggested[0]["code"] == "2025"
    # Once it publishes years, the next year is due.
    services.publish(prefecture, Period.parse("2024"), actor=quality_lead)
    assert periods_to_publish(prefecture, today)[1].code == "2025"
    assert lead.get(url).context["form"].initial["period"] == "2025"


@time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=PARIS), tick=False)
def test_an_ended_quarter_is_filled_in_before_the_ongoing_year(prefecture, quality_lead):
    """The demo's prefecture published last year and publishes ongoing periods: the form
    was filled with the current year (provisional) while the third quarter, ended, had
    never been published."""
    from engagements.indicators.queries import periods_to_publish

    prefecture.publish_ongoing_periods = True
    prefecture.save(update_fields=["publish_ongoing_periods"])
    services.publish(prefecture, Period.parse("2025"), actor=quality_lead)
    suggested, due = periods_to_publish(prefecture, date(2026, 12, 7))
    assert [p.code for p in suggested] == ["2026-Q3", "2026", "2026-11"]
    assert due.code == "2026-Q3"

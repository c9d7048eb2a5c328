"""Agents' pages of the label cycle (labels, trainings, diagnostic, calendar), the
référent's home items and the public prefecture page's labels."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from engagements.quality.cycle_enums import CriterionValue
from engagements.quality.models import CriterionResult, Label, TrainingSession
from engagements.quality.obligations import year_obligations
from tests.quality.cycle_factories import LabelFactory, TrainingFactory
from tests.quality.factories import AssessmentFactory, CommitmentFactory

pytestmark = pytest.mark.django_db

PAGES = ["agents-labels", "agents-trainings", "agents-diagnostic", "agents-calendar"]


def url(name: str, prefecture) -> str:
    return reverse(f"quality:{name}", args=[prefecture.slug])


@pytest.mark.parametrize("name", PAGES)
def test_an_outsider_gets_404_and_an_agent_without_figures_403(
    name, prefecture, client_for, outsider, agent
):
    assert client_for(outsider).get(url(name, prefecture)).status_code == 404
    assert client_for(agent).get(url(name, prefecture)).status_code == 403


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_labels_page_shows_current_labels_and_history(
    prefecture, site, other_site, client_for, quality_lead
):
    LabelFactory(site=site, expired=True)  # the old one stays in the history
    LabelFactory(site=site, expiring=True, obtained_on=date(2023, 10, 1))
    LabelFactory(site=other_site, module=2, label="sp_plus", audit_unplanned=True)
    page = client_for(quality_lead).get(url("agents-labels", prefecture)).content.decode()
    assert "Qual-e-pref" in page and "Services Publics +" in page
    assert "À renouveler" in page  # valid until 30/09/2026: 92 days
    assert "audit de renouvellement non planifié avant le 14/01/2027" in page
    assert page.count("15/01/2020") == 1  # the expired obtention, in the history only


def test_the_referent_adds_a_renewal_as_a_new_row(prefecture, site, client_for, quality_lead):
    LabelFactory(site=site)
    response = client_for(quality_lead).post(
        url("agents-labels", prefecture),
        {
            "site": site.pk,
            "module": 1,
            "label": "sp_plus",
            "obtained_on": "2026-12-01",
            "valid_until": "2029-11-30",
            "audit_body": "AFNOR Certification",
        },
    )
    assert response.status_code == 302
    assert Label.objects.filter(site=site, module=1).count() == 2


def test_a_site_manager_reads_labels_but_cannot_add_one(prefecture, site, client_for, site_manager):
    client = client_for(site_manager)
    assert client.get(url("agents-labels", prefecture)).status_code == 200
    post = {"site": site.pk, "module": 1, "label": "sp_plus"}
    assert client.post(url("agents-labels", prefecture), post).status_code == 403
    assert not Label.objects.exists()


def test_trainings_page_totals_the_year(
    prefecture, service, other_service, client_for, quality_lead
):
    TrainingFactory(service=service, participants=12)  # 3.5 h × 12 = 42
    TrainingFactory(service=service, fraud=True, hours="1.25", participants=1)
    TrainingFactory(service=service, date=date(2025, 5, 1))
    client = client_for(quality_lead)
    page = client.get(url("agents-trainings", prefecture) + "?annee=2026").content.decode()
    # 42 + 1.25 = 43.25 → 43,3 (half up, French decimal comma)
    assert "Heures-stagiaires : 43,3" in page
    assert "Lutte contre la fraude" in page
    assert other_service.name in page.split("Services sans formation")[1]
    response = client.post(
        url("agents-trainings", prefecture),
        {
            "service": other_service.pk,
            "date": "2026-04-02",
            "topic": "numerique",
            "title": "Aide au numérique",
            "hours": "2",
            "participants": "5",
        },
    )
    assert response.status_code == 302
    assert TrainingSession.objects.filter(service=other_service).count() == 1


def test_diagnostic_page_shows_rates_per_commitment_and_site(
    prefecture, site, other_site, client_for, quality_lead
):
    commitment = CommitmentFactory(ref="SP+4", title="Une réponse dans les délais")
    referential = commitment.module.referential
    for where, results in [(site, ["oui", "partiel"]), (other_site, ["non"])]:
        assessment = AssessmentFactory(
            site=where, referential=referential, kind="self_evaluation", planned_on="2026-03-01"
        )
        for n, result in enumerate(results):
            CriterionResult.objects.create(
                assessment=assessment, commitment=commitment, criterion=f"C{n}", result=result
            )
    page = client_for(quality_lead).get(
        url("agents-diagnostic", prefecture) + f"?annee=2026&referentiel={referential.code}"
    )
    text = page.content.decode()
    # chef-lieu 1.5 / 2 = 75.0; sous-pref 0; whole 1.5 / 3 = 50.0
    assert "SP+4" in text and "75,0" in text and "50,0" in text
    assert f"/evaluations/{assessment.pk}/" in text  # the last site's assessment is linked
    assert CriterionValue.YES == "oui"


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_calendar_lists_done_due_and_late_obligations(prefecture, site, client_for, quality_lead):
    # Audit planned 2026-05-15 with no self-assessment before it: late. Label ends
    # 2026-09-30 and the audit is before it: the renewal audit is planned (done).
    LabelFactory(site=site, valid_until=date(2026, 9, 30), next_audit_on=date(2026, 5, 15))
    items = year_obligations(prefecture, 2026, today=date(2026, 6, 30))
    states = {o.title.split(" (")[0].split(" avant")[0]: o.state for o in items}
    assert states == {
        "Enquête de satisfaction avec des réponses": "due",
        "Au moins un contrôle mystère réalisé": "due",
        "Autoévaluation du module 1": "late",
        "Audit de renouvellement du module 1": "done",
        "Au moins une réunion du comité des usagers tenue dans l'année": "due",
        "Réunion du comité dans les 90 jours": "late",
    }
    page = client_for(quality_lead).get(url("agents-calendar", prefecture)).content.decode()
    assert "Calendrier qualité 2026" in page and "En retard" in page


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_the_referent_s_home_shows_expiring_and_unplanned_labels(
    prefecture, site, other_site, client_for, quality_lead, site_manager
):
    LabelFactory(site=site, expiring=True)
    LabelFactory(site=other_site, audit_unplanned=True)
    home = client_for(quality_lead).get(f"/agents/{prefecture.slug}/").content.decode()
    assert "1 label à renouveler dans les 6 mois" in home
    assert "1 label sans audit de renouvellement planifié" in home
    manager_home = client_for(site_manager).get(f"/agents/{prefecture.slug}/").content.decode()
    assert "à renouveler dans les 6 mois" not in manager_home


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_the_public_page_shows_current_labels_in_french_and_english(
    client, prefecture, site, other_site
):
    LabelFactory(site=site, label="sp_plus")
    LabelFactory(site=other_site, expired=True)
    page = client.get(f"/prefectures/{prefecture.slug}/").content.decode()
    assert "Nos labels qualité" in page and "Services Publics +" in page
    assert "14/01/2027" in page and "14/01/2023" not in page
    english = client.get(f"/en/prefectures/{prefecture.slug}/").content.decode()
    assert "Our quality labels" in english and "Valid until" in english


def test_the_referent_is_mailed_once_per_label_to_act_on(
    prefecture, site, other_site, quality_lead, mailoutbox, django_capture_on_commit_callbacks
):
    from engagements.outbox.models import Delivery
    from engagements.quality.label_mail import send_label_alerts

    quality_lead.email = "referent@alpha.test"
    quality_lead.save()
    expiring = LabelFactory(site=site, expiring=True)  # ends 30/09/2026
    LabelFactory(site=other_site, audit_unplanned=True)
    LabelFactory(site=other_site, module=2)  # valid, audit planned: nothing to say
    with time_machine.travel("2026-06-30 08:00 +02:00"):
        with django_capture_on_commit_callbacks(execute=True):
            assert send_label_alerts() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert send_label_alerts() == 0  # once
    (mail,) = mailoutbox
    assert mail.to == ["referent@alpha.test"]
    assert mail.subject.startswith("Labels qualité : 2 labels à traiter")
    assert "module 1, Qual-e-pref : valable jusqu'au 30/09/2026" in mail.body
    assert "audit de renouvellement non planifié" in mail.body
    assert Delivery.objects.filter(purpose="quality-labels").count() == 1
    # Unplanned first, the other label comes within 180 days of its end (14/01/2027) on
    # 18/07/2026: mailed again, for that reason only.
    mailoutbox.clear()
    with time_machine.travel("2026-07-20 08:00 +02:00"):
        with django_capture_on_commit_callbacks(execute=True):
            assert send_label_alerts() == 1
    assert "Sous-préfecture du Nord, module 1, Qual-e-pref : valable jusqu'au 14/01/2027" in (
        mailoutbox[0].body
    )
    # Its renewal is a new row: alerted again when it comes near its own end.
    renewal = LabelFactory(
        site=site, obtained_on=date(2026, 9, 1), valid_until=date(2027, 3, 1), next_audit_on=None
    )
    with time_machine.travel("2026-09-02 08:00 +02:00"):
        with django_capture_on_commit_callbacks(execute=True):
            assert send_label_alerts() == 1
    renewal.refresh_from_db()
    assert renewal.expiry_alerted_on == renewal.audit_alerted_on == date(2026, 9, 2)
    expiring.refresh_from_db()
    assert expiring.expiry_alerted_on == date(2026, 6, 30)


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_national_overview_for_the_national_administrator_only(
    prefecture, site, other_site, other_prefecture, client_for, national_admin, quality_lead
):
    from tests.factories import SiteFactory

    LabelFactory(site=site)  # module 1, valid until 14/01/2027
    LabelFactory(site=other_site, module=2, expiring=True)  # not module 1
    SiteFactory(prefecture=other_prefecture, slug="beta-site")
    page_url = reverse("quality:national-labels")
    csv_url = reverse("quality:national-labels-csv")
    assert client_for(quality_lead).get(page_url).status_code == 404
    assert client_for(quality_lead).get(csv_url).status_code == 404
    assert client_for(national_admin).post(page_url).status_code == 405
    client = client_for(national_admin)
    page = client.get(page_url + "?tri=labellise").content.decode()
    # Alpha: 1 of its 2 sites labelled on module 1; Bêta: 0 of 1. Prefectures 1 of 2 = 50 %,
    # sites 1 of 3 = 33.3 %.
    assert "1 sur 2 (50,0\u00a0%)" in page and "1 sur 3 (33,3\u00a0%)" in page
    assert page.index("Préfecture d&#x27;Alpha") < page.index("Préfecture de Bêta")
    assert "Aucune publication" in page
    # Latest published quarter: 2 prefecture-wide values with a target, 1 met.
    from engagements.indicators.models import Publication, PublishedValue

    publication = Publication.objects.create(
        prefecture=prefecture,
        period_kind="quarter",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        published_by=quality_lead,
    )
    for code, met in [("delai", True), ("decroche", False)]:
        PublishedValue.objects.create(
            publication=publication,
            code=code,
            name_fr=code,
            unit="percent",
            frequency="trimestrielle",
            target=90,
            met=met,
            updated_at=publication.published_at,
        )
    page = client.get(page_url).content.decode()
    assert "objectifs atteints 1 sur 2" in page
    response = client.get(csv_url)
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "Préfecture d'Alpha;2;1;" in text and "14/01/2027" in text


def test_committee_meetings_count_for_the_year_and_before_the_audit(prefecture, site):
    from tests.committee.factories import MeetingFactory, at

    LabelFactory(site=site, next_audit_on=date(2026, 10, 1))
    # Held 01/06/2026: in the year, but 122 days before the audit (more than 90).
    MeetingFactory(committee__prefecture=prefecture, starts_at=at(date(2026, 6, 1)), held=True)
    # Planned 15/09/2026, 16 days before the audit: not held yet, so still due.
    MeetingFactory(committee__prefecture=prefecture, starts_at=at(date(2026, 9, 15)))
    items = year_obligations(prefecture, 2026, today=date(2026, 6, 30))
    committee = {o.title: (o.state, o.done_on) for o in items if o.site is None}
    assert committee == {
        "Au moins une réunion du comité des usagers tenue dans l'année": (
            "done",
            date(2026, 6, 1),
        ),
        "Réunion du comité dans les 90 jours avant l'audit du 01/10/2026": ("due", None),
    }


def test_the_referent_imports_labels_and_trainings_from_the_pages(
    prefecture, site, service, client_for, quality_lead, site_manager
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    import_url = url("agents-cycle-import", prefecture)
    header = "site,module,label,obtained_on,valid_until\n"
    good = SimpleUploadedFile(
        "l.csv", (header + "chef-lieu,1,sp_plus,2026-01-05,2029-01-04\n").encode()
    )
    client = client_for(quality_lead)
    response = client.post(import_url, {"kind": "labels", "file": good}, follow=True)
    assert "Labels créés : 1" in response.content.decode()
    bad = SimpleUploadedFile(
        "l.csv", (header + "chef-lieu,9,sp_plus,2026-01-05,2029-01-04\n").encode()
    )
    response = client.post(import_url, {"kind": "labels", "file": bad}, follow=True)
    assert "ligne 2, colonne « module »" in response.content.decode()
    assert Label.objects.count() == 1
    trainings = SimpleUploadedFile(
        "t.csv",
        b"date;site;service;topic;title;hours;participants\n"
        b"10/03/2026;chef-lieu;sejour;accueil;Accueil;3,5;12\n",
    )
    response = client.post(import_url, {"kind": "trainings", "file": trainings}, follow=True)
    assert "Sessions créées : 1" in response.content.decode()
    again = SimpleUploadedFile("l.csv", header.encode())
    assert (
        client_for(site_manager).post(import_url, {"kind": "labels", "file": again}).status_code
        == 403
    )


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_calendar_says_when_the_renewal_audit_is_planned_not_done(
    prefecture, site, client_for, quality_lead
):
    LabelFactory(site=site, valid_until=date(2027, 3, 31), next_audit_on=date(2027, 2, 5))
    page = client_for(quality_lead).get(url("agents-calendar", prefecture)).content.decode()
    assert "prévu le 05/02/2027" in page
    assert "<td>05/02/2027</td>" not in page  # not under "Fait le" as if it were done


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_calendar_offers_the_meetings_only_to_who_may_open_them(
    prefecture, site, client_for, quality_lead, site_manager, auditor
):
    LabelFactory(site=site, valid_until=date(2026, 9, 30), next_audit_on=date(2026, 5, 15))
    meetings = reverse("committee:agents-meetings", args=[prefecture.slug])
    assert (
        meetings
        in client_for(quality_lead).get(url("agents-calendar", prefecture)).content.decode()
    )
    for user in (site_manager, auditor):
        client = client_for(user)
        assert client.get(meetings).status_code == 403
        page = client.get(url("agents-calendar", prefecture)).content.decode()
        assert "Au moins une réunion du comité" in page and meetings not in page

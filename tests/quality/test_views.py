"""Agents' pages: an action from each kind of source, the auditor's limits, assessments,
evidence pack and PDF, SP+ experiences, site scopes, the public page and home items."""

import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from engagements.quality import referential as referential_services
from engagements.quality import services
from engagements.quality.enums import AssessmentKind, ResultValue
from engagements.quality.evidence import (
    add_evidence,
    add_finding,
    build_evidence_pack,
    create_assessment,
    record_result,
)
from engagements.quality.models import Action, Assessment, Experience, Referential
from engagements.quality.queries import next_audit_date
from engagements.quality.services import change_status, record_effectiveness, status_for_code
from tests.correspondence.factories import MessageFactory, TopicFactory
from tests.quality.factories import (
    ActionFactory,
    AssessmentFactory,
    ExperienceFactory,
    FindingFactory,
    PlanFactory,
)
from tests.surveys.factories import CampaignFactory, MysteryCheckFactory
from tests.tooling import pdf_text

pytestmark = pytest.mark.django_db
REFERENTIALS = Path(__file__).resolve().parents[2] / "engagements/quality/referentials"


def new_url(prefecture, key: str) -> str:
    return reverse("quality:agents-action-new", args=[prefecture.slug]) + f"?source={key}"


def test_an_action_from_each_kind_of_source(prefecture, site, service, quality_lead, client_for):
    from engagements.surveys.models import CheckResult

    client = client_for(quality_lead)
    topic = TopicFactory(prefecture=prefecture, name="Attente au guichet")
    message = MessageFactory(service=service, complaint=True, topic=topic)
    campaign = CampaignFactory(site=site, services=[service])
    check = MysteryCheckFactory(service=service)
    result = CheckResult.objects.create(
        check_run=check, criterion=check.grid.criteria.first(), passed=False
    )
    finding = FindingFactory(assessment=AssessmentFactory(site=site))
    experience = ExperienceFactory(prefecture=prefecture, improvement="Afficher l'attente")
    expected = [
        (f"correspondence.message:{message.pk}", "complaint", f"Message {message.reference}"),
        (f"correspondence.topic:{topic.pk}", "complaint", "« Attente au guichet »"),
        (f"surveys.campaign:{campaign.pk}&critere=waiting_time", "survey", "Temps d'attente"),
        (f"surveys.checkresult:{result.pk}", "mystery_check", result.criterion.label),
        (f"quality.finding:{finding.pk}", "audit", "Piste de progrès"),
        (f"quality.experience:{experience.pk}", "sp_plus", experience.external_id),
    ]
    for index, (key, kind, label) in enumerate(expected):
        page = client.get(new_url(prefecture, key))
        assert page.status_code == 200, key
        html = page.content.decode()
        assert label.replace("'", "&#x27;") in html, key
        assert message.sender_name not in html and message.sender_email not in html
        response = client.post(
            new_url(prefecture, key),
            {"title": f"Action {index}", "kind": "corrective", "site": site.pk, "year": 2026},
        )
        assert response.status_code == 302, (key, response.content.decode()[:2000])
        action = Action.objects.get(title=f"Action {index}")
        assert action.source_kind == kind and action.source_id is not None
        assert label in action.source_label
        assert message.sender_name not in action.source_label


def _one_record_per_declared_source(prefecture, site, service) -> dict:
    """A record of each type the apps declare as an action source, by its label."""
    from datetime import date as day

    from engagements.indicators.models import Indicator, Value
    from engagements.surveys.models import CheckResult
    from tests.committee.factories import (
        CommitteeFactory,
        DecisionFactory,
        MinutesFactory,
        SuggestionFactory,
    )
    from tests.surveys.factories import QuestionFactory

    committee = CommitteeFactory(prefecture=prefecture)
    check = MysteryCheckFactory(service=service)
    campaign = CampaignFactory(site=site, services=[service])
    indicator = Indicator.objects.create(
        prefecture=prefecture, code="delai-cni", name_fr="Délai CNI", family="performance",
        unit="days", is_manual=True,
    )  # fmt: skip
    return {
        "correspondence.message": MessageFactory(service=service, complaint=True),
        "correspondence.topic": TopicFactory(prefecture=prefecture, name="Accueil"),
        "surveys.campaign": campaign,
        "surveys.question": QuestionFactory(
            questionnaire=campaign.questionnaire, text="Étiez-vous bien reçu ?"
        ),
        "surveys.checkresult": CheckResult.objects.create(
            check_run=check, criterion=check.grid.criteria.first(), passed=False
        ),
        "surveys.mysterycheck": check,
        "committee.decision": DecisionFactory(
            minutes=MinutesFactory(meeting__committee=committee),
            kind="action",
            text="Traduire la signalétique du hall",
        ),
        "committee.suggestion": SuggestionFactory(committee=committee),
        "quality.finding": FindingFactory(assessment=AssessmentFactory(site=site)),
        "quality.experience": ExperienceFactory(prefecture=prefecture),
        "indicators.*": Value.objects.create(
            indicator=indicator,
            prefecture=prefecture,
            site=site,
            period_kind="month",
            period_start=day(2025, 11, 1),
            period_end=day(2025, 11, 30),
            value=12,
        ),  # fmt: skip
    }


def test_every_declared_source_opens_the_action_form_prefilled(
    prefecture, site, service, quality_lead, client_for
):
    from engagements.quality.plugs import source_key
    from engagements.shell import hooks

    records = _one_record_per_declared_source(prefecture, site, service)
    # A source declared without a record here fails: add it above.
    assert set(records) == set(hooks._action_sources)
    client = client_for(quality_lead)
    for label, record in records.items():
        page = client.get(new_url(prefecture, source_key(record)))
        assert page.status_code == 200, label
        form = page.context["form"]
        info = page.context["info"]
        assert info is not None and info.label, label
        assert form.initial.get("title", "") == (info.title or ""), label
    decision = records["committee.decision"]
    page = client.get(new_url(prefecture, source_key(decision)))
    html = page.content.decode()
    assert "Traduire la signalétique du hall" in html
    assert "Décision du comité des usagers (action à mener)" in html
    response = client.post(
        new_url(prefecture, source_key(decision)),
        {"title": "Traduire la signalétique", "kind": "improvement", "site": site.pk, "year": 2026},
    )
    assert response.status_code == 302
    action = Action.objects.get(title="Traduire la signalétique")
    assert action.source_kind == "committee" and action.source_id == decision.pk


def test_a_committee_decision_of_another_prefecture_is_404(
    prefecture, other_prefecture, quality_lead, client_for
):
    from tests.committee.factories import CommitteeFactory, DecisionFactory, MinutesFactory

    foreign = DecisionFactory(
        minutes=MinutesFactory(meeting__committee=CommitteeFactory(prefecture=other_prefecture))
    )
    client = client_for(quality_lead)
    key = f"committee.decision:{foreign.pk}"
    assert client.get(new_url(prefecture, key)).status_code == 404


def test_a_source_of_another_prefecture_or_unknown_is_404(
    prefecture, other_prefecture_service, quality_lead, client_for
):
    client = client_for(quality_lead)
    foreign = MessageFactory(service=other_prefecture_service, complaint=True)
    for key in (
        f"correspondence.message:{foreign.pk}",
        "correspondence.message:999999",
        "auth.user:1",
        "committee.decision:999999",
        "nonsense",
    ):
        assert client.get(new_url(prefecture, key)).status_code == 404, key


def test_a_source_of_a_site_outside_the_users_scope_is_404(
    prefecture, service, other_service, site_manager, client_for
):
    client = client_for(site_manager)
    own = MessageFactory(service=service, complaint=True)
    other = MessageFactory(service=other_service, complaint=True)
    assert client.get(new_url(prefecture, f"correspondence.message:{own.pk}")).status_code == 200
    assert client.get(new_url(prefecture, f"correspondence.message:{other.pk}")).status_code == 404


def test_a_site_manager_is_offered_only_his_sites_actions_as_parent(
    prefecture, site, other_site, site_manager, client_for
):
    own = ActionFactory(plan=PlanFactory(site=site), title="Refaire l'accueil")
    other = ActionFactory(plan=PlanFactory(site=other_site), title="Action d'un autre site")
    client = client_for(site_manager)
    url = reverse("quality:agents-action-new", args=[prefecture.slug])
    html = client.get(url).content.decode()
    assert own.reference in html and "Refaire l" in html
    assert other.reference not in html and "Action d&#x27;un autre site" not in html
    # Posted anyway, the other site's action is refused and its progress left alone.
    response = client.post(
        url,
        {
            "title": "Sous-action",
            "kind": "corrective",
            "site": site.pk,
            "year": 2026,
            "parent": other.pk,
        },
    )
    assert response.status_code == 200 and "parent" in response.context["form"].errors
    assert not Action.objects.filter(title="Sous-action").exists()


def test_an_action_is_piloted_by_someone_who_works_here(
    prefecture, quality_lead, agent, committee_member, auditor, client_for
):
    url = reverse("quality:agents-action-new", args=[prefecture.slug])
    owners = client_for(quality_lead).get(url).context["form"].fields["owner"].queryset
    assert set(owners) == {quality_lead, agent}


def test_a_due_date_before_the_start_is_refused_on_the_field(
    prefecture, site, quality_lead, client_for
):
    client = client_for(quality_lead)
    url = reverse("quality:agents-action-new", args=[prefecture.slug])
    data = {
        "title": "Refaire la signalétique",
        "kind": "improvement",
        "site": site.pk,
        "year": 2026,
        "start_on": "2026-06-01",
        "due_on": "2026-03-31",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["due_on"] == [services.DUE_BEFORE_START]
    assert 'value="Refaire la signalétique"' in response.content.decode()
    assert not Action.objects.exists()
    action = ActionFactory(plan=PlanFactory(site=site), start_on=date(2026, 6, 1))
    with pytest.raises(services.QualityError):
        services.update_action(action, actor=quality_lead, due_on=date(2026, 3, 31))
    edit = reverse("quality:agents-action-edit", args=[prefecture.slug, action.pk])
    data.update(title=action.title)
    assert client.post(edit, data).status_code == 200
    action.refresh_from_db()
    assert action.due_on is None


def test_an_agent_s_plan_counts_the_actions_he_sees(
    prefecture, site, service, agent, quality_lead, client_for
):
    from tests.factories import ServiceFactory

    plan = PlanFactory(site=site)
    ActionFactory(plan=plan, service=service, title="Du service de l'agent")
    ActionFactory(plan=plan, service=ServiceFactory(site=site), title="D'un autre service")
    url = reverse("quality:agents-actions", args=[prefecture.slug]) + "?annee=2026"
    for user, expected in ((agent, 1), (quality_lead, 2)):
        response = client_for(user).get(url)
        assert [p.count for p in response.context["plans"]] == [expected]
        assert len(response.context["actions"]) == expected


def test_the_quality_menu_offers_each_user_only_pages_he_may_open(
    prefecture, quality_lead, site_manager, agent, auditor, client_for
):
    actions = reverse("quality:agents-actions", args=[prefecture.slug])
    for user, expected in ((quality_lead, 10), (site_manager, 9), (auditor, 9), (agent, 1)):
        client = client_for(user)
        html = client.get(actions).content.decode()
        menu = re.search(r'<nav class="fr-mb-3w" aria-label="Qualité">(.*?)</nav>', html, re.S)
        links = re.findall(r'href="([^"]+)"', menu.group(1))
        assert len(links) == expected, (user, links)
        for link in links:
            assert client.get(link).status_code == 200, (user, link)


def test_message_detail_and_topic_figures_show_the_button(
    prefecture, service, quality_lead, client_for
):
    topic = TopicFactory(prefecture=prefecture, name="Rendez-vous")
    message = MessageFactory(service=service, complaint=True, topic=topic)
    client = client_for(quality_lead)
    detail = client.get(reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk]))
    assert f"source=correspondence.message%3A{message.pk}" in detail.content.decode()
    figures = client.get(
        reverse("correspondence:agents-figures", args=[prefecture.slug]) + "?year=2026"
    )
    assert f"source=correspondence.topic%3A{topic.pk}" in figures.content.decode()


def test_the_auditor_reads_action_plans_assessments_and_evidence(
    prefecture, site, auditor, client_for
):
    client = client_for(auditor)
    action = ActionFactory(plan=PlanFactory(site=site), title="Refaire la signalétique")
    assessment = AssessmentFactory(site=site)
    slug = prefecture.slug
    listing = client.get(reverse("quality:agents-actions", args=[slug]) + "?annee=2026")
    assert listing.status_code == 200 and "Refaire la signalétique" in listing.content.decode()
    detail = client.get(reverse("quality:agents-action", args=[slug, action.pk]))
    assert detail.status_code == 200 and not detail.context["can_work"]
    assert 'name="status-status"' not in detail.content.decode()
    assert client.get(reverse("quality:agents-experiences", args=[slug])).status_code == 200
    assert client.get(reverse("quality:agents-action-new", args=[slug])).status_code == 403
    assert client.get(reverse("quality:agents-assessments", args=[slug])).status_code == 200
    page = client.get(reverse("quality:agents-assessment", args=[slug, assessment.pk]))
    assert page.status_code == 200 and "Ajouter un constat" not in page.content.decode()
    post = client.post(
        reverse("quality:agents-finding-new", args=[slug, assessment.pk]),
        {"kind": "strength", "text": "x"},
    )
    assert post.status_code == 403


@pytest.fixture
def assessment(prefecture, site, quality_lead):
    from engagements.quality.referential import import_referential

    ref, _ = import_referential((REFERENTIALS / "qualepref-exemple.yaml").read_bytes())
    referential_services.set_site_scope(site, ref, [1, 3])
    assessment = create_assessment(
        site=site,
        referential=ref,
        kind=AssessmentKind.EXTERNAL_INITIAL,
        planned_on=date(2026, 5, 4),
    )
    results = list(assessment.results.select_related("commitment"))
    for index, result in enumerate(results):
        value = [ResultValue.COMPLIANT, ResultValue.PARTLY, ResultValue.NOT_COMPLIANT][index % 3]
        record_result(result, value=value)
    add_finding(
        assessment, kind="strength", text="Accueil chaleureux", commitment=results[0].commitment
    )
    add_evidence(
        prefecture=prefecture,
        title="Affiche des horaires",
        actor=quality_lead,
        site=site,
        file=SimpleUploadedFile("horaires.pdf", b"%PDF-1.4 horaires"),
        result=results[0],
    )
    add_evidence(
        prefecture=prefecture,
        title="Page du site internet",
        url="https://www.alpha.test/horaires",
        result=results[1],
    )
    return assessment


def test_scope_drives_commitments_and_public_modules(assessment, site, prefecture, client):
    site.refresh_from_db()
    assert site.labelled_modules == [1, 3]
    assert assessment.results.count() == 6 + 4  # modules 1 and 3 of the example
    page = client.get(reverse("organisation:prefecture", args=[prefecture.slug]))
    assert "Module 3" in page.content.decode()


def test_evidence_pack_lists_every_commitment_with_result_and_files(assessment, tmp_path):
    out = tmp_path / "pack.zip"
    from django.core.management import call_command

    call_command("evidence_pack", "--assessment", str(assessment.pk), str(out))
    archive = zipfile.ZipFile(out)
    names = archive.namelist()
    assert "index.html" in names and "index.csv" in names
    files = [n for n in names if n.startswith("preuves/")]
    assert len(files) == 1 and files[0].endswith("horaires.pdf")
    assert archive.read(files[0]) == b"%PDF-1.4 horaires"
    index = archive.read("index.html").decode()
    for result in assessment.results.select_related("commitment"):
        assert (
            f"{result.commitment.ref} — {result.commitment.title}".replace("'", "&#x27;") in index
        )
    assert "Partiellement conforme" in index and "Accueil chaleureux" in index
    assert "https://www.alpha.test/horaires" in index and files[0] in index
    csv_text = archive.read("index.csv").decode("utf-8-sig")
    assert len(csv_text.strip().splitlines()) == 1 + assessment.results.count()


def test_report_pdf_renders_attainment(assessment, prefecture, quality_lead, client_for):
    response = client_for(quality_lead).get(
        reverse("quality:agents-assessment-pdf", args=[prefecture.slug, assessment.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, layout=True)
    assert "Audit externe initial" in text and "Taux d'atteinte" in text
    # module 1: 6 results C,P,N,C,P,N -> (2 + 1) / 6 = 50 %
    assert "50,0" in text and "62,5" in text  # module 3: (2 + 0.5) / 4


def test_attainment_and_pack_in_the_assessment_page(
    assessment, prefecture, quality_lead, client_for
):
    client = client_for(quality_lead)
    page = client.get(reverse("quality:agents-assessment", args=[prefecture.slug, assessment.pk]))
    html = page.content.decode()
    assert "Taux d'atteinte par module" in html
    assert f"source=quality.finding%3A{assessment.findings.get().pk}" in html
    pack = client.get(
        reverse("quality:agents-assessment-pack", args=[prefecture.slug, assessment.pk])
    )
    assert zipfile.ZipFile(io.BytesIO(pack.content)).namelist()[0] == "index.html"
    assert build_evidence_pack(assessment)[:2] == b"PK"
    client.post(
        reverse("quality:agents-assessment-status", args=[prefecture.slug, assessment.pk]),
        {"status": "done"},
    )
    assessment.refresh_from_db()
    assert assessment.status == "done"


def test_next_audit_date(prefecture, site):
    with time_machine.travel(date(2026, 3, 1)):
        assert next_audit_date(prefecture) is None
        AssessmentFactory(site=site, kind=AssessmentKind.SELF, planned_on=date(2026, 4, 1))
        AssessmentFactory(site=site, kind=AssessmentKind.INTERNAL, planned_on=date(2026, 2, 1))
        AssessmentFactory(
            site=site, kind=AssessmentKind.EXTERNAL_RENEWAL, planned_on=date(2026, 9, 1)
        )
        AssessmentFactory(site=site, kind=AssessmentKind.INTERNAL, planned_on=date(2026, 6, 1))
        assert next_audit_date(prefecture) == date(2026, 6, 1)


def test_sp_plus_import_matches_structures_and_counts_answers_on_time(
    prefecture, site, quality_lead, client_for
):
    client = client_for(quality_lead)
    slug = prefecture.slug
    rows = [
        {
            "id_experience": "E1",
            "titre": "Attente",
            "date_de_publication": "2026-03-02",
            "date_de_premiere_reponse": "2026-03-06",
            "structure": "Préfecture d'Alpha",
            "amelioration_de_service_a_considerer": "Afficher l'attente",
        },
        {
            "id_experience": "E2",
            "titre": "Accueil",
            "date_de_publication": "2026-03-02",
            "date_de_premiere_reponse": "2026-03-20",
            "structure": "Préfecture d'Alpha",
        },
        {
            "id_experience": "E3",
            "titre": "Courrier",
            "date_de_publication": "2026-03-02",
            "structure": "Sous-préfecture inconnue",
        },
    ]
    upload = SimpleUploadedFile("export.json", json.dumps(rows).encode(), "application/json")
    client.post(reverse("quality:agents-experiences-import", args=[slug]), {"file": upload})
    assert Experience.objects.count() == 3 and not Experience.objects.filter(site=site).exists()
    client.post(
        reverse("quality:agents-structure-map", args=[slug]),
        {"structure": "Préfecture d'Alpha", "site": site.pk},
    )
    assert Experience.objects.filter(site=site).count() == 2
    page = client.get(reverse("quality:agents-experiences", args=[slug])).content.decode()
    assert "Sous-préfecture inconnue" in page  # listed, never guessed
    from engagements.quality.queries import experience_figures

    figures = experience_figures(prefecture)
    # E1 answered in 4 working days (<= 5), E2 in 14: one on time out of three
    assert (figures["answered"], figures["answered_on_time"], figures["on_time_rate"]) == (
        2,
        1,
        33.3,
    )
    csv_body = (
        "id_experience;titre;date_de_publication;structure;date_de_premiere_reponse\n"
        "E1;Attente longue;02/03/2026;Préfecture d'Alpha;\n"
    ).encode("cp1252")
    client.post(
        reverse("quality:agents-experiences-import", args=[slug]),
        {"file": SimpleUploadedFile("export.csv", csv_body)},
    )
    assert Experience.objects.get(external_id="E1").title == "Attente longue"


def test_public_page_shows_published_actions_without_personal_data(
    prefecture, site, service, quality_lead, client
):
    message = MessageFactory(service=service, complaint=True, sender_name="Jeanne Exemple")
    from engagements.quality.services import create_action

    action = create_action(
        prefecture,
        site=site,
        year=2026,
        title="Titre interne",
        source=message,
        opened_on=date(2026, 1, 5),
        public_summary="Nous affichons désormais le temps d'attente.",
        is_public=True,
    )
    record_effectiveness(action, actor=quality_lead, text="Moins de réclamations.")
    change_status(
        action, status_for_code(prefecture, "done"), actor=quality_lead, closed_on=date(2026, 5, 12)
    )
    ActionFactory(plan=action.plan, is_public=False, public_summary="Secret interne")
    for url, words in (
        (f"/prefectures/{prefecture.slug}/nous-l-avons-fait/", ["Réalisée", "Réclamations"]),
        (f"/en/prefectures/{prefecture.slug}/nous-l-avons-fait/", ["Done", "Complaints"]),
    ):
        html = client.get(url).content.decode()
        assert "Nous affichons désormais le temps d&#x27;attente." in html
        for word in words:
            assert word in html, (url, word)
        assert "Jeanne" not in html and message.reference not in html
        assert "Titre interne" not in html and "Secret interne" not in html
    home = client.get(f"/prefectures/{prefecture.slug}/").content.decode()
    assert reverse("quality:public-done", args=[prefecture.slug]) in home


def test_late_actions_on_the_agents_home(prefecture, site, quality_lead, client_for):
    with time_machine.travel(date(2026, 6, 1)):
        ActionFactory(plan=PlanFactory(site=site), due_on=date(2026, 5, 1))
        plan_2025 = PlanFactory(site=site, year=2025)
        ActionFactory(plan=plan_2025, due_on=date(2026, 5, 1))
        ActionFactory(plan=plan_2025, due_on=date(2026, 4, 1))
        client = client_for(quality_lead)
        html = client.get(f"/agents/{prefecture.slug}/").content.decode()
        # One item per plan year, each opening the list that shows exactly that many.
        assert "1 action en retard (plan 2026)" in html
        assert "2 actions en retard (plan 2025)" in html
        actions = reverse("quality:agents-actions", args=[prefecture.slug])
        for year, n in ((2026, 1), (2025, 2)):
            url = f"{actions}?etat=late&amp;annee={year}"
            assert url in html
            listed = client.get(url.replace("&amp;", "&")).content.decode()
            assert len(re.findall(r"PA-\d{4}-\d{3}</", listed)) == n


def test_action_list_queries_are_bounded(
    prefecture, site, quality_lead, client_for, django_assert_max_num_queries
):
    plan = PlanFactory(site=site, year=2026)
    for _ in range(15):
        ActionFactory(plan=plan)
    client = client_for(quality_lead)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("quality:agents-actions", args=[prefecture.slug]) + "?annee=2026")
    assert page.content.decode().count("PA-2026-") == 15


def test_action_page_status_flow(prefecture, site, quality_lead, client_for):
    action = ActionFactory(plan=PlanFactory(site=site))
    client = client_for(quality_lead)
    slug = prefecture.slug
    done = status_for_code(prefecture, "done")
    client.post(
        reverse("quality:agents-action-status", args=[slug, action.pk]), {"status": done.pk}
    )
    action.refresh_from_db()
    assert action.status.base == "planned"  # refused without the effectiveness check
    client.post(
        reverse("quality:agents-action-effectiveness", args=[slug, action.pk]),
        {"effectiveness-text": "Contrôle mystère réussi en juin."},
    )
    client.post(
        reverse("quality:agents-action-status", args=[slug, action.pk]),
        {"status-status": done.pk, "status-closed_on": "2026-06-30"},
    )
    action.refresh_from_db()
    assert action.status.base == "done" and action.closed_on == date(2026, 6, 30)
    page = client.get(reverse("quality:agents-action", args=[slug, action.pk])).content.decode()
    assert (
        "Contrôle mystère réussi en juin." in page and "Vérification de l&#x27;efficacité" in page
    )


def test_plan_validation(prefecture, site, quality_lead, site_manager, client_for):
    plan = PlanFactory(site=site)
    url = reverse("quality:agents-plan-validate", args=[prefecture.slug, plan.pk])
    assert client_for(site_manager).post(url).status_code == 403
    client_for(quality_lead).post(url)
    plan.refresh_from_db()
    assert plan.validated_by == quality_lead and plan.validated_at
    presented = reverse("quality:agents-plan-presented", args=[prefecture.slug, plan.pk])
    client_for(quality_lead).post(presented, {"presented_on": "2026-02-10"})
    plan.refresh_from_db()
    assert plan.presented_on == date(2026, 2, 10)


def test_referential_page_and_scope_form(prefecture, site, quality_lead, client_for):
    from engagements.quality.referential import import_referential

    ref, _ = import_referential((REFERENTIALS / "services-publics-plus-2023.yaml").read_bytes())
    client = client_for(quality_lead)
    page = client.get(reverse("quality:agents-referentials", args=[prefecture.slug]))
    assert "Facilement joignables" in page.content.decode()
    example, _ = import_referential((REFERENTIALS / "qualepref-exemple.yaml").read_bytes())
    client.post(
        reverse("quality:agents-scope", args=[prefecture.slug, example.pk, site.pk]),
        {"modules": ["2"]},
    )
    site.refresh_from_db()
    assert site.labelled_modules == [1, 2]  # module 1 is mandatory
    assert Referential.objects.count() == 2 and Assessment.objects.count() == 0


def test_sub_action_and_dated_update_from_the_action_page(
    prefecture, site, quality_lead, client_for
):
    parent = ActionFactory(plan=PlanFactory(site=site, year=2026))
    client = client_for(quality_lead)
    slug = prefecture.slug
    page = client.get(reverse("quality:agents-action", args=[slug, parent.pk])).content.decode()
    link = reverse("quality:agents-action-new", args=[slug]) + f"?parent={parent.pk}"
    assert link in page
    form = client.get(link).content.decode()
    assert f'<option value="{parent.pk}" selected>' in form
    client.post(
        link,
        {
            "title": "Panneaux",
            "kind": "improvement",
            "site": site.pk,
            "year": 2026,
            "parent": parent.pk,
        },
    )
    child = Action.objects.get(title="Panneaux")
    assert child.parent == parent
    client.post(
        reverse("quality:agents-action-update", args=[slug, child.pk]),
        {"update-text": "Panneaux posés", "update-progress": "80", "update-on": "2026-04-02"},
    )
    parent.refresh_from_db()
    assert parent.progress == 80
    assert child.updates.get(kind="note").on == date(2026, 4, 2)


def test_public_page_query_count(prefecture, site, client, django_assert_max_num_queries):
    plan = PlanFactory(site=site)
    for n in range(10):
        ActionFactory(plan=plan, is_public=True, public_summary=f"Amélioration {n}")
    with django_assert_max_num_queries(6):
        html = client.get(f"/prefectures/{prefecture.slug}/nous-l-avons-fait/").content.decode()
    assert html.count("Amélioration ") == 10


def test_the_referent_keeps_the_status_list(prefecture, site, quality_lead, client_for):
    client = client_for(quality_lead)
    url = reverse("quality:agents-statuses", args=[prefecture.slug])
    assert "Réalisée" in client.get(url).content.decode()
    client.post(
        url,
        {
            "new-label": "Confiée au pilote",
            "new-base": "in_progress",
            "new-default_progress": "30",
            "new-position": "2",
        },
    )
    added = status_for_code(prefecture, "in_progress").__class__.objects.get(
        prefecture=prefecture, label="Confiée au pilote"
    )
    action = ActionFactory(plan=PlanFactory(site=site))
    change_status(action, added, actor=quality_lead)
    action.refresh_from_db()
    assert action.progress == 30
    # Its state cannot change any more once actions carry it.
    client.post(
        url,
        {
            "status": added.pk,
            f"s{added.pk}-label": "Confiée",
            f"s{added.pk}-base": "done",
            f"s{added.pk}-default_progress": "30",
            f"s{added.pk}-position": "2",
        },
    )
    added.refresh_from_db()
    assert (added.label, added.base) == ("Confiée au pilote", "in_progress")


def test_import_sp_experiences_command_refuses_bad_lines(prefecture, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "export.csv"
    path.write_text(
        "id_experience,titre,date_de_publication,structure,date_de_premiere_reponse\n"
        "E1,Attente,2026-03-02,Préfecture d'Alpha,2026-03-01\n"
        "E2,,pas une date,Préfecture d'Alpha,\n"
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_sp_experiences", "--prefecture", prefecture.slug, str(path))
    assert "ligne 2" in str(exc.value) and "ligne 3" in str(exc.value)
    assert not Experience.objects.exists()


def test_existing_labelled_modules_become_scopes_of_a_new_referential(prefecture, site, other_site):
    from engagements.quality.models import SiteScope
    from engagements.quality.referential import import_referential

    site.labelled_modules = [1, 3]
    site.save()
    other_site.labelled_modules = []
    other_site.save()
    import_referential((REFERENTIALS / "services-publics-plus-2023.yaml").read_bytes())
    assert not SiteScope.objects.exists()  # SP+ commitments are not a label's modules
    import_referential((REFERENTIALS / "qualepref-exemple.yaml").read_bytes())
    numbers = sorted(SiteScope.objects.filter(site=site).values_list("module__number", flat=True))
    assert numbers == [1, 3] and not SiteScope.objects.filter(site=other_site).exists()


@time_machine.travel(date(2026, 6, 1))
def test_the_plans_table_lists_the_sites_in_their_order(prefecture, quality_lead, client_for):
    from tests.factories import SiteFactory

    names = ["Préfecture", "Sous-préfecture A", "Sous-préfecture B", "Point numérique"]
    sites = [SiteFactory(prefecture=prefecture, name=n, position=i) for i, n in enumerate(names)]
    for site in reversed(sites):
        ActionFactory(plan=PlanFactory(site=site))
    html = (
        client_for(quality_lead)
        .get(reverse("quality:agents-actions", args=[prefecture.slug]))
        .content.decode()
    )
    plans = html[html.index("Plans par site") :]
    plans = plans[: plans.index("</table>")]
    assert [plans.index(f"{name}</th>") for name in names] == sorted(
        plans.index(f"{name}</th>") for name in names
    )

"""The référent runs a committee meeting in a browser: imports the members, plans the
meeting with three agenda items linked to the product's documents, sends the invitation
(received with its calendar file by a real SMTP server), records attendance, drafts and
publishes the relevé de décisions; the public page shows it (FR/EN, phone size)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from engagements.committee.enums import AttendanceStatus, MeetingStatus
from engagements.committee.models import Meeting, Minutes
from tests.browser import assert_accessible, follow, screenshot
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.browser

CSV = (
    "college;organisation;first_name;last_name;email;seat;mandate_start;mandate_end\n"
    "Associations;Association des usagers fictive;Alix;Exemple;alix.exemple@membres.test;"
    "titulaire;01/01/2025;\n"
    "Associations;Association des usagers fictive;;;;suppleant;01/01/2025;\n"
    "Élus locaux;Mairie de Villefictive;Marc;Imaginaire;marc.imaginaire@membres.test;"
    "titulaire;2025-01-01;\n"
    "Partenaires;Caisse fictive;Inès;Inventée;ines.inventee@membres.test;titulaire;"
    "2025-01-01;\n"
)


def login(page, user):
    page.goto(reverse("organisation:agents-login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-password")
    page.click("button[type=submit]")


def test_referent_runs_a_meeting_and_publishes_the_minutes(
    page, phone_page, prefecture, site, quality_lead, smtp_mail, tmp_path
):
    campaign = CampaignFactory(site=site, name="Enquête annuelle fictive")
    slug = prefecture.slug
    login(page, quality_lead)

    # Import the members.
    page.goto(reverse("committee:agents-members", args=[slug]))
    members_file = tmp_path / "membres.csv"
    members_file.write_text(CSV, encoding="cp1252")
    page.set_input_files("#id_file", str(members_file))
    with page.expect_navigation():
        page.click("button:has-text('Importer')")
    assert "4 sièges ajoutés" in page.inner_text("body")
    assert page.locator("td", has_text="Caisse fictive").count() == 1
    assert_accessible(page)
    screenshot(page, "committee-members")
    assert len(smtp_mail.messages) == 3  # access links: the three named members with an e-mail

    # Plan the meeting.
    day = timezone.localdate() + timedelta(days=20)
    page.goto(reverse("committee:agents-meetings", args=[slug]))
    page.fill("#id_day", day.isoformat())
    page.fill("#id_time", "14:30")
    page.select_option("#id_kind", "before_audit")
    page.fill("#id_place", "Préfecture, salle du conseil")
    follow(page, "button:has-text('Planifier')")
    meeting = Meeting.objects.get()
    assert page.url.endswith(reverse("committee:agents-meeting", args=[slug, meeting.pk]))

    # Three agenda items linked to existing documents.
    for title, kind, document in [
        ("Modèles de courriers soumis aux observations", "decision", "templates_collection"),
        ("Résultats de l'enquête de satisfaction", "discussion", f"survey_report:{campaign.pk}"),
        ("Chiffres des courriers de l'année", "information", "correspondence_figures"),
    ]:
        page.fill("#id_title", title)
        page.select_option("#id_kind", kind)
        page.select_option("#id_document", document)
        follow(page, "button:has-text('Ajouter le point')")
    agenda = page.locator("#agenda").inner_text()
    assert "Résultats de l'enquête « Enquête annuelle fictive » (PDF)" in agenda
    assert page.locator(
        f"a[href='{reverse('surveys:agents-campaign-pdf', args=[slug, campaign.pk])}']"
    ).count()
    assert_accessible(page)

    # Send the invitation: received with the agenda and the calendar file.
    smtp_mail.messages.clear()
    with page.expect_navigation():
        page.click("button:has-text('Envoyer la convocation maintenant')")
    assert "Convocation envoyée à 3 membres" in page.inner_text("body")
    [mail] = smtp_mail.to("alix.exemple@membres.test")
    assert "Convocation" in mail.subject
    body = mail.text()
    assert "Modèles de courriers soumis aux observations" in body
    assert reverse("correspondence:agents-templates-collection", args=[slug]) in body
    [ics] = [
        part for part in mail.message.iter_attachments() if part.get_filename() == "reunion.ics"
    ]
    calendar = ics.get_content()
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T143000" in calendar
    assert r"LOCATION:Préfecture\, salle du conseil" in calendar

    # The day of the meeting comes: attendance and "held" wait for it.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    page.reload()

    # Attendance: one excused, one represented, the rest present.
    rows = page.locator("tbody tr")
    assert rows.count() == 4
    for index in range(rows.count()):
        row = rows.nth(index)
        text = row.inner_text()
        select = row.locator("select")
        if "Mairie de Villefictive" in text:
            select.select_option("excused")
        elif "Caisse fictive" in text:
            select.select_option("represented")
            row.locator("input").fill("Camille Remplaçante")
        else:
            select.select_option("present")
    with page.expect_navigation():
        page.click("button:has-text('Enregistrer les présences')")
    assert "Présences enregistrées" in page.inner_text("body")
    statuses = dict(meeting.attendance.values_list("organisation", "status"))
    assert statuses["Mairie de Villefictive"] == AttendanceStatus.EXCUSED
    assert statuses["Caisse fictive"] == AttendanceStatus.REPRESENTED
    screenshot(page, "committee-meeting")

    response = page.request.get(reverse("committee:agents-sign-in-sheet", args=[slug, meeting.pk]))
    assert response.headers["content-type"] == "application/pdf"

    # Held, then the relevé de décisions.
    follow(page, "button:has-text('Marquer la réunion comme tenue')")
    follow(page, "button:has-text('Rédiger le relevé de décisions')")
    page.fill(
        "#id_introduction", "La réunion s'est tenue sous la présidence du secrétaire général."
    )
    page.fill(
        "#id_summary_en", "The committee reviewed the letter templates and the survey results."
    )
    textareas = page.locator("textarea[id^='id_item_']")
    for index in range(textareas.count()):
        textareas.nth(index).fill(f"Échanges sur le point {index + 1}.")
    follow(page, "button:has-text('Enregistrer le relevé')")
    page.select_option("#decision-form select[name=kind]", "validation")
    page.fill("#decision-form textarea[name=text]", "Les modèles de courriers sont validés.")
    follow(page, "button:has-text('Ajouter la décision')")
    page.select_option("#decision-form select[name=kind]", "action")
    page.fill("#decision-form textarea[name=text]", "Traduire l'affichage des horaires.")
    follow(page, "button:has-text('Ajouter la décision')")
    assert_accessible(page)
    screenshot(page, "committee-minutes-draft")
    smtp_mail.messages.clear()
    page.click("button:has-text('Envoyer le projet aux membres pour observations')")
    [draft_mail] = smtp_mail.to("marc.imaginaire@membres.test")
    assert any(
        p.get_filename() == "projet-de-releve.pdf" for p in draft_mail.message.iter_attachments()
    )
    with page.expect_navigation():
        page.click("button:has-text('Approuver le relevé')")
    assert "le projet s'approuve à partir du" in page.inner_text("body")  # not yet
    # The observation period ends.
    Minutes.objects.filter(meeting=meeting).update(
        observations_until=timezone.localdate() - timedelta(days=1)
    )
    with page.expect_navigation():
        page.click("button:has-text('Approuver le relevé')")
    assert "il ne peut plus être modifié" in page.inner_text("body")
    follow(page, "button:has-text('Publier sur la page publique')")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PUBLISHED

    # The public page, French and English, on a phone.
    public = reverse("committee:public", args=[slug])
    phone_page.goto(reverse("organisation:prefecture", args=[slug]))
    follow(phone_page, f"a[href='{public}']")
    text = phone_page.inner_text("main")
    assert "Relevés de décisions publiés" in text and "2 décisions" in text
    assert_accessible(phone_page)
    screenshot(phone_page, "committee-public-fr-phone")
    pdf = phone_page.request.get(
        phone_page.locator("a.fr-link--download").first.get_attribute("href")
    )
    assert pdf.headers["content-type"] == "application/pdf"
    phone_page.goto("/en" + public)
    text = phone_page.inner_text("main")
    assert "Published records of decisions" in text
    assert "The committee reviewed the letter templates and the survey results." in text
    assert_accessible(phone_page)
    screenshot(phone_page, "committee-public-en-phone")


def test_member_logs_in_and_sees_his_space(page, prefecture, other_prefecture, committee_member):
    from tests.committee.factories import (
        AgendaItemFactory,
        CommitteeFactory,
        MeetingFactory,
        SeatFactory,
        SuggestionFactory,
        at,
    )

    committee = CommitteeFactory(prefecture=prefecture)
    seat = SeatFactory(committee=committee, user=committee_member, organisation="UFC fictive")
    meeting = MeetingFactory(
        committee=committee,
        starts_at=at(timezone.localdate() + timedelta(days=12)),
        convened=True,
    )
    AgendaItemFactory(
        meeting=meeting, title="Modèles à relire", document_kind="templates_collection"
    )
    SuggestionFactory(
        committee=committee,
        author=committee_member,
        seat=seat,
        status="accepted",
        answer="Les horaires seront traduits au printemps.",
    )
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(committee_member.pk))
    token = default_token_generator.make_token(committee_member)
    page.goto(reverse("committee:set-password", args=[uid, token]))
    assert page.locator("#id_new_password1").count() == 1
    assert_accessible(page)

    login(page, committee_member)
    page.goto(reverse("committee:members-space", args=[prefecture.slug]))
    text = page.inner_text("main")
    assert "Modèles à relire" in text and "Les horaires seront traduits au printemps." in text
    page.fill("#id_text", "Un banc près de la borne d'accueil.")
    with page.expect_navigation():
        page.click("button:has-text('Envoyer ma suggestion')")
    assert "votre suggestion a été transmise" in page.inner_text("body")
    assert_accessible(page)
    screenshot(page, "committee-members-space")
    response = page.goto(reverse("committee:agents-meetings", args=[prefecture.slug]))
    assert response.status == 403
    response = page.goto(reverse("committee:members-space", args=[other_prefecture.slug]))
    assert response.status == 404


def test_member_sends_an_observation_and_follows_the_decided_actions(
    page, prefecture, site, committee_member
):
    """The member's loop in a browser (issue 19, item 1): her observation on the draft sent
    to her, by keyboard, then the actions her committee decided; axe on both pages."""
    from django.contrib.contenttypes.models import ContentType

    from engagements.committee.enums import DecisionKind, MinutesStatus
    from engagements.committee.models import Decision, Observation
    from tests.committee.factories import (
        CommitteeFactory,
        DecisionFactory,
        MeetingFactory,
        MinutesFactory,
        SeatFactory,
        at,
    )
    from tests.quality.factories import ActionFactory, PlanFactory

    committee = CommitteeFactory(prefecture=prefecture)
    SeatFactory(committee=committee, user=committee_member, organisation="UFC fictive")
    today = timezone.localdate()
    meeting = MeetingFactory(
        committee=committee, starts_at=at(today - timedelta(days=5)), status="minutes_drafted"
    )
    draft = MinutesFactory(
        meeting=meeting,
        status=MinutesStatus.SENT,
        sent_at=timezone.now(),
        observations_until=today + timedelta(days=10),
    )
    decision = DecisionFactory(
        minutes=draft, kind=DecisionKind.ACTION, text="Traduire l'affichage des horaires."
    )
    DecisionFactory(minutes=draft, kind=DecisionKind.ACTION, text="Ouvrir le samedi matin.")
    ActionFactory(
        plan=PlanFactory(site=site, year=today.year),
        title="Affichage des horaires en quatre langues",
        due_on=today + timedelta(days=60),
        source_kind="committee",
        source_type=ContentType.objects.get_for_model(Decision),
        source_id=decision.pk,
    )
    login(page, committee_member)
    page.goto(reverse("committee:members-space", args=[prefecture.slug]))
    field = page.locator(f"#id_observation_{draft.pk}_text")
    field.focus()
    page.keyboard.type("Le point 2 oublie les horaires d'été.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("Envoyer mon observation")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "votre observation a été transmise" in page.inner_text("body")
    assert Observation.objects.get().text == "Le point 2 oublie les horaires d'été."
    assert_accessible(page)
    screenshot(page, "committee-member-observation")

    follow(page, "a:has-text('Suivre les actions décidées par le comité')")
    text = page.inner_text("main")
    assert "Affichage des horaires en quatre langues" in text
    assert "Aucune action ouverte pour le moment." in text
    assert_accessible(page)
    screenshot(page, "committee-member-actions")

"""Meetings, attendance, minutes: the life of a meeting through services and pages."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from engagements.committee import pdfs
from engagements.committee.enums import (
    AttendanceStatus,
    DecisionKind,
    MeetingStatus,
    MinutesStatus,
)
from engagements.committee.models import FrozenMinutes, MeetingLog, Minutes
from engagements.committee.services import meetings, members, minutes
from engagements.committee.services.meetings import MeetingError
from engagements.committee.services.minutes import MinutesError
from tests.committee.factories import (
    AgendaItemFactory,
    CommitteeFactory,
    MeetingFactory,
    SeatFactory,
    at,
)
from tests.factories import UserFactory
from tests.tooling import pdf_text


@pytest.fixture
def committee(prefecture):
    committee = CommitteeFactory(prefecture=prefecture)
    # Alix logs in to the members' space; the mails give her its links.
    SeatFactory(
        committee=committee,
        first_name="Alix",
        last_name="Exemple",
        organisation="UDAF fictive",
        user=UserFactory(),
    )
    SeatFactory(committee=committee, organisation_only=True, organisation="Mairie de Villefictive")
    SeatFactory(
        committee=committee,
        first_name="Noé",
        last_name="Ancien",
        mandate_start=date(2020, 1, 1),
        mandate_end=date(2023, 12, 31),
    )
    return committee


def _held_meeting(committee, day=date(2025, 3, 10)):
    meeting = meetings.plan_meeting(committee, starts_at=at(day), place="Salle A")
    AgendaItemFactory(meeting=meeting, title="Résultats de l'enquête")
    AgendaItemFactory(meeting=meeting, title="Modèles de courriers")
    meetings.change_status(meeting, MeetingStatus.CONVENED)
    meetings.mark_held(meeting)
    return meeting


@pytest.mark.django_db
def test_planning_invites_seats_running_on_the_day(committee):
    meeting = meetings.plan_meeting(committee, starts_at=at(date(2025, 3, 10)), place="Salle A")
    assert sorted(meeting.attendance.values_list("organisation", flat=True)) == [
        "Mairie de Villefictive",
        "UDAF fictive",
    ]
    assert MeetingLog.objects.filter(meeting=meeting).count() == 1


@pytest.mark.django_db
def test_illegal_transition_raises_and_logs_nothing(committee):
    meeting = MeetingFactory(committee=committee)
    with pytest.raises(MeetingError):
        meetings.change_status(meeting, MeetingStatus.PUBLISHED)
    meetings.change_status(meeting, MeetingStatus.CONVENED)
    assert list(meeting.log.values_list("from_status", "to_status")) == [("planned", "convened")]


@pytest.mark.django_db
def test_a_mandate_ending_does_not_change_past_attendance(committee):
    meeting = _held_meeting(committee)
    line = meeting.attendance.get(organisation="UDAF fictive")
    meetings.record_attendance(meeting, {line.pk: (AttendanceStatus.PRESENT, "")})
    seat = line.seat
    members.end_mandate(seat, on=date(2025, 6, 30))
    seat.organisation = "UDAF renommée"
    seat.save()
    line.refresh_from_db()
    assert (line.person_name, line.organisation, line.status) == (
        "Alix Exemple",
        "UDAF fictive",
        AttendanceStatus.PRESENT,
    )
    # A later meeting no longer invites the ended seat.
    later = meetings.plan_meeting(committee, starts_at=at(date(2025, 11, 5)), place="Salle B")
    assert not later.attendance.filter(seat=seat).exists()
    # The minutes PDF still names the member as he was.
    draft = minutes.start_minutes(meeting)
    assert "UDAF fictive" in pdfs.minutes_context(draft)["present"][0].holder


@pytest.mark.django_db
def test_represented_needs_a_name(committee):
    meeting = _held_meeting(committee)
    line = meeting.attendance.first()
    with pytest.raises(MeetingError):
        meetings.record_attendance(meeting, {line.pk: (AttendanceStatus.REPRESENTED, " ")})


@pytest.mark.django_db
def test_approved_minutes_cannot_be_edited_afterwards(committee, client_for, quality_lead):
    meeting = _held_meeting(committee)
    draft = minutes.start_minutes(meeting)
    item = draft.items.first()
    minutes.save_minutes(
        draft, kind="releve", introduction="", summary_en="", texts={item.pk: "Texte"}
    )
    decision = minutes.add_decision(draft, kind=DecisionKind.ACTION, text="Traduire l'affiche")
    minutes.send_for_observations(draft)
    with pytest.raises(MinutesError):  # the members still have their observation period
        minutes.approve_minutes(draft)
    draft.refresh_from_db()
    with time_machine.travel(draft.observations_until + timedelta(days=1), tick=False):
        minutes.approve_minutes(draft)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_APPROVED

    # The services refuse…
    with pytest.raises(MinutesError):
        minutes.save_minutes(draft, kind="releve", introduction="x", summary_en="", texts={})
    with pytest.raises(MinutesError):
        minutes.add_decision(draft, kind=DecisionKind.OPINION, text="Ajout")
    # …and so do the models, whatever the path.
    draft.introduction = "changé"
    with pytest.raises(FrozenMinutes):
        draft.save()
    item.text = "changé"
    with pytest.raises(FrozenMinutes):
        item.save()
    with pytest.raises(FrozenMinutes):
        decision.delete()
    # …and the page.
    client = client_for(quality_lead)
    url = reverse("committee:agents-minutes", args=[committee.prefecture.slug, meeting.pk])
    client.post(url, {"kind": "releve", "introduction": "Piraté", f"item_{item.pk}": "Piraté"})
    item.refresh_from_db()
    assert item.text == "Texte"
    assert Minutes.objects.get(pk=draft.pk).introduction == ""

    # A correction is a new version; the approved one stays as it was.
    minutes.publish_minutes(draft)
    corrected = minutes.correct_minutes(draft, note="Coquille au point 1")
    assert corrected.version == 2 and corrected.status == MinutesStatus.DRAFT
    assert corrected.decisions.count() == 1
    minutes.save_minutes(
        corrected,
        kind="releve",
        introduction="",
        summary_en="",
        texts={corrected.items.first().pk: "Texte corrigé"},
    )
    assert draft.items.get(pk=item.pk).text == "Texte"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PUBLISHED


@pytest.mark.django_db
def test_minutes_approved_at_the_next_meeting(committee):
    first = _held_meeting(committee)
    draft = minutes.start_minutes(first)
    following = meetings.plan_meeting(committee, starts_at=at(date(2025, 10, 2)), place="Salle B")
    approval = following.agenda.get()
    assert approval.approves == draft and "10/03/2025" in approval.title
    with pytest.raises(MinutesError):  # not held yet
        minutes.approve_minutes(draft, at_meeting=following)
    meetings.change_status(following, MeetingStatus.CONVENED)
    meetings.mark_held(following)
    minutes.approve_minutes(draft, at_meeting=following)
    draft.refresh_from_db()
    assert draft.approved_at_meeting == following and draft.approved_on == date(2025, 10, 2)


@pytest.mark.django_db
def test_invitation_carries_agenda_documents_and_ics(
    committee, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel("2025-02-20 09:00 +01:00", tick=False):
        meeting = meetings.plan_meeting(committee, starts_at=at(date(2025, 3, 10)), place="Salle A")
        meetings.add_agenda_item(
            meeting,
            title="Modèles de courriers",
            kind="discussion",
            document_key="templates_collection",
        )
        with django_capture_on_commit_callbacks(execute=True):
            count = meetings.send_invitation(meeting)
    assert count == 1  # the organisation-only seat has no address
    mail = mailoutbox[0]
    assert "Modèles de courriers" in mail.body
    assert "/courriers/modeles/recueil/" in mail.body
    name, content, mime = mail.attachments[0]
    assert name == "reunion.ics" and mime.startswith("text/calendar")
    text = content.decode() if isinstance(content, bytes) else content
    assert "DTSTART;TZID=Europe/Paris:20250310T140000" in text
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONVENED


@pytest.mark.django_db
def test_meeting_history_says_who_was_convened_not_the_status_twice(
    committee, client_for, quality_lead
):
    """The history read "Planifiée (réunion planifiée)" and "Convocation envoyée
    (convocation envoyée)": the note repeated the status. It now adds what the status does
    not say: how many members the invitation went to."""
    SeatFactory(committee=committee, first_name="Yann", last_name="Second")
    with time_machine.travel("2025-02-20 09:00 +01:00", tick=False):
        meeting = meetings.plan_meeting(committee, starts_at=at(date(2025, 3, 10)), place="Salle A")
        AgendaItemFactory(meeting=meeting)
        assert meetings.send_invitation(meeting) == 2
        url = reverse("committee:agents-meeting", args=[committee.prefecture.slug, meeting.pk])
        html = " ".join(client_for(quality_lead).get(url).content.decode().split())
    history = html[html.index("Historique") :]
    assert "— Planifiée</li>" in history or "— Planifiée —" in history
    assert "Convocation envoyée (2 membres convoqués par courriel)" in history
    assert "(réunion planifiée)" not in history and "(convocation envoyée)" not in history
    assert "Renvoyer la convocation" in html
    # Sent again two days later: the history says so (the header shows the last sending).
    with time_machine.travel("2025-02-22 11:30 +01:00", tick=False):
        assert meetings.send_invitation(meeting, actor=quality_lead) == 2
        html = " ".join(client_for(quality_lead).get(url).content.decode().split())
    history = html[html.index("Historique") :]
    assert "22/02/2025 11:30 — Convocation envoyée (renvoyée à 2 membres par courriel)" in history


@pytest.mark.django_db
def test_invitation_job_sends_n_days_before(committee, mailoutbox):
    from engagements.committee.jobs import send_due_invitations

    committee.invitation_days = 10
    committee.save()
    meeting = meetings.plan_meeting(committee, starts_at=at(date(2025, 3, 20)), place="Salle A")
    AgendaItemFactory(meeting=meeting)
    with time_machine.travel("2025-03-09 07:00 +01:00", tick=False):
        assert send_due_invitations() == 0
    with time_machine.travel("2025-03-10 07:00 +01:00", tick=False):
        assert send_due_invitations() == 1
        assert send_due_invitations() == 0
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONVENED


@pytest.mark.django_db
def test_sign_in_sheet_and_minutes_pdf(committee, client_for, quality_lead):
    meeting = _held_meeting(committee)
    client = client_for(quality_lead)
    slug = committee.prefecture.slug
    response = client.get(reverse("committee:agents-sign-in-sheet", args=[slug, meeting.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "Liste d'émargement" in text and "UDAF fictive" in text and "Alix Exemple" in text
    assert "Ancien" not in text
    draft = minutes.start_minutes(meeting)
    minutes.add_decision(draft, kind=DecisionKind.VALIDATION, text="Modèles validés")
    response = client.get(reverse("committee:agents-minutes-pdf", args=[slug, draft.pk]))
    text = " ".join(pdf_text(response.content).split())
    assert "Relevé de décisions" in text and "Modèles validés" in text


@pytest.mark.django_db
def test_approval_goes_on_the_agenda_of_a_meeting_planned_before_the_minutes(committee):
    first = _held_meeting(committee)
    following = meetings.plan_meeting(committee, starts_at=at(date(2025, 10, 2)), place="Salle B")
    AgendaItemFactory(meeting=following, title="Bilan", position=1)
    draft = minutes.start_minutes(first)
    titles = list(following.agenda.values_list("title", "approves"))
    assert titles[0] == ("Approbation du relevé de la réunion du 10/03/2025", draft.pk)
    assert titles[1][0] == "Bilan"


@pytest.mark.django_db
def test_approve_from_the_next_meeting_page(committee, client_for, quality_lead):
    first = _held_meeting(committee)
    draft = minutes.start_minutes(first)
    following = meetings.plan_meeting(committee, starts_at=at(date(2025, 10, 2)), place="Salle B")
    client = client_for(quality_lead)
    slug = committee.prefecture.slug
    page = reverse("committee:agents-meeting", args=[slug, following.pk])
    assert "Approuver le relevé lors de cette réunion" not in client.get(page).content.decode()
    meetings.change_status(following, MeetingStatus.CONVENED)
    meetings.mark_held(following)
    assert "Approuver le relevé lors de cette réunion" in client.get(page).content.decode()
    client.post(
        reverse("committee:agents-minutes-approve", args=[slug, draft.pk]),
        {"at_meeting": following.pk},
    )
    draft.refresh_from_db()
    assert draft.status == MinutesStatus.APPROVED and draft.approved_at_meeting == following
    assert "relevé approuvé" in client.get(page).content.decode()


@pytest.mark.django_db
def test_a_meeting_on_the_first_of_the_month_is_dated_1er(
    committee, mailoutbox, django_capture_on_commit_callbacks
):
    """The convocation, the sign-in sheet and the minutes say "lundi 1er décembre 2025"."""
    with time_machine.travel("2025-11-10 09:00 +01:00", tick=False):
        meeting = meetings.plan_meeting(committee, starts_at=at(date(2025, 12, 1)), place="Salle A")
        AgendaItemFactory(meeting=meeting, title="Résultats de l'enquête")
        with django_capture_on_commit_callbacks(execute=True):
            meetings.send_invitation(meeting)
    assert "le lundi 1er décembre 2025 à 14:00" in mailoutbox[0].body
    assert "lundi 1er décembre 2025 à 14:00" in " ".join(
        pdf_text(pdfs.sign_in_sheet_pdf(meeting)).split()
    )
    meetings.mark_held(meeting)
    draft = minutes.start_minutes(meeting)
    assert "de la réunion du lundi 1er décembre 2025" in " ".join(
        pdf_text(pdfs.minutes_pdf(draft)).split()
    )


@pytest.mark.django_db
def test_without_a_contact_address_members_are_not_asked_to_reply_to_a_no_reply_mail(
    committee, mailoutbox, django_capture_on_commit_callbacks
):
    """The convocation and the draft minutes said "en répondant à ce courriel", which went to
    the no-reply sender when the prefecture has no contact address."""
    prefecture = committee.prefecture
    prefecture.email = ""
    prefecture.save(update_fields=["email"])
    with time_machine.travel("2025-11-10 09:00 +01:00", tick=False):
        meeting = meetings.plan_meeting(committee, starts_at=at(date(2025, 11, 3)), place="A")
        AgendaItemFactory(meeting=meeting, title="Résultats de l'enquête")
        with django_capture_on_commit_callbacks(execute=True):
            meetings.send_invitation(meeting)
        meetings.mark_held(meeting)
        draft = minutes.start_minutes(meeting, kind="compte_rendu")
        with django_capture_on_commit_callbacks(execute=True):
            minutes.send_for_observations(draft, pdf=b"%PDF-1.4 projet")
    convocation, draft_mail = mailoutbox
    assert "répondant" not in convocation.body and not convocation.reply_to
    assert f"Merci de nous indiquer, en appelant le {prefecture.phone}, si vous" in " ".join(
        convocation.body.split()
    )
    text = " ".join(draft_mail.body.split())
    assert "jusqu'au 25 novembre 2025 inclus, depuis votre espace de membre. Si aucune" in text
    assert "répondant" not in text and "Le relevé sera soumis" not in text
    assert draft_mail.attachments[0][0] == "projet-de-compte-rendu.pdf"


@pytest.mark.parametrize("contact", ["accueil@alpha.test", ""])
def test_a_member_without_a_login_is_given_no_link_that_needs_one(
    contact, committee, mailoutbox, django_capture_on_commit_callbacks
):
    """A seat imported without an account was told to send her observations "depuis votre
    espace de membre" and given links to it, which she cannot open: she is told how she
    can answer, and her mails carry no link to the members' space."""
    prefecture = committee.prefecture
    prefecture.email = contact
    prefecture.save(update_fields=["email"])
    SeatFactory(committee=committee, first_name="Inès", last_name="Sanscompte")
    with time_machine.travel("2025-11-10 09:00 +01:00", tick=False):
        meeting = meetings.plan_meeting(committee, starts_at=at(date(2025, 11, 3)), place="A")
        AgendaItemFactory(meeting=meeting, title="Résultats de l'enquête")
        with django_capture_on_commit_callbacks(execute=True):
            meetings.send_invitation(meeting)
        meetings.mark_held(meeting)
        draft = minutes.start_minutes(meeting)
        with django_capture_on_commit_callbacks(execute=True):
            minutes.send_for_observations(draft, pdf=b"%PDF-1.4 projet")
    mails = {(mail.subject[:12], mail.to[0]): " ".join(mail.body.split()) for mail in mailoutbox}
    space = "/espace/"
    for (subject, to), text in mails.items():
        if to.startswith("exemple"):  # Alix, who has a login
            assert "votre espace de membre" in text and space in text
            continue
        assert to.startswith("sanscompte")
        assert "espace de membre" not in text and space not in text, subject
    [draft_mail] = [
        t for (_, to), t in mails.items() if to.startswith("sanscompte") and "projet" in t
    ]
    how = "en répondant à ce courriel" if contact else f"en appelant le {prefecture.phone}"
    assert f"jusqu'au 25 novembre 2025 inclus, {how}. Si aucune" in draft_mail


@pytest.mark.django_db
def test_attendance_labels_contract_de_before_a_vowel(committee, client_for, quality_lead):
    # The screen reader's label of each attendance choice read "Présence de Alix Exemple".
    meeting = _held_meeting(committee)
    url = reverse("committee:agents-meeting", args=[committee.prefecture.slug, meeting.pk])
    html = client_for(quality_lead).get(url).content.decode()
    assert "Présence d&#x27;Alix Exemple, UDAF fictive</label>" in html
    assert "Présence de Mairie de Villefictive</label>" in html
    assert "Présence de Alix" not in html

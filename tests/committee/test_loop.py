"""The committee loop: a meeting's life follows its dates, members send observations on the
draft minutes in the product, and follow the actions their committee decided."""

from datetime import date

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from engagements.committee.enums import (
    AttendanceStatus,
    DecisionKind,
    MeetingStatus,
    MinutesStatus,
)
from engagements.committee.models import Decision, Observation
from engagements.committee.services import meetings, minutes
from engagements.committee.services.meetings import MeetingError
from engagements.committee.services.minutes import MinutesError
from engagements.organisation.enums import RoleKind
from tests.committee.factories import AgendaItemFactory, CommitteeFactory, SeatFactory, at
from tests.factories import RoleFactory
from tests.quality.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db
DAY = date(2025, 3, 10)


@pytest.fixture
def committee(prefecture):
    committee = CommitteeFactory(prefecture=prefecture)
    SeatFactory(committee=committee, first_name="Alix", last_name="Exemple")
    return committee


@pytest.fixture
def member(prefecture, committee):
    role = RoleFactory(kind=RoleKind.COMMITTEE_MEMBER, prefecture=prefecture)
    SeatFactory(
        committee=committee,
        user=role.user,
        first_name="Inès",
        last_name="Témoin",
        organisation="UFC fictive",
        email="ines.temoin@membres.test",
    )
    return role.user


def _convened(committee):
    meeting = meetings.plan_meeting(committee, starts_at=at(DAY), place="Salle A")
    AgendaItemFactory(meeting=meeting, title="Bilan")
    meetings.change_status(meeting, MeetingStatus.CONVENED)
    return meeting


def _sent_draft(committee, sent_on=date(2025, 3, 12)):
    meeting = _convened(committee)
    with time_machine.travel(f"{sent_on.isoformat()} 10:00 +01:00", tick=False):
        meetings.mark_held(meeting)
        draft = minutes.start_minutes(meeting)
        minutes.add_decision(draft, kind=DecisionKind.ACTION, text="Traduire les horaires")
        minutes.send_for_observations(draft, days=15)
    draft.refresh_from_db()
    return draft


def test_a_meeting_is_not_held_nor_its_attendance_taken_before_its_day(
    committee, client_for, quality_lead
):
    with time_machine.travel("2025-03-09 18:00 +01:00", tick=False):
        meeting = _convened(committee)
        line = meeting.attendance.first()
        with pytest.raises(MeetingError, match="10/03/2025"):
            meetings.mark_held(meeting)
        with pytest.raises(MeetingError, match="10/03/2025"):
            meetings.record_attendance(meeting, {line.pk: (AttendanceStatus.PRESENT, "")})
        client = client_for(quality_lead)
        slug = committee.prefecture.slug
        # Neither is offered before the day; the page says when.
        detail = client.get(reverse("committee:agents-meeting", args=[slug, meeting.pk]))
        html = detail.content.decode()
        assert "Marquer la réunion comme tenue" not in html
        assert "Enregistrer les présences" not in html and f'name="status_{line.pk}"' not in html
        assert "se marque tenue à partir du 10/03/2025" in html
        page = client.post(
            reverse("committee:agents-transition", args=[slug, meeting.pk, "held"]), follow=True
        )
        assert "elle pourra être marquée tenue à partir de ce jour" in page.content.decode()
        meeting.refresh_from_db()
        line.refresh_from_db()
        assert meeting.status == MeetingStatus.CONVENED
        assert line.status == AttendanceStatus.INVITED
    with time_machine.travel("2025-03-10 14:05 +01:00", tick=False):
        html = client.get(detail.request["PATH_INFO"]).content.decode()
        assert "Marquer la réunion comme tenue" in html and "Enregistrer les présences" in html
        meetings.record_attendance(meeting, {line.pk: (AttendanceStatus.PRESENT, "")})
        meetings.mark_held(meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_minutes_are_not_approved_before_the_meeting_nor_within_the_observation_period(
    committee,
):
    draft = _sent_draft(committee)
    assert draft.observations_until == date(2025, 3, 27)
    with time_machine.travel("2025-03-27 17:00 +01:00", tick=False):
        with pytest.raises(MinutesError, match="jusqu'au 27/03/2025"):
            minutes.approve_minutes(draft)
    with time_machine.travel("2025-03-28 09:00 +01:00", tick=False):
        with pytest.raises(MinutesError, match="10/03/2025"):
            minutes.approve_minutes(draft, on=date(2025, 3, 9))
        with pytest.raises(MinutesError, match="jusqu'au 27/03/2025"):
            minutes.approve_minutes(draft, on=date(2025, 3, 20))
        minutes.approve_minutes(draft)
    draft.refresh_from_db()
    assert draft.approved_on == date(2025, 3, 28)


def test_minutes_are_not_approved_at_a_meeting_within_the_observation_period(committee):
    draft = _sent_draft(committee)
    with time_machine.travel("2025-03-20 10:00 +01:00", tick=False):
        following = meetings.plan_meeting(committee, starts_at=at(date(2025, 3, 25)))
    with time_machine.travel("2025-03-25 15:00 +01:00", tick=False):
        meetings.change_status(following, MeetingStatus.CONVENED)
        meetings.mark_held(following)
        with pytest.raises(MinutesError, match="jusqu'au 27/03/2025"):
            minutes.approve_minutes(draft, at_meeting=following)


def test_members_send_observations_on_the_draft_and_the_referent_reads_them(
    committee, member, client_for, quality_lead
):
    draft = _sent_draft(committee)
    slug = committee.prefecture.slug
    client = client_for(member)
    url = reverse("committee:members-observe", args=[slug, draft.pk])
    with time_machine.travel("2025-03-20 10:00 +01:00", tick=False):
        space = client.get(reverse("committee:members-space", args=[slug])).content.decode()
        assert "Observations possibles jusqu'au 27 mars 2025 inclus" in space
        # Dates in words, as the rest of the space ("Réunion du 10/03/2025" beside them).
        assert "Projet de relevé de la réunion du 10 mars 2025 (PDF)" in space
        assert "/2025" not in space
        assert url in space
        page = client.post(
            url, {"text": "Le point 1 oublie la question des horaires."}, follow=True
        )
        assert "votre observation a été transmise" in page.content.decode()
        assert "Le point 1 oublie la question des horaires." in page.content.decode()
        assert client.post(url, {"text": "  "}).status_code == 400  # the space, with why
    observation = Observation.objects.get()
    assert observation.minutes == draft and observation.author == member
    assert observation.author_label == "Inès Témoin, UFC fictive"
    with time_machine.travel("2025-03-28 10:00 +01:00", tick=False):
        page = client.post(url, {"text": "Trop tard ?"})
        assert page.status_code == 400
        assert "plus ouvert aux observations" in page.content.decode()
        assert "Trop tard ?</textarea>" in page.content.decode()
    assert Observation.objects.count() == 1
    # The référent reads it on the minutes page.
    agent_page = client_for(quality_lead).get(
        reverse("committee:agents-minutes", args=[slug, draft.meeting.pk])
    )
    html = agent_page.content.decode()
    assert "Le point 1 oublie la question des horaires." in html and "Inès Témoin" in html


def test_only_members_send_observations(committee, auditor, client_for):
    draft = _sent_draft(committee)
    url = reverse("committee:members-observe", args=[committee.prefecture.slug, draft.pk])
    with time_machine.travel("2025-03-20 10:00 +01:00", tick=False):
        assert client_for(auditor).post(url, {"text": "x"}).status_code == 403
    assert not Observation.objects.exists()


def test_a_member_follows_the_actions_her_committee_decided(
    committee, member, site, client_for, django_assert_max_num_queries
):
    draft = _sent_draft(committee)
    other = Decision.objects.create(
        minutes=draft, kind=DecisionKind.ACTION, text="Ouvrir un guichet le samedi", position=9
    )
    Decision.objects.create(minutes=draft, kind=DecisionKind.OPINION, text="Avis favorable")
    decision = draft.decisions.get(text="Traduire les horaires")
    ActionFactory(
        plan=PlanFactory(site=site),
        title="Afficher les horaires en quatre langues",
        due_on=date(2026, 6, 30),
        source_kind="committee",
        source_type=ContentType.objects.get_for_model(Decision),
        source_id=decision.pk,
    )
    url = reverse("committee:members-actions", args=[committee.prefecture.slug])
    client = client_for(member)
    with django_assert_max_num_queries(9):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Traduire les horaires" in html
    assert "Afficher les horaires en quatre langues" in html and "30/06/2026" in html
    assert other.text in html and "Aucune action ouverte pour le moment" in html
    assert "Avis favorable" not in html
    space = client.get(reverse("committee:members-space", args=[committee.prefecture.slug]))
    assert url in space.content.decode()


def test_the_members_actions_page_is_closed_to_other_prefectures(
    committee, other_prefecture, member, client_for
):
    CommitteeFactory(prefecture=other_prefecture)
    url = reverse("committee:members-actions", args=[other_prefecture.slug])
    assert client_for(member).get(url).status_code == 404


def test_the_minutes_page_shows_the_action_opened_from_a_decision_instead_of_offering_another(
    committee, site, quality_lead, client_for
):
    draft = _sent_draft(committee)
    decision = draft.decisions.get(text="Traduire les horaires")
    url = reverse("committee:agents-minutes", args=[committee.prefecture.slug, draft.meeting_id])
    client = client_for(quality_lead)
    assert "Créer une action" in client.get(url).content.decode()
    ActionFactory(
        plan=PlanFactory(site=site),
        title="Afficher les horaires en quatre langues",
        source_kind="committee",
        source_type=ContentType.objects.get_for_model(Decision),
        source_id=decision.pk,
    )
    html = client.get(url).content.decode()
    assert "Afficher les horaires en quatre langues" in html
    assert "Créer une action" not in html


def test_the_page_does_not_mark_a_meeting_held_with_nobody_recorded_present(
    committee, client_for, quality_lead
):
    """Presences filled in but not saved, then "held" pressed: every member would have been
    recorded absent. The page refuses until someone is recorded present or represented."""
    SeatFactory(committee=committee, first_name="Basile", last_name="Second")
    with time_machine.travel("2025-03-10 16:00 +01:00", tick=False):
        meeting = _convened(committee)
        lines = list(meeting.attendance.all())
        assert len(lines) == 2
        client = client_for(quality_lead)
        held = reverse(
            "committee:agents-transition", args=[committee.prefecture.slug, meeting.pk, "held"]
        )
        page = client.post(held, follow=True).content.decode()
        assert "enregistrez d&#x27;abord les présences" in page
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.CONVENED
        assert {line.status for line in meeting.attendance.all()} == {AttendanceStatus.INVITED}
        meetings.record_attendance(meeting, {lines[0].pk: (AttendanceStatus.PRESENT, "")})
        client.post(held)
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.HELD
        statuses = dict(meeting.attendance.values_list("pk", "status"))
        assert statuses == {
            lines[0].pk: AttendanceStatus.PRESENT,
            lines[1].pk: AttendanceStatus.ABSENT,
        }


def test_the_draft_mail_says_the_minutes_may_be_approved_without_a_meeting(
    committee, member, mailoutbox, django_capture_on_commit_callbacks
):
    """The mail promised approval « lors de sa prochaine réunion » while the référent may
    approve the draft without a meeting once the observation period is over."""
    with django_capture_on_commit_callbacks(execute=True):
        _sent_draft(committee)
    text = " ".join(mailoutbox[-1].body.split())
    assert "lors de sa prochaine réunion, puis publié" not in text
    assert (
        "Si aucune observation ne nous parvient, ce projet pourra être approuvé sans réunion "
        "à l'issue de ce délai ; si des observations nous parviennent, il sera soumis à "
        "l'approbation du comité lors de sa prochaine réunion." in text
    )
    assert "n'appellent pas de discussion" not in text  # the product does not judge that
    assert "lors de sa prochaine réunion. Il sera ensuite publié" in text
    # The next meeting already planned after the observation period carries the approval
    # on its agenda: the mail gives its date.
    with time_machine.travel("2025-03-01 10:00 +01:00", tick=False):
        following = meetings.plan_meeting(committee, starts_at=at(date(2025, 4, 14)))
    with django_capture_on_commit_callbacks(execute=True):
        _sent_draft(committee, sent_on=date(2025, 3, 12))
    assert following.agenda.filter(approves__isnull=False).exists()
    text = " ".join(mailoutbox[-1].body.split())
    assert "lors de sa prochaine réunion, le 14 avril 2025. Il sera ensuite" in text


def test_observations_send_the_minutes_to_a_meeting_for_approval(
    committee, member, client_for, quality_lead
):
    """The mail says it: without observations the draft may be approved without a meeting
    once the period is over; with observations (from the members' space, or received by
    e-mail and recorded by the référent) it is approved at a meeting, which examines them."""
    draft = _sent_draft(committee)
    slug = committee.prefecture.slug
    client = client_for(quality_lead)
    page_url = reverse("committee:agents-minutes", args=[slug, draft.meeting_id])
    seat = committee.seats.get(last_name="Exemple")
    with time_machine.travel("2025-03-20 10:00 +01:00", tick=False):
        html = client.get(page_url).content.decode()
        assert "le relevé peut être approuvé sans réunion" in html
        response = client.post(
            reverse("committee:agents-observation-add", args=[slug, draft.pk]),
            {"seat": seat.pk, "text": "Au point 1, lire « trois guichets »."},
            follow=True,
        )
        html = response.content.decode()
        assert "Observation enregistrée." in html
        assert "le relevé s'approuve lors d'une réunion du comité, qui les examine" in html
    observation = Observation.objects.get()
    assert observation.seat == seat and observation.author is None
    assert observation.author_label == "Alix Exemple, " + seat.organisation
    with time_machine.travel("2025-03-28 09:00 +01:00", tick=False):
        with pytest.raises(MinutesError, match="observations sur ce projet"):
            minutes.approve_minutes(draft)
        response = client.post(
            reverse("committee:agents-minutes-approve", args=[slug, draft.pk]),
            {"at_meeting": ""},
            follow=True,
        )
        assert "il s&#x27;approuve lors d&#x27;une réunion du comité" in response.content.decode()
        draft.refresh_from_db()
        assert draft.status == MinutesStatus.SENT
        following = meetings.plan_meeting(committee, starts_at=at(date(2025, 3, 28)))
        meetings.change_status(following, MeetingStatus.CONVENED)
        meetings.mark_held(following)
        minutes.approve_minutes(draft, at_meeting=following)
    draft.refresh_from_db()
    assert draft.status == MinutesStatus.APPROVED and draft.approved_at_meeting == following


def test_an_observation_is_recorded_only_on_a_draft_sent_to_the_members(committee):
    draft = _sent_draft(committee)
    seat = committee.seats.get(last_name="Exemple")
    with pytest.raises(MinutesError, match="Écrivez"):
        minutes.record_observation(draft, text="  ", seat=seat)
    with time_machine.travel("2025-03-28 09:00 +01:00", tick=False):
        minutes.approve_minutes(draft)
    with pytest.raises(MinutesError, match="envoyé aux membres"):
        minutes.record_observation(draft, text="Trop tard", seat=seat)
    assert not Observation.objects.exists()


def test_a_refused_observation_or_decision_comes_back_as_typed(committee, client_for, quality_lead):
    """The référent copies a member's letter into the form: a refusal (no member chosen,
    or the draft already approved) redirected with the error and lost the copied text."""
    draft = _sent_draft(committee)
    slug = committee.prefecture.slug
    client = client_for(quality_lead)
    letter = "Au point 2, la permanence a lieu le mardi, non le jeudi."
    with time_machine.travel("2025-03-20 10:00 +01:00", tick=False):
        response = client.post(
            reverse("committee:agents-observation-add", args=[slug, draft.pk]),
            {"seat": "", "text": letter},
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert f"{letter}</textarea>" in html and "Ce champ est obligatoire." in html
        assert not draft.observations.exists()
        decision = "Ouvrir un guichet le samedi matin"
        response = client.post(
            reverse("committee:agents-decision-add", args=[slug, draft.pk]),
            {"kind": "bogus", "text": decision},
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert f"{decision}</textarea>" in html and "Sélectionnez un choix valide" in html


def test_observations_on_an_earlier_sending_of_the_draft_say_so(
    committee, member, client_for, quality_lead
):
    """A draft changed after observations and sent again keeps them (members' words), and
    both pages say which sending each was made on: not as if about the new text."""
    draft = _sent_draft(committee)  # sent on 12 March
    slug = committee.prefecture.slug
    seat = committee.seats.get(last_name="Exemple")
    with time_machine.travel("2025-03-14 10:00 +01:00", tick=False):
        client_for(member).post(
            reverse("committee:members-observe", args=[slug, draft.pk]),
            {"text": "Le point 1 oublie les horaires."},
        )
        minutes.record_observation(draft, text="Lire « trois guichets ».", seat=seat)
    with time_machine.travel("2025-03-18 10:00 +01:00", tick=False):
        minutes.send_for_observations(draft, days=15)  # corrected, sent again
    with time_machine.travel("2025-03-19 10:00 +01:00", tick=False):
        minutes.record_observation(draft, text="Rien à ajouter.", seat=seat)
        agent_html = client_for(quality_lead).get(
            reverse("committee:agents-minutes", args=[slug, draft.meeting_id])
        )
        space = client_for(member).get(reverse("committee:members-space", args=[slug]))
    html = agent_html.content.decode()
    earlier = ", sur le projet envoyé le 12/03/2025, avant le dernier envoi"
    assert draft.observations.count() == 3
    assert f"Alix Exemple, {seat.organisation}, le 14/03/2025{earlier}" in html.replace(
        "&#x27;", "'"
    )
    assert "Inès Témoin, UFC fictive, le 14/03/2025" + earlier in html
    assert "le 19/03/2025</p>" in html  # on the draft as sent now: nothing more said
    assert html.count("avant le dernier envoi") == 2
    assert "Projet envoyé aux membres le 18/03/2025" in html
    assert (
        "Votre observation du 14 mars 2025, sur le projet envoyé le 12 mars 2025, "
        "avant le dernier envoi" in space.content.decode()
    )


def test_an_observation_kept_from_before_the_sending_date_was_recorded_says_so(
    committee, client_for, quality_lead
):
    """Observations recorded before the sending they were made on was kept have none: one
    made before the latest sending is said to be on an earlier one."""
    draft = _sent_draft(committee)
    seat = committee.seats.get(last_name="Exemple")
    with time_machine.travel("2025-03-14 10:00 +01:00", tick=False):
        old = minutes.record_observation(draft, text="Une observation ancienne.", seat=seat)
    Observation.objects.filter(pk=old.pk).update(draft_sent_at=None)
    with time_machine.travel("2025-03-18 10:00 +01:00", tick=False):
        minutes.send_for_observations(draft, days=15)
        html = (
            client_for(quality_lead)
            .get(
                reverse(
                    "committee:agents-minutes", args=[committee.prefecture.slug, draft.meeting_id]
                )
            )
            .content.decode()
        )
    assert "le 14/03/2025, sur un projet envoyé avant le 18/03/2025</p>" in html


def test_a_draft_sent_again_says_it_replaces_the_earlier_one(
    committee, member, mailoutbox, django_capture_on_commit_callbacks
):
    """Members who wrote on the first sending are told the new draft replaces it and that
    their observations are kept: without it they could not tell the two mails apart, and
    might write the same observations again."""
    with django_capture_on_commit_callbacks(execute=True):
        draft = _sent_draft(committee)  # sent on 12 March
    first = mailoutbox[-1]
    assert first.subject.startswith("Projet de relevé") and "remplace" not in first.body
    seat = committee.seats.get(last_name="Exemple")
    with time_machine.travel("2025-03-14 10:00 +01:00", tick=False):
        minutes.record_observation(draft, text="Le point 1 oublie les horaires.", seat=seat)
    with (
        time_machine.travel("2025-03-18 10:00 +01:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        minutes.send_for_observations(draft, days=15)
    again = mailoutbox[-1]
    text = " ".join(again.body.split())
    assert again.subject.startswith("Nouveau projet de relevé de décisions de la réunion du 10/03")
    assert "Il remplace le projet envoyé le 12/03/2025." in text
    assert "Les observations déjà reçues sur ce précédent projet sont conservées" in text

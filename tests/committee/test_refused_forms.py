"""A refused committee form comes back as typed: the page again (status 400), what was
typed in its fields, what is wrong beside them, and nothing written. They redirected with
the errors in a flash message and lost the text (a member's words copied from a letter)."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from engagements.committee.enums import AgendaKind, MeetingStatus, MinutesStatus
from engagements.committee.models import (
    AgendaItem,
    Committee,
    Meeting,
    MeetingDocument,
    Minutes,
    Seat,
    Suggestion,
)
from engagements.committee.services import meetings, minutes
from engagements.organisation.enums import RoleKind
from tests.committee.factories import (
    AgendaItemFactory,
    CommitteeFactory,
    MeetingFactory,
    SeatFactory,
    SuggestionFactory,
    at,
)
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(prefecture):
    return CommitteeFactory(prefecture=prefecture, invitation_days=15)


@pytest.fixture
def lead(client_for, quality_lead):
    return client_for(quality_lead)


def _url(name: str, committee: Committee, *args) -> str:
    return reverse(f"committee:{name}", args=[committee.prefecture.slug, *args])


def _refused(response, *texts: str) -> str:
    assert response.status_code == 400
    html = response.content.decode()
    for text in texts:
        assert escape(text) in html, text
    return html


# The members' page: settings, import, end of a mandate.


def test_refused_settings_come_back_as_typed(committee, lead):
    response = lead.post(
        _url("agents-settings", committee),
        {
            "kind": committee.kind,
            "order_reference": "Arrêté n° 2026-CLU-07",
            "order_date": "2026-02-03",
            "planned_audit_date": "",
            "invitation_days": "120",
        },
    )
    html = _refused(response, "Arrêté n° 2026-CLU-07")
    assert 'value="2026-02-03"' in html and 'value="120"' in html
    assert "inférieure ou égale à 90" in html
    committee.refresh_from_db()
    assert committee.order_reference == "2024-CLU-01" and committee.invitation_days == 15


def test_a_refused_import_says_what_is_wrong_and_to_choose_the_file_again(committee, lead):
    bad = (
        "college,organisation,first_name,last_name,email,seat,mandate_start,mandate_end\n"
        "Associations,UFC fictive,Inès,Témoin,ines@membres.test,presidente,2026-01-01,\n"
    ).encode()
    response = lead.post(
        _url("agents-import", committee),
        {"file": SimpleUploadedFile("membres.csv", bad, content_type="text/csv")},
    )
    html = _refused(
        response,
        "Fichier refusé, rien n'a été importé :",
        "choisissez à nouveau le fichier",
    )
    assert "presidente" in html  # the line and what is wrong with it
    assert not Seat.objects.exists()
    # No file at all: said beside the field, nothing to choose "again".
    html = _refused(lead.post(_url("agents-import", committee), {}), "Ce champ est obligatoire.")
    assert "choisissez à nouveau" not in html


def test_a_refused_end_of_mandate_comes_back_on_its_row(committee, lead):
    seat = SeatFactory(committee=committee, mandate_start=date(2024, 1, 1))
    other = SeatFactory(committee=committee)
    response = lead.post(_url("agents-seat-end", committee, seat.pk), {"on": "2023-06-30"})
    html = _refused(response, "La fin du mandat ne peut pas précéder son début.")
    assert f'id="end-{seat.pk}" name="on" value="2023-06-30"' in html
    assert f'aria-describedby="end-{seat.pk}-error"' in html
    # The other rows keep today's date, without an error.
    assert f'id="end-{other.pk}" name="on" value="2023-06-30"' not in html
    seat.refresh_from_db()
    assert seat.mandate_end is None


# The meeting's page: an agenda item, a document.


def test_a_refused_agenda_item_comes_back_as_typed(committee, lead):
    meeting = MeetingFactory(committee=committee)
    url = _url("agents-agenda-add", committee, meeting.pk)
    title = "Horaires d'été de l'accueil"
    html = _refused(
        lead.post(url, {"title": title, "kind": "bogus"}),
        title,
        "Sélectionnez un choix valide",
    )
    assert "agenda-form" in html
    # Held meanwhile (another tab): the service refuses, the point stays as typed.
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
    _refused(
        lead.post(url, {"title": title, "kind": AgendaKind.INFORMATION}),
        title,
        "L'ordre du jour d'une réunion tenue ne peut plus être modifié.",
    )
    assert not AgendaItem.objects.exists()


def test_a_refused_document_keeps_its_title_and_asks_for_the_file_again(committee, lead):
    meeting = MeetingFactory(committee=committee)
    response = lead.post(
        _url("agents-document-add", committee, meeting.pk),
        {
            "file": SimpleUploadedFile("bilan.exe", b"MZ\x90\x00", content_type="text/plain"),
            "title": "Diaporama du bilan annuel",
            "audience": "members",
            "agenda_item": "",
        },
    )
    html = _refused(
        response,
        "Diaporama du bilan annuel",
        "Formats acceptés : PDF",
        "choisissez à nouveau le fichier",
    )
    assert 'id="document-form"' in html
    assert not MeetingDocument.objects.exists()


# The suggestions' page: a suggestion made at a meeting, an answer.


def test_a_refused_answer_comes_back_in_its_suggestions_card(committee, lead):
    suggestion = SuggestionFactory(committee=committee)
    untouched = SuggestionFactory(committee=committee, text="Des bancs dans le hall.")
    prefix = f"s{suggestion.pk}"
    answer = "Nous étudions des affiches en quatre langues."
    response = lead.post(
        _url("agents-suggestion", committee, suggestion.pk),
        {f"{prefix}-status": "bogus", f"{prefix}-answer": answer},
    )
    html = _refused(response, answer, "Sélectionnez un choix valide")
    assert html.count(escape(answer)) == 1  # in the refused card only
    assert f'name="s{untouched.pk}-answer"' in html
    # Accepted without an answer: the service refuses, said on the card.
    response = lead.post(
        _url("agents-suggestion", committee, suggestion.pk),
        {f"{prefix}-status": "accepted", f"{prefix}-answer": ""},
    )
    _refused(response, "Rédigez la réponse faite au membre.")
    suggestion.refresh_from_db()
    assert suggestion.status == "submitted" and suggestion.answer == ""


def test_a_refused_suggestion_made_at_a_meeting_comes_back_as_typed(committee, lead):
    coming = MeetingFactory(committee=committee, starts_at=at(date(2025, 6, 10)))
    text = "Prévoir une boucle magnétique au guichet."
    with time_machine.travel("2025-03-20 10:00 +01:00", tick=False):
        response = lead.post(
            _url("agents-suggestions", committee),
            {"text": text, "author_label": "UNAPEI fictive", "meeting": coming.pk},
        )
    _refused(response, text, "UNAPEI fictive", "Sélectionnez un choix valide")
    assert not Suggestion.objects.exists()


# The minutes' page: the draft, the approval, a correction.


def _sent_draft(committee) -> Minutes:
    seat = SeatFactory(committee=committee, first_name="Alix", last_name="Exemple")
    with time_machine.travel("2025-03-01 10:00 +01:00", tick=False):
        meeting = meetings.plan_meeting(committee, starts_at=at(date(2025, 3, 10)), place="A")
        AgendaItemFactory(meeting=meeting, title="Bilan")
        meetings.change_status(meeting, MeetingStatus.CONVENED)
    with time_machine.travel("2025-03-12 10:00 +01:00", tick=False):
        meetings.mark_held(meeting)
        draft = minutes.start_minutes(meeting)
        minutes.send_for_observations(draft, days=15)
        minutes.record_observation(draft, text="Au point 1, lire deux guichets.", seat=seat)
    draft.refresh_from_db()
    return draft


def test_a_refused_draft_comes_back_as_written(committee, lead):
    draft = _sent_draft(committee)
    item = draft.items.get()
    intro = "Présidence : la secrétaire générale."
    text = "Le comité examine le bilan des délais de réponse."
    response = lead.post(
        _url("agents-minutes", committee, draft.meeting_id),
        {"kind": "bogus", "introduction": intro, "summary_en": "", f"item_{item.pk}": text},
    )
    _refused(response, intro, text, "Sélectionnez un choix valide")
    draft.refresh_from_db()
    item.refresh_from_db()
    assert draft.introduction == "" and item.text == ""


def test_a_refused_approval_says_why_on_the_minutes_page(committee, lead):
    draft = _sent_draft(committee)
    with time_machine.travel("2025-03-28 09:00 +01:00", tick=False):
        response = lead.post(_url("agents-minutes-approve", committee, draft.pk), {})
    _refused(response, "il s'approuve lors d'une réunion du comité, qui les examine")
    draft.refresh_from_db()
    assert draft.status == MinutesStatus.SENT


def test_a_refused_correction_comes_back_as_typed(committee, lead):
    draft = _sent_draft(committee)
    following = MeetingFactory(committee=committee, starts_at=at(date(2025, 4, 2)), held=True)
    with time_machine.travel("2025-04-03 09:00 +01:00", tick=False):
        minutes.approve_minutes(draft, at_meeting=following)
        url = _url("agents-minutes-correct", committee, draft.pk)
        note = "Nom de l'association corrigé au point 1"
        assert lead.post(url, {"note": note}).status_code == 302
        # A second correction while the first is being written: refused, as typed.
        response = lead.post(url, {"note": note + " (bis)"})
    _refused(response, note + " (bis)", "Une version corrigée est déjà en cours de rédaction.")
    assert Minutes.objects.filter(meeting=draft.meeting).count() == 2


# The members' space: a suggestion, an observation.


@pytest.fixture
def member(prefecture, committee, client_for):
    role = RoleFactory(kind=RoleKind.COMMITTEE_MEMBER, prefecture=prefecture)
    SeatFactory(committee=committee, user=role.user, first_name="Inès", last_name="Temoin")
    return client_for(role.user)


def test_a_members_refused_suggestion_comes_back_as_written(committee, member):
    text = "Des horaires en braille à l'entrée. " * 112  # over 4,000 characters
    response = member.post(_url("members-suggest", committee), {"text": text})
    html = _refused(response, text.strip(), "au plus 4000 caractères")
    assert 'id="id_text-error"' in html  # beside the field
    assert not Suggestion.objects.exists()


def test_a_members_refused_observation_comes_back_beside_its_draft(committee, member):
    draft = _sent_draft(committee)
    text = "Le point 1 oublie la question des horaires. " * 100
    with time_machine.travel("2025-03-20 10:00 +01:00", tick=False):
        response = member.post(_url("members-observe", committee, draft.pk), {"text": text})
    html = _refused(response, text.strip(), "au plus 4000 caractères")
    assert f'id="id_observation_{draft.pk}_text-error"' in html
    assert draft.observations.count() == 1  # the référent's, recorded before

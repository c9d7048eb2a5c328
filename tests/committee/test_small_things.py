"""Small things of the committee's outgoing documents (issue 19, item 12): the convocation
subject without HTML entities, a representation worded for anyone, French dates in the
French minutes fetched from the English page."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from engagements.committee.enums import AttendanceStatus, CommitteeKind, MinutesStatus
from engagements.committee.models import Minutes
from engagements.committee.services import meetings
from engagements.committee.services import minutes as minutes_services
from engagements.outbox.models import Delivery
from tests.browser import SCREENSHOTS
from tests.committee.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CollegeFactory,
    CommitteeFactory,
    MeetingFactory,
    MinutesFactory,
    SeatFactory,
    at,
)
from tests.tooling import pdf_text

pytestmark = pytest.mark.django_db


def test_the_convocation_subject_carries_no_html_entity(prefecture):
    committee = CommitteeFactory(prefecture=prefecture, kind=CommitteeKind.JOINT)
    SeatFactory(committee=committee, email="alix@membres.test")
    with time_machine.travel("2025-02-20 09:00 +01:00", tick=False):
        meeting = meetings.plan_meeting(committee, starts_at=at(date(2025, 3, 10)))
        AgendaItemFactory(meeting=meeting)
        meetings.send_invitation(meeting)
    mail = Delivery.objects.get(purpose="committee-meeting-invitation")
    assert "l'amélioration continue" in mail.subject
    assert "&#" not in mail.subject and "&amp;" not in mail.subject


def _minutes_pdf_text(client, url) -> str:
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "committee-minutes-from-en.pdf").write_bytes(response.content)
    return pdf_text(response.content)


def test_the_french_minutes_from_the_english_page_have_french_dates_and_agree(prefecture, client):
    committee = CommitteeFactory(prefecture=prefecture)
    meeting = MeetingFactory(committee=committee, starts_at=at(date(2025, 3, 10)))
    for person, civility, organisation in (
        ("Alix Exemple", "madame", "Mairie de Villefictive"),
        ("Noé Ancien", "monsieur", "UDAF fictive"),
        ("", "", "Caisse fictive"),
    ):
        AttendanceFactory(
            meeting=meeting,
            person_name=person,
            civility=civility,
            organisation=organisation,
            status=AttendanceStatus.REPRESENTED,
            represented_by="Camille Remplaçante",
        )
    minutes = MinutesFactory(meeting=meeting)
    Minutes.objects.filter(pk=minutes.pk).update(
        status=MinutesStatus.APPROVED, approved_on=date(2025, 4, 1)
    )
    minutes.refresh_from_db()
    minutes_services.publish_minutes(minutes)
    url = reverse("committee:public-minutes-pdf", args=[prefecture.slug, minutes.pk])
    for prefix in ("/en", ""):
        text = " ".join(_minutes_pdf_text(client, prefix + url).split())
        assert "lundi 10 mars 2025" in text, prefix
        assert "Monday" not in text and "March" not in text, prefix
        assert "Alix Exemple, Mairie de Villefictive, représentée par Camille" in text
        assert "Noé Ancien, UDAF fictive, représenté par Camille" in text
        assert "Caisse fictive, par l'intermédiaire de Camille" in text


def test_the_members_import_reads_the_civility_and_the_meeting_keeps_it(prefecture):
    from engagements.committee.models import Seat
    from engagements.committee.services.members import import_members

    data = (
        "college,organisation,first_name,last_name,email,seat,mandate_start,mandate_end,"
        "civility\n"
        "Associations,UFC fictive,Alix,Exemple,,titulaire,2025-01-01,,Mme\n"
        "Associations,UDAF fictive,Noé,Ancien,,titulaire,2025-01-01,,monsieur\n"
        "Élus,Mairie de Villefictive,,,,titulaire,2025-01-01,,\n"
    )
    import_members(prefecture, data)
    assert dict(Seat.objects.values_list("organisation", "civility")) == {
        "UFC fictive": "madame",
        "UDAF fictive": "monsieur",
        "Mairie de Villefictive": "",
    }
    committee = Seat.objects.first().committee
    meeting = meetings.plan_meeting(committee, starts_at=at(date(2025, 3, 10)))
    assert dict(meeting.attendance.values_list("organisation", "civility"))["UFC fictive"] == (
        "madame"
    )
    # The header without the column still imports (the contract is unchanged) and leaves
    # the civility as it was.
    result = import_members(
        prefecture,
        "college,organisation,first_name,last_name,email,seat,mandate_start,mandate_end\n"
        "Associations,UFC fictive,Alix,Exemple,,titulaire,2025-01-01,\n",
    )
    assert result.unchanged == 1
    assert Seat.objects.get(organisation="UFC fictive").civility == "madame"


def test_the_minutes_name_the_chair_with_a_contracted_de(prefecture, client):
    committee = CommitteeFactory(prefecture=prefecture)
    meeting = MeetingFactory(
        committee=committee,
        starts_at=at(date(2025, 3, 10)),
        chair="le secrétaire général de la préfecture",
    )
    minutes = MinutesFactory(meeting=meeting)
    Minutes.objects.filter(pk=minutes.pk).update(
        status=MinutesStatus.APPROVED, approved_on=date(2025, 4, 1)
    )
    minutes.refresh_from_db()
    minutes_services.publish_minutes(minutes)
    url = reverse("committee:public-minutes-pdf", args=[prefecture.slug, minutes.pk])
    text = " ".join(_minutes_pdf_text(client, url).split())
    assert "sous la présidence du secrétaire général de la préfecture" in text
    assert "de le " not in text


def test_attendance_follows_the_colleges_order_titular_first(prefecture, client_for, quality_lead):
    # Byte-wise "Élus" sorts after "Préfecture", and "suppleant" before "titulaire": the
    # meeting's page and its sign-in sheet list them as the members' page does.
    committee = CommitteeFactory(prefecture=prefecture)
    elus = CollegeFactory(committee=committee, name="Élus locaux", position=1)
    prefecture_college = CollegeFactory(committee=committee, name="Préfecture", position=2)
    SeatFactory(committee=committee, college=prefecture_college, organisation="Préfecture")
    SeatFactory(committee=committee, college=elus, organisation="Mairie", substitute=True)
    SeatFactory(committee=committee, college=elus, organisation="Mairie")
    meeting = meetings.plan_meeting(committee, starts_at=at(date(2025, 3, 10)))
    expected = [
        ("Élus locaux", "titulaire"),
        ("Élus locaux", "suppleant"),
        ("Préfecture", "titulaire"),
    ]
    url = reverse("committee:agents-meeting", args=[prefecture.slug, meeting.pk])
    shown = client_for(quality_lead).get(url).context["attendance"]
    assert [(line.college_name, line.seat_kind) for line in shown] == expected
    sheet = reverse("committee:agents-sign-in-sheet", args=[prefecture.slug, meeting.pk])
    text = " ".join(_minutes_pdf_text(client_for(quality_lead), sheet).split())
    assert text.index("Élus locaux") < text.index("Préfecture Préfecture")
    assert text.index("Titulaire") < text.index("Suppléant")


def test_a_suggestion_is_recorded_only_at_a_meeting_that_took_place(
    prefecture, client_for, quality_lead
):
    from engagements.committee.models import Suggestion
    from engagements.committee.services.suggestions import SuggestionError, submit_suggestion

    committee = CommitteeFactory(prefecture=prefecture)
    held = MeetingFactory(committee=committee, starts_at=at(date(2025, 3, 10)))
    coming = MeetingFactory(committee=committee, starts_at=at(date(2025, 6, 10)))
    url = reverse("committee:agents-suggestions", args=[prefecture.slug])
    client = client_for(quality_lead)
    with time_machine.travel("2025-03-20 10:00 +01:00", tick=False):
        page = client.get(url)
        assert "Suggestion du membre" in page.content.decode()
        assert "Votre suggestion" not in page.content.decode()
        choices = dict(page.context["form"].fields["meeting"].choices)
        assert held.pk in choices and coming.pk not in choices
        posted = {"text": "Des bancs dans le hall.", "author_label": "UDAF"}
        response = client.post(url, {**posted, "meeting": coming.pk})
        assert response.status_code == 400 and not Suggestion.objects.exists()
        with pytest.raises(SuggestionError, match="10/06/2025 n'a pas encore eu lieu"):
            submit_suggestion(committee, text="Des bancs.", meeting=coming)
        client.post(url, {**posted, "meeting": held.pk})
    assert Suggestion.objects.get().meeting == held


def test_ending_a_mandate_says_on_which_day_without_broken_french(
    prefecture, client_for, quality_lead
):
    committee = CommitteeFactory(prefecture=prefecture)
    seat = SeatFactory(
        committee=committee, organisation="Association des usagers", organisation_only=True
    )
    url = reverse("committee:agents-seat-end", args=[prefecture.slug, seat.pk])
    page = client_for(quality_lead).post(url, {"on": "2031-01-31"}, follow=True)
    text = page.content.decode().replace("&#x27;", "'")
    assert "Fin du mandat enregistrée au 31/01/2031 : Association des usagers." in text
    assert "Mandat de Association" not in text

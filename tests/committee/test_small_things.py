"""Small things of the committee's outgoing documents (issue 19, item 12): the convocation
subject without HTML entities, a representation worded for anyone, French dates in the
French minutes fetched from the English page."""

import subprocess
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from engagements.committee.enums import AttendanceStatus, CommitteeKind, MinutesStatus
from engagements.committee.models import Minutes
from engagements.committee.services import meetings
from engagements.committee.services import minutes as minutes_services
from engagements.outbox.models import Delivery
from tests.committee.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CommitteeFactory,
    MeetingFactory,
    MinutesFactory,
    SeatFactory,
    at,
)
from tests.tooling import require_tool

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
    pdftotext = require_tool("pdftotext", "poppler-utils")
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    return subprocess.run(
        [pdftotext, "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()


def test_the_french_minutes_from_the_english_page_have_french_dates_and_neutral_wording(
    prefecture, client
):
    committee = CommitteeFactory(prefecture=prefecture)
    meeting = MeetingFactory(committee=committee, starts_at=at(date(2025, 3, 10)))
    AttendanceFactory(
        meeting=meeting,
        person_name="Alix Exemple",
        organisation="Mairie de Villefictive",
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
        assert "Alix Exemple, Mairie de Villefictive, par l'intermédiaire de Camille" in text
        assert "représenté par" not in text

"""The agents' home says, per role, what waits today; the 403 keeps the agents' layout."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.correspondence.enums import VersionStatus
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.correspondence.factories import MessageFactory, TemplateFactory, VersionFactory
from tests.surveys.factories import CampaignFactory, CommentFactory, ResponseFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def home(client, prefecture):
    response = client.get(reverse("organisation:agents-prefecture", args=[prefecture.slug]))
    assert response.status_code == 200
    return {todo.label: todo for todo in response.context["todos"]}


@time_machine.travel(datetime(2026, 3, 20, 14, 0, tzinfo=PARIS), tick=False)
def test_agent_sees_late_and_due_messages_and_todays_appointments(
    prefecture, service, agent, client_for
):
    MessageFactory(service=service, received_on=date(2026, 3, 2))  # late
    due = MessageFactory(service=service, received_on=date(2026, 3, 19))
    due.due_on = date(2026, 3, 21)
    due.save()
    procedure = ProcedureFactory(service=service)
    morning = datetime(2026, 3, 20, 9, 0, tzinfo=PARIS)
    BookingFactory(slot=SlotFactory(procedure=procedure, starts_at=morning))
    BookingFactory(
        slot=SlotFactory(procedure=procedure, starts_at=morning + timedelta(hours=7)),
    )
    items = home(client_for(agent), prefecture)
    late = items["1 message en retard"]
    assert late.level == "error" and late.url.endswith("?late=on")
    soon = items["1 message à traiter aujourd'hui ou demain"]
    worklist = client_for(agent).get(soon.url).context["page"].object_list
    assert [m.pk for m in worklist] == [due.pk]
    assert items["2 rendez-vous aujourd'hui"].url.endswith("/jour/")
    assert "1 rendez-vous passé sans présence ou absence enregistrée" in items
    page = client_for(agent).get(reverse("organisation:agents-prefecture", args=[prefecture.slug]))
    assert "(s)" not in page.content.decode()


def test_quality_lead_sees_comments_and_committee_templates(
    prefecture, site, service, quality_lead, committee_member, client_for
):
    campaign = CampaignFactory(site=site)
    CommentFactory.create_batch(2, response=ResponseFactory(campaign=campaign))
    VersionFactory(
        template=TemplateFactory(prefecture=prefecture),
        status=VersionStatus.SUBMITTED,
        submitted_at=timezone.now(),
        observations_until=timezone.localdate() + timedelta(days=5),
    )
    items = home(client_for(quality_lead), prefecture)
    assert items["2 commentaires d'enquête à relire"].url.endswith("/commentaires/")
    assert "1 modèle de réponse soumis aux observations du comité" in items
    member_items = home(client_for(committee_member), prefecture)
    assert list(member_items) == ["1 modèle de réponse soumis aux observations du comité"]


def test_403_keeps_the_agents_layout(client_for, agent, prefecture, site, settings):
    settings.DEBUG = False
    response = client_for(agent).get(f"/agents/{prefecture.slug}/organisation/sites/{site.pk}/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Votre rôle ne permet pas cette action." in html
    assert "Se déconnecter" in html and 'id="navigation-agents"' in html

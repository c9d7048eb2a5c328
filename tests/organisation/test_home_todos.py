"""The agents' home says, per role, what waits today; the 403 keeps the agents' layout."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.correspondence.enums import VersionStatus
from engagements.organisation.models import RightsRequest
from engagements.quality.models import ActionPlan
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.correspondence.factories import MessageFactory, TemplateFactory, VersionFactory
from tests.quality.cycle_factories import LabelFactory
from tests.quality.factories import ActionFactory, PlanFactory
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
    # The day's list the item leads to counts the same 2 (it said "3 rendez-vous" with a
    # cancelled one), the cancelled one apart.
    BookingFactory(
        slot=SlotFactory(procedure=procedure, starts_at=morning + timedelta(hours=1)),
        status="cancelled_user",
    )
    items = home(client_for(agent), prefecture)
    day = client_for(agent).get(items["2 rendez-vous aujourd'hui"].url).content.decode()
    assert "<caption>2 rendez-vous, 1 annulé</caption>" in day
    page = client_for(agent).get(reverse("organisation:agents-prefecture", args=[prefecture.slug]))
    assert "(s)" not in page.content.decode()


def test_a_message_waiting_for_documents_asked_late_is_counted_late_on_the_home(
    prefecture, service, agent, client_for
):
    """The home said "1 message en retard" where the worklist's counter, and the list its
    link opens, have 2: documents asked after the due date stop no clock."""
    from engagements.correspondence import services

    with time_machine.travel(date(2026, 3, 11), tick=False):
        MessageFactory(service=service, received_on=date(2026, 3, 2))  # late, open
        waiting = MessageFactory(service=service, received_on=date(2026, 3, 2))
        services.request_documents(waiting, actor=agent, documents="Passeport")
    with time_machine.travel(datetime(2026, 3, 12, 10, 0, tzinfo=PARIS), tick=False):
        client = client_for(agent)
        late = home(client, prefecture)["2 messages en retard"]
        listed = client.get(late.url)
    assert listed.context["counts"]["late"] == 2
    assert len(listed.context["page"].object_list) == 2


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


def _something_of_each(prefecture, site, service, now):
    """A to-do of each kind the home lists for this site: a late message, a booking today
    and one past without attendance, a survey comment, a template open to the committee's
    observations, a late action of the site's plan, a current label."""
    MessageFactory(service=service, received_on=now.date() - timedelta(days=40))
    procedure = ProcedureFactory(service=service)
    for hours in (-30, 2):
        BookingFactory(
            slot=SlotFactory(procedure=procedure, starts_at=now + timedelta(hours=hours))
        )
    CommentFactory(response=ResponseFactory(campaign=CampaignFactory(site=site)))
    VersionFactory(
        template=TemplateFactory(prefecture=prefecture),
        status=VersionStatus.SUBMITTED,
        submitted_at=now,
        observations_until=now.date() + timedelta(days=5),
    )
    plan = ActionPlan.objects.filter(site=site, year=now.year).first() or PlanFactory(site=site)
    ActionFactory(plan=plan, due_on=now.date() - timedelta(days=10))
    RightsRequest.objects.create(
        prefecture=prefecture,
        kind=RightsRequest.Kind.ERASURE,
        person_hash="h",
        received_on=now.date() - timedelta(days=40),
        answer_due=now.date() - timedelta(days=9),
    )
    if not site.labels.exists():
        LabelFactory(
            site=site, module=1, obtained_on=date(2024, 1, 15), valid_until=date(2027, 1, 14)
        )


@time_machine.travel(datetime(2026, 3, 20, 14, 0, tzinfo=PARIS), tick=False)
@pytest.mark.parametrize(
    "who, queries", [("quality_lead", 32), ("site_manager", 15), ("agent", 13)]
)
def test_the_home_s_queries_do_not_grow_with_what_waits(
    who, queries, request, prefecture, site, service, other_site, other_service, client_for,
    django_assert_max_num_queries,
):  # fmt: skip
    """The agents' home gathers every app's to-dos in a fixed number of queries: more
    sites, messages, bookings, comments, templates, actions and labels add none."""
    client = client_for(request.getfixturevalue(who))
    url = reverse("organisation:agents-prefecture", args=[prefecture.slug])
    now = timezone.now()
    _something_of_each(prefecture, site, service, now)
    with django_assert_max_num_queries(queries) as first:
        assert client.get(url).status_code == 200
    for _ in range(3):
        _something_of_each(prefecture, site, service, now)
        _something_of_each(prefecture, other_site, other_service, now)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    late = 7 if who == "quality_lead" else 4  # the whole prefecture, or his site or service
    assert f"{late} messages en retard" in [todo.label for todo in response.context["todos"]]


def test_an_agent_s_home_lists_the_messages_given_to_him(
    prefecture, service, agent, quality_lead, client_for
):
    """The home counted late and due-soon messages, never the ones given to him."""
    from engagements.correspondence import services

    mine = MessageFactory.create_batch(2, service=service)
    for message in mine:
        services.assign_message(message, agent=agent, actor=quality_lead)
    MessageFactory(service=service)  # no one's
    client = client_for(agent)
    item = home(client, prefecture)["2 messages qui vous sont attribués"]
    listed = client.get(item.url).context["page"].object_list
    assert sorted(m.pk for m in listed) == sorted(m.pk for m in mine)
    assert not any("attribué" in label for label in home(client_for(quality_lead), prefecture))


@time_machine.travel(datetime(2026, 3, 20, 14, 0, tzinfo=PARIS), tick=False)
def test_personal_data_requests_late_or_due_within_a_week_wait_on_the_quality_lead_s_home(
    prefecture, other_prefecture, quality_lead, site_manager, client_for
):
    """Art. 12.3 gives a month (or the extended date): the référent, who answers them, sees
    the open requests past it or within a week of it; answered ones and the other
    prefecture's are not counted, and roles that cannot answer them do not see them."""

    def request(due, *, extended_until=None, done=False, where=prefecture):
        RightsRequest.objects.create(
            prefecture=where,
            kind=RightsRequest.Kind.ERASURE,
            person_hash="h",
            received_on=due - timedelta(days=30),
            answer_due=due,
            extended_until=extended_until,
            done_at=timezone.now() if done else None,
        )

    today = date(2026, 3, 20)
    request(today - timedelta(days=1))  # late
    request(today - timedelta(days=2), extended_until=today + timedelta(days=50))  # extended
    request(today)  # due today
    request(today + timedelta(days=7))  # due within the week
    request(today + timedelta(days=8))  # not yet
    request(today - timedelta(days=5), done=True)  # answered
    request(today - timedelta(days=5), where=other_prefecture)
    items = home(client_for(quality_lead), prefecture)
    late = items["1 demande sur des données personnelles sans réponse dans le délai"]
    soon = items["2 demandes sur des données personnelles à traiter dans les 7 jours"]
    assert (late.level, soon.level) == ("error", "warning")
    page = client_for(quality_lead).get(late.url)
    assert page.status_code == 200 and 'id="demandes"' in page.content.decode()
    assert not any(
        "données personnelles" in label for label in home(client_for(site_manager), prefecture)
    )

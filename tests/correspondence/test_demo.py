"""The demo register is shaped like seed 002 and deterministic."""

from collections import Counter

import pytest

from engagements.correspondence.enums import Status, TemplatePurpose, VersionStatus
from engagements.correspondence.models import Message, TemplateVersion
from engagements.correspondence.placeholders import missing_blocks
from engagements.organisation.management.commands.seed_demo import seed_apps

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_year_of_messages_and_the_library():
    seed_apps(only=("correspondence",))
    by_site = Counter(Message.objects.values_list("site__slug", flat=True))
    assert 380 <= by_site["lysville"] <= 400
    assert (by_site["sainte-aure"], by_site["bellerive"]) == (14, 5)
    topics = Counter(Message.objects.values_list("topic__name", flat=True))
    total = sum(topics.values())
    assert 0.35 < topics["Délai d'instruction des titres de séjour"] / total < 0.51
    assert 0.29 < topics["Difficulté à obtenir un rendez-vous"] / total < 0.45
    open_ = Message.objects.filter(status__in=[Status.NEW, Status.ASSIGNED])
    assert open_.exists()
    # The Sainte-Aure site manager's register has work on the first morning, one late.
    from django.utils import timezone

    sainte_aure = open_.filter(site__slug="sainte-aure")
    assert sainte_aure.count() == 2 and not sainte_aure.exclude(assigned_to=None).exists()
    assert sainte_aure.filter(due_on__lt=timezone.localdate()).count() == 1
    published = TemplateVersion.objects.filter(status=VersionStatus.PUBLISHED)
    assert published.filter(template__purpose=TemplatePurpose.ACKNOWLEDGEMENT).count() == 2
    assert published.exclude(template__purpose=TemplatePurpose.ACKNOWLEDGEMENT).count() >= 5
    for version in published.select_related("template"):
        blocks = missing_blocks(version.template.channel, version.subject, version.body)
        assert blocks == [], (version.template.name, blocks)
    missing = published.get(template__purpose=TemplatePurpose.MISSING_DOCUMENTS)
    assert "8 jours" in missing.body and "prévenez" in missing.body
    assert TemplateVersion.objects.filter(status=VersionStatus.SUBMITTED).exists()
    # Its past acknowledgements and answers count as sent: nothing is queued at first start.
    from engagements.correspondence.models import Answer
    from engagements.outbox.models import Delivery

    assert not Message.objects.exclude(sender_email="").filter(acknowledged_at=None).exists()
    assert not Answer.objects.filter(channel="email", sent_at=None).exists()
    assert Delivery.objects.count() == 0
    # Every reference is unique and the counter continues after them.
    references = list(Message.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))


def test_demo_story_is_consistent():
    """Acknowledged before the deadline, thanks filed as suggestions, vehicles at the CERT."""
    from django.utils import timezone

    from engagements.correspondence.enums import Kind

    seed_apps(only=("correspondence",))
    acknowledged = Message.objects.exclude(acknowledged_at=None)
    assert acknowledged.count() > 300
    for message in acknowledged:
        assert timezone.localtime(message.acknowledged_at).date() <= message.due_on
    thanks = Message.objects.filter(subject="Remerciements pour l'accueil")
    assert thanks.exists()
    assert set(thanks.values_list("kind", flat=True)) == {Kind.SUGGESTION}
    vehicles = Message.objects.filter(
        topic__name="Permis de conduire et cartes grises", site__slug="lysville"
    )
    assert vehicles.exists()
    assert set(vehicles.values_list("service__slug", flat=True)) == {"cert"}


def test_demo_histories_happen_on_their_own_days():
    """A message's history starts the day it arrived and tells its story in order (created,
    acknowledged, assigned, answered and sent, or closed): not every event stamped with the
    moment the demo was seeded, which made a message received in November « enregistré »
    today, after its own acknowledgement."""
    import time_machine
    from django.utils import timezone

    from engagements.correspondence.enums import EventKind
    from engagements.correspondence.models import MessageEvent

    with time_machine.travel(
        timezone.make_aware(timezone.datetime(2026, 12, 7, 18, 27)), tick=False
    ):
        seed_apps(only=("correspondence",))
        now = timezone.now()
    by_message: dict[int, list] = {}
    for event in MessageEvent.objects.order_by("at", "pk"):
        by_message.setdefault(event.message_id, []).append(event)
    messages = Message.objects.in_bulk()
    assert set(by_message) == set(messages)
    for pk, events in by_message.items():
        message = messages[pk]
        kinds = [event.kind for event in events]
        assert kinds[0] == EventKind.CREATED
        assert timezone.localtime(events[0].at).date() == message.received_on
        assert all(event.at <= now for event in events)
        if message.sender_email:
            assert EventKind.ACKNOWLEDGED in kinds
        if message.status == Status.ANSWERED:
            answered = events[kinds.index(EventKind.ANSWERED)]
            assert timezone.localtime(answered.at).date() == message.answered_on
            assert kinds.index(EventKind.ASSIGNED) < kinds.index(EventKind.ANSWERED)
        if message.status == Status.CLOSED:
            closed = events[kinds.index(EventKind.CLOSED)]
            assert timezone.localtime(closed.at).date() == message.closed_on

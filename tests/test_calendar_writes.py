"""Reads never write the stored working-day calendars; records arriving extend them
(docs/indicators.md, issue 18 point 4)."""

import re
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements.calendar import stored
from engagements.calendar.models import WorkingDay
from engagements.correspondence import queries
from engagements.correspondence import services as correspondence
from engagements.correspondence.enums import Kind
from engagements.correspondence.models import Message
from engagements.correspondence.services.imports import import_messages
from engagements.organisation.enums import Channel
from tests.correspondence.factories import MessageFactory

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|ALTER|DROP)\b", re.IGNORECASE)


def _writes(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if WRITE.match(q["sql"])]


def test_figures_queries_never_write(prefecture, service):
    MessageFactory(service=service, answered_on_time=True)
    MessageFactory(service=service, received_on=date(2026, 3, 20))
    # Even with the stored calendars gone (a bug on a write path), a read does not build them.
    WorkingDay.objects.all().delete()
    messages = Message.objects.filter(prefecture=prefecture)
    with CaptureQueriesContext(connection) as captured:
        queries.figures(messages, at=date(2026, 6, 30))
        queries.figures_by(messages, at=date(2026, 6, 30))
        queries.breakdown(messages, at=date(2026, 6, 30), by="site")
    assert captured.captured_queries
    assert _writes(captured) == []
    assert not WorkingDay.objects.exists()


def test_figures_of_covered_messages_read_only(prefecture, service):
    MessageFactory(service=service, answered_on_time=True)
    messages = Message.objects.filter(prefecture=prefecture)
    with CaptureQueriesContext(connection) as captured:
        report = queries.figures(messages, at=date(2026, 6, 30))
    assert report["answered"] == 1 and report["average_delay"] is not None
    assert _writes(captured) == []


def test_a_new_message_extends_the_calendar(prefecture, service):
    assert stored.stored_range(prefecture) is None
    correspondence.create_message(
        prefecture,
        site=service.site,
        service=service,
        channel=Channel.LETTER,
        kind=Kind.INFORMATION,
        received_on=date(2019, 5, 6),
        sender_address="1 rue de la Paix\n75001 Paris",
        subject="Un courrier ancien",
        body="Bonjour",
    )
    assert stored.stored_range(prefecture)[0] == date(2019, 1, 1)


def test_an_import_extends_the_calendar(prefecture, site, service):
    assert stored.stored_range(prefecture) is None
    import_messages(
        prefecture,
        "reference,site,service,channel,kind,topic,received_on,answered_on,closed_reason\n"
        "CR-17-1,chef-lieu,sejour,courriel,information,,2017-03-01,2017-03-09,\n",
    )
    assert stored.stored_range(prefecture)[0] == date(2017, 1, 1)

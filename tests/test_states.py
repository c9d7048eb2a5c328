"""engagements.states: one helper checks the table, sets, saves and writes the log row."""

import pytest

from engagements import states
from engagements.appointments.enums import BOOKING_TRANSITIONS, BookingStatus
from engagements.appointments.models import BookingLog
from engagements.correspondence.enums import MESSAGE_TRANSITIONS, VERSION_TRANSITIONS
from engagements.surveys.enums import CHECK_TRANSITIONS, COMMENT_TRANSITIONS
from tests.appointments.factories import BookingFactory

pytestmark = pytest.mark.django_db


def test_transition_sets_saves_and_logs_with_the_actor(agent):
    booking = BookingFactory()
    row = states.transition(
        booking,
        BookingStatus.NO_SHOW,
        table=BOOKING_TRANSITIONS,
        actor=agent,
        log_model=BookingLog,
        booking=booking,
        note="Absent",
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW
    assert (row.from_status, row.to_status, row.actor, row.note) == (
        BookingStatus.CONFIRMED,
        BookingStatus.NO_SHOW,
        agent,
        "Absent",
    )


def test_an_illegal_transition_raises_in_french_and_changes_nothing(agent):
    class Refused(Exception):
        pass

    booking = BookingFactory(status=BookingStatus.EXPIRED)
    with pytest.raises(
        Refused, match="Ce rendez-vous est « Non confirmé \\(expiré\\) » et ne peut"
    ):
        states.transition(
            booking,
            BookingStatus.CONFIRMED,
            table=BOOKING_TRANSITIONS,
            actor=agent,
            log_model=BookingLog,
            subject="Ce rendez-vous",
            error=Refused,
            booking=booking,
        )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert not BookingLog.objects.filter(booking=booking).exists()


@pytest.mark.parametrize(
    "table",
    [
        BOOKING_TRANSITIONS,
        MESSAGE_TRANSITIONS,
        VERSION_TRANSITIONS,
        COMMENT_TRANSITIONS,
        CHECK_TRANSITIONS,
    ],
)
def test_every_table_has_the_one_format(table):
    assert isinstance(table, dict)
    for source, targets in table.items():
        assert isinstance(source, str) and isinstance(targets, set)
        assert all(isinstance(target, str) for target in targets)

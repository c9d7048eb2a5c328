"""The administration a message was forwarded to is a field of the message, not a sentence
of its history read back: the history's wording may change, the transmission letter still
names it. Messages closed before the field existed get it from their closing event."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from engagements.correspondence import services
from engagements.correspondence.enums import EventKind
from engagements.correspondence.models import Message
from tests.correspondence.test_follow import create
from tests.tooling import pdf_text

BEFORE = [("correspondence", "0011_social_network_channel")]


def _letter_text(client, message) -> str:
    url = reverse(
        "correspondence:agents-forwarded-letter", args=[message.prefecture.slug, message.pk]
    )
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(pdf_text(response.content).split())


@pytest.mark.django_db
def test_the_administration_is_kept_on_the_message(prefecture, service, agent, client_for):
    message = create(prefecture, service, channel="letter", sender_email="", sender_address="1 rue")
    services.close_message(message, reason="forwarded", note=" Caisse d'allocations ", actor=agent)
    message.refresh_from_db()
    assert message.forwarded_to == "Caisse d'allocations"
    # The history's sentence is only what the agents read: rewording it changes nothing.
    message.events.filter(kind=EventKind.CLOSED).update(text="Clos (transmis)")
    assert services.messages.forwarded_to(message) == "Caisse d'allocations"
    assert "autre administration : Caisse d'allocations." in _letter_text(
        client_for(agent), message
    )
    # Reopened, then closed for another reason: forwarded nowhere.
    services.reopen_message(message, actor=agent)
    message.refresh_from_db()
    assert (message.forwarded_to, services.messages.forwarded_to(message)) == ("", "")
    services.close_message(message, reason="duplicate", actor=agent)
    message.refresh_from_db()
    assert services.messages.forwarded_to(message) == ""


@pytest.mark.django_db(transaction=True)
def test_messages_forwarded_before_keep_their_transmission_letter(
    prefecture, service, agent, client_for
):
    def letter_message(**kwargs):
        return create(prefecture, service, channel="letter", sender_email="", **kwargs)

    once = letter_message(sender_address="1 rue Haute")
    services.close_message(once, reason="forwarded", note="DDT", actor=agent)
    twice = letter_message(sender_address="2 rue Basse")  # forwarded, reopened, forwarded again
    services.close_message(twice, reason="forwarded", note="Rectorat", actor=agent)
    services.reopen_message(twice, actor=agent)
    services.close_message(twice, reason="forwarded", note="CPAM", actor=agent)
    then_duplicate = letter_message(sender_address="3 rue Neuve")
    services.close_message(then_duplicate, reason="forwarded", note="DDT", actor=agent)
    services.reopen_message(then_duplicate, actor=agent)
    services.close_message(then_duplicate, reason="duplicate", actor=agent)
    still_open = letter_message(sender_address="4 rue Vieille")

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # the field goes, as before it existed
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    kept = dict(Message.objects.values_list("pk", "forwarded_to"))
    assert kept == {once.pk: "DDT", twice.pk: "CPAM", then_duplicate.pk: "", still_open.pk: ""}
    client = client_for(agent)
    for message, name in ((once, "DDT"), (twice, "CPAM")):
        message.refresh_from_db()
        assert f"autre administration : {name}." in _letter_text(client, message)


@pytest.mark.django_db
def test_the_purge_forgets_it_with_the_rest(prefecture, service, agent):
    """As the closing event's text it was read from, it goes with the register's purge."""
    from datetime import date

    import time_machine

    with time_machine.travel(date(2023, 3, 1)):
        message = create(prefecture, service, received_on=date(2023, 2, 27))
        services.close_message(message, reason="forwarded", note="DDT", actor=agent)
    services.purge_personal_data(today=date(2026, 3, 2))
    message.refresh_from_db()
    assert message.purged_at and message.forwarded_to == ""

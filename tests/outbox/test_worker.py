"""The outbox worker: owed mails written from their record, sent once, retried with the
text first written, failures visible; no job queued per mail."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_q.models import OrmQ

from engagements.outbox import services
from engagements.outbox.enums import Status
from engagements.outbox.models import Delivery
from tests.mail import free_port

pytestmark = pytest.mark.django_db
TEMPLATE = "mail/notice"


@pytest.fixture
def owed(monkeypatch, settings):
    """Owed mails of the template `mail/notice` are written from their prefecture; each
    writing is counted (a retry must not write the mail again)."""
    settings.OUTBOX_DELIVER_AT_COMMIT = False  # as in production: the worker sends
    written = []

    def builder(delivery):
        prefecture = delivery.record
        if prefecture is None:
            return None
        written.append(delivery.pk)
        return {"subject": f"Pour {prefecture.name}", "text": f"Écrit {len(written)} fois."}

    monkeypatch.setitem(services._MAIL_CONTEXTS, TEMPLATE, builder)
    return written


def _owe(prefecture, to="camille@exemple.fr"):
    return services.owe_mail(
        TEMPLATE, [to], prefecture=prefecture, record=prefecture, purpose="test", language="fr"
    )


def test_an_owed_mail_is_written_by_the_worker_and_sent_once(
    prefecture, owed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        delivery = _owe(prefecture)
    assert callbacks == [] and mailoutbox == []  # nothing sent by the writer
    assert OrmQ.objects.count() == 0  # and no job queued for it
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING and delivery.body == "" and owed == []

    assert services.work(once=True) == 1
    [mail] = mailoutbox
    assert mail.subject == "Pour Préfecture d'Alpha" and "Écrit 1 fois." in mail.body
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert (delivery.subject, delivery.body) == (mail.subject, mail.body)  # what was sent
    assert delivery.message_id == mail.extra_headers["Message-ID"]
    assert services.work(once=True) == 0 and len(mailoutbox) == 1 and owed == [delivery.pk]


def test_a_failed_send_is_retried_with_the_text_first_written(
    prefecture, owed, smtp_mail, settings
):
    settings.EMAIL_PORT = free_port()  # the mail server is down
    delivery = _owe(prefecture)
    assert services.work(once=True) == 0
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING and delivery.attempts == 1
    assert "Écrit 1 fois." in delivery.body  # written once, kept for the retry
    assert services.work(once=True) == 0  # not yet due (backoff)

    settings.EMAIL_PORT = smtp_mail.port  # the server is back
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        assert services.work(once=True) == 1
    [message] = smtp_mail.messages
    assert "Écrit 1 fois." in message.text() and owed == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 2


def test_an_owed_mail_whose_record_is_gone_fails_visibly(prefecture, owed, mailoutbox):
    delivery = _owe(prefecture)
    Delivery.objects.filter(pk=delivery.pk).update(record_id=0)  # the record was deleted
    assert services.work(once=True) == 0
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED and mailoutbox == []
    assert "RecordGone" in delivery.last_error
    assert "supprimé" in delivery.plain_error


def test_a_template_nobody_writes_is_refused_when_owed(prefecture, settings):
    with pytest.raises(services.OutboxError):
        services.owe_mail("mail/unknown", ["camille@exemple.fr"], prefecture=prefecture)


def test_queued_mails_wait_for_the_worker_too(prefecture, owed, mailoutbox):
    """Mails written at once are sent by the worker as well, without a job each."""
    services.queue_mail(TEMPLATE, {"subject": "Tout de suite", "text": "."}, ["camille@exemple.fr"])
    assert mailoutbox == [] and OrmQ.objects.count() == 0
    out = io.StringIO()
    call_command("outbox_worker", "--once", stdout=out)
    assert [m.subject for m in mailoutbox] == ["Tout de suite"]
    assert out.getvalue().strip() == "1 envoi"


@pytest.mark.postgres
def test_a_mail_owed_inside_a_writers_statement_is_the_row_owe_mail_writes(prefecture, owed):
    """`owed_mail_insert` (a booking's single statement) builds its row without a model
    instance: every column but the id and the times is what `owe_mail` writes."""
    from django.db import connection

    from tests.tooling import require_postgres

    require_postgres()
    reference = _owe(prefecture)
    sql, params = services.owed_mail_insert(
        "source",
        TEMPLATE,
        ["camille@exemple.fr"],
        prefecture_id=prefecture.pk,
        record_model=type(prefecture),
        purpose="test",
        language="fr",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH source AS (SELECT %s::bigint AS id), owed AS ({sql}) SELECT id FROM owed",
            [prefecture.pk, *params],
        )
        [(pk,)] = cursor.fetchall()
    skip = {"id", "created_at", "next_attempt_at"}
    columns = [f.attname for f in Delivery._meta.concrete_fields if f.attname not in skip]
    assert Delivery.objects.filter(pk=pk).values(*columns).get() == (
        Delivery.objects.filter(pk=reference.pk).values(*columns).get()
    )
    assert services.work(once=True) == 2  # both written by the worker and sent


@pytest.mark.postgres
def test_the_queue_is_one_small_index_of_what_is_not_sent(prefecture, owed, mailoutbox):
    """The worker's due rows, the stale claims, the failed ones and the queue's health are
    read through one index of the rows not sent (by status then due time): sent rows, nearly
    all of the table, are not in it, and a new row writes one entry for both."""
    from django.db import connection

    from engagements.outbox.queries import queue_health
    from tests.tooling import require_postgres

    require_postgres()
    sent, pending = _owe(prefecture), _owe(prefecture)
    Delivery.objects.filter(pk=sent.pk).update(status=Status.SENT)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'outbox_queue_idx'",
        )
        [definition] = cursor.fetchone()
        assert "(status, next_attempt_at) WHERE" in definition and "'sent'" in definition
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'outbox_delivery'")
        assert cursor.fetchone()[0] == 4
        cursor.execute("SET LOCAL enable_seqscan = off")
    now = timezone.now()
    for query in (
        Delivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        ),
        Delivery.objects.filter(status=Status.SENDING, claimed_at__lt=now),
        Delivery.objects.filter(status=Status.FAILED),
        Delivery.objects.filter(status__in=[Status.PENDING, Status.SENDING]),
    ):
        assert "outbox_queue_idx" in query.explain(), query.query
    assert queue_health()["failed"] == 0
    assert services.deliver_due() == 1  # the pending one, through the index
    assert len(mailoutbox) == 1
    pending.refresh_from_db()
    assert pending.status == Status.SENT


def test_an_owed_mail_comes_from_its_prefecture(prefecture, owed, mailoutbox):
    _owe(prefecture)
    assert services.work(once=True) == 1
    [mail] = mailoutbox
    assert mail.from_email.startswith("Préfecture d'Alpha <")

"""The outbox: queued in the writer's transaction, delivered after commit, retried, visible."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from engagements.outbox import queries, services, signals
from engagements.outbox.enums import Status
from engagements.outbox.models import Delivery
from tests.mail import free_port

pytestmark = pytest.mark.django_db


def _queue(prefecture, to="camille@exemple.fr", **kwargs):
    return services.queue_mail(
        "mail/notice",
        {"subject": "Votre demande", "text": "Bonjour,\nvoici la réponse."},
        [to],
        prefecture=prefecture,
        record=prefecture,
        purpose="test",
        **kwargs,
    )


def test_nothing_leaves_before_commit_and_a_rollback_sends_nothing(
    prefecture, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _queue(prefecture)
                raise RuntimeError("the write failed")
    assert mailoutbox == []
    assert Delivery.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        delivery = _queue(prefecture)
        assert mailoutbox == []
    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert mailoutbox[0].extra_headers["Message-ID"] == delivery.message_id
    assert mailoutbox[0].subject == "Votre demande"


def test_smtp_down_then_back_delivers_once(
    prefecture, smtp_mail, settings, django_capture_on_commit_callbacks
):
    """The mail server is down when the record is written; the retry sends it once."""
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        delivery = _queue(prefecture)
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING
    assert delivery.attempts == 1
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()
    # First retry within a minute.
    assert delivery.next_attempt_at - timezone.now() <= timedelta(minutes=1)

    assert services.deliver_due() == 0  # not yet due
    settings.EMAIL_PORT = smtp_mail.port  # the server is back
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        assert services.deliver_due() == 1
        assert services.deliver_due() == 0
    assert [m.rcpt_tos for m in smtp_mail.messages] == [["camille@exemple.fr"]]
    assert smtp_mail.messages[0].message["Message-ID"] == delivery.message_id


def test_gives_up_after_the_last_retry_and_an_agent_resends(
    prefecture, quality_lead, settings, mailoutbox, django_capture_on_commit_callbacks
):
    failed = []

    def on_failed(sender, delivery, **kwargs):
        failed.append(delivery.pk)

    signals.delivery_failed.connect(on_failed)
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
        delivery = _queue(prefecture)
        now = timezone.now()
        for _ in range(services.MAX_ATTEMPTS):
            now += timedelta(hours=7)
            services.deliver(delivery.pk, now=now)
        delivery.refresh_from_db()
        assert delivery.status == Status.FAILED
        assert delivery.attempts == services.MAX_ATTEMPTS
        assert failed == [delivery.pk]
        assert list(queries.failed_for(prefecture)) == [delivery]
        assert queries.status_of(prefecture, "test") == Status.FAILED

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        with django_capture_on_commit_callbacks(execute=True):
            services.resend(delivery, actor=quality_lead)
        delivery.refresh_from_db()
        assert delivery.status == Status.SENT
        assert len(mailoutbox) == 1
        with pytest.raises(services.OutboxError):
            services.resend(delivery, actor=quality_lead)
    finally:
        signals.delivery_failed.disconnect(on_failed)


@pytest.mark.parametrize("address", ["rep1@exemple\u0095.fr", "pas-une-adresse", "a@b@c.fr"])
def test_bad_addresses_are_refused_at_queue_time(prefecture, address):
    with pytest.raises(services.OutboxError):
        _queue(prefecture, to=address)
    assert Delivery.objects.count() == 0


def test_idna_addresses_are_accepted(prefecture, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _queue(prefecture, to="anais@exemple-é.fr")
    assert len(mailoutbox) == 1


def test_a_stale_claim_goes_back_to_the_queue(prefecture, settings, mailoutbox):
    delivery = _queue(prefecture)
    mailoutbox.clear()
    # A worker killed while sending: the row stays "sending".
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=11)
    )
    assert services.deliver_due() == 1
    assert len(mailoutbox) == 1


def test_sms_waits_for_the_morning(prefecture, settings, tmp_path):
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    evening = timezone.make_aware(timezone.datetime(2026, 12, 1, 23, 50))
    with time_machine.travel(evening, tick=False):
        delivery = services.queue_sms("0612345678", "Rappel", prefecture=prefecture)
    assert timezone.localtime(delivery.next_attempt_at).hour == 9
    assert timezone.localtime(delivery.next_attempt_at).date().day == 2
    assert not (tmp_path / "sms.log").exists()
    with time_machine.travel(evening + timedelta(hours=9, minutes=11), tick=False):
        assert services.deliver_due() == 1
    assert "Rappel" in (tmp_path / "sms.log").read_text()
    early = timezone.make_aware(timezone.datetime(2026, 12, 2, 6, 0))
    assert timezone.localtime(services.next_sms_time(early)).hour == 9
    noon = timezone.make_aware(timezone.datetime(2026, 12, 2, 12, 0))
    assert services.next_sms_time(noon) == noon


def test_a_prefecture_s_mail_comes_from_the_prefecture(
    prefecture, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """Every prefecture's mail came from "Engagements", the product's name, which the
    person never heard of: an acknowledgement or an answer read like spam."""
    settings.DEFAULT_FROM_EMAIL = "Engagements <ne-pas-repondre@engagements.test>"
    with django_capture_on_commit_callbacks(execute=True):
        _queue(prefecture)
        services.queue_mail(
            "mail/notice", {"subject": "Alerte", "text": "Bonjour"}, ["agent@exemple.fr"]
        )
    ours, product = mailoutbox
    assert ours.from_email == "Préfecture d'Alpha <ne-pas-repondre@engagements.test>"
    raw = ours.message().as_bytes()
    assert b"From: =?utf-8?q?Pr=C3=A9fecture_d=27Alpha?= <ne-pas-repondre@engagements.test>" in (
        raw
    )
    # Without a prefecture, the configured sender.
    assert product.from_email == "Engagements <ne-pas-repondre@engagements.test>"

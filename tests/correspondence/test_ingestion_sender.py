"""Issue 20, row 12: a mail without a usable sender is kept "à vérifier" with its reason,
not marked read and dropped as if it were an auto-reply."""

import pytest

from engagements.correspondence.enums import IngestOutcome, QuarantineStatus
from engagements.correspondence.models import IngestedMail, Mailbox, Message, QuarantinedMail
from engagements.correspondence.services.ingestion import IngestReport, _register, ingest_mailbox
from tests.correspondence.imap import PASSWORD, imap_server  # noqa: F401 — fixture
from tests.correspondence.test_ingestion import mail

pytestmark = pytest.mark.django_db

SENDERS = ["", "undisclosed-recipients:;", "<>", "Léa Martin <>"]


def _without_sender(value: str, subject: str) -> bytes:
    message = mail(subject=subject)
    del message["From"]
    if value:
        message["From"] = value
    return message.as_bytes()


@pytest.mark.parametrize("sender", SENDERS, ids=["no-from", "group", "empty", "name-only"])
def test_a_mail_without_a_usable_sender_is_quarantined_with_its_reason(
    prefecture, service, settings, tmp_path, sender
):
    settings.MEDIA_ROOT = tmp_path
    box = Mailbox.objects.create(
        prefecture=prefecture, site=service.site, service=service, label="Séjour",
        host="127.0.0.1", port=1, use_ssl=False, username="u", password="p",
    )  # fmt: skip
    report = IngestReport()
    record = _register(box, 1, 7, _without_sender(sender, "Sans expéditeur"), report)
    assert record.outcome == IngestOutcome.QUARANTINED and report.quarantined == 1
    assert report.skipped == 0 and not Message.objects.exists()
    item = QuarantinedMail.objects.get()
    assert item.status == QuarantineStatus.PENDING and item.subject == "Sans expéditeur"
    assert "aucune adresse d'expéditeur utilisable" in item.error


def test_on_the_server_it_stays_flagged_for_the_referent(mailbox, imap_server, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    imap_server.deliver(mailbox.username, _without_sender("", "Sans expéditeur"))
    report = ingest_mailbox(mailbox)
    assert report.quarantined == 1 and report.skipped == 0
    assert IngestedMail.objects.get().outcome == IngestOutcome.QUARANTINED
    [(_uid, flags)] = imap_server.inbox(mailbox.username)
    assert "\\Flagged" in flags


@pytest.fixture
def mailbox(imap_server, prefecture, service):  # noqa: F811
    return Mailbox.objects.create(
        prefecture=prefecture, site=service.site, service=service, label="Séjour",
        host=imap_server.host, port=imap_server.port, use_ssl=False,
        username=imap_server.new_user(), password=PASSWORD,
    )  # fmt: skip

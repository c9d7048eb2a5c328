"""Sample URL arguments for every agent URL of the correspondence app."""

from engagements.correspondence.enums import AnswerChannel
from engagements.correspondence.models import (
    Answer,
    Attachment,
    DocumentRequest,
    Mailbox,
    QuarantinedMail,
)
from tests.correspondence.factories import (
    MessageFactory,
    TemplateFactory,
    TopicFactory,
    VersionFactory,
)
from tests.outbox.agent_urls import failed_delivery


def cases(prefecture, site, service) -> dict[str, dict]:
    message = MessageFactory(service=service, letter=True)
    answer = Answer.objects.create(
        message=message,
        channel=AnswerChannel.LETTER,
        answered_on=message.received_on,
        subject="Réponse",
        text="Texte",
    )
    attachment = Attachment.objects.create(
        message=message, file="correspondence/x.pdf", name="x.pdf", content_type="", size=1
    )
    wait = DocumentRequest.objects.create(
        message=message, requested_on=message.received_on, documents="Justificatif", closed=True
    )
    version = VersionFactory(template=TemplateFactory(prefecture=prefecture), submitted=True)
    topic = TopicFactory(prefecture=prefecture)
    mailbox = Mailbox.objects.create(
        prefecture=prefecture,
        site=site,
        service=service,
        label="Boîte",
        host="127.0.0.1",
        username="u",
        password="p",
    )
    quarantined = QuarantinedMail.objects.create(
        mailbox=mailbox, uid=1, raw="correspondence/x.eml", error="courriel trop volumineux"
    )
    return {
        "correspondence:agents-settings": {},
        "correspondence:agents-topic-add": {},
        "correspondence:agents-topic-toggle": {"topic_pk": topic.pk},
        "correspondence:agents-list": {},
        "correspondence:agents-bulk-assign": {},
        "correspondence:agents-new": {},
        "correspondence:agents-detail": {"pk": message.pk},
        "correspondence:agents-assign": {"pk": message.pk},
        "correspondence:agents-classify": {"pk": message.pk},
        "correspondence:agents-answer": {"pk": message.pk},
        "correspondence:agents-close": {"pk": message.pk},
        "correspondence:agents-reopen": {"pk": message.pk},
        "correspondence:agents-comment": {"pk": message.pk},
        "correspondence:agents-duplicate": {"pk": message.pk},
        "correspondence:agents-request-documents": {"pk": message.pk},
        "correspondence:agents-documents-received": {"pk": message.pk},
        "correspondence:agents-documents-letter": {"pk": message.pk, "wait_pk": wait.pk},
        "correspondence:agents-documents-closed-letter": {"pk": message.pk, "wait_pk": wait.pk},
        "correspondence:agents-overdue": {},
        "correspondence:agents-extend-wait": {"pk": message.pk},
        "correspondence:agents-close-overdue": {"pk": message.pk},
        "correspondence:agents-resend": {
            "pk": message.pk,
            "delivery_pk": failed_delivery(prefecture, record=message).pk,
        },
        "correspondence:agents-ack-letter": {"pk": message.pk},
        "correspondence:agents-forwarded-letter": {"pk": message.pk},
        "correspondence:agents-answer-pdf": {"answer_pk": answer.pk},
        "correspondence:agents-attachment": {"attachment_pk": attachment.pk},
        "correspondence:agents-quarantine": {},
        "correspondence:agents-quarantine-detail": {"pk": quarantined.pk},
        "correspondence:agents-quarantine-discard": {"pk": quarantined.pk},
        "correspondence:agents-quarantine-raw": {"pk": quarantined.pk},
        "correspondence:agents-figures": {},
        "correspondence:agents-figures-csv": {},
        "correspondence:agents-templates": {},
        "correspondence:agents-template-new": {},
        "correspondence:agents-templates-collection": {},
        "correspondence:agents-template": {"pk": version.template_id},
        "correspondence:agents-template-edit": {"pk": version.template_id},
        "correspondence:agents-version-transition": {
            "version_pk": version.pk,
            "action": "publier",
        },
        "correspondence:agents-version-observe": {"version_pk": version.pk},
    }

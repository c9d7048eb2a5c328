"""Every e-mail and SMS the product sends after a write: one row, written in the writer's
transaction, delivered after commit by the outbox worker (see services.py). A row may be
written before its mail is rendered ("owed": `template` set, no body yet): the worker
renders it from its record, stores what it renders, then sends it."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .enums import Kind, Status
from .errors import explain


class Delivery(models.Model):
    # No foreign-key constraints in the database on the prefecture and the record's type
    # (Django still applies on_delete): every write that owes a mail (a booking, an
    # acknowledgement…) inserts a row here, and PostgreSQL's check of such a key locks the
    # referenced row until commit, so every mail of a prefecture would lock the same
    # prefecture row, and every mail the same content-type row, at the same moment (a
    # MultiXact and a WAL record each). Neither is deleted by hand; the record's id, half
    # of a generic relation, could never have a constraint anyway.
    # Indexed by outbox_prefecture_status_idx (prefecture first): no index of its own.
    prefecture = models.ForeignKey(
        "organisation.Prefecture",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    purpose = models.CharField("objet de l'envoi", max_length=100, blank=True)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    # What the record it belongs to is (a message, a booking, a meeting…), for the record's
    # page ("envoi en échec", resend) and for the signals the owning app listens to.
    # Indexed by outbox_record_idx (record_type first): no index of its own.
    record_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    record_id = models.BigIntegerField(null=True, blank=True)
    record = GenericForeignKey("record_type", "record_id")

    to = models.JSONField("destinataires", default=list)
    from_email = models.CharField("expéditeur", max_length=300, blank=True)
    reply_to = models.JSONField("répondre à", default=list, blank=True)
    subject = models.CharField("objet", max_length=998, blank=True)
    body = models.TextField("texte")
    html = models.TextField("HTML", blank=True)
    headers = models.JSONField("en-têtes", default=dict, blank=True)
    message_id = models.CharField("Message-ID", max_length=300, blank=True)
    # An owed mail: its templates' prefix and language, rendered by the worker (services.py).
    template = models.CharField("modèle à rédiger", max_length=200, blank=True)
    language = models.CharField("langue", max_length=10, blank=True)

    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    # Indexed by outbox_queue_idx with the status, where not sent: no index of its own.
    next_attempt_at = models.DateTimeField("prochaine tentative")
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField("dernière erreur", blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "envoi"
        verbose_name_plural = "envois"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["record_type", "record_id"], name="outbox_record_idx"),
            models.Index(fields=["prefecture", "status"], name="outbox_prefecture_status_idx"),
            # The queue: what is still to send, being sent or failed, by status then due
            # time (the worker's due rows in order, the stale claims, the failed ones, the
            # queue's health). Sent rows, nearly all of them, are not in it: it stays
            # small, and a new row writes one entry for both its status and its due time.
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=~models.Q(status=Status.SENT),
                name="outbox_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} à {', '.join(self.to)} ({self.get_status_display()})"

    @property
    def failed(self) -> bool:
        return self.status == Status.FAILED

    @property
    def plain_error(self) -> str:
        """The last error in plain French, for agents."""
        return explain(self.last_error)


class Attachment(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    mimetype = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        verbose_name = "pièce jointe"

    def __str__(self) -> str:
        return self.filename

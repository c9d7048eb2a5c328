"""The correspondence register: messages, their history, answers, templates and mailboxes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from engagements import waits
from engagements.organisation.enums import Channel
from engagements.organisation.models import Prefecture, Service, Site

from .enums import (
    AnswerChannel,
    ClosedReason,
    EventKind,
    IngestOutcome,
    Kind,
    QuarantineStatus,
    Status,
    TemplatePurpose,
    VersionStatus,
)


class RegisterSettings(models.Model):
    """Per-prefecture settings of the register (the deadlines live on Prefecture)."""

    prefecture = models.OneToOneField(
        Prefecture, on_delete=models.CASCADE, related_name="correspondence_settings"
    )
    retention_years = models.PositiveSmallIntegerField(
        "conservation des données personnelles (années après clôture)", default=2
    )
    observation_days = models.PositiveSmallIntegerField(
        "délai d'observations du CLU (jours)", default=15
    )
    duplicate_window = models.PositiveSmallIntegerField(
        "fenêtre de détection des doublons (jours ouvrés)", default=10
    )
    extension_max_days = models.PositiveSmallIntegerField(
        "délai complémentaire que l'usager peut demander pour ses pièces (jours)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Compté après les 8 jours de la demande ; un agent peut accorder davantage.",
    )
    social_accounts = models.TextField(
        "comptes de la préfecture sur les réseaux sociaux",
        blank=True,
        help_text="Un compte par ligne, par exemple « Facebook — @prefet57 ». Les messages "
        "reçus par ces comptes s'enregistrent avec le canal « Réseaux sociaux ».",
    )

    class Meta:
        verbose_name = "paramètres du registre"
        verbose_name_plural = "paramètres du registre"

    def __str__(self) -> str:
        return f"Registre — {self.prefecture}"

    @classmethod
    def for_prefecture(cls, prefecture: Prefecture) -> RegisterSettings:
        found = cls.objects.filter(prefecture=prefecture).first()
        return found or cls(prefecture=prefecture)

    @property
    def social_account_list(self) -> list[str]:
        return [line.strip() for line in self.social_accounts.splitlines() if line.strip()]


class Topic(models.Model):
    """A per-prefecture subject list (e.g. délai d'instruction titre de séjour)."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField("thème", max_length=200)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        ordering = ["prefecture", "position", "name"]
        verbose_name = "thème"
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "name"], name="topic_name_per_prefecture")
        ]

    def __str__(self) -> str:
        return self.name


class Mailbox(models.Model):
    """An IMAP mailbox read by the ingestion job, for a prefecture or one service."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="mailboxes")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    label = models.CharField("nom", max_length=200)
    host = models.CharField("serveur IMAP", max_length=200)
    port = models.PositiveIntegerField("port", default=993)
    use_ssl = models.BooleanField("IMAP sur TLS", default=True)
    username = models.CharField("identifiant", max_length=200)
    # Stored in the database for now; production should read it from a secret store.
    password = models.CharField("mot de passe", max_length=200)
    folder = models.CharField("dossier lu", max_length=200, default="INBOX")
    processed_folder = models.CharField(
        "dossier de rangement",
        max_length=200,
        blank=True,
        help_text="Vide : les courriels restent dans le dossier lu, marqués comme lus.",
    )
    is_active = models.BooleanField("actif", default=True)
    last_polled_at = models.DateTimeField("dernière relève", null=True, blank=True)
    last_error = models.TextField("dernière erreur", blank=True)

    class Meta:
        verbose_name = "boîte aux lettres"
        verbose_name_plural = "boîtes aux lettres"

    def __str__(self) -> str:
        return self.label


class Message(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="messages")
    year = models.PositiveSmallIntegerField("année de la référence")
    reference = models.CharField("référence", max_length=20)
    # A register kept elsewhere and imported (import_correspondence): its own numbering
    # (`CR-19-0419`) is kept here, and only imported messages can be changed by an import.
    external_reference = models.CharField("référence externe", max_length=60, blank=True)
    imported = models.BooleanField("créé par import", default=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="messages")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="messages", null=True, blank=True
    )
    channel = models.CharField("canal", max_length=20, choices=Channel.choices)
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="messages", null=True, blank=True
    )
    sender_name = models.CharField("nom de l'usager", max_length=200, blank=True)
    sender_email = models.EmailField("courriel de l'usager", blank=True)
    sender_address = models.TextField("adresse postale de l'usager", blank=True)
    sender_phone = models.CharField("téléphone de l'usager", max_length=40, blank=True)
    subject = models.CharField("objet", max_length=300, blank=True)
    body = models.TextField("texte", blank=True)
    language = models.CharField("langue", max_length=5, default="fr")
    # The prefecture's account a message of the "social" channel reached (RegisterSettings).
    social_account = models.CharField("compte sur les réseaux sociaux", max_length=200, blank=True)
    received_on = models.DateField("reçu le")
    deadline_days = models.PositiveSmallIntegerField("délai (jours ouvrés)")
    due_on = models.DateField("échéance")
    # Working days d with requested < d <= documents received, over every ended wait for
    # missing documents (docs/indicators.md): left out of the delay; due_on moved by as many.
    waited_days = models.PositiveSmallIntegerField("jours ouvrés d'attente de pièces", default=0)
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.NEW)
    closed_reason = models.CharField(
        "motif de clôture", max_length=20, choices=ClosedReason.choices, blank=True
    )
    closed_on = models.DateField("clos le", null=True, blank=True)
    # The administration a message closed as forwarded went to, as the agent named it (the
    # person is told, L114-2: the mail and the transmission letter name it).
    forwarded_to = models.CharField("transmis à", max_length=300, blank=True)
    answered_on = models.DateField("répondu le", null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="agent en charge",
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name="doublon de",
    )
    suspected_duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, blank=True)
    email_message_id = models.CharField("Message-ID", max_length=300, blank=True)
    acknowledged_at = models.DateTimeField("accusé de réception envoyé", null=True, blank=True)
    purged_at = models.DateTimeField("données personnelles effacées", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept current by a PostgreSQL trigger on every write (migration 0006, GIN index):
    # reference, subject, sender and body in the `french_unaccent` configuration.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "message"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "reference"], name="reference_unique_per_prefecture"
            ),
            models.UniqueConstraint(
                fields=["prefecture", "external_reference"],
                condition=~Q(external_reference=""),
                name="external_reference_unique_per_prefecture",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.CLOSED) | ~Q(closed_reason=""),
                name="closed_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.ANSWERED) | Q(answered_on__isnull=False),
                name="answered_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["prefecture", "status", "due_on"]),
            models.Index(fields=["prefecture", "received_on"]),
            models.Index(fields=["email_message_id"]),
            # The worklist's default: open messages of a prefecture by due date (and its
            # counters, index-only on PostgreSQL).
            models.Index(
                fields=["prefecture", "due_on", "id"],
                condition=Q(status__in=[Status.NEW, Status.ASSIGNED]),
                include=["assigned_to"],
                name="message_open_by_due_date",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def agent_url(self, prefecture_slug: str = "") -> str:
        from django.urls import reverse

        slug = prefecture_slug or self.prefecture.slug
        return reverse("correspondence:agents-detail", args=[slug, self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (Status.NEW, Status.ASSIGNED)

    @property
    def is_waiting(self) -> bool:
        return self.status == Status.WAITING

    def is_late(self, at) -> bool:
        """Past its due date and still owed an answer. A wait for documents asked after the
        due date stops no clock (queries.late_wait): such a waiting message stays late. The
        worklist annotates `asked_late`; elsewhere one query tells."""
        if self.due_on >= at:
            return False
        if self.is_open:
            return True
        if self.status != Status.WAITING:
            return False
        asked_late = getattr(self, "asked_late", None)
        if asked_late is None:
            asked_late = self.document_requests.filter(
                received_on__isnull=True, closed=False, requested_on__gt=self.due_on
            ).exists()
        return bool(asked_late)

    @property
    def reply_address(self) -> str:
        """How the answer can reach the person (one way is required)."""
        if self.sender_email:
            return self.sender_email
        return self.sender_address


class MessageEvent(models.Model):
    """The full history of a message: every transition, comment and side effect."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "événement"

    def __str__(self) -> str:
        return f"{self.message} — {self.get_kind_display()}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"correspondence/{instance.message.prefecture_id}/{instance.message.year}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField("nom", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "pièce jointe"

    def __str__(self) -> str:
        return self.name

    @property
    def served_name(self) -> str:
        """The name to download it under: its extension matches the stored content type
        (the one checked from the bytes on upload), never what the sender's name says."""
        import mimetypes

        base = (self.content_type or "").split(";")[0].strip().lower()
        extensions = mimetypes.guess_all_extensions(base) if base else []
        name = self.name or "piece-jointe"
        if not extensions:
            return name
        stem, dot, extension = name.rpartition(".")
        if dot and f".{extension.lower()}" in extensions:
            return name
        return f"{stem if dot and stem else name}{mimetypes.guess_extension(base)}"

    @property
    def served_type(self) -> str:
        return self.content_type or "application/octet-stream"


class DocumentRequest(models.Model):
    """One wait for missing documents (seed 001: the person has 8 calendar days, indicative).

    The working days d with requested_on < d <= received_on are added to the message's
    `waited_days` when the documents arrive (docs/indicators.md). The person may ask for
    more time from the follow page (up to the prefecture's `extension_max_days` after the
    8 days), an agent may grant more; past `ends_on` nothing closes by itself: the wait is
    marked `overdue_on` and listed "délai dépassé" until an agent closes the message
    (`closed`) or extends the wait. The clock stays stopped meanwhile."""

    DAYS = waits.DAYS  # calendar days given to the person (engagements/waits.py)
    REMINDER_BEFORE = waits.REMINDER_BEFORE  # the reminder, days before the end

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="document_requests")
    requested_on = models.DateField("demandées le")
    documents = models.TextField("pièces demandées")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ends_on = models.DateField("attendues jusqu'au")
    reminded_on = models.DateField("relance envoyée le", null=True, blank=True)
    extension_asked_on = models.DateField(
        "délai complémentaire demandé par l'usager le", null=True, blank=True
    )
    extension_reason = models.TextField("motif du délai complémentaire", blank=True)
    overdue_on = models.DateField("délai dépassé depuis le", null=True, blank=True)
    received_on = models.DateField("reçues le", null=True, blank=True)
    waited_days = models.PositiveSmallIntegerField("jours ouvrés d'attente", default=0)
    closed = models.BooleanField("clos faute de pièces", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["requested_on", "pk"]
        verbose_name = "demande de pièces manquantes"
        verbose_name_plural = "demandes de pièces manquantes"
        constraints = [
            models.UniqueConstraint(
                fields=["message"],
                condition=Q(received_on__isnull=True, closed=False),
                name="one_pending_document_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.message} — {self.requested_on:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        if self.ends_on is None:
            self.ends_on = self.first_ends_on
        super().save(*args, **kwargs)

    @property
    def pending(self) -> bool:
        return self.received_on is None and not self.closed

    @property
    def first_ends_on(self):
        """The last day of the 8 days first given."""
        from datetime import timedelta

        return self.requested_on + timedelta(days=self.DAYS)

    @property
    def extended(self) -> bool:
        return self.ends_on > self.first_ends_on

    @property
    def made_late(self) -> bool:
        """Asked after the message's due date: the clock does not stop (docs/indicators.md)."""
        return self.requested_on > self.message.due_on

    @property
    def document_list(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.documents.splitlines() if line.strip(" -•\t")]


class IngestedMail(models.Model):
    """One IMAP message seen by the ingestion job: the idempotency key and what became of it."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="ingested")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    header_message_id = models.CharField("Message-ID", max_length=300, blank=True)
    outcome = models.CharField(max_length=20, choices=IngestOutcome.choices)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    # Set once the mail is flagged \Seen (or moved) on the server; a crash between the
    # registration and the flag leaves it empty, and the next run flags it again.
    flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="ingested_once_per_uid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mailbox} {self.uidvalidity}/{self.uid}"


def quarantine_path(instance: QuarantinedMail, filename: str) -> str:
    return f"correspondence/{instance.mailbox.prefecture_id}/a-verifier/{filename}"


class QuarantinedMail(models.Model):
    """A mail the ingestion could not register, kept raw with its error for the référent."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="quarantined")
    uidvalidity = models.BigIntegerField(default=0)
    uid = models.BigIntegerField(default=0)
    header_message_id = models.CharField("Message-ID", max_length=300, blank=True)
    sender = models.CharField("expéditeur", max_length=300, blank=True)
    subject = models.CharField("objet", max_length=300, blank=True)
    size = models.PositiveBigIntegerField("taille (octets)", default=0)
    raw = models.FileField("courriel brut", upload_to=quarantine_path, max_length=300)
    error = models.TextField("erreur")
    status = models.CharField(
        "statut",
        max_length=20,
        choices=QuarantineStatus.choices,
        default=QuarantineStatus.PENDING,
    )
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "courriel à vérifier"
        verbose_name_plural = "courriels à vérifier"
        indexes = [models.Index(fields=["mailbox", "status"])]

    def __str__(self) -> str:
        return f"{self.mailbox} {self.uid} — {self.subject[:60]}"


class Template(models.Model):
    """A courrier-type or courriel-type; its wording lives in versions."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="correspondence_templates"
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vide : modèle commun à toute la préfecture.",
    )
    name = models.CharField("nom", max_length=200)
    purpose = models.CharField("usage", max_length=30, choices=TemplatePurpose.choices)
    channel = models.CharField("support", max_length=10, choices=AnswerChannel.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["purpose", "name"]
        verbose_name = "modèle de réponse"
        verbose_name_plural = "modèles de réponse"

    def __str__(self) -> str:
        return self.name


class TemplateVersion(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("version")
    subject = models.CharField("objet", max_length=300)
    body = models.TextField("texte")
    status = models.CharField(
        "statut", max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    observations_until = models.DateField("fin des observations", null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = "version de modèle"
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["template"],
                condition=Q(status=VersionStatus.PUBLISHED),
                name="one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class VersionEvent(models.Model):
    """Log row of a template version's transitions."""

    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.version} → {self.to_status}"


class Observation(models.Model):
    """A CLU member's observation on one submitted version."""

    version = models.ForeignKey(
        TemplateVersion, on_delete=models.CASCADE, related_name="observations"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField("observation")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "observation du CLU"

    def __str__(self) -> str:
        return f"{self.version} — {self.at:%d/%m/%Y}"


class Answer(models.Model):
    """The answer given: its text and date are kept, with the template it came from."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="answers")
    channel = models.CharField(max_length=10, choices=AnswerChannel.choices)
    answered_on = models.DateField("répondu le")
    subject = models.CharField("objet", max_length=300)
    text = models.TextField("texte")
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signatory = models.CharField("signataire", max_length=300, blank=True)
    signatory_title = models.CharField("fonction du signataire", max_length=200, blank=True)
    email_message_id = models.CharField(max_length=300, blank=True)
    # Set when the answer's e-mail has actually left (outbox's delivery_sent), not before.
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    outbox_select_related = ("message",)  # str() shows the message's reference

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "réponse"

    def __str__(self) -> str:
        return f"{self.message} — {self.answered_on:%d/%m/%Y}"

    def agent_url(self, prefecture_slug: str = "") -> str:
        from django.urls import reverse

        slug = prefecture_slug or self.message.prefecture.slug
        return reverse("correspondence:agents-detail", args=[slug, self.message_id])

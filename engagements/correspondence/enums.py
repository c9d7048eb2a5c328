"""Code names of the register (docs/glossary.md); French values exist only at the CSV edge."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from engagements.organisation.enums import Channel


class Kind(models.TextChoices):
    INFORMATION = "information", _("Demande d'information")
    COMPLAINT = "complaint", _("Réclamation")
    SUGGESTION = "suggestion", _("Suggestion")


class Status(models.TextChoices):
    NEW = "new", "Nouveau"
    ASSIGNED = "assigned", "Attribué"
    ANSWERED = "answered", "Répondu"
    CLOSED = "closed", "Clos sans réponse"
    # Missing documents asked of the person: the clock stops (docs/indicators.md).
    WAITING = "waiting", "En attente de pièces"


# The state machines, one format for every app (engagements/states.py): from -> targets.
MESSAGE_TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.ASSIGNED, Status.ANSWERED, Status.CLOSED, Status.WAITING},
    # Reassignment stays "assigned"; back to "new" when sent on to a service its agent does
    # not work on (he could no longer open it).
    Status.ASSIGNED: {
        Status.NEW,
        Status.ASSIGNED,
        Status.ANSWERED,
        Status.CLOSED,
        Status.WAITING,
    },
    # Documents received: the message resumes (back to its agent when it had one); none
    # within 8 days: closed without answer ("documents not received").
    Status.WAITING: {Status.NEW, Status.ASSIGNED, Status.CLOSED},
    # Reopen a message closed by mistake (back to its agent when it had one).
    Status.CLOSED: {Status.NEW, Status.ASSIGNED},
    # A follow-up answer (the person wrote again): the first answer's date stays, since
    # the figures measure how long the person waited for a first answer.
    Status.ANSWERED: {Status.ANSWERED},
}


class ClosedReason(models.TextChoices):
    DUPLICATE = "duplicate", "Doublon"
    SPAM = "spam", "Indésirable"
    WITHDRAWN = "withdrawn", "Retiré par l'usager"
    FORWARDED = "forwarded", "Transmis à une autre administration"
    NO_DOCUMENTS = "no_documents", "Pièces non reçues"


class EventKind(models.TextChoices):
    CREATED = "created", "Enregistrement"
    ASSIGNED = "assigned", "Attribution"
    ANSWERED = "answered", "Réponse"
    ANSWER_SENT = "answer_sent", "Réponse envoyée par courriel"
    CLOSED = "closed", "Clôture"
    REOPENED = "reopened", "Réouverture"
    COMMENT = "comment", "Commentaire interne"
    ACKNOWLEDGED = "acknowledged", "Accusé de réception"
    DELIVERY_FAILED = "delivery_failed", "Envoi en échec"
    REPLY_RECEIVED = "reply_received", "Nouveau courriel de l'usager"
    DUPLICATE_FLAGGED = "duplicate_flagged", "Doublon possible signalé"
    LINKED = "linked", "Lié à un autre message"
    MERGED = "merged", "Fusionné"
    UPDATED = "updated", "Modification"
    IMPORTED = "imported", "Import CSV"
    PURGED = "purged", "Données personnelles effacées"
    DOCUMENTS_REQUESTED = "documents_requested", "Demande de pièces manquantes"
    DOCUMENTS_REMINDED = "documents_reminded", "Relance pour les pièces manquantes"
    DOCUMENTS_RECEIVED = "documents_received", "Pièces reçues, reprise du traitement"
    DOCUMENT_ADDED = "document_added", "Document déposé par l'usager"
    DOCUMENTS_EXTENDED = "documents_extended", "Délai complémentaire pour les pièces"
    DOCUMENTS_OVERDUE = "documents_overdue", "Délai des pièces dépassé"


class AnswerChannel(models.TextChoices):
    EMAIL = "email", "Courriel"
    LETTER = "letter", "Courrier (PDF)"


class TemplatePurpose(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Accusé de réception"
    INFORMATION_ANSWER = "information_answer", "Réponse à une demande d'information"
    COMPLAINT_ANSWER = "complaint_answer", "Réponse à une réclamation"
    SUGGESTION_ANSWER = "suggestion_answer", "Réponse à une suggestion"
    MISSING_DOCUMENTS = "missing_documents", "Pièces manquantes"
    OTHER = "other", "Autre"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Soumis au CLU"
    PUBLISHED = "published", "Publié"
    ARCHIVED = "archived", "Archivé"


VERSION_TRANSITIONS: dict[str, set[str]] = {
    VersionStatus.DRAFT: {VersionStatus.SUBMITTED},
    VersionStatus.SUBMITTED: {VersionStatus.DRAFT, VersionStatus.PUBLISHED},  # or withdrawn
    VersionStatus.PUBLISHED: {VersionStatus.ARCHIVED},
}


class IngestOutcome(models.TextChoices):
    CREATED = "created", "Message créé"
    JOINED = "joined", "Rattaché à un message existant"
    DUPLICATE = "duplicate", "Déjà enregistré (Message-ID)"
    SKIPPED = "skipped", "Ignoré (réponse automatique, rejet)"
    QUARANTINED = "quarantined", "À vérifier (non enregistré)"


class QuarantineStatus(models.TextChoices):
    PENDING = "pending", "À vérifier"
    REGISTERED = "registered", "Enregistré à la main"
    DISCARDED = "discarded", "Écarté"


# The CSV file format speaks French (issue 4); inside, code names.
CSV_CHANNELS = {
    "courriel": Channel.EMAIL,
    "courrier": Channel.LETTER,
    "urne": Channel.BOX,
    "sp_plus": Channel.SP_PLUS,
    "formulaire": Channel.WEB_FORM,
    "reseaux_sociaux": Channel.SOCIAL,
}
CSV_KINDS = {
    "information": Kind.INFORMATION,
    "reclamation": Kind.COMPLAINT,
    "suggestion": Kind.SUGGESTION,
}
CSV_CLOSED_REASONS = {
    "doublon": ClosedReason.DUPLICATE,
    "spam": ClosedReason.SPAM,
    "retire": ClosedReason.WITHDRAWN,
    "transmis": ClosedReason.FORWARDED,
    "pieces_non_recues": ClosedReason.NO_DOCUMENTS,
}
# One vocabulary across the imports (docs/imports.md): the product's own codes, those of
# the other imports, the exports and the API ("email", "complaint", "duplicate"), are read
# beside the register's French CSV codes ("courriel", "reclamation", "doublon").
IMPORT_CHANNELS = {**CSV_CHANNELS, **{code: code for code in Channel.values}}
IMPORT_KINDS = {**CSV_KINDS, **{code: code for code in Kind.values}}
IMPORT_CLOSED_REASONS = {**CSV_CLOSED_REASONS, **{code: code for code in ClosedReason.values}}
CHANNEL_TO_CSV = {v: k for k, v in CSV_CHANNELS.items()}
KIND_TO_CSV = {v: k for k, v in CSV_KINDS.items()}
REASON_TO_CSV = {v: k for k, v in CSV_CLOSED_REASONS.items()}

"""Choices of the quality app (codes are contracts of the CSV import and the JSON report)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusCode(models.TextChoices):
    """The four states every prefecture's own status labels map to."""

    PLANNED = "planned", _("Prévue")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisée")
    ABANDONED = "abandoned", _("Abandonnée")


CLOSED_CODES = {StatusCode.DONE, StatusCode.ABANDONED}

# Default statuses created for each prefecture: (code, label, base, default progress).
DEFAULT_STATUSES = [
    ("planned", "Prévue", StatusCode.PLANNED, 0),
    ("started", "Engagée", StatusCode.IN_PROGRESS, 25),
    ("in_progress", "En cours", StatusCode.IN_PROGRESS, 50),
    ("done", "Réalisée", StatusCode.DONE, 100),
    ("abandoned", "Abandonnée", StatusCode.ABANDONED, 0),
]


class ActionType(models.TextChoices):
    IMMEDIATE = "immediate", "Action immédiate"
    CORRECTIVE = "corrective", "Action corrective"
    PREVENTIVE = "preventive", "Action préventive"
    IMPROVEMENT = "improvement", "Action d'amélioration"


class SourceKind(models.TextChoices):
    """Where an action comes from (shown publicly: never personal data)."""

    COMPLAINT = "complaint", _("Réclamations et messages des usagers")
    SURVEY = "survey", _("Enquête de satisfaction")
    MYSTERY_CHECK = "mystery_check", _("Contrôle mystère")
    COMMITTEE = "committee", _("Comité local des usagers")
    AUDIT = "audit", _("Audit ou autoévaluation")
    SP_PLUS = "sp_plus", _("Expériences Services Publics +")
    INDICATOR = "indicator", _("Indicateur de qualité")
    INTERNAL = "internal", _("Initiative du service")


class UpdateKind(models.TextChoices):
    CREATED = "created", "Création"
    NOTE = "note", "Point d'avancement"
    STATUS = "status", "Changement de statut"
    EFFECTIVENESS = "effectiveness", "Vérification de l'efficacité"
    IMPORTED = "imported", "Import"
    REOPENED = "reopened", "Réouverture"


class AssessmentKind(models.TextChoices):
    SELF = "self_evaluation", "Autoévaluation"
    INTERNAL = "internal_audit", "Audit interne"
    EXTERNAL_INITIAL = "external_initial", "Audit externe initial"
    EXTERNAL_FOLLOW_UP = "external_follow_up", "Audit externe de suivi"
    EXTERNAL_RENEWAL = "external_renewal", "Audit externe de renouvellement"


AUDIT_KINDS = {
    AssessmentKind.INTERNAL,
    AssessmentKind.EXTERNAL_INITIAL,
    AssessmentKind.EXTERNAL_FOLLOW_UP,
    AssessmentKind.EXTERNAL_RENEWAL,
}


class AssessmentStatus(models.TextChoices):
    PLANNED = "planned", "Planifiée"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Terminée"


class ResultValue(models.TextChoices):
    COMPLIANT = "compliant", "Conforme"
    PARTLY = "partly", "Partiellement conforme"
    NOT_COMPLIANT = "not_compliant", "Non conforme"
    NOT_APPLICABLE = "not_applicable", "Non applicable"


class FindingKind(models.TextChoices):
    STRENGTH = "strength", "Point fort"
    IMPROVEMENT_TRACK = "improvement_track", "Piste de progrès"
    MINOR_NC = "minor_nc", "Non-conformité mineure"
    MAJOR_NC = "major_nc", "Non-conformité majeure"

from django.db import models


class CommitteeKind(models.TextChoices):
    CLU = "clu", "Comité local des usagers"
    JOINT = "joint", "Comité local des usagers et comité local de l'amélioration continue"


class Civility(models.TextChoices):
    """How a member is addressed: the minutes agree with it ("représentée par")."""

    MADAME = "madame", "Madame"
    MONSIEUR = "monsieur", "Monsieur"


class SeatKind(models.TextChoices):
    TITULAR = "titulaire", "Titulaire"
    SUBSTITUTE = "suppleant", "Suppléant"


class MeetingKind(models.TextChoices):
    ORDINARY = "ordinary", "Réunion ordinaire"
    JOINT = "joint", "Séance commune CLU et CLAC"
    BEFORE_AUDIT = "before_audit", "Réunion avant audit"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planifiée"
    CONVENED = "convened", "Convocation envoyée"
    HELD = "held", "Tenue"
    MINUTES_DRAFTED = "minutes_drafted", "Relevé rédigé"
    MINUTES_APPROVED = "minutes_approved", "Relevé approuvé"
    PUBLISHED = "published", "Relevé publié"
    CANCELLED = "cancelled", "Annulée"


# The meeting's life; any other change of status raises (services.change_status).
MEETING_TRANSITIONS: dict[str, set[str]] = {
    MeetingStatus.PLANNED: {MeetingStatus.CONVENED, MeetingStatus.CANCELLED},
    MeetingStatus.CONVENED: {MeetingStatus.HELD, MeetingStatus.CANCELLED},
    MeetingStatus.HELD: {MeetingStatus.MINUTES_DRAFTED},
    MeetingStatus.MINUTES_DRAFTED: {MeetingStatus.MINUTES_APPROVED},
    MeetingStatus.MINUTES_APPROVED: {MeetingStatus.PUBLISHED},
    MeetingStatus.PUBLISHED: set(),
    MeetingStatus.CANCELLED: set(),
}


class AgendaKind(models.TextChoices):
    INFORMATION = "information", "Information"
    DISCUSSION = "discussion", "Échange"
    DECISION = "decision", "Décision"


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "Convoqué"
    PRESENT = "present", "Présent"
    EXCUSED = "excused", "Excusé"
    ABSENT = "absent", "Absent"
    REPRESENTED = "represented", "Représenté"


class MinutesKind(models.TextChoices):
    DECISIONS = "releve", "Relevé de décisions"
    FULL = "compte_rendu", "Compte rendu"


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", "Projet"
    SENT = "sent", "Projet envoyé aux membres pour observations"
    APPROVED = "approved", "Approuvé"


class DecisionKind(models.TextChoices):
    OPINION = "avis", "Avis"
    VALIDATION = "validation", "Validation"
    ACTION = "action", "Action à mener"


class SuggestionStatus(models.TextChoices):
    SUBMITTED = "submitted", "Déposée"
    UNDER_STUDY = "under_study", "À l'étude"
    ACCEPTED = "accepted", "Retenue"
    DECLINED = "declined", "Non retenue"
    ALREADY_DONE = "already_done", "Déjà en place"


class DocumentKind(models.TextChoices):
    """Documents of the product an agenda item can point to (agenda_documents.py resolves them)."""

    NONE = "", "Aucun"
    TEMPLATES = "templates_collection", "Recueil des modèles soumis aux observations du comité"
    SURVEY = "survey_report", "Résultats d'une enquête de satisfaction (PDF)"
    CORRESPONDENCE = "correspondence_figures", "Chiffres des courriers et courriels"
    INDICATORS = "indicators_report", "Rapport des indicateurs"
    ACTION_PLAN = "action_plan", "Plan d'actions"
    PREVIOUS_MINUTES = "previous_minutes", "Projet de relevé de la réunion précédente"


class DocumentAudience(models.TextChoices):
    """Who gets a meeting's document: the members only, or also the public once the
    minutes are approved and published."""

    MEMBERS = "members", "Membres"
    PUBLIC = "public", "Public"

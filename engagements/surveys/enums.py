"""Choices of the surveys app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SCALE = "scale", "Échelle à 4 points"
    STARS = "stars", "Étoiles (1 à 5)"
    YES_NO = "yes_no", "Oui / non"
    CHOICE = "choice", "Choix unique"
    TEXT = "text", "Texte libre"


# Number of points of each scored kind (docs/indicators.md "Surveys"); yes/no is a
# 2-point scale (1 = no, 2 = yes). Single choice and free text are not scored.
SCALE_POINTS = {QuestionKind.SCALE: 4, QuestionKind.STARS: 5, QuestionKind.YES_NO: 2}
# "Not concerned" (a question that offers it): stored as 0, left out of rates like a blank.
NOT_CONCERNED = 0


class Criterion(models.TextChoices):
    COURTESY = "courtesy", "Courtoisie et disponibilité des agents"
    REDUCED_MOBILITY = "reduced_mobility", "Prise en charge des personnes à mobilité réduite"
    PLAIN_LANGUAGE = "plain_language", "Langage clair"
    ORIENTATION = "orientation", "Orientation"
    SIGNAGE = "signage", "Signalétique"
    COMFORT = "comfort", "Confort et équipements"
    CONFIDENTIALITY = "confidentiality", "Confidentialité"
    WAITING_TIME = "waiting_time", "Temps d'attente"
    OVERALL = "overall", "Satisfaction globale"


class Channel(models.TextChoices):
    QR = "qr", "QR code"
    KIOSK = "kiosk", "Tablette (borne)"
    PAPER = "paper", "Coupon papier"
    WEB = "web", "Site internet"
    APPOINTMENT_EMAIL = "appointment_email", "Courriel après rendez-vous"
    END_OF_CALL = "end_of_call", "Fin d'appel"
    STARS = "stars", "Avis en étoiles"


class CampaignKind(models.TextChoices):
    CAMPAIGN = "campaign", "Enquête annuelle"
    STARS = "stars", "Avis en étoiles (permanent)"
    END_OF_CALL = "end_of_call", "Enquête de fin d'appel"


class CommentStatus(models.TextChoices):
    PENDING = "pending", "À relire"
    PUBLISHED = "published", "Relu, visible"
    HIDDEN = "hidden", "Écarté"


# State machines, in the format of every app (engagements/states.py): from -> targets.
# Comment review: pending → published | hidden; a published comment can still be hidden.
COMMENT_TRANSITIONS = {
    CommentStatus.PENDING: {CommentStatus.PUBLISHED, CommentStatus.HIDDEN},
    CommentStatus.PUBLISHED: {CommentStatus.HIDDEN},
    CommentStatus.HIDDEN: set(),
}


class CommentTag(models.TextChoices):
    WAITING = "waiting", "Attente"
    RECEPTION = "reception", "Accueil"
    INFORMATION = "information", "Information"
    PREMISES = "premises", "Locaux"
    ONLINE = "online", "Démarches en ligne"
    PRAISE = "praise", "Remerciements"
    OTHER = "other", "Autre"


class CheckKind(models.TextChoices):
    CALL = "call", "Appel mystère"
    EMAIL = "email", "Courriel mystère"
    VISIT = "visit", "Visite mystère"


class CheckStatus(models.TextChoices):
    PLANNED = "planned", "Prévu"
    DONE = "done", "Réalisé"
    CANCELLED = "cancelled", "Annulé"


CHECK_TRANSITIONS = {
    CheckStatus.PLANNED: {CheckStatus.DONE, CheckStatus.CANCELLED},
    CheckStatus.DONE: set(),
    CheckStatus.CANCELLED: set(),
}


# Labels shown to the public, translated with Django i18n (the questions come from the DB).
SCALE_LABELS = {
    4: [_("Pas du tout satisfait"), _("Peu satisfait"), _("Satisfait"), _("Très satisfait")],
    2: [_("Non"), _("Oui")],
}

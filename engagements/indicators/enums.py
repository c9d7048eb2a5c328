from django.db import models
from django.utils.translation import gettext_lazy as _


class Family(models.TextChoices):
    PERFORMANCE = "performance", _("Performance")
    PERCEIVED = "perceived", _("Qualité perçue")


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    DAYS = "days", _("jours")
    COUNT = "count", _("nombre")
    SCORE = "score", _("score")
    POINTS = "points", _("points")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Mois")
    QUARTER = "quarter", _("Trimestre")
    YEAR = "year", _("Année")


class TelephonySource(models.TextChoices):
    QUEUE_LOG = "queue_log", "queue_log"
    HOURLY = "hourly", "Fichier horaire"


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", "Décroché"
    ABANDONED = "abandoned", "Abandonné"
    OTHER = "other", "Sans issue connue"
    CLOSED = "closed", "File fermée"


class UpdateKind(models.TextChoices):
    NEW = "new", "Nouvelle page"
    CORRECTION = "correction", "Correction"
    REMOVAL = "removal", "Retrait"
    URGENT = "urgent", "Urgente"

from django.db import models


class Kind(models.TextChoices):
    EMAIL = "email", "courriel"
    SMS = "sms", "SMS"


class Status(models.TextChoices):
    PENDING = "pending", "à envoyer"
    SENDING = "sending", "en cours d'envoi"
    SENT = "sent", "envoyé"
    FAILED = "failed", "envoi en échec"

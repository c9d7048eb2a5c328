"""Choices of the label cycle: labels, criterion results, training topics.

The codes are contracts of the CSV imports and the JSON reports (issue 22); kept apart from
`enums.py` so the label cycle stays one block of the quality app.
"""

from decimal import Decimal

from django.db import models


class LabelCode(models.TextChoices):
    """The successive labels of the prefectures' reception, oldest first."""

    MARIANNE = "marianne", "Marianne"
    QUALIPREF = "qualipref", "Qualipref"
    QUALIPREF2 = "qualipref2", "Qualipref 2.0"
    QUALEPREF = "qualepref", "Qual-e-pref"
    SP_PLUS = "sp_plus", "Services Publics +"


class LabelStatus(models.TextChoices):
    VALID = "valid", "Valide"
    EXPIRING = "expiring", "À renouveler"
    EXPIRED = "expired", "Expiré"


# A label expires "soon" when its end is at most this many days away.
EXPIRING_DAYS = 180


class CriterionValue(models.TextChoices):
    YES = "oui", "Oui"
    PARTLY = "partiel", "Partiel"
    NO = "non", "Non"
    NOT_APPLICABLE = "sans_objet", "Sans objet"


# The score of each result; "sans objet" is left out of every mean.
CRITERION_SCORES = {
    CriterionValue.YES: Decimal(1),
    CriterionValue.PARTLY: Decimal("0.5"),
    CriterionValue.NO: Decimal(0),
}


class TrainingTopic(models.TextChoices):
    RECEPTION = "accueil", "Accueil des usagers"
    DISABILITY = "handicap", "Accueil des personnes en situation de handicap"
    DIGITAL = "numerique", "Aide au numérique"
    FRAUD = "fraude", "Lutte contre la fraude"
    LANGUAGES = "langues", "Langues étrangères"
    CIVIC_SERVICE = "service_civique", "Volontaires du service civique"
    QUALITY = "qualite", "Démarche qualité"
    NEWCOMERS = "nouveaux_arrivants", "Accueil des nouveaux arrivants"

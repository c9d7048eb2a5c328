"""Default questionnaires: the yearly survey with seed 002's criteria, stars, end of call."""

from __future__ import annotations

from django.db import transaction

from engagements.organisation.models import Prefecture

from .enums import Criterion, QuestionKind
from .models import Question, Questionnaire

# (code, kind, criterion, French text, English text). A question asked as yes/no uses the
# yes/no scale; the others are phrased as an evaluation ("Comment jugez-vous…") for the
# 4-point satisfaction scale. Codes in NOT_CONCERNED offer a "Non concerné" answer.
NOT_CONCERNED_CODES = {"pmr"}
YEARLY = [
    (
        "courtoisie",
        QuestionKind.SCALE,
        Criterion.COURTESY,
        "Comment jugez-vous la courtoisie et la disponibilité des agents ?",
        "How would you rate the courtesy and availability of our staff?",
    ),
    (
        "pmr",
        QuestionKind.YES_NO,
        Criterion.REDUCED_MOBILITY,
        "Si vous êtes une personne à mobilité réduite, votre accueil a-t-il été adapté ?",
        "If you have reduced mobility, was your reception suited to your needs?",
    ),
    (
        "langage",
        QuestionKind.SCALE,
        Criterion.PLAIN_LANGUAGE,
        "Comment jugez-vous la clarté des informations données ?",
        "How would you rate the clarity of the information you were given?",
    ),
    (
        "orientation",
        QuestionKind.SCALE,
        Criterion.ORIENTATION,
        "Comment jugez-vous l'orientation vers le bon interlocuteur ?",
        "How well were you directed to the right person?",
    ),
    (
        "signaletique",
        QuestionKind.SCALE,
        Criterion.SIGNAGE,
        "Comment jugez-vous la signalétique pour trouver le service ?",
        "How would you rate the signs that help you find the service?",
    ),
    (
        "confort",
        QuestionKind.SCALE,
        Criterion.COMFORT,
        "Comment jugez-vous le confort et les équipements de l'espace d'accueil ?",
        "How would you rate the comfort and equipment of the waiting area?",
    ),
    (
        "confidentialite",
        QuestionKind.SCALE,
        Criterion.CONFIDENTIALITY,
        "Comment jugez-vous le respect de la confidentialité de vos échanges ?",
        "How would you rate the confidentiality of your conversation?",
    ),
    (
        "attente",
        QuestionKind.SCALE,
        Criterion.WAITING_TIME,
        "Comment jugez-vous le temps d'attente ?",
        "How would you rate the waiting time?",
    ),
    (
        "global",
        QuestionKind.SCALE,
        Criterion.OVERALL,
        "Globalement, êtes-vous satisfait de l'accueil ?",
        "Overall, are you satisfied with how you were received?",
    ),
    (
        "commentaire",
        QuestionKind.TEXT,
        "",
        "Une remarque, une suggestion ?",
        "Any comment or suggestion?",
    ),
]

STARS = [
    (
        "etoiles",
        QuestionKind.STARS,
        Criterion.OVERALL,
        "Quelle note donnez-vous à notre accueil ?",
        "How would you rate our service?",
    ),
    (
        "commentaire",
        QuestionKind.TEXT,
        "",
        "Un commentaire ?",
        "Any comment?",
    ),
]

END_OF_CALL = [
    (
        "reponse",
        QuestionKind.YES_NO,
        Criterion.PLAIN_LANGUAGE,
        "Avez-vous obtenu une réponse claire à votre question ?",
        "Did you get a clear answer to your question?",
    ),
    (
        "global",
        QuestionKind.STARS,
        Criterion.OVERALL,
        "Quelle note donnez-vous à cet appel ?",
        "How would you rate this call?",
    ),
]


@transaction.atomic
def create_questionnaire(prefecture: Prefecture, name: str, rows=YEARLY) -> Questionnaire:
    """Create a questionnaire from one of the default lists (FR + EN)."""
    questionnaire = Questionnaire.objects.create(prefecture=prefecture, name=name)
    Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            code=code,
            position=i,
            kind=kind,
            criterion=criterion,
            text=fr,
            translations={"en": {"text": en}},
            not_concerned=code in NOT_CONCERNED_CODES,
        )
        for i, (code, kind, criterion, fr, en) in enumerate(rows, start=1)
    )
    return questionnaire

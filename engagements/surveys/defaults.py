"""Default questionnaires: the yearly survey with seed 002's criteria, stars, end of call."""

from __future__ import annotations

from django.db import transaction

from engagements.organisation.models import Prefecture

from .enums import Criterion, QuestionKind
from .models import Question, Questionnaire

# (code, kind, criterion, French text, English text)
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
        QuestionKind.SCALE,
        Criterion.REDUCED_MOBILITY,
        "Si vous êtes une personne à mobilité réduite, votre accueil a-t-il été adapté ?",
        "If you have reduced mobility, was your reception suited to your needs?",
    ),
    (
        "langage",
        QuestionKind.SCALE,
        Criterion.PLAIN_LANGUAGE,
        "Les informations données étaient-elles claires et compréhensibles ?",
        "Was the information you were given clear and easy to understand?",
    ),
    (
        "orientation",
        QuestionKind.SCALE,
        Criterion.ORIENTATION,
        "Avez-vous été bien orienté vers le bon interlocuteur ?",
        "Were you directed to the right person?",
    ),
    (
        "signaletique",
        QuestionKind.SCALE,
        Criterion.SIGNAGE,
        "La signalétique vous a-t-elle permis de trouver facilement le service ?",
        "Did the signs help you find the service easily?",
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
        "La confidentialité de vos échanges a-t-elle été respectée ?",
        "Was the confidentiality of your conversation respected?",
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
        )
        for i, (code, kind, criterion, fr, en) in enumerate(rows, start=1)
    )
    return questionnaire

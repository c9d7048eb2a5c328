"""Which languages a questionnaire is offered in, and every string its page shows.

French and English come from the catalogues (Django i18n). A language a prefecture adds
(`Questionnaire.extra_languages`) is offered to the public only once every string of that
questionnaire is translated: each question (and its choices) and the interface strings
its page shows — headings, scale labels, button… (`Questionnaire.interface_translations`).
The public flows' languages (settings.FLOW_LANGUAGES: Arabic, Spanish, Portuguese,
Ukrainian) have the interface strings in the catalogues too: only the questions are
needed (a questionnaire's own interface strings, if any, win).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .enums import QuestionKind

BUILT_IN = ("fr", "en")


def _catalogued(language: str) -> bool:
    """The interface strings of `language` are in the catalogues."""
    return language in BUILT_IN or language in settings.FLOW_LANGUAGES


def _stars(n: int) -> str:
    return ngettext("%(n)s étoile sur 5", "%(n)s étoiles sur 5", n) % {"n": n}


def _french_interface() -> dict[str, str]:
    """Every interface string in the active language (French or English catalogues)."""
    return {
        "heading": _("Donnez votre avis"),
        "heading_stars": _("Votre avis en étoiles"),
        "intro": _(
            "Réponse anonyme : nous n'enregistrons ni votre nom, ni votre adresse. "
            "Répondez à au moins une question ; les autres sont facultatives."
        ),
        "submit": _("Envoyer mon avis"),
        "empty": _("Répondez au moins à une question."),
        "languages": _("Langue du questionnaire"),
        "comment_help": _("N'indiquez ni votre nom, ni vos coordonnées."),
        "scale_1": _("Pas du tout satisfait"),
        "scale_2": _("Peu satisfait"),
        "scale_3": _("Satisfait"),
        "scale_4": _("Très satisfait"),
        "no": _("Non"),
        "yes": _("Oui"),
        "not_concerned": _("Non concerné"),
        **{f"star_{n}": _stars(n) for n in range(1, 6)},
    }


# What each interface key is, for the editor.
LABELS = {
    "heading": "Titre de la page",
    "heading_stars": "Titre de la page (avis en étoiles)",
    "intro": "Phrase d'introduction (réponse anonyme)",
    "submit": "Bouton d'envoi",
    "empty": "Message si aucune réponse",
    "languages": "Intitulé du choix de la langue",
    "comment_help": "Aide sous les zones de commentaire",
    "scale_1": "Échelle : « Pas du tout satisfait »",
    "scale_2": "Échelle : « Peu satisfait »",
    "scale_3": "Échelle : « Satisfait »",
    "scale_4": "Échelle : « Très satisfait »",
    "no": "Réponse « Non »",
    "yes": "Réponse « Oui »",
    "not_concerned": "Réponse « Non concerné »",
    **{f"star_{n}": f"Étoiles : « {n} sur 5 »" for n in range(1, 6)},
}


def needed_keys(questions) -> list[str]:
    """The interface strings a questionnaire's page shows, in the editor's order."""
    kinds = {q.kind for q in questions}
    keys = ["heading", "intro", "submit", "empty", "languages"]
    if QuestionKind.STARS in kinds:
        keys.insert(1, "heading_stars")
        keys += [f"star_{n}" for n in range(1, 6)]
    if QuestionKind.SCALE in kinds:
        keys += ["scale_1", "scale_2", "scale_3", "scale_4"]
    if QuestionKind.YES_NO in kinds:
        keys += ["no", "yes"]
    if any(q.not_concerned for q in questions):
        keys.append("not_concerned")
    if QuestionKind.TEXT in kinds:
        keys.append("comment_help")
    return keys


def french_interface() -> dict[str, str]:
    with translation.override("fr"):
        return _french_interface()


def interface(questionnaire, language: str) -> dict[str, str]:
    """The interface strings of the page in `language` (French for anything missing)."""
    if language in BUILT_IN:
        with translation.override(language):
            return _french_interface()
    if _catalogued(language):
        with translation.override(language):
            base = _french_interface()
    else:
        base = french_interface()
    strings = questionnaire.interface_translations if questionnaire is not None else None
    own = (strings or {}).get(language) or {}
    return {key: own.get(key) or text for key, text in base.items()}


def missing(questionnaire, language: str, questions=None) -> list[str]:
    """What is not yet translated into `language` (empty for French and English)."""
    if language in BUILT_IN:
        return []
    questions = list(questionnaire.questions.all()) if questions is None else questions
    result = []
    for q in questions:
        entry = (q.translations or {}).get(language) or {}
        if not (entry.get("text") or "").strip():
            result.append(f"question « {q.code} »")
        if q.kind == QuestionKind.CHOICE and len(entry.get("choices") or []) != len(q.choices):
            result.append(f"choix de la question « {q.code} »")
    if _catalogued(language):
        return result
    own = (questionnaire.interface_translations or {}).get(language) or {}
    result += [LABELS[key] for key in needed_keys(questions) if not (own.get(key) or "").strip()]
    return result


def offered_languages(questionnaire, questions=None) -> list[str]:
    """French, English and each added language whose every string is translated."""
    questions = list(questionnaire.questions.all()) if questions is None else questions
    return [
        lang
        for lang in questionnaire.languages
        if lang in BUILT_IN or not missing(questionnaire, lang, questions)
    ]

"""Plain language: a checker for every text that leaves the prefecture or is shown to the
public (answer templates, FAQ answers, procedure descriptions, the public pages' texts).

It flags, as suggestions (never a refusal):
- acronyms not expanded on first use: those of the glossary (the national one below, which
  a prefecture extends: `parse_glossary`) when their expansion is not written before or
  right beside their first use, and acronyms the glossary does not know;
- sentences over `MAX_WORDS` words;
- words of administrative jargon, with a plainer word to use instead;
and gives a readability score per text (Kandel and Moles' French adaptation of Flesch's
reading ease, 0 = very hard, 100 = very easy).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django import template

register = template.Library()

MAX_WORDS = 25
# Below this many words a readability score says nothing (one short question).
MIN_SCORED_WORDS = 10
# How far after an acronym's first use its expansion may come: "ANTS (Agence nationale…)".
EXPANSION_WINDOW = 160

GLOSSARY: dict[str, str] = {
    "ANEF": "Administration numérique pour les étrangers en France",
    "ANTS": "Agence nationale des titres sécurisés",
    "CERT": "Centre d'expertise et de ressources titres",
    "PAN": "Point d'accueil numérique",
    "SP+": "Services Publics +",
    "CLU": "Comité local des usagers",
    "CNI": "Carte nationale d'identité",
    "RDV": "Rendez-vous",
    "OQTF": "Obligation de quitter le territoire français",
    "APS": "Autorisation provisoire de séjour",
    "VLS-TS": "Visa long séjour valant titre de séjour",
    "FAQ": "Questions fréquentes",
    "SIV": "Système d'immatriculation des véhicules",
    "CAF": "Caisse d'allocations familiales",
}

# Jargon -> plainer words (matched on whole words, accents and case ignored).
JARGON: dict[str, str] = {
    "afférent": "qui concerne",
    "afférente": "qui concerne",
    "nonobstant": "malgré",
    "susmentionné": "cité plus haut",
    "susmentionnée": "citée plus haut",
    "susvisé": "cité plus haut",
    "susvisée": "citée plus haut",
    "ledit": "ce",
    "ladite": "cette",
    "lesdits": "ces",
    "lesdites": "ces",
    "subséquemment": "ensuite",
    "idoine": "adapté",
    "diligenter": "lancer",
    "pétitionnaire": "demandeur",
    "sis": "situé",
    "sise": "située",
    "en l'espèce": "dans votre cas",
    "à l'effet de": "pour",
    "aux fins de": "pour",
    "dans l'hypothèse où": "si",
    "en tout état de cause": "de toute façon",
    "de surcroît": "en plus",
    "corrélativement": "en même temps",
    "à compter de": "à partir de",
    "s'agissant de": "pour",
    "eu égard à": "vu",
    "ci-après": "plus bas",
    "ci-dessus": "plus haut",
    "sauf erreur de notre part": "si nous ne nous trompons pas",
}

_ACRONYM = re.compile(r"(?<![\w+-])([A-ZÀ-Ý]{2,}(?:-[A-Z]{2,})?[0-9]*\+?)(?![\w-])")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n\s*(?:[-•*]\s+)?")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_VOWELS = re.compile(r"[aeiouyàâäéèêëîïôöûùü]+", re.IGNORECASE)
# Placeholders of templates ({reference}) and web addresses are not prose.
_NOT_PROSE = re.compile(r"\{[^{}]*\}|https?://\S+|\S+@\S+")


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "acronym", "sentence" or "jargon"
    text: str  # the words concerned
    advice: str  # what to do, in French


@dataclass
class Report:
    score: float | None
    words: int
    sentences: int
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def level(self) -> str:
        """The score in words."""
        if self.score is None:
            return "texte trop court pour une note"
        if self.score >= 60:
            return "facile à lire"
        if self.score >= 40:
            return "assez difficile à lire"
        return "difficile à lire"


def parse_glossary(text: str) -> dict[str, str]:
    """A prefecture's additions, one per line: `SIGLE = ce qu'il veut dire` (or `:`)."""
    entries = {}
    for line in (text or "").splitlines():
        for separator in ("=", ":", "—"):
            if separator in line:
                acronym, expansion = line.split(separator, 1)
                if acronym.strip() and expansion.strip():
                    entries[acronym.strip().upper()] = expansion.strip()
                break
    return entries


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and _WORD.search(s)]


def _syllables(word: str) -> int:
    groups = len(_VOWELS.findall(word))
    if len(word) > 2 and word.lower().endswith(("e", "es", "ent")) and groups > 1:
        groups -= 1  # a silent final e, es or ent ("personne", "demandent")
    return max(groups, 1)


# Read as words by everybody (a file's kind, a code to scan, a text message): not flagged.
COMMON_WORDS = frozenset({"PDF", "CSV", "QR", "SMS"})


def _acronyms(text: str, glossary: dict[str, str]) -> list[Suggestion]:
    folded = _fold(text)
    found, seen = [], set()
    for match in _ACRONYM.finditer(text):
        acronym = match.group(1)
        if acronym in seen or acronym in COMMON_WORDS:
            continue
        seen.add(acronym)
        expansion = glossary.get(acronym)
        if expansion is None:
            if len(acronym.rstrip("+")) > 6:
                continue  # a word in capitals, not an acronym
            found.append(
                Suggestion(
                    "acronym",
                    acronym,
                    f"Sigle absent du glossaire : écrivez ce qu'il veut dire à la première "
                    f"utilisation, ou ajoutez « {acronym} » au glossaire.",
                )
            )
            continue
        around = folded[: match.end() + EXPANSION_WINDOW]
        if _fold(expansion) not in around:
            found.append(
                Suggestion(
                    "acronym",
                    acronym,
                    f"Écrivez « {expansion} ({acronym}) » à la première utilisation.",
                )
            )
    return found


def _jargon(text: str) -> list[Suggestion]:
    folded = f" {_fold(text)} "
    found = []
    for word, plain in JARGON.items():
        if re.search(rf"(?<![\w']){re.escape(_fold(word))}s?(?!\w)", folded):
            found.append(Suggestion("jargon", word, f"Préférez « {plain} »."))
    return found


def check(text: str, glossary: dict[str, str] | str | None = None) -> Report:
    """The report of one text; `glossary`: the prefecture's additions (a dict, or the text
    `parse_glossary` reads), on top of the national glossary."""
    extra = parse_glossary(glossary) if isinstance(glossary, str) else (glossary or {})
    terms = {**GLOSSARY, **extra}
    prose = _NOT_PROSE.sub(" ", text or "")
    sentences = _sentences(prose)
    words = _WORD.findall(prose)
    suggestions = _acronyms(prose, terms)
    for sentence in sentences:
        count = len(_WORD.findall(sentence))
        if count > MAX_WORDS:
            start = " ".join(sentence.split()[:8])
            suggestions.append(
                Suggestion(
                    "sentence",
                    f"{start}…",
                    f"Phrase de {count} mots : coupez-la (25 mots au plus).",
                )
            )
    suggestions.extend(_jargon(prose))
    if len(words) < MIN_SCORED_WORDS:
        return Report(None, len(words), len(sentences), suggestions)
    per_sentence = len(words) / max(len(sentences), 1)
    per_word = sum(_syllables(w) for w in words) / len(words)
    score = 207 - 1.015 * per_sentence - 73.6 * per_word
    score = round(min(max(score, 0.0), 100.0), 1)
    return Report(score, len(words), len(sentences), suggestions)


@register.inclusion_tag("components/plain_language.html")
def plain_language_report(prefecture, *sources, fields: str = ""):
    """`{% plain_language_report prefecture form fields="body,answer" %}` or
    `{% plain_language_report prefecture "Texte" text %}`: the suggestions and readability
    score of each text (a form's fields as typed, or label/text pairs), with the
    prefecture's own glossary (`plain_language_glossary`) on top of the national one."""
    glossary = getattr(prefecture, "plain_language_glossary", "") or ""
    texts = []
    if sources and hasattr(sources[0], "fields"):
        form = sources[0]
        for name in filter(None, (n.strip() for n in fields.split(","))):
            if name in form.fields:
                texts.append((form[name].label, form[name].value() or ""))
    else:
        texts = list(zip(sources[::2], sources[1::2], strict=False))
    reports = [
        {"label": label, "report": check(str(text), glossary)}
        for label, text in texts
        if str(text).strip()
    ]
    return {"reports": reports}

"""What agents write (procedure names, documents to bring, FAQ answers, public summaries)
in the public's languages, and dates written the way each language writes them.

A record keeps its French text in its own fields and the other languages in a JSON field
`translations` shaped `{"uk": {"name": "…", "documents": "…"}, "ar": {…}}`. `localise`
picks the visitor's language where it is written and French otherwise; the text it returns
knows its language (`Localised.lang`), so a page can mark French shown on an Arabic page
with `lang="fr" dir="ltr"` (`{{ text|lang_attr }}`, tags of `public_text`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django import forms
from django.conf import settings
from django.utils import dateformat, timezone, translation

FRENCH = "fr"
# How the agents' (French) forms name each public language.
LANGUAGE_NAMES_FR = {
    "en": "anglais",
    "ar": "arabe",
    "es": "espagnol",
    "pt": "portugais",
    "uk": "ukrainien",
}


def public_languages() -> list[str]:
    """The languages other than French that the public pages are offered in."""
    return [code for code, _ in settings.LANGUAGES if code != FRENCH]


def flow_languages() -> list[str]:
    """Arabic, Spanish, Portuguese, Ukrainian: the public flows' extra languages."""
    return list(settings.FLOW_LANGUAGES)


def page_language(language: str | None = None) -> str:
    return (language or translation.get_language() or FRENCH).split("-")[0].lower()


class Localised(str):
    """A text that knows the language it is written in."""

    lang: str

    def __new__(cls, text: str, lang: str):
        obj = super().__new__(cls, text)
        obj.lang = lang
        return obj


def written(translations: dict | None, field: str, language: str) -> str:
    """The text of `field` written in `language` ("" when it is not)."""
    entry = (translations or {}).get(language) or {}
    value = entry.get(field) if isinstance(entry, dict) else None
    return value.strip() if isinstance(value, str) else ""


def localise(
    translations: dict | None, field: str, french: str, language: str | None = None
) -> Localised:
    """`field` in the page's language where it is written, French otherwise."""
    language = page_language(language)
    if language != FRENCH:
        text = written(translations, field, language)
        if text:
            return Localised(text, language)
    return Localised(french, FRENCH)


def lines(text: Localised) -> list[Localised]:
    """One item per non-empty line (documents to bring), each keeping the language."""
    return [Localised(line.strip(), text.lang) for line in text.splitlines() if line.strip()]


def differs_from_page(text, default: str = "") -> str:
    """The language of `text` (`default` when it does not know it) when it is not the
    page's ("" otherwise or unknown)."""
    lang = getattr(text, "lang", None) or default
    if not lang or lang == page_language():
        return ""
    return lang


# Dates -------------------------------------------------------------------------------------

# Django's `F` is the nominative month name: right in French ("5 décembre 2026"), wrong in
# Ukrainian ("5 Грудень 2026"), where a day takes the genitive (`E`: "5 грудня 2026").
# Portuguese and Spanish write "de" around the month, in lower case.
DAY_MONTH = {
    "fr": "j F",
    "en": "j F",
    "uk": "j E",
    "ar": "j F",
    "es": r"j \d\e F",
    "pt": r"j \d\e F",
}
YEAR = {"es": r" \d\e Y", "pt": r" \d\e Y"}  # " Y" elsewhere
WEEKDAY = {"uk": "l, ", "pt": "l, "}  # "l " elsewhere
LOWER_CASE = {"es", "pt", "uk"}  # month and day names are not capitalised in a sentence
TIME_SEPARATOR = {"ar": "، "}  # Arabic writes its own comma ("،"); ", " elsewhere
# style: (weekday, year, time)
STYLES = {
    "": (False, True, False),
    "day": (False, False, False),
    "weekday": (True, False, False),
    "full": (True, True, False),
    "full_time": (True, True, True),
    "weekday_time": (True, False, True),
}


def date_pattern(style: str, language: str) -> str:
    """The Django date format of `style` in `language` (see `long_date`)."""
    weekday, year, time = STYLES.get(style, STYLES[""])
    pattern = DAY_MONTH.get(language, DAY_MONTH["fr"])
    if weekday:
        pattern = WEEKDAY.get(language, "l ") + pattern
    if year:
        pattern += YEAR.get(language, " Y")
    if time:
        pattern += TIME_SEPARATOR.get(language, ", ") + "H:i"
    return pattern


def long_date(value: date | datetime | None, style: str = "", language: str | None = None) -> str:
    """`value` written out in the page's language: "5 грудня 2026", "5 de dezembro de
    2026". `style`: "day" leaves the year out, "weekday" gives the day of the week without
    the year, "full" with it; "full_time" and "weekday_time" add ", 10:30"."""
    if value is None or value == "":
        return ""
    language = page_language(language)
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    pattern = date_pattern(style, language)
    if language == FRENCH and value.day == 1:
        pattern = pattern.replace("j", r"1\e\r", 1)  # "1er mai 2026"
    with translation.override(language):
        text = dateformat.format(value, pattern)
    return text.lower() if language in LOWER_CASE else text


def range_start(start: date, end: date, language: str | None = None) -> str:
    """The first day of a range that ends on `end`, written as the range needs it ("du 7 au
    13 décembre 2026", "du 28 décembre 2026 au 3 janvier 2027"): the day alone within one
    month, day and month within one year, in full across two years."""
    if (start.year, start.month) == (end.year, end.month):
        first = page_language(language) == FRENCH and start.day == 1
        return "1er" if first else str(start.day)
    return long_date(start, "day" if start.year == end.year else "", language)


# Agents' forms -----------------------------------------------------------------------------


class TranslationsFormMixin:
    """Adds, for each translated field, one field per language (`tr_uk_name`…) to an
    agent's form, filled from and written back to the record's `translations`.

    Set `translated_fields = {"name": "Nom"}` (field → French label), and optionally
    `translation_languages` (default: every public language but French), `translation_widgets`
    (field → widget class) and `translation_max_length` (field → length).
    """

    translated_fields: dict[str, str] = {}
    translation_languages: Iterable[str] | None = None
    translation_widgets: dict[str, type] = {}
    translation_max_length: dict[str, int] = {}

    def add_translation_fields(self, translations: dict | None) -> None:
        for language in self.languages_to_translate():
            for name, label in self.translated_fields.items():
                widget = self.translation_widgets.get(name, forms.TextInput)
                attrs = {"lang": language, "dir": "rtl" if language == "ar" else "ltr"}
                if widget is forms.Textarea:
                    attrs["rows"] = 3
                self.fields[f"tr_{language}_{name}"] = forms.CharField(
                    label=f"{label} en {LANGUAGE_NAMES_FR.get(language, language)}",
                    required=False,
                    max_length=self.translation_max_length.get(name),
                    widget=widget(attrs=attrs),
                    initial=written(translations, name, language),
                    help_text="Facultatif : à défaut, le texte français est affiché.",
                )

    def languages_to_translate(self) -> list[str]:
        if self.translation_languages is not None:
            return list(self.translation_languages)
        return public_languages()

    def cleaned_translations(self, previous: dict | None = None) -> dict:
        """The `translations` to store: what was typed, empty texts dropped."""
        result = {
            lang: dict(entry)
            for lang, entry in (previous or {}).items()
            if isinstance(entry, dict) and lang not in self.languages_to_translate()
        }
        for language in self.languages_to_translate():
            entry = {}
            for name in self.translated_fields:
                text = (self.cleaned_data.get(f"tr_{language}_{name}") or "").strip()
                if text:
                    entry[name] = text
            if entry:
                result[language] = entry
        return result

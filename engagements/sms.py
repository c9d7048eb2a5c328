"""SMS provider interface: `send_sms(phone, text)` through settings.SMS_BACKEND.

- "log": appends one JSON line to var/sms.log (demo and tests);
- "http": POSTs {"to", "text"} as JSON to SMS_HTTP_URL with `Authorization: Bearer
  SMS_HTTP_TOKEN` (the usual shape of French SMS gateways' REST APIs).
"""

from __future__ import annotations

import json
import re
import unicodedata
import urllib.request
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone


class SmsError(Exception):
    pass


# The GSM 03.38 alphabet (basic set, then the extension table, which counts double). A text
# with any other character goes as UCS-2: 70 characters a message instead of 160, and 67
# per part once it takes several (the rest holds the part's header): `sms_parts` counts
# what a text is sent and billed as.
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "^{}\\[~]|€\f"
# Typography our texts and the agents' names carry (a site "Préfecture — Lysville", « »
# around a name) that reads the same in plain characters; letters are never changed.
_PLAIN_TYPOGRAPHY = str.maketrans(
    {
        "\u2014": "-",  # —
        "\u2013": "-",  # –
        "\u2011": "-",
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u00a0": " ",
        "\u202f": " ",
        "\u2026": "...",
    }
)


def plain_typography(text: str) -> str:
    """`text` with its dashes, curly quotes, guillemets and non-breaking spaces in plain
    characters ("« Titre »" becomes '"Titre"'), so that a French SMS stays in the GSM
    alphabet; accents and other letters are kept as they are."""
    text = text.replace("\u00ab\u00a0", "\u00ab").replace("\u00ab ", "\u00ab")
    text = text.replace("\u00a0\u00bb", "\u00bb").replace(" \u00bb", "\u00bb")
    return text.translate(_PLAIN_TYPOGRAPHY)


def is_gsm(text: str) -> bool:
    """Whether `text` goes in the GSM alphabet (160 characters a message)."""
    return all(char in GSM_BASIC or char in GSM_EXTENSION for char in text)


# One message, and one part of a longer text (which carries a 6-byte header), in GSM-7
# septets (an extension character takes two) and in UCS-2 characters (UTF-16 code units).
GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
SMS_LENGTH = GSM_SINGLE  # a text with a GSM writing is sent in one message
# A text with none (Arabic script) may take two parts (2 × 67 = 134 characters) rather than
# fall back to French, which the person may read little.
UCS2_MAX_PARTS = 2
UCS2_LENGTH = UCS2_MAX_PARTS * UCS2_PART


def ucs2_length(text: str) -> int:
    """Characters of `text` in UCS-2 as gateways count them: UTF-16 code units (a
    character outside the basic plane, an emoji, takes two)."""
    return len(text.encode("utf-16-le")) // 2


def sms_parts(text: str) -> int:
    """How many messages `text` is sent and billed as: GSM-7 if every character is in the
    GSM alphabet (160 septets, else 153 a part), UCS-2 otherwise (70, else 67 a part)."""
    if is_gsm(text):
        length, single, part = gsm_length(text), GSM_SINGLE, GSM_PART
    else:
        length, single, part = ucs2_length(text), UCS2_SINGLE, UCS2_PART
    return 1 if length <= single else -(-length // part)


# Letters outside the GSM alphabet, written with the nearest ones (ç, ê, œ in French; ã, õ
# in Portuguese; á, í, ó, ú in Spanish) and Ukrainian in Latin letters (the national
# transliteration of 2010). What is neither (Arabic script) has no GSM writing: `one_sms`
# then writes it in UCS-2, in at most UCS2_MAX_PARTS parts.
_GSM_LETTERS = {
    "ç": "c",
    "œ": "oe",
    "Œ": "OE",
    "ґ": "g",
    "є": "ie",
    "ж": "zh",
    "ї": "i",
    "й": "i",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ю": "iu",
    "я": "ia",
    "ь": "",
    "ъ": "",
    "ы": "y",
    "э": "e",
    "ё": "io",
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "д": "d",
    "е": "e",
    "з": "z",
    "и": "y",
    "і": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "ʼ": "",  # the Ukrainian apostrophe (м'ясо)
}


def _gsm_letter(char: str) -> str:
    if char in GSM_BASIC or char in GSM_EXTENSION:
        return char
    if char.lower() in _GSM_LETTERS:
        latin = _GSM_LETTERS[char.lower()]
        return latin.capitalize() if char.isupper() else latin
    base = unicodedata.normalize("NFKD", char)[:1]
    if base and base != char and (base in GSM_BASIC or base in GSM_EXTENSION):
        return base  # ê -> e, Â -> A, ã -> a
    return char


def gsm_text(text: str) -> str:
    """`text` with plain typography (`plain_typography`) and its letters outside the GSM
    alphabet written with GSM ones where they have a writing there (see _GSM_LETTERS)."""
    return "".join(_gsm_letter(char) for char in plain_typography(text))


def gsm_length(text: str) -> int:
    """Septets of `text` in GSM-7: the extension table's characters count double."""
    return sum(2 if char in GSM_EXTENSION else 1 for char in text)


def _tidy(text: str) -> str:
    # A value dropped leaves its punctuation behind: "10:00,  (AB12)" or "Lysville ()"; the
    # Arabic comma "،" as the Latin one.
    text = re.sub(r"\s*\(\s*\)", "", text)
    text = re.sub(r"[,،]\s*([,.،])", r"\1", text)
    text = text.replace("....", "...")  # a value cut with "..." before the sentence's end
    return re.sub(r" {2,}", " ", text).strip()


def _cut(value: str, room: int, length: Callable[[str], int] = gsm_length) -> str:
    """`value` in at most `room` (septets, or UCS-2 characters with `length=ucs2_length`),
    cut at a word with "..." (nothing if too little)."""
    if length(value) <= room:
        return value
    if room < 8:
        return ""
    cut, used = "", 0
    for char in value:  # septets, not characters: "€" takes two
        used += length(char)
        if used > room - 3:
            break
        cut += char
    if " " in cut[len(cut) // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,-") + "..."


# In `one_sms`'s `shorter`: replace the template itself (a shorter wording of the message).
TEMPLATE = "%"


class DoesNotFit(ValueError):
    """The text has letters with no GSM writing (Arabic) and does not fit UCS2_MAX_PARTS
    UCS-2 parts even shortened: build it in another language."""


def one_sms(
    template: str,
    values: dict[str, str] | None = None,
    *,
    shorter: tuple[tuple[str, str], ...] = (),
    cut: str = "",
) -> str:
    """The SMS `template % values` in one GSM-7 message (SMS_LENGTH septets), or, when it
    has letters with no GSM writing (Arabic script), in at most UCS2_MAX_PARTS UCS-2 parts
    (UCS2_LENGTH characters): every SMS the product sends is written through here
    (outbox.queue_sms too, without values).

    Shortened in this order, only as far as needed to fit:
    1. written in the GSM alphabet (`gsm_text`): dashes, quotes, ç, ê, Cyrillic; a text
       with no GSM writing only has its typography made plain (`plain_typography`);
    2. the replacements of `shorter`, one after the other and kept (the caller's order,
       e.g. the date without its weekday, a shorter wording (name TEMPLATE), then the
       reference dropped: value "");
    3. the value named `cut` (a free text such as a site's name) cut at a word, with
       "...", down to nothing;
    4. last resort, in GSM-7 only, the text before its last word (the link) cut: the link
       is never cut. A UCS-2 text still too long raises DoesNotFit instead (the caller
       writes it in French, which GSM-7 carries whole).
    A value dropped takes its empty parentheses or doubled comma with it."""
    values = {name: str(value) for name, value in (values or {}).items()}
    pieces = [template, *values.values(), *(value for _, value in shorter)]
    gsm = all(is_gsm(gsm_text(piece)) for piece in pieces)
    if gsm:
        write, length, limit = gsm_text, gsm_length, SMS_LENGTH
    else:
        write, length, limit = plain_typography, ucs2_length, UCS2_LENGTH
    values = {name: write(value) for name, value in values.items()}
    template = write(template)

    def render() -> str:
        return _tidy(template % values) if values else template.strip()

    text = render()
    for name, value in shorter:
        if length(text) <= limit:
            return text
        if name == TEMPLATE:
            template = write(value)
        else:
            values[name] = write(value)
        text = render()
    if length(text) > limit and cut:
        excess = length(text) - limit
        values[cut] = _cut(values[cut], length(values[cut]) - excess, length)
        text = render()
    if length(text) > limit:
        if not gsm:
            raise DoesNotFit(text)
        head, _, link = text.rpartition(" ")
        room = limit - length(link) - 1
        text = (_cut(head, room) + " " + link).strip() if room > 0 else link[:limit]
    return text


def _log_path() -> Path:
    return Path(getattr(settings, "SMS_LOG_PATH", settings.BASE_DIR / "var" / "sms.log"))


def send_sms(phone: str, text: str) -> None:
    backend = getattr(settings, "SMS_BACKEND", "log")
    if backend == "log":
        path = _log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "to": phone, "text": text})
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return
    if backend == "http":
        url = getattr(settings, "SMS_HTTP_URL", "")
        if not url.startswith(("http://", "https://")):
            raise SmsError("SMS_HTTP_URL is not an http(s) URL")
        request = urllib.request.Request(
            url,
            data=json.dumps({"to": phone, "text": text}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {getattr(settings, 'SMS_HTTP_TOKEN', '')}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                if response.status >= 300:
                    raise SmsError(f"SMS gateway answered {response.status}")
        except OSError as error:
            raise SmsError(f"SMS gateway unreachable: {error}") from error
        return
    raise SmsError(f"Unknown SMS_BACKEND {backend!r}")

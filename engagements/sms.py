"""SMS provider interface: `send_sms(phone, text)` through settings.SMS_BACKEND.

- "log": appends one JSON line to var/sms.log (demo and tests);
- "http": POSTs {"to", "text"} as JSON to SMS_HTTP_URL with `Authorization: Bearer
  SMS_HTTP_TOKEN` (the usual shape of French SMS gateways' REST APIs).
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone


class SmsError(Exception):
    pass


# The GSM 03.38 alphabet (basic set, then the extension table, which counts double). A text
# with any other character goes as UCS-2: 70 characters a message instead of 160, so a
# reminder of 131 characters is billed as two messages, or three.
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

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

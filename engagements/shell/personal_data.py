"""What the prefecture holds about one person, across the apps (GDPR arts. 15 to 17).

The organisation app's "Données personnelles" page finds, hands over and erases a person's
records; it never names the apps that hold them. Each app owning records with personal
data registers a `PersonalDataSource` in its `AppConfig.ready()`:

- `find(prefecture, person) -> list[HeldRecord]`: the records of that prefecture matching
  the person (`Person`: normalised e-mail and phone, maybe a reference), purged ones
  included when found (by reference) and marked `purged`. A record the person may not
  have erased yet carries the reason in `blocked` (a request being handled, an
  appointment to come): the agent ends it first.
- `erase(prefecture, records) -> int`: anonymise those records now (never blocked or
  purged ones), through the same function per record as the app's daily purge, inside
  the caller's transaction (an error rolls every area back). Returns how many it erased.

`order` sorts the areas on the page; the outbox's copies of mails come last, after the
records whose erasure already deletes theirs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


def normalise_email(value: str) -> str:
    """The key an e-mail address is compared by (case and spaces aside)."""
    return (value or "").strip().lower()


def normalise_phone(value: str) -> str:
    """The key a French phone number is compared by: digits, national form (06…)."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("0033"):
        digits = "0" + digits[4:]
    elif digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def phone_spellings(key: str) -> list[str]:
    """The digit strings a stored number with that key may read as (06…, 336…, 00336…), for
    matching numbers kept as typed (the register's, the SMS copies')."""
    if not key:
        return []
    if key.startswith("0") and len(key) == 10:
        return [key, "33" + key[1:], "0033" + key[1:]]
    return [key]


# What people type between a phone number's digits, and a JSON list's marks around it.
PHONE_SEPARATORS = (" ", ".", "-", "/", "(", ")", "+", "\u00a0", "[", "]", '"')


def phone_digits(expression):
    """A database expression: the text of `expression` without the usual separators, to
    compare with `phone_spellings` (REPLACE: on PostgreSQL and on the demo's SQLite)."""
    from django.db.models import TextField, Value
    from django.db.models.functions import Replace

    for separator in PHONE_SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""), output_field=TextField())
    return expression


@dataclass(frozen=True)
class Person:
    """Whom the agent looks for: normalised e-mail and phone, and maybe a reference."""

    email: str = ""
    phone: str = ""
    reference: str = ""

    @classmethod
    def of(cls, *, email: str = "", phone: str = "", reference: str = "") -> Person:
        return cls(normalise_email(email), normalise_phone(phone), (reference or "").strip())

    def __bool__(self) -> bool:
        return bool(self.email or self.phone)

    def digest(self) -> str:
        """A keyed hash of the e-mail and phone (HMAC-SHA256 with SECRET_KEY): lets the log
        of requests tell two requests of one person apart from others without keeping her
        address or number."""
        from django.conf import settings

        message = f"personal-data-request:{self.email}:{self.phone}".encode()
        return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@dataclass
class HeldRecord:
    """One record holding the person's data, as its app describes it (French labels)."""

    kind: str  # "Rendez-vous", "Message du registre"…
    reference: str
    day: date | None
    # What is held, each (label, value): the readable statement and the export list them.
    fields: list[tuple[str, str]]
    purpose: str  # why it is kept
    kept_until: date | None = None
    kept_note: str = ""  # when no date says it ("tant que la demande est en cours")
    url: str = ""
    blocked: str = ""  # why it cannot be erased now ("" : it can)
    purged: bool = False
    pk: object = None

    @property
    def held(self) -> str:
        return ", ".join(label for label, value in self.fields if value)

    @property
    def erasable(self) -> bool:
        return not self.blocked and not self.purged


@dataclass(frozen=True)
class PersonalDataSource:
    code: str
    label: str  # the area, as the page groups it ("Rendez-vous")
    find: Callable[..., list[HeldRecord]]
    erase: Callable[..., int]
    order: int = 50


@dataclass
class Found:
    source: PersonalDataSource
    records: list[HeldRecord] = field(default_factory=list)

    @property
    def erasable(self) -> list[HeldRecord]:
        return [r for r in self.records if r.erasable]

    @property
    def blocked(self) -> list[HeldRecord]:
        return [r for r in self.records if r.blocked and not r.purged]


_sources: dict[str, PersonalDataSource] = {}


def register_personal_data_source(source: PersonalDataSource) -> None:
    _sources[source.code] = source


def unregister_personal_data_source(code: str) -> None:
    _sources.pop(code, None)


def personal_data_sources() -> list[PersonalDataSource]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.label))


def find_personal_data(prefecture, person: Person) -> list[Found]:
    """Every registered area's records of `person` in `prefecture` (areas with none too)."""
    if not person:
        return []
    return [Found(source, source.find(prefecture, person)) for source in personal_data_sources()]

"""Placeholders of the template library and the mandatory blocks (seed 000).

A template's text uses `{name}` placeholders; answering fills them from the message, the
service, the prefecture and the signatory. A letter cannot be published without every
mandatory block, an e-mail without direction, service and address: a block is present when
all its placeholders appear in the subject or the body.
"""

from __future__ import annotations

import re
from datetime import date

from django.utils import formats

from .enums import AnswerChannel

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

PLACEHOLDERS: dict[str, str] = {
    "reference": "référence du message",
    "usager_nom": "nom de l'usager",
    "usager_adresse": "adresse postale de l'usager",
    "usager_courriel": "courriel de l'usager",
    "objet": "objet du message",
    "date_reception": "date de réception",
    "date_echeance": "date d'échéance de la réponse",
    "delai": "délai de réponse en jours ouvrés",
    "date_du_jour": "date du jour",
    "lieu": "commune du site",
    "expediteur": "expéditeur (préfecture et service)",
    "direction": "direction (site)",
    "service_nom": "nom du service",
    "service_coordonnees": "coordonnées du service",
    "signataire_prenom": "prénom du signataire",
    "signataire_nom": "nom du signataire",
    "signataire_fonction": "fonction du signataire",
    "prefecture_nom": "nom de la préfecture",
    "prefecture_adresse": "adresse postale de la préfecture",
    "prefecture_telephone": "téléphone de la préfecture",
    "prefecture_site": "site internet de la préfecture",
}

# Mandatory blocks: (name shown in the refusal, placeholders that make it).
LETTER_BLOCKS: list[tuple[str, tuple[str, ...]]] = [
    ("expéditeur", ("expediteur",)),
    ("date et lieu", ("lieu", "date_du_jour")),
    ("coordonnées de l'expéditeur", ("service_coordonnees",)),
    ("coordonnées du destinataire", ("usager_nom", "usager_adresse")),
    ("objet", ("objet",)),
    (
        "bloc de signature (nom, prénom et fonction du signataire)",
        ("signataire_prenom", "signataire_nom", "signataire_fonction"),
    ),
    ("adresse postale de la préfecture", ("prefecture_adresse",)),
    ("téléphone de la préfecture", ("prefecture_telephone",)),
    ("site internet de la préfecture", ("prefecture_site",)),
]
EMAIL_BLOCKS: list[tuple[str, tuple[str, ...]]] = [
    ("direction", ("direction",)),
    ("service", ("service_nom",)),
    ("adresse de la préfecture", ("prefecture_adresse",)),
]


def used(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def unknown_placeholders(text: str) -> list[str]:
    return sorted(used(text) - set(PLACEHOLDERS))


def missing_blocks(channel: str, subject: str, body: str) -> list[str]:
    """Names of the mandatory blocks absent from a version's text."""
    blocks = LETTER_BLOCKS if channel == AnswerChannel.LETTER else EMAIL_BLOCKS
    present = used(subject) | used(body)
    return [name for name, needed in blocks if not set(needed) <= present]


def fill(text: str, values: dict[str, str]) -> str:
    """Replace known placeholders; unknown ones are left as typed so the agent sees them."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _date(value: date | None) -> str:
    return formats.date_format(value, "j F Y") if value else ""


def values_for(message, *, signatory=None, today: date | None = None) -> dict[str, str]:
    """Placeholder values for one message (signatory: the agent's User, or None)."""
    prefecture = message.prefecture
    service = message.service
    site = message.site
    service_contact = ", ".join(
        part
        for part in (
            service.name if service else site.name,
            site.postal_address,
            (service.phone if service and service.phone else site.phone),
            (service.email if service and service.email else prefecture.email),
        )
        if part
    )
    first = last = title = ""
    if signatory is not None:
        first, last = signatory.first_name, signatory.last_name
        role = signatory.roles.filter(prefecture=prefecture).exclude(title="").first()
        title = role.title if role else ""
    return {
        "reference": message.reference,
        "usager_nom": message.sender_name or "Madame, Monsieur",
        "usager_adresse": message.sender_address,
        "usager_courriel": message.sender_email,
        "objet": message.subject,
        "date_reception": _date(message.received_on),
        "date_echeance": _date(message.due_on),
        "delai": str(message.deadline_days),
        "date_du_jour": _date(today or date.today()),
        "lieu": site.city,
        "expediteur": f"{prefecture.name} — {service.name if service else site.name}",
        "direction": site.name,
        "service_nom": service.name if service else site.name,
        "service_coordonnees": service_contact,
        "signataire_prenom": first,
        "signataire_nom": last,
        "signataire_fonction": title,
        "prefecture_nom": prefecture.name,
        "prefecture_adresse": prefecture.postal_address,
        "prefecture_telephone": prefecture.phone,
        "prefecture_site": prefecture.website,
    }

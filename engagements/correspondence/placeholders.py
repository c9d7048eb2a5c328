"""Placeholders of the template library and the mandatory blocks (seed 000).

A template's text uses `{name}` placeholders; answering fills them from the message, the
service, the prefecture and the signatory. A letter cannot be published without every
mandatory block, an e-mail without direction, service and address: a block is present when
all its placeholders appear in the subject or the body.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from engagements.organisation.models import name_with_article
from engagements.shell.content_language import long_date

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
    "service_article": "nom du service avec son article (« le bureau du séjour »)",
    "service_coordonnees": "coordonnées du service",
    "signataire_prenom": "prénom du signataire",
    "signataire_nom": "nom du signataire",
    "signataire_fonction": "fonction du signataire",
    "prefecture_nom": "nom de la préfecture",
    "prefecture_adresse": "adresse postale de la préfecture",
    "prefecture_telephone": "téléphone de la préfecture",
    "prefecture_site": "site internet de la préfecture",
    "date_limite_pieces": "date limite de réception des pièces manquantes",
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
    ("service", ("service_nom|service_article",)),
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
    # "a|b": either placeholder makes the block (the service named with or without article).
    return [
        name
        for name, needed in blocks
        if not all(set(item.split("|")) & present for item in needed)
    ]


# What to do when a block's value is empty on an outgoing letter or e-mail.
HINTS: dict[str, str] = {
    "signataire_prenom": "le prénom du signataire",
    "signataire_nom": "le nom du signataire",
    "signataire_fonction": "la fonction du signataire (rôle de l'agent, bloc de signature)",
    "prefecture_adresse": "l'adresse postale de la préfecture",
    "prefecture_telephone": "le téléphone de la préfecture",
    "prefecture_site": "le site internet de la préfecture",
    "usager_adresse": "l'adresse postale du destinataire",
    "usager_nom": "le nom du destinataire",
    "objet": "l'objet",
    "lieu": "la commune du site (lieu d'émission)",
}


def outgoing_missing(channel: str, values: dict[str, str]) -> list[str]:
    """Mandatory blocks an outgoing letter or e-mail would lack with these values.

    The letter layout and the e-mail footer carry every block (seed 000); what can still be
    missing is a value: a signatory without a title, a prefecture without a phone...
    """
    blocks = LETTER_BLOCKS if channel == AnswerChannel.LETTER else EMAIL_BLOCKS
    missing = []
    for _name, needed in blocks:
        for item in needed:
            key = item.split("|")[0]
            if not (values.get(key) or "").strip():
                missing.append(HINTS.get(key, PLACEHOLDERS[key]))
    return list(dict.fromkeys(missing))


def outgoing_error(channel: str, values: dict[str, str]) -> str:
    """A French refusal naming what is missing, or "" when the mail can leave."""
    missing = outgoing_missing(channel, values)
    if not missing:
        return ""
    what = "ce courrier" if channel == AnswerChannel.LETTER else "ce courriel"
    return (
        f"Les mentions obligatoires de {what} sont incomplètes : il manque "
        + ", ".join(missing)
        + ". Complétez-les avant l'envoi."
    )


def signatory_of(user, prefecture) -> tuple[str, str, str]:
    """(first name, last name, title) of a signatory: the title is their role's."""
    if user is None:
        return "", "", ""
    role = user.roles.filter(prefecture=prefecture).exclude(title="").first()
    if role is None:
        role = user.roles.filter(prefecture__isnull=True).exclude(title="").first()
    return user.first_name, user.last_name, role.title if role else ""


def sample_values(prefecture, service=None, *, today: date | None = None) -> dict[str, str]:
    """Values of an invented message, to show the CLU a template as the person reads it."""
    today = today or date.today()
    site = service.site if service is not None else prefecture.sites.order_by("position").first()
    site_name = site.name if site else prefecture.name
    service_name = service.name if service is not None else "Bureau de l'accueil"
    city = site.city if site else prefecture.city
    address = site.postal_address if site else prefecture.postal_address
    return {
        "reference": f"{today.year}-000123",
        "usager_nom": "Camille Exemple",
        "usager_adresse": "4 rue des Exemples, 00000 Exempleville",
        "usager_courriel": "camille.exemple@exemple.test",
        "objet": "Demande d'information sur mon dossier",
        "date_reception": _date(today),
        "date_echeance": _date(today + timedelta(days=14)),
        "delai": "10",
        "date_du_jour": _date(today),
        "lieu": city,
        "expediteur": f"{prefecture.name} — {service_name}",
        "direction": site_name,
        "service_nom": service_name,
        "service_article": service.with_article
        if service is not None
        else "le bureau de l'accueil",
        "service_coordonnees": f"{service_name}, {address}",
        "signataire_prenom": "Dominique",
        "signataire_nom": "Signataire",
        "signataire_fonction": "Cheffe du bureau",
        "prefecture_nom": prefecture.name,
        "prefecture_adresse": prefecture.postal_address if prefecture.street else "",
        "prefecture_telephone": prefecture.phone,
        "prefecture_site": prefecture.website,
        "date_limite_pieces": _date(today + timedelta(days=8)),
    }


def preview(version, values: dict[str, str]) -> tuple[str, str]:
    """(subject, body) of a template version filled with sample values."""
    return fill(version.subject, values), fill(version.body, values)


# "Madame, Monsieur {usager_nom}," would glue the salutation to a name ("Madame, Monsieur
# Léa Martin,") or repeat it when the name is unknown: the salutation stays "Madame, Monsieur,".
_SALUTATION_PLACEHOLDER = re.compile(r"(Madame, Monsieur)[ \t]*\{usager_nom\}")
_GLUED_SALUTATION = re.compile(r"^([ \t]*Madame, Monsieur)[ \t]+[^\n,]+,[ \t]*$", re.MULTILINE)


def fix_salutation(text: str) -> str:
    """A salutation line "Madame, Monsieur <name>," becomes "Madame, Monsieur,"."""
    return _GLUED_SALUTATION.sub(r"\1,", text)


def fill(text: str, values: dict[str, str]) -> str:
    """Replace known placeholders; unknown ones are left as typed so the agent sees them."""
    text = _SALUTATION_PLACEHOLDER.sub(r"\1", text)
    return fix_salutation(PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text))


# What a template leaves to the agent: a placeholder not filled ({usager_nom}) or a bracketed
# instruction ("[Proposez un créneau…]", "[Réponse personnalisée]"): neither may leave.
_UNFINISHED = re.compile(r"\{[a-z_]+\}|\[[^\]\n]*[^\W\d_][^\]\n]*\]")


def unfinished_places(text: str) -> list[tuple[int, str]]:
    """(line number, passage) of every part of a text still to complete, in order."""
    return [
        (number, match.group(0))
        for number, line in enumerate(text.splitlines(), start=1)
        for match in _UNFINISHED.finditer(line)
    ]


def unfinished_error(subject: str, text: str) -> str:
    """A French refusal naming each passage still to complete and where, or ""."""
    places = [f"« {part} » dans l'objet" for _n, part in unfinished_places(subject)]
    places += [f"« {part} » (ligne {number})" for number, part in unfinished_places(text)]
    if not places:
        return ""
    return (
        "La réponse contient encore des passages à compléter : "
        + ", ".join(places)
        + ". Remplacez-les par le texte destiné à l'usager avant l'envoi."
    )


def _date(value: date | None) -> str:
    """A letter's date in French, "1er décembre 2026" on the first of a month."""
    return long_date(value, language="fr") if value else ""


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
    first, last, title = signatory_of(signatory, prefecture)
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
        # Never a bare name after a verb ("prévenez Sous-préfecture du Nord").
        "service_article": service.with_article if service else name_with_article(site.name),
        "service_coordonnees": service_contact,
        "signataire_prenom": first,
        "signataire_nom": last,
        "signataire_fonction": title,
        "prefecture_nom": prefecture.name,
        "prefecture_adresse": prefecture.postal_address if prefecture.street else "",
        "prefecture_telephone": prefecture.phone,
        "prefecture_site": prefecture.website,
        "date_limite_pieces": _date(_documents_deadline(message)),
    }


def _documents_deadline(message) -> date | None:
    """The last day of the message's pending wait for missing documents, if any."""
    if message.pk is None:
        return None
    wait = message.document_requests.filter(received_on__isnull=True, closed=False).first()
    return wait.ends_on if wait else None

"""A delivery's technical error in plain French, as an agent can act on it."""

# Technical errors as an agent can act on them (the raw text stays in the admin).
_PLAIN_ERRORS = [
    (
        ("SMTPRecipientsRefused", "Recipient address rejected", "User unknown"),
        "Le serveur de messagerie a refusé l'adresse du destinataire : vérifiez-la.",
    ),
    (
        ("UnicodeError", "UnicodeEncodeError", "idna", "ValueError"),
        "L'adresse du destinataire ne peut pas être utilisée (caractères non valides).",
    ),
    (
        ("ConnectionRefused", "Connection refused", "timed out", "TimeoutError", "OSError"),
        "Le serveur de messagerie était injoignable à chaque tentative.",
    ),
    (
        ("SMTPAuthenticationError", "SMTPSenderRefused"),
        "Le serveur de messagerie a refusé l'expéditeur : prévenez l'administrateur.",
    ),
    (("SmsError", "SMS gateway"), "La passerelle SMS n'a pas accepté le message."),
    (
        ("RecordGone",),
        "Ce dont parlait le message a été supprimé avant qu'il soit rédigé : rien n'a été envoyé.",
    ),
]


def explain(error: str) -> str:
    """A delivery's last error in plain French."""
    if not error:
        return ""
    for needles, text in _PLAIN_ERRORS:
        if any(needle.lower() in error.lower() for needle in needles):
            return text
    return "L'envoi n'a pas abouti après plusieurs tentatives."

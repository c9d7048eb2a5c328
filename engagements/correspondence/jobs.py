"""Entry points of the scheduled jobs (dotted paths registered in apps.py)."""


def fetch_mail() -> dict:
    from .services.ingestion import ingest_all_mailboxes

    return ingest_all_mailboxes()


def due_alerts() -> int:
    from .services import send_due_alerts

    return send_due_alerts()


def purge() -> int:
    from .services import purge_personal_data

    return purge_personal_data()


def purge_quarantine() -> int:
    from .services.ingestion import purge_quarantine

    return purge_quarantine()


def document_waits() -> dict:
    from .services import remind_and_flag_waits

    return remind_and_flag_waits()

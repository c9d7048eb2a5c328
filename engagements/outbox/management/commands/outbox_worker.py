"""Send the outbox's mails and SMS as they are written (a long-running process)."""

from __future__ import annotations

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from engagements.outbox import services
from engagements.words import count


class Command(BaseCommand):
    help = (
        "Envoie les courriels et SMS en attente dès qu'ils sont écrits (toutes les "
        "OUTBOX_POLL_SECONDS secondes), jusqu'à SIGTERM ; --once : une seule passe."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="une seule passe, puis fin")
        parser.add_argument(
            "--every",
            type=float,
            default=None,
            help=f"secondes entre deux passes sans envoi ({settings.OUTBOX_POLL_SECONDS})",
        )

    def handle(self, *args, once: bool = False, every: float | None = None, **options):
        stopping = []

        def stop(_signum, _frame):
            stopping.append(True)  # finish the current pass, then leave

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        sent = services.work(every=every, once=once, stop=lambda: bool(stopping))
        if options["verbosity"] > 1 or once:
            self.stdout.write(count(sent, "envoi", "envois"))

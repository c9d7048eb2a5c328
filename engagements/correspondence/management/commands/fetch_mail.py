"""python manage.py fetch_mail [--mailbox ID]: read the IMAP mailboxes now."""

from django.core.management.base import BaseCommand, CommandError

from engagements.correspondence.models import Mailbox
from engagements.correspondence.services.ingestion import fetch_mailbox


class Command(BaseCommand):
    help = "Relève les boîtes IMAP configurées et enregistre les nouveaux courriels."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", type=int, help="identifiant d'une seule boîte")

    def handle(self, *args, mailbox=None, **options):
        mailboxes = Mailbox.objects.filter(is_active=True)
        if mailbox:
            mailboxes = mailboxes.filter(pk=mailbox)
        failed = False
        # Each mailbox is isolated: a failure is recorded on it and the next one is read.
        for item in mailboxes.select_related("prefecture", "site", "service"):
            report, error = fetch_mailbox(item)
            if report is None:
                self.stderr.write(f"{item.label} : {error}")
                failed = True
                continue
            line = (
                f"{item.label} : {len(report.created)} créé(s) {' '.join(report.created)}, "
                f"{len(report.joined)} rattaché(s), {report.skipped} ignoré(s), "
                f"{report.duplicates} déjà enregistré(s), {report.already_seen} déjà lu(s)"
            )
            if report.quarantined:
                line += f", {report.quarantined} à vérifier (voir « Courriels à vérifier »)"
            self.stdout.write(line)
        if failed:
            raise CommandError("Au moins une boîte n'a pas pu être relevée.")

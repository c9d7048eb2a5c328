"""python manage.py fetch_mail [--mailbox ID]: read the IMAP mailboxes now."""

from django.core.management.base import BaseCommand, CommandError

from engagements.correspondence.models import Mailbox
from engagements.correspondence.services.ingestion import fetch_mailbox
from engagements.words import count


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
                f"{item.label} : {count(len(report.created), 'créé', 'créés')} "
                f"{' '.join(report.created)}, "
                f"{count(len(report.joined), 'rattaché', 'rattachés')}, "
                f"{count(report.skipped, 'ignoré', 'ignorés')}, "
                f"{count(report.duplicates, 'déjà enregistré', 'déjà enregistrés')}, "
                f"{count(report.already_seen, 'déjà lu', 'déjà lus')}"
            )
            if report.quarantined:
                line += (
                    f", {count(report.quarantined, 'courriel', 'courriels')} à vérifier"
                    " (voir « Courriels à vérifier »)"
                )
            self.stdout.write(line)
        if failed:
            raise CommandError("Au moins une boîte n'a pas pu être relevée.")

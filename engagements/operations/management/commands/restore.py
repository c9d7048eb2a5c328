"""python manage.py restore DIR: into the empty database of DATABASE_URL and empty MEDIA_ROOT."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from engagements.operations import backup


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into the EMPTY database named by "
        "DATABASE_URL and the EMPTY folder MEDIA_ROOT. Refuses a damaged backup, a backup "
        "from a newer migration state than this code, and a non-empty target."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the backup's folder (with manifest.json)")

    def handle(self, *args, **options):
        try:
            manifest = backup.restore(Path(options["directory"]))
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} (version {manifest['version']}): "
            f"database and {manifest['media']['files']} media files."
        )
        pending = backup.pending_migrations()
        if pending:
            self.stdout.write(
                f"This code has {len(pending)} migrations the backup had not applied: "
                "run `python manage.py migrate` before starting the site."
            )

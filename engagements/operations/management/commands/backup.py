"""python manage.py backup DIR: the database (pg_dump) and the media files, with a manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from engagements.operations import backup


class Command(BaseCommand):
    help = (
        "Back up the database of DATABASE_URL (pg_dump, custom format) and MEDIA_ROOT (tar) "
        "into DIR, with manifest.json (sizes, SHA-256, version, migrations)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a new (or empty) folder for this backup")

    def handle(self, *args, **options):
        try:
            manifest = backup.backup(Path(options["directory"]))
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        size = sum(f["size"] for f in manifest["files"].values())
        self.stdout.write(
            f"Backup written to {options['directory']}: database and "
            f"{manifest['media']['files']} media files, {size / 1e6:.1f} MB "
            f"(version {manifest['version']})."
        )

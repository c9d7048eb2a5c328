from django.core.management.base import BaseCommand, CommandError

from engagements.appointments.models import ApiToken
from engagements.organisation.models import Prefecture


class Command(BaseCommand):
    help = "Issue a partner API token; the token is printed once, alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True, help="prefecture slug")
        parser.add_argument(
            "--name", required=True, help="partner name (e.g. France services de Lysville)"
        )

    def handle(self, *args, prefecture, name, **options):
        found = Prefecture.objects.filter(slug=prefecture).first()
        if found is None:
            raise CommandError(f"Unknown prefecture {prefecture!r}")
        token, raw = ApiToken.issue(found, name)
        self.stdout.write(f"Token #{token.pk} for {name} ({found.slug}); it is shown only once:")
        self.stdout.write(raw)

from django.core.management.base import BaseCommand, CommandError

from engagements.appointments.models import ApiToken
from engagements.organisation.models import Prefecture


class Command(BaseCommand):
    help = (
        "Crée un jeton d'accès à l'API pour un partenaire ; le jeton n'est affiché qu'une "
        "fois, seul sur la dernière ligne."
    )

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True, help="identifiant de la préfecture")
        parser.add_argument(
            "--name", required=True, help="nom du partenaire (ex. France services de Lysville)"
        )

    def handle(self, *args, prefecture, name, **options):
        found = Prefecture.objects.filter(slug=prefecture).first()
        if found is None:
            raise CommandError(f"Préfecture inconnue : « {prefecture} ».")
        token, raw = ApiToken.issue(found, name)
        self.stdout.write(
            f"Jeton n° {token.pk} pour {name} ({found.slug}) ; il n'est affiché qu'une fois :"
        )
        self.stdout.write(raw)

"""What the quality import commands share: the prefecture and file named on the command line."""

from pathlib import Path

from django.core.management.base import CommandError

from engagements.organisation.models import Prefecture


def prefecture_and_file(slug: str, file: str) -> tuple[Prefecture, Path]:
    """The prefecture `slug` and the readable file `file`, or a CommandError in French."""
    found = Prefecture.objects.filter(slug=slug).first()
    if found is None:
        raise CommandError(f"Préfecture « {slug} » inconnue.")
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"Fichier introuvable : {file}")
    return found, path

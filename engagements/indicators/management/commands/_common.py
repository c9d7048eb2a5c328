"""Shared helpers of the indicators commands."""

from pathlib import Path

from django.core.management.base import CommandError

from engagements.organisation.models import Prefecture, Site


def prefecture_and_site(prefecture_slug: str, site_slug: str | None):
    prefecture = Prefecture.objects.filter(slug=prefecture_slug).first()
    if prefecture is None:
        raise CommandError(f"Préfecture « {prefecture_slug} » inconnue.")
    site = None
    if site_slug:
        site = Site.objects.filter(prefecture=prefecture, slug=site_slug).first()
        if site is None:
            raise CommandError(f"Site « {site_slug} » inconnu dans {prefecture.name}.")
    return prefecture, site


def read_bytes(file: str) -> bytes:
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"Fichier introuvable : {file}")
    return path.read_bytes()

from django.apps import AppConfig


class ShellConfig(AppConfig):
    """The agents' page shell: its template tags (`{% load shell %}`), no models."""

    name = "engagements.shell"
    label = "shell"
    verbose_name = "Coquille des pages"

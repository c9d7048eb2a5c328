from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "engagements.home"
    label = "home"
    verbose_name = "Accueil et pages générales"

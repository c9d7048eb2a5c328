from django.apps import AppConfig


class ProConnectConfig(AppConfig):
    name = "engagements.proconnect"
    label = "proconnect"
    verbose_name = "Connexion ProConnect"

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "engagements.public"
    label = "public"
    verbose_name = "Pages publiques"

from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "engagements.correspondence"
    label = "correspondence"
    verbose_name = "Courriers et courriels"

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "engagements.surveys"
    label = "surveys"
    verbose_name = "Enquêtes de satisfaction"

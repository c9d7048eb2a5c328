from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "engagements.appointments"
    label = "appointments"
    verbose_name = "Rendez-vous"

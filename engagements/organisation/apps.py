from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_schedules(sender, **kwargs):
    from engagements import jobs

    jobs.sync_schedules()


class OrganisationConfig(AppConfig):
    name = "engagements.organisation"
    label = "organisation"
    verbose_name = "Organisation"

    def ready(self):
        from django.contrib import admin

        from engagements import jobs, navigation

        from .login_throttle import ThrottledAdminAuthenticationForm

        # The admin's login shows the lock message too (login throttling).
        admin.site.login_form = ThrottledAdminAuthenticationForm

        jobs.register_schedule(
            "housekeeping",
            "engagements.organisation.jobs.housekeeping",
            schedule_type="daily",
            at="03:00",
        )
        post_migrate.connect(_sync_schedules, sender=self)
        navigation.register_agent_link(
            "Organisation", "organisation:agents-settings", capability="view", order=90
        )

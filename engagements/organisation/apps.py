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
        from django.db.models.signals import post_delete, post_save

        from engagements import jobs, workdays
        from engagements.shell import navigation
        from engagements.shell.addresses import register_address

        from .login_throttle import ThrottledAdminAuthenticationForm
        from .models import Closure

        # Closures written outside the services (admin, fixtures) keep the stored
        # working-day calendars right too.
        post_save.connect(workdays.on_closure_changed, sender=Closure, dispatch_uid="wd-save")
        post_delete.connect(workdays.on_closure_changed, sender=Closure, dispatch_uid="wd-del")
        jobs.register_schedule(
            "working-days-ahead", "engagements.workdays.extend_ahead", at="02:30"
        )

        # The admin's login shows the lock message too (login throttling).
        admin.site.login_form = ThrottledAdminAuthenticationForm

        jobs.register_schedule(
            "housekeeping",
            "engagements.organisation.jobs.housekeeping",
            schedule_type="daily",
            at="03:00",
        )
        post_migrate.connect(_sync_schedules, sender=self)
        register_address("agents_home", "organisation:agents-home")
        register_address("agents_login", "organisation:agents-login")
        register_address("agents_logout", "organisation:agents-logout")
        register_address("agents_prefecture", "organisation:agents-prefecture", prefecture=True)
        navigation.register_agent_link(
            "Organisation", "organisation:agents-settings", capability="view", order=90
        )

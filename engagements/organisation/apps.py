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

        from engagements import jobs
        from engagements.shell import navigation
        from engagements.shell.addresses import register_address

        from .login_throttle import ThrottledAdminAuthenticationForm

        # The admin's login shows the lock message too (login throttling).
        admin.site.login_form = ThrottledAdminAuthenticationForm

        jobs.register_schedule(
            "housekeeping",
            "engagements.organisation.jobs.housekeeping",
            schedule_type="daily",
            at="03:00",
        )
        jobs.register_schedule(
            "cache-purge-expired",
            "engagements.organisation.jobs.purge_expired_cache",
            schedule_type="minutes",
            minutes=10,
        )
        post_migrate.connect(_sync_schedules, sender=self)
        navigation.register_todo("engagements.organisation.todos.home_items")
        register_address("agents_home", "organisation:agents-home")
        register_address("agents_login", "organisation:agents-login")
        register_address("agents_logout", "organisation:agents-logout")
        register_address("agents_prefecture", "organisation:agents-prefecture", prefecture=True)
        navigation.register_agent_link(
            "Organisation", "organisation:agents-settings", capability="view", order=90
        )
        navigation.register_agent_link(
            "Imports", "organisation:agents-imports", capability="import", order=91
        )
        from engagements.shell.imports import register_command_recorder

        from .imports import record_command_import

        register_command_recorder(record_command_import)  # the commands' runs in the history
        from .jobs import register_housekeeping

        register_housekeeping("engagements.organisation.imports.purge_import_uploads")
        register_housekeeping("engagements.organisation.rights.purge_rights_requests")

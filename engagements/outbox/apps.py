from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "engagements.outbox"
    label = "outbox"
    verbose_name = "Envois (courriels et SMS)"

    def ready(self):
        from engagements import jobs
        from engagements.organisation.jobs import register_housekeeping
        from engagements.shell import navigation

        navigation.register_todo("engagements.outbox.todos.home_items")
        register_housekeeping("engagements.outbox.services.purge_old")
        from engagements.shell.personal_data import register_personal_data_source

        from . import personal_data

        register_personal_data_source(personal_data.SOURCE)

        # Retries and anything whose on-commit job was lost (worker down, crash).
        jobs.register_schedule(
            "outbox-deliver-due",
            "engagements.outbox.services.deliver_due",
            schedule_type="minutes",
            minutes=1,
        )

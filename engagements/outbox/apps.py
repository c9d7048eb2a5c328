from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "engagements.outbox"
    label = "outbox"
    verbose_name = "Envois (courriels et SMS)"

    def ready(self):
        from engagements import jobs, navigation

        navigation.register_todo("engagements.outbox.todos.home_items")

        # Retries and anything whose on-commit job was lost (worker down, crash).
        jobs.register_schedule(
            "outbox-deliver-due",
            "engagements.outbox.services.deliver_due",
            schedule_type="minutes",
            minutes=1,
        )

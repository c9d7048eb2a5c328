from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "engagements.indicators"
    label = "indicators"
    verbose_name = "Indicateurs et transparence"

    def ready(self):
        from django.db.models.signals import post_migrate

        from engagements import jobs

        from .catalogue import sync_catalogue_after_migrate

        post_migrate.connect(sync_catalogue_after_migrate, sender=self)
        jobs.register_schedule(
            "indicators-values",
            "engagements.indicators.jobs.recompute_values",
            schedule_type="daily",
            at="03:30",
        )

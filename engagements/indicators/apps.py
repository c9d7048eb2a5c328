from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class IndicatorsConfig(AppConfig):
    name = "engagements.indicators"
    label = "indicators"
    verbose_name = "Indicateurs et transparence"

    def ready(self):
        from . import import_kinds

        import_kinds.register()  # its files on the agents' « Imports » page
        from django.db.models.signals import post_migrate

        from engagements import jobs
        from engagements.shell import navigation

        from . import action_sources
        from .catalogue import sync_catalogue_after_migrate

        post_migrate.connect(sync_catalogue_after_migrate, sender=self)
        navigation.register_todo("engagements.indicators.todos.home_items")
        jobs.register_schedule(
            "indicators-values",
            "engagements.indicators.jobs.recompute_values",
            schedule_type="daily",
            at="03:30",
        )
        group = "Indicateurs"
        for label, url_name, capability, order in (
            ("Tableau de bord", "indicators:agents-dashboard", "read_figures", 60),
            ("Tous les sites", "indicators:agents-sites", "read_figures", 60),
            ("Publication des résultats", "indicators:agents-publications", "read_figures", 61),
            ("Résultats publiés", "indicators:agents-published", "committee", 62),
            ("Affluence", "indicators:agents-heatmap", "read_figures", 63),
            ("Indicateurs propres", "indicators:agents-manual", "read_figures", 66),
            ("Écran de l'accueil", "indicators:agents-desk", "work", 64),
            ("Mises à jour du site internet", "indicators:agents-website", "work", 65),
        ):
            navigation.register_agent_link(
                label, url_name, capability=capability, order=order, group=group
            )
        navigation.register_public_panel(
            "engagements.indicators.views.public.affluence_panel", order=30
        )
        from engagements.shell import label_cycle

        label_cycle.register_published_figures("engagements.indicators.queries.published_summary")
        label_cycle.register_published_figures_by_prefecture(
            "engagements.indicators.queries.published_summaries"
        )
        navigation.register_public_action(
            gettext_lazy("Nos résultats"),
            "indicators:public-results",
            description=gettext_lazy("Nos engagements de qualité et nos résultats publiés."),
            order=60,
        )
        navigation.register_public_action(
            gettext_lazy("Quand venir, quand appeler"),
            "indicators:public-affluence",
            description=gettext_lazy("Les heures calmes et chargées à l'accueil et au téléphone."),
            order=61,
        )
        action_sources.declare()
        from engagements.shell import hooks

        from .recompute import on_period_touched

        hooks.register_period_touched(on_period_touched)
        from .recompute import recomputing_slot

        hooks.register_page_slot("recompute-status", recomputing_slot)
        from engagements.organisation.jobs import register_housekeeping

        register_housekeeping("engagements.indicators.recompute.purge_finished")

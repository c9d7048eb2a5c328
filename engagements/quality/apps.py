from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "engagements.quality"
    label = "quality"
    verbose_name = "Qualité : plans d'action, référentiel, audits"

    def ready(self):
        from . import import_kinds

        import_kinds.register()  # its files on the agents' « Imports » page
        from django.utils.translation import gettext_lazy

        from engagements.shell import navigation

        from . import action_sources, plugs

        navigation.register_agent_link(
            "Plans d'action",
            "quality:agents-actions",
            capability="read_records",
            order=60,
            group="Qualité",
        )
        navigation.register_agent_link(
            "Référentiel et périmètres",
            "quality:agents-referentials",
            capability="read_figures",
            order=61,
            group="Qualité",
        )
        navigation.register_agent_link(
            "Évaluations et audits",
            "quality:agents-assessments",
            capability="read_figures",
            order=62,
            group="Qualité",
        )
        navigation.register_agent_link(
            "Expériences SP+",
            "quality:agents-experiences",
            capability="read_figures",
            order=63,
            group="Qualité",
        )
        navigation.register_national_link("Vue nationale des labels", "quality:national-labels")
        navigation.register_public_action(
            gettext_lazy("Vous nous l'avez dit, nous l'avons fait"),
            "quality:public-done",
            description=gettext_lazy("Les améliorations menées après vos remarques."),
            order=60,
        )
        navigation.register_public_action(
            gettext_lazy("Notre démarche qualité"),
            "quality:public-approach",
            description=gettext_lazy(
                "Nos engagements, nos labels et comment nous améliorons l'accueil."
            ),
            order=59,
        )
        navigation.register_todo("engagements.quality.todos.home_items")
        plugs.register()
        action_sources.declare()
        self._label_cycle(navigation)

    def _label_cycle(self, navigation) -> None:
        """Labels, trainings, diagnostic and the quality calendar (issue 22)."""
        for order, (label, url_name) in enumerate(
            [
                ("Labels des sites", "quality:agents-labels"),
                ("Calendrier qualité", "quality:agents-calendar"),
                ("Diagnostic par engagement", "quality:agents-diagnostic"),
                ("Formations des agents", "quality:agents-trainings"),
            ],
            start=64,
        ):
            navigation.register_agent_link(
                label, url_name, capability="read_figures", order=order, group="Qualité"
            )
        navigation.register_todo("engagements.quality.label_todos.home_items")
        from engagements import jobs
        from engagements.shell import label_cycle

        label_cycle.register_training_summary("engagements.quality.trainings.annual_summary")
        label_cycle.register_scope_services("engagements.quality.service_scopes.scope_service_ids")

        jobs.register_schedule(
            "quality-label-alerts", "engagements.quality.label_mail.send_label_alerts", at="07:15"
        )
        jobs.register_schedule(
            "quality-labelled-modules",
            "engagements.quality.labels.sync_all_labelled_modules",
            at="03:40",
        )
        navigation.register_public_panel("engagements.quality.label_panel.public_labels", order=70)
        from engagements.shell import hooks

        from . import label_panel

        hooks.register_page_slot("site-labels", label_panel.site_labels)

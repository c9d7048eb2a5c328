from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class CorrespondenceConfig(AppConfig):
    name = "engagements.correspondence"
    label = "correspondence"
    verbose_name = "Courriers et courriels"

    def ready(self):
        from . import import_kinds

        import_kinds.register()  # its files on the agents' « Imports » page
        from engagements import jobs
        from engagements.organisation.jobs import register_housekeeping
        from engagements.outbox import signals
        from engagements.shell import navigation

        from . import action_sources, receivers

        signals.delivery_sent.connect(receivers.on_sent, dispatch_uid="correspondence-sent")
        signals.delivery_failed.connect(receivers.on_failed, dispatch_uid="correspondence-failed")

        jobs.register_schedule(
            "correspondence-fetch-mail",
            "engagements.correspondence.jobs.fetch_mail",
            schedule_type="minutes",
            minutes=5,
        )
        jobs.register_schedule(
            "correspondence-due-alerts",
            "engagements.correspondence.jobs.due_alerts",
            schedule_type="daily",
            at="07:30",
        )
        jobs.register_schedule(
            "correspondence-document-waits",
            "engagements.correspondence.jobs.document_waits",
            schedule_type="daily",
            at="06:30",
        )
        register_housekeeping("engagements.correspondence.jobs.purge")
        register_housekeeping("engagements.correspondence.jobs.purge_quarantine")
        from engagements.shell.personal_data import register_personal_data_source

        from . import personal_data

        register_personal_data_source(personal_data.SOURCE)
        register_personal_data_source(personal_data.QUARANTINE)
        navigation.register_todo("engagements.correspondence.todos.home_items")
        navigation.register_agent_link(
            "Registre",
            "correspondence:agents-list",
            capability="read_records",
            order=20,
            group="Courriers",
        )
        navigation.register_agent_link(
            "Modèles de réponse",
            "correspondence:agents-templates",
            capability="view",
            order=21,
            group="Courriers",
        )
        navigation.register_agent_link(
            "Chiffres des courriers",
            "correspondence:agents-figures",
            capability="read_figures",
            order=22,
            group="Courriers",
        )
        navigation.register_todo("engagements.correspondence.views.quarantine.home_items")
        navigation.register_public_action(
            gettext_lazy("Nous écrire"), "correspondence:contact", order=20
        )
        navigation.register_public_action(
            gettext_lazy("Suivre ma demande"), "correspondence:follow-lookup", order=21
        )
        action_sources.declare()

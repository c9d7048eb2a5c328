from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class CommitteeConfig(AppConfig):
    name = "engagements.committee"
    label = "committee"
    verbose_name = "Comité local des usagers"

    def ready(self):
        from . import import_kinds

        import_kinds.register()  # its files on the agents' « Imports » page
        from engagements.shell.personal_data import register_personal_data_source

        from . import personal_data

        register_personal_data_source(personal_data.SOURCE)
        from engagements import jobs
        from engagements.shell import navigation

        from . import action_sources

        jobs.register_schedule(
            "committee-invitations",
            "engagements.committee.jobs.send_due_invitations",
            schedule_type="daily",
            at="07:00",
        )
        jobs.register_schedule(
            "committee-ended-access",
            "engagements.committee.jobs.revoke_ended_access",
            schedule_type="daily",
            at="00:20",
        )
        from engagements.organisation.jobs import register_housekeeping

        register_housekeeping("engagements.committee.jobs.purge_former_members")
        navigation.register_agent_link(
            "Membres et collèges",
            "committee:agents-members",
            capability="manage",
            order=60,
            group="Comité des usagers",
        )
        navigation.register_agent_link(
            "Réunions",
            "committee:agents-meetings",
            capability="manage",
            order=61,
            group="Comité des usagers",
        )
        navigation.register_agent_link(
            "Suggestions des membres",
            "committee:agents-suggestions",
            capability="manage",
            order=62,
            group="Comité des usagers",
        )
        navigation.register_agent_link(
            "Espace des membres",
            "committee:members-space",
            capability="committee",
            order=63,
            group="Comité des usagers",
        )
        navigation.register_public_action(
            gettext_lazy("Comité local des usagers"), "committee:public", order=70
        )
        navigation.register_todo("engagements.committee.todos.home_items")
        action_sources.declare()
        from engagements.shell import label_cycle

        label_cycle.register_meeting_days("engagements.committee.queries.meeting_days")
        label_cycle.register_meeting_days_by_prefecture(
            "engagements.committee.queries.meeting_days_by_prefecture"
        )

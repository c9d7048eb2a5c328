from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "engagements.surveys"
    label = "surveys"
    verbose_name = "Enquêtes de satisfaction"

    def ready(self):
        from . import import_kinds

        import_kinds.register()  # its files on the agents' « Imports » page
        from django.utils.translation import gettext_lazy

        from engagements.organisation.jobs import register_housekeeping
        from engagements.shell import navigation

        from . import action_sources

        register_housekeeping("engagements.surveys.services.purge_expired")
        navigation.register_todo("engagements.surveys.todos.home_items")
        navigation.register_agent_link(
            "Enquêtes et contrôles",
            "surveys:agents-campaigns",
            capability="read_figures",
            order=40,
            group="Avis des usagers",
        )
        navigation.register_agent_link(
            "Coupons papier à saisir",
            "surveys:agents-coupon-campaigns",
            capability="work",
            order=42,
            group="Avis des usagers",
        )
        navigation.register_agent_link(
            "Contrôles à réaliser",
            "surveys:agents-checks-todo",
            capability="work",
            order=41,
            group="Avis des usagers",
        )
        navigation.register_public_action(
            gettext_lazy("Donner votre avis"),
            "surveys:prefecture",
            description=gettext_lazy("Enquête de satisfaction et avis en étoiles, anonymes."),
            order=30,
        )
        action_sources.declare()

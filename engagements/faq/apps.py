from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "engagements.faq"
    label = "faq"
    verbose_name = "Foire aux questions"

    def ready(self):
        from . import import_kinds

        import_kinds.register()  # its files on the agents' « Imports » page
        from django.utils.translation import gettext_lazy

        from engagements import jobs
        from engagements.shell import hooks, navigation

        from . import page_slots

        navigation.register_agent_link(
            "Questions fréquentes", "faq:agents-list", capability="work", order=60, group="FAQ"
        )
        navigation.register_agent_link(
            "Recherches sans réponse",
            "faq:agents-misses",
            capability="work",
            order=61,
            group="FAQ",
        )
        navigation.register_agent_link(
            "Fiches de procédure",
            "faq:agents-sheets",
            capability="work",
            order=62,
            group="FAQ",
        )
        navigation.register_todo("engagements.faq.todos.sheet_items")
        jobs.register_schedule(
            "procedure-sheet-review-reminders",
            "engagements.faq.services.send_sheet_review_reminders",
            at="07:35",
        )
        navigation.register_public_action(
            gettext_lazy("Questions fréquentes"),
            "faq:prefecture",
            description=gettext_lazy("Les réponses aux questions que l'on nous pose le plus."),
            order=5,
        )
        navigation.register_todo("engagements.faq.todos.home_items")
        hooks.register_page_slot("public-form-help", page_slots.suggestions)
        hooks.register_page_slot("answer-help", page_slots.answer_picker)
        jobs.register_schedule(
            "faq-review-reminders", "engagements.faq.services.send_review_reminders", at="07:30"
        )
        from engagements.organisation.jobs import register_housekeeping

        register_housekeeping("engagements.faq.services.purge_search_misses")

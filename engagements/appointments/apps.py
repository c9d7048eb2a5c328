from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AppointmentsConfig(AppConfig):
    name = "engagements.appointments"
    label = "appointments"
    verbose_name = "Rendez-vous"

    def ready(self):
        from engagements.jobs import register_schedule
        from engagements.organisation.jobs import register_housekeeping
        from engagements.outbox.services import register_mail_context
        from engagements.shell import navigation

        from . import notifications, tokens  # noqa: F401  (tokens: cache invalidation)

        # The booking mails a booking owes are written by the outbox worker.
        register_mail_context(notifications.MAIL_PREFIX, notifications.owed_mail_context)

        p = "engagements.appointments.services."
        register_schedule(
            "appointments: release expired holds",
            p + "sweep_expired_holds",
            schedule_type="minutes",
            minutes=1,
        )
        register_schedule(
            "appointments: reminders", p + "send_reminders", schedule_type="minutes", minutes=10
        )
        register_schedule(
            "appointments: waiting list offers",
            p + "offer_freed_slots",
            schedule_type="minutes",
            minutes=5,
        )
        register_schedule("appointments: generate slots", p + "generate_upcoming_slots", at="02:30")
        register_schedule(
            "appointments: cancel bookings not confirmed the day before",
            p + "cancel_unconfirmed_day_before",
            at="06:30",
        )
        register_schedule(
            "appointments: documents before the appointment (reminders, overdue list)",
            p + "remind_and_flag_document_waits",
            at="07:15",
        )
        register_housekeeping(p + "purge_personal_data")
        navigation.register_todo("engagements.appointments.todos.home_items")
        register_housekeeping(p + "purge_idempotency_keys")
        register_housekeeping(p + "purge_waiting_rooms")
        from engagements.shell.personal_data import register_personal_data_source

        from . import personal_data

        for source in personal_data.SOURCES:
            register_personal_data_source(source)
        register_schedule(
            "appointments: draw waiting rooms at opening",
            p + "draw_due_rooms",
            schedule_type="minutes",
            minutes=1,
        )
        navigation.register_agent_link(
            "Vue d'ensemble",
            "appointments:agents-index",
            capability="read_records",
            order=30,
            group="Rendez-vous",
        )
        navigation.register_agent_link(
            "Accueil du jour",
            "appointments:agents-day",
            capability="work",
            order=31,
            group="Rendez-vous",
        )
        navigation.register_agent_link(
            "Réserver pour une personne",
            "appointments:agents-book-start",
            capability="work",
            order=32,
            group="Rendez-vous",
        )
        navigation.register_agent_link(
            "Pièces en attente — délai dépassé",
            "appointments:agents-documents-overdue",
            capability="read_records",
            order=33,
            group="Rendez-vous",
        )
        navigation.register_public_action(
            gettext_lazy("Prendre rendez-vous"), "appointments:procedures", order=10
        )

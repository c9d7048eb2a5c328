from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "engagements.calendar"
    label = "calendar"
    verbose_name = "Calendrier des jours ouvrés"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from engagements import jobs
        from engagements.organisation.models import Closure
        from engagements.organisation.signals import holidays_changed

        from . import receivers

        # Closures written anywhere (services, admin, fixtures) and a change of holiday
        # subdivision write the stored working-day calendars again.
        post_save.connect(receivers.on_closure_changed, sender=Closure, dispatch_uid="wd-save")
        post_delete.connect(receivers.on_closure_changed, sender=Closure, dispatch_uid="wd-del")
        holidays_changed.connect(receivers.on_holidays_changed, dispatch_uid="wd-holidays")
        jobs.register_schedule(
            "working-days-ahead", "engagements.calendar.jobs.extend_ahead", at="02:30"
        )

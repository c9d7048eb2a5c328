from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .enums import MinutesStatus
from .models import College, Committee, Meeting, MeetingLog, Minutes, Seat, Suggestion
from .services import documents, members


def _protect_approved_minutes(deleted, minutes) -> tuple:
    """Django's delete confirmation (and "delete selected") refuses what is `protected`:
    approved minutes are a public record, never deleted (their meeting neither)."""
    to_delete, model_count, perms_needed, protected = deleted
    frozen = [str(m) for m in minutes.filter(status=MinutesStatus.APPROVED)]
    return to_delete, model_count, perms_needed, list(protected) + frozen


@admin.register(Committee)
class CommitteeAdmin(SimpleHistoryAdmin):
    list_display = ["prefecture", "kind", "order_reference", "planned_audit_date"]


@admin.register(College)
class CollegeAdmin(admin.ModelAdmin):
    list_display = ["name", "committee", "position"]


@admin.register(Seat)
class SeatAdmin(SimpleHistoryAdmin):
    list_display = [
        "organisation",
        "person_name",
        "college",
        "kind",
        "mandate_start",
        "mandate_end",
    ]
    list_filter = ["committee", "kind"]

    def render_history_view(self, request, template, context, **kwargs):
        # The reason an import stores is a code (the next import matches on it): in words.
        for record in context["page_obj"]:
            record.history_change_reason = members.history_reason_label(
                record.history_change_reason
            )
        return super().render_history_view(request, template, context, **kwargs)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "committee", "kind", "status"]
    list_filter = ["committee", "status"]
    # Status changes go through services.meetings.change_status (transition table, log).
    readonly_fields = ["status", "invitation_sent_at"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.minutes.filter(status=MinutesStatus.APPROVED).exists():
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        documents.delete_meetings([obj])  # their files too

    def delete_queryset(self, request, queryset):
        documents.delete_meetings(list(queryset))

    def get_deleted_objects(self, objs, request):
        meetings = [m.pk for m in objs]
        return _protect_approved_minutes(
            super().get_deleted_objects(objs, request),
            Minutes.objects.filter(meeting_id__in=meetings),
        )


@admin.register(MeetingLog)
class MeetingLogAdmin(admin.ModelAdmin):
    list_display = ["meeting", "from_status", "to_status", "at", "actor"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
    list_display = ["meeting", "version", "kind", "status", "published_at"]
    readonly_fields = ["status", "approved_on", "approved_at_meeting", "published_at"]

    # Approved minutes are frozen (Minutes.save refuses them): read-only, never deleted.
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        pks = [m.pk for m in objs]
        return _protect_approved_minutes(
            super().get_deleted_objects(objs, request), Minutes.objects.filter(pk__in=pks)
        )


@admin.register(Suggestion)
class SuggestionAdmin(SimpleHistoryAdmin):
    list_display = ["submitted_on", "committee", "author_label", "status"]
    list_filter = ["committee", "status"]

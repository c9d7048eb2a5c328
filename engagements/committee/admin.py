from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import College, Committee, Meeting, MeetingLog, Minutes, Seat, Suggestion


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


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "committee", "kind", "status"]
    list_filter = ["committee", "status"]
    # Status changes go through services.meetings.change_status (transition table, log).
    readonly_fields = ["status", "invitation_sent_at"]


@admin.register(MeetingLog)
class MeetingLogAdmin(admin.ModelAdmin):
    list_display = ["meeting", "from_status", "to_status", "at", "actor"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
    list_display = ["meeting", "version", "kind", "status", "published_at"]
    readonly_fields = ["status", "approved_on", "approved_at_meeting", "published_at"]


@admin.register(Suggestion)
class SuggestionAdmin(SimpleHistoryAdmin):
    list_display = ["submitted_on", "committee", "author_label", "status"]
    list_filter = ["committee", "status"]

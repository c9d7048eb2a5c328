from django.contrib import admin

from .models import ApiToken, Booking, BookingLog, Procedure, ScheduleRule, Slot, WaitlistEntry


class RuleInline(admin.TabularInline):
    model = ScheduleRule
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "service", "capacity", "is_public"]
    list_filter = ["prefecture", "is_public"]
    inlines = [RuleInline]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "procedure", "booked", "capacity", "blocked", "priority"]
    list_filter = ["procedure"]
    readonly_fields = ["booked"]  # only services move the counter


class LogInline(admin.TabularInline):
    model = BookingLog
    extra = 0
    readonly_fields = ["at", "from_status", "to_status", "actor", "note"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["reference", "last_name", "procedure", "status", "channel"]
    list_filter = ["status", "channel"]
    search_fields = ["reference", "last_name", "email"]
    readonly_fields = ["status", "slot", "token", "reference"]  # transitions go through services
    exclude = ["email_key", "phone_key", "foreign_number_key"]
    inlines = [LogInline]


@admin.register(WaitlistEntry)
class WaitlistAdmin(admin.ModelAdmin):
    list_display = ["procedure", "last_name", "status", "created_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefecture", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["token_hash"]

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Closure, OpeningHours, Prefecture, Role, Service, Site, Target


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ["name", "slug", "kind", "city", "is_active"]


@admin.register(Prefecture)
class PrefectureAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "department_code", "holiday_subdivision"]
    search_fields = ["name", "slug"]
    inlines = [SiteInline]


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ["name", "prefecture", "kind", "city", "is_active"]
    list_filter = ["prefecture", "kind"]


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "site", "is_active"]
    list_filter = ["site__prefecture"]
    list_select_related = ["site"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(SimpleHistoryAdmin):
    list_display = ["site", "channel", "weekday", "opens_at", "closes_at"]
    list_filter = ["site__prefecture", "channel"]


@admin.register(Closure)
class ClosureAdmin(SimpleHistoryAdmin):
    list_display = ["date", "label", "prefecture", "site"]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["prefecture", "year", "indicator", "value"]


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "kind", "prefecture"]
    list_filter = ["kind", "prefecture"]
    filter_horizontal = ["sites", "services"]

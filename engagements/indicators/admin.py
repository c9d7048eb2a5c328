"""Published results, shown read-only: a publication is never changed nor deleted (a
correction is a new version, a withdrawal a logged action of the référent)."""

from django.contrib import admin

from .models import Publication


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["prefecture", "period_kind", "period_start", "version", "published_at"]
    list_filter = ["prefecture", "period_kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

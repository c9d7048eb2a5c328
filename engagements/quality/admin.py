"""National administration: each prefecture's status list, referentials, structure table."""

from django.contrib import admin

from .models import (
    ActionStatus,
    Commitment,
    Module,
    Referential,
    StructureMapping,
)


@admin.register(ActionStatus)
class ActionStatusAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "base", "default_progress", "position", "prefecture"]
    list_filter = ["prefecture", "base"]
    list_editable = ["default_progress", "position"]


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


@admin.register(Referential)
class ReferentialAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "is_example"]
    inlines = [ModuleInline]


class CommitmentInline(admin.TabularInline):
    """Read-only: a referential's text comes from its YAML file (`import_referential`), where
    the wording of commitments already evaluated is frozen (a change needs a new version)."""

    model = Commitment
    extra = 0
    fields = ["ref", "title", "position"]
    readonly_fields = ["ref", "title", "position"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "referential", "mandatory"]
    list_filter = ["referential"]
    inlines = [CommitmentInline]


@admin.register(StructureMapping)
class StructureMappingAdmin(admin.ModelAdmin):
    list_display = ["structure", "site", "prefecture"]
    list_filter = ["prefecture"]

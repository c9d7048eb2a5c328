from django.contrib import admin

from .models import (
    Campaign,
    Comment,
    Grid,
    GridCriterion,
    MysteryCheck,
    Question,
    Questionnaire,
)


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["name", "prefecture"]
    list_filter = ["prefecture"]
    inlines = [QuestionInline]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "site", "starts_on", "ends_on", "token"]
    list_filter = ["prefecture", "kind"]
    filter_horizontal = ["services"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    # Reviews go through the agents' screen (state machine); the admin only reads.
    list_display = ["pk", "status", "flags"]
    list_filter = ["status"]
    readonly_fields = ["response", "question", "text", "status", "flags", "tags"]


class GridCriterionInline(admin.TabularInline):
    model = GridCriterion
    extra = 0


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "prefecture"]
    inlines = [GridCriterionInline]


@admin.register(MysteryCheck)
class MysteryCheckAdmin(admin.ModelAdmin):
    list_display = ["pk", "prefecture", "service", "checker_prefecture", "planned_on", "status"]
    list_filter = ["status", "prefecture"]
    readonly_fields = ["status", "score", "performed_at", "performed_by"]

from django import forms
from django.contrib import admin

from .models import (
    DocumentRequest,
    IngestedMail,
    Mailbox,
    Message,
    MessageEvent,
    QuarantinedMail,
    RegisterSettings,
    Template,
    TemplateVersion,
    Topic,
)


@admin.register(RegisterSettings)
class RegisterSettingsAdmin(admin.ModelAdmin):
    list_display = ["prefecture", "retention_years", "observation_days", "duplicate_window"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "prefecture", "position", "is_active"]
    list_filter = ["prefecture"]


class MailboxForm(forms.ModelForm):
    class Meta:
        model = Mailbox
        fields = [
            "prefecture",
            "site",
            "service",
            "label",
            "host",
            "port",
            "use_ssl",
            "username",
            "password",
            "folder",
            "processed_folder",
            "is_active",
        ]
        # Masked on screen; stored in the database for now (a secret store in production).
        widgets = {"password": forms.PasswordInput(render_value=True)}


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["label", "prefecture", "service", "host", "folder", "last_polled_at"]
    readonly_fields = ["last_polled_at", "last_error"]


class EventInline(admin.TabularInline):
    model = MessageEvent
    extra = 0
    readonly_fields = ["at", "actor", "kind", "from_status", "to_status", "text"]
    can_delete = False


class DocumentRequestInline(admin.TabularInline):
    """Waits for missing documents: they change through the services, read only here."""

    model = DocumentRequest
    extra = 0
    readonly_fields = [
        "requested_on",
        "documents",
        "requested_by",
        "reminded_on",
        "received_on",
        "waited_days",
        "closed",
    ]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["reference", "prefecture", "site", "channel", "kind", "status", "due_on"]
    list_filter = ["prefecture", "status", "channel", "kind"]
    search_fields = ["reference", "external_reference", "subject"]
    # Statuses change through the services (state machine), never from the admin.
    readonly_fields = [
        "reference",
        "external_reference",
        "imported",
        "status",
        "answered_on",
        "closed_reason",
        "closed_on",
        "due_on",
        "waited_days",
    ]
    inlines = [EventInline, DocumentRequestInline]


class VersionInline(admin.TabularInline):
    model = TemplateVersion
    extra = 0
    readonly_fields = ["number", "status", "submitted_at", "published_at"]


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "prefecture", "purpose", "channel", "service"]
    inlines = [VersionInline]


@admin.register(IngestedMail)
class IngestedMailAdmin(admin.ModelAdmin):
    list_display = ["mailbox", "uidvalidity", "uid", "outcome", "message", "at", "flagged_at"]


@admin.register(QuarantinedMail)
class QuarantinedMailAdmin(admin.ModelAdmin):
    """Read only: the référent resolves these on the agents' page "Courriels à vérifier"."""

    list_display = ["created_at", "mailbox", "subject", "status", "error"]
    list_filter = ["status", "mailbox"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from django.contrib import admin

from .models import Attachment, Delivery


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["filename", "mimetype"]
    readonly_fields = fields
    extra = 0


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "purpose", "status", "attempts", "prefecture"]
    list_filter = ["status", "kind", "prefecture"]
    search_fields = ["subject", "message_id", "purpose"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttachmentInline]

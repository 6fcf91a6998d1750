from django.contrib import admin

from civicdesk.inbound.models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Read-only: what each channel received and why something was refused or dropped."""

    list_display = ["received_at", "channel", "outcome", "case", "note"]
    list_filter = ["channel", "outcome"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

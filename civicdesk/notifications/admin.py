from django.contrib import admin

from civicdesk.notifications.models import Outbox, Preference


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    """Read-only: messages change state through delivery and the staff outbox page only."""

    list_display = ["created_at", "event", "channel", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "event"]
    exclude = ["recipient", "dedupe_key"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["channel", "stop_all", "stopped_kinds", "updated_at"]
    list_filter = ["channel", "stop_all"]
    search_fields = ["address"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

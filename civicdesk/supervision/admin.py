from django.contrib import admin

from civicdesk.supervision.models import LeaderInstruction, SupervisionEvent, SupervisionLetter


class ReadOnly(admin.ModelAdmin):
    """Letters and instructions change only through their services (their history is
    chained): the admin shows them, it does not edit them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SupervisionLetter)
class SupervisionLetterAdmin(ReadOnly):
    list_display = ["number", "unit", "deadline", "status", "replied_at", "escalated_at"]
    list_filter = ["status"]


@admin.register(LeaderInstruction)
class LeaderInstructionAdmin(ReadOnly):
    list_display = ["__str__", "unit", "leader", "given_at", "acknowledged_at"]


@admin.register(SupervisionEvent)
class SupervisionEventAdmin(ReadOnly):
    list_display = ["chain", "position", "action", "actor", "created_at"]

from django.contrib import admin

from civicdesk.cases.models import (
    Area,
    Case,
    CaseEvent,
    Category,
    DispatchRule,
    Grid,
    ReplyTemplate,
    ReturnReason,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "default_unit", "is_active"]
    list_filter = ["parent", "is_active"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "is_active"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "action",
        "from_status",
        "to_status",
        "actor",
        "actor_kind",
        "unit",
        "note",
        "is_public",
        "created_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    # Read-only: changes go through the staff pages so that every one leaves an event.
    list_display = ["tracking_code", "status", "unit", "category", "received_at"]
    list_filter = ["status", "unit"]
    search_fields = ["tracking_code"]
    inlines = [CaseEventInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Work-order data a district edits: grids, areas, dispatch rules and return reasons.
@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit", "worker", "is_active"]
    list_filter = ["unit", "is_active"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "area", "unit", "priority", "is_active"]
    list_filter = ["is_active", "unit"]


@admin.register(ReturnReason)
class ReturnReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "needs_explanation", "is_active", "sort_order"]

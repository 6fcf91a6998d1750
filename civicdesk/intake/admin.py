from django.contrib import admin

from civicdesk.intake.models import Channel, Source, Submission


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group", "is_public_form", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "received_at", "for_enterprise"]
    list_filter = ["channel", "for_enterprise"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "answers_authors"]
    list_editable = ["answers_authors"]
    list_filter = ["channel", "answers_authors"]

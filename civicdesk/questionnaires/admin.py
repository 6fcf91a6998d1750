from django.contrib import admin

from civicdesk.questionnaires.models import Questionnaire, QuestionnaireEvent, Response


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "audience", "status", "current_version")
    list_filter = ("status", "audience")
    search_fields = ("title", "slug")
    # Questions and versions change only through the builder, which keeps versions frozen.
    readonly_fields = ("current_version", "status")


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("questionnaire", "version", "channel", "enterprise_name", "created_at")
    list_filter = ("channel",)
    search_fields = ("enterprise_name", "enterprise_credit_code", "paper_number")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QuestionnaireEvent)
class QuestionnaireEventAdmin(admin.ModelAdmin):
    list_display = ("questionnaire", "action", "actor", "created_at")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

from django.contrib import admin

from civicdesk.imports.models import ImportJob, JobEvent, SavedMapping

# The files live in private storage without URLs; they are downloaded from the app's pages.
_FILES = ("upload", "report_xlsx", "report_csv")


class JobEventInline(admin.TabularInline):
    model = JobEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "actor", "note", "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("file_name", "channel", "source_name", "status", "total", "imported",
                    "duplicates", "rejected", "created_by", "created_at")  # fmt: skip
    list_filter = ("status", "channel", "file_format")
    search_fields = ("file_name", "source_name")
    exclude = _FILES
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name not in _FILES]
    inlines = [JobEventInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SavedMapping)
class SavedMappingAdmin(admin.ModelAdmin):
    list_display = ("channel", "source_name", "updated_by", "updated_at")
    list_filter = ("channel",)

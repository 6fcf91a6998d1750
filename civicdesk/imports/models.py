"""Imports of messages from other channels: the jobs, their history and remembered mappings."""

import os
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import User
from civicdesk.core.history import AppendOnly
from civicdesk.imports.parsers import FileFormat, NumberKind


class PrivateImportStorage(FileSystemStorage):
    """Uploads and rejected-row reports, outside MEDIA_ROOT: they hold what citizens wrote,
    and only the access-checked views of this app hand them out."""

    # Read from the settings on every use (not cached), so that tests and a changed setting
    # see the folder in force now.
    @property
    def base_location(self) -> str:
        return str(import_dir())

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:
        # No URL: files leave only through the app's own views.
        return None


def import_dir():
    default = settings.DATA_DIR / "imports"
    return getattr(settings, "CIVICDESK_IMPORT_DIR", None) or default


def private_storage() -> FileSystemStorage:
    return PrivateImportStorage()


def upload_path(job: "ImportJob", filename: str) -> str:
    # Random names: nothing of the original file name reaches the disk.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"uploads/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def report_path(job: "ImportJob", filename: str) -> str:
    return f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix}"


class JobStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# Which status may follow which. A running job goes back to the queue only when its worker
# stopped answering (see services.job_rerun); a failed one when someone runs it again.
TRANSITIONS: dict[str, frozenset[str]] = {
    JobStatus.DRAFT: frozenset({JobStatus.QUEUED}),
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.FAILED}),
    JobStatus.RUNNING: frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.QUEUED}),
    JobStatus.FAILED: frozenset({JobStatus.QUEUED}),
    JobStatus.DONE: frozenset(),
}
WORKING_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})


class ImportJob(models.Model):
    """One uploaded file of messages and what became of each of its rows."""

    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    channel = models.ForeignKey(
        "intake.Channel", on_delete=models.PROTECT, related_name="+", verbose_name=_("channel")
    )
    source_name = models.CharField(_("source"), max_length=80)
    file_name = models.CharField(_("file"), max_length=200)
    upload = models.FileField(storage=private_storage, upload_to=upload_path, max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    file_format = models.CharField(_("format"), max_length=10, choices=FileFormat.choices)
    number_kind = models.CharField(max_length=10, choices=NumberKind.choices)
    # The file's columns, and which of them holds each field (see fields.FIELDS).
    columns = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    # The first rows as read at upload, for the mapping and preview pages.
    sample = models.JSONField(default=list)
    min_length = models.PositiveSmallIntegerField(_("shortest message kept"), default=0)
    # The uploader's language: the worker writes errors and the report in it.
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.DRAFT
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    duplicates = models.PositiveIntegerField(_("already there"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    # Rows dealt with so far, out of total: the progress bar.
    progress = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    report_xlsx = models.FileField(
        storage=private_storage, upload_to=report_path, blank=True, max_length=200
    )
    report_csv = models.FileField(
        storage=private_storage, upload_to=report_path, blank=True, max_length=200
    )
    # When the retention job deleted the reports (CIVICDESK_IMPORT_REPORT_RETENTION_DAYS): the
    # pages then say so instead of offering a download. The counts stay.
    reports_removed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Moved on after each batch: a running job whose heartbeat stopped lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_working(self) -> bool:
        return self.status in WORKING_STATUSES

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(100, int(100 * self.progress / self.total)) if self.total else 0

    @property
    def is_chat(self) -> bool:
        from civicdesk.imports.parsers import CHAT_FORMATS

        return self.file_format in CHAT_FORMATS


ACTIONS = {
    "uploaded": _("uploaded"),
    "mapped": _("columns chosen"),
    "queued": _("queued"),
    "started": _("started"),
    "finished": _("finished"),
    "failed": _("failed"),
    "requeued": _("queued again"),
    "reports_removed": _("rejected rows removed"),
}


class JobEvent(AppendOnly):
    """One step of a job's history. Append-only: events are never edited or deleted."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10, choices=JobStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=JobStatus.choices, blank=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("import event")
        verbose_name_plural = _("import events")

    def __str__(self) -> str:
        return f"{self.job_id} {self.action}"

    @property
    def label(self) -> str:
        return str(ACTIONS.get(self.action, self.action))


class SavedMapping(models.Model):
    """The columns chosen last time for a channel and source, offered again next time."""

    channel = models.ForeignKey("intake.Channel", on_delete=models.CASCADE, related_name="+")
    # The source name folded (case, width, spaces), so "东苑 社区群" and "东苑社区群" match.
    source_key = models.CharField(max_length=80)
    source_name = models.CharField(max_length=80)
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source_key"], name="imports_one_mapping_per_source"
            )
        ]
        verbose_name = _("saved column mapping")
        verbose_name_plural = _("saved column mappings")

    def __str__(self) -> str:
        return f"{self.channel} · {self.source_name}"

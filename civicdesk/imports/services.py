"""Importing messages from other channels: upload, map, preview, run in the background.

A file that cannot be read imports nothing: the worker reads and checks the whole file before
it stores the first message. Once it can be read, its good rows are imported and its bad rows
rejected into a downloadable report. Rows are stored in batches of BATCH_SIZE, each batch all
or nothing, each with its cases exactly as `case_open` opens them. A message already stored
(same channel and external id: the source's own number, or a fingerprint of source, author,
time and text) is counted as already there and not stored again, so a file imported twice,
or a job run again after its worker died, adds nothing twice.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.imports.access import may_set_answers_authors
from civicdesk.imports.checks import CheckContext, Message, Rejection, check_row, source_key
from civicdesk.imports.fields import clean_mapping, guess_mapping, mapping_errors
from civicdesk.imports.models import (
    TRANSITIONS,
    ImportJob,
    JobEvent,
    JobStatus,
    SavedMapping,
)
from civicdesk.imports.parsers import (
    FileFormat,
    ImportFileError,
    SourceRow,
    detect_format,
    parse,
)
from civicdesk.imports.report import report_csv, report_xlsx
from civicdesk.intake.models import Channel, Source, Submission
from civicdesk.intake.models import source_key as intake_source_key
from civicdesk.intake.routing import known_confidential
from civicdesk.intake.services import NewSubmission, submissions_create_bulk

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# Rows kept from the upload for the mapping and preview pages.
SAMPLE_ROWS = 20
# A running job whose heartbeat is older than this lost its worker; it may be run again.
STALE_AFTER = timedelta(minutes=10)


class ImportJobError(Exception):
    """Something a person can fix or should know; the message is translated."""


def max_upload_bytes() -> int:
    return getattr(settings, "CIVICDESK_IMPORT_MAX_BYTES", 50 * 1024 * 1024)


def too_large_message(size: int | None = None) -> str:
    limit = filesizeformat(max_upload_bytes())
    if size is None:
        return _("The file is larger than %(limit)s; split it into smaller files.") % {
            "limit": limit
        }
    return _("The file has %(size)s; files up to %(limit)s can be imported. Split it.") % {
        "size": filesizeformat(size),
        "limit": limit,
    }


def _move(job: ImportJob, to_status: str, *, action: str, actor: User | None, note: str = ""):
    if to_status not in TRANSITIONS[job.status]:
        raise ImportJobError(
            _("An import that is “%(status)s” cannot become “%(target)s”.")
            % {
                "status": JobStatus(job.status).label,
                "target": JobStatus(to_status).label,
            }
        )
    JobEvent.objects.create(
        job=job,
        action=action,
        from_status=job.status,
        to_status=to_status,
        actor=actor,
        note=note,
    )
    job.status = to_status


def _lock(job: ImportJob) -> ImportJob:
    return ImportJob.objects.select_for_update().select_related("channel").get(pk=job.pk)


# --- upload, mapping, preview --------------------------------------------------------------


def suggested_mapping(channel: Channel, source_name: str, columns: list[str]) -> dict[str, str]:
    """Last time's mapping for this channel and source where it fits, guesses elsewhere."""
    mapping = guess_mapping(columns)
    saved = SavedMapping.objects.filter(
        channel=channel, source_key=source_key(source_name)[:80]
    ).first()
    if saved is not None:
        remembered = clean_mapping(saved.mapping, columns)
        # A remembered column wins, and takes its column away from any guess.
        mapping = {k: v for k, v in mapping.items() if v not in remembered.values()}
        mapping.update(remembered)
    return mapping


def job_create(
    *,
    upload: UploadedFile,
    channel: Channel,
    source_name: str,
    actor: User,
    file_format: str = "",
    min_length: int = 0,
    answers_authors: bool | None = None,
) -> ImportJob:
    """Keep an uploaded file as a draft import, once its first rows can be read.

    ``answers_authors`` (administrators only) sets the source's flag that its authors may
    hear the answer; None leaves it as it is.

    A file that cannot be read at all is refused here and nothing is kept. Text formats are
    read to the end (quick); workbooks only as far as the preview needs, the rest when the
    import runs.
    """
    if answers_authors is not None and not may_set_answers_authors(actor):
        raise ImportJobError(
            _("Only administrators decide whether a source's authors may hear the answer.")
        )
    if upload.size is not None and upload.size > max_upload_bytes():
        raise ImportJobError(too_large_message(upload.size))
    content = upload.read(max_upload_bytes() + 1)
    if len(content) > max_upload_bytes():
        raise ImportJobError(too_large_message())
    try:
        file_format = file_format or detect_format(upload.name or "", content)
        parsed = parse(
            content, file_format, limit=SAMPLE_ROWS if file_format == FileFormat.XLSX else None
        )
    except ImportFileError as error:
        raise ImportJobError(
            _("%(file)s: %(problem)s") % {"file": upload.name, "problem": error}
        ) from None
    source_name = source_name.strip() or parsed.source_hint
    if not source_name:
        raise ImportJobError(_("Name the source: the chat group, site or account."))
    mapping = parsed.fixed_mapping or suggested_mapping(channel, source_name, parsed.columns)
    job = ImportJob(
        created_by=actor,
        channel=channel,
        source_name=source_name[:80],
        file_name=(upload.name or "upload")[:200],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        file_format=file_format,
        number_kind=parsed.number_kind,
        columns=parsed.columns,
        mapping=mapping,
        sample=[[row.number, row.values, row.details] for row in parsed.rows[:SAMPLE_ROWS]],
        min_length=min_length,
        total=len(parsed.rows) + parsed.skipped if parsed.complete else 0,
        language=translation.get_language() or "",
    )
    job.upload.save(job.file_name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            job.save()
            JobEvent.objects.create(job=job, action="uploaded", to_status=job.status, actor=actor)
            # Listed for administrators, who decide whether its authors get answers.
            source, _created = Source.objects.select_for_update().get_or_create(
                channel=channel,
                key=intake_source_key(job.source_name),
                defaults={"name": job.source_name},
            )
            if answers_authors is not None and source.answers_authors != answers_authors:
                source.answers_authors = answers_authors
                source.save(update_fields=["answers_authors"])
    except BaseException:
        job.upload.delete(save=False)
        raise
    return job


@transaction.atomic
def job_set_mapping(*, job: ImportJob, mapping: dict[str, str], actor: User) -> ImportJob:
    """Choose the columns; remembered for the next file of the same channel and source."""
    job = _lock(job)
    if job.status != JobStatus.DRAFT:
        raise ImportJobError(_("This import has started; its columns can no longer change."))
    if job.is_chat:
        raise ImportJobError(_("Chat exports have fixed columns."))
    mapping = {key: column for key, column in mapping.items() if column}
    errors = mapping_errors(mapping, job.columns)
    if errors:
        raise ImportJobError(" ".join(errors))
    job.mapping = mapping
    job.save(update_fields=["mapping"])
    SavedMapping.objects.update_or_create(
        channel=job.channel,
        source_key=source_key(job.source_name)[:80],
        defaults={
            "source_name": job.source_name,
            "mapping": mapping,
            "updated_by": actor,
            "updated_at": timezone.now(),
        },
    )
    JobEvent.objects.create(job=job, action="mapped", actor=actor, note=str(mapping))
    return job


def _context(job: ImportJob) -> CheckContext:
    return CheckContext(
        mapping=job.mapping,
        source=job.source_name,
        default_time=job.created_at,
        now=timezone.now(),
        min_length=job.min_length,
    )


@dataclass
class PreviewRow:
    number: int
    status: str  # "ready", "known", "rejected" or "skipped"
    values: dict[str, str]
    message: Message | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)


def job_preview(job: ImportJob) -> list[PreviewRow]:
    """The first rows as the import will treat them, checked as it will check them."""
    if mapping_errors(job.mapping, job.columns):
        return []
    context = _context(job)
    rows = [
        SourceRow(number=number, values=values, details=details)
        for number, values, details in job.sample
    ]
    results = [(row, check_row(row, context)) for row in rows]
    ids = [result.external_id for _row, result in results if isinstance(result, Message)]
    known = set(
        Submission.objects.filter(channel=job.channel, external_id__in=ids).values_list(
            "external_id", flat=True
        )
    )
    preview = []
    for row, result in results:
        if isinstance(result, Rejection):
            preview.append(PreviewRow(row.number, "rejected", row.values, problems=result.problems))
        elif result is None:
            preview.append(PreviewRow(row.number, "skipped", row.values))
        else:
            status = "known" if result.external_id in known else "ready"
            preview.append(PreviewRow(row.number, status, row.values, message=result))
    return preview


def earlier_import(job: ImportJob) -> ImportJob | None:
    """A finished import of the very same file into the same channel, if there was one."""
    return (
        ImportJob.objects.filter(sha256=job.sha256, channel=job.channel, status=JobStatus.DONE)
        .exclude(pk=job.pk)
        .first()
    )


def _enqueue(job: ImportJob) -> None:
    from civicdesk.imports.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk))


@transaction.atomic
def job_start(*, job: ImportJob, actor: User) -> ImportJob:
    job = _lock(job)
    errors = mapping_errors(job.mapping, job.columns)
    if errors:
        raise ImportJobError(" ".join(errors))
    _move(job, JobStatus.QUEUED, action="queued", actor=actor)
    job.save(update_fields=["status"])
    _enqueue(job)
    return job


def is_stale(job: ImportJob, now=None) -> bool:
    """A running job whose worker stopped moving it on (killed, machine restarted)."""
    beat = job.heartbeat_at or job.started_at
    return job.status == JobStatus.RUNNING and (
        beat is None or beat < (now or timezone.now()) - STALE_AFTER
    )


def may_rerun(job: ImportJob) -> bool:
    return job.status == JobStatus.FAILED or is_stale(job)


@transaction.atomic
def job_rerun(*, job: ImportJob, actor: User) -> ImportJob:
    """Queue a failed or abandoned job again; what it already stored is not stored twice."""
    job = _lock(job)
    if not may_rerun(job):
        raise ImportJobError(
            _("Only a failed import, or one whose worker stopped, can be run again.")
        )
    _move(job, JobStatus.QUEUED, action="requeued", actor=actor)
    job.save(update_fields=["status"])
    _enqueue(job)
    return job


@transaction.atomic
def job_discard(*, job: ImportJob, actor: User) -> None:
    """Drop an upload that was never imported, file included."""
    job = _lock(job)
    if job.status != JobStatus.DRAFT:
        raise ImportJobError(_("Only an import that has not started can be discarded."))
    storage, name = job.upload.storage, job.upload.name
    job.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- running -------------------------------------------------------------------------------


def job_execute(job_id: int) -> ImportJob | None:
    """The worker's part: read, check, store. Does nothing unless the job is queued, so a
    task delivered twice runs once."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.QUEUED:
            return job
        _move(job, JobStatus.RUNNING, action="started", actor=None)
        old_reports = [f for f in (job.report_xlsx, job.report_csv) if f]
        for report in old_reports:
            report.delete(save=False)
        now = timezone.now()
        job.started_at = job.heartbeat_at = now
        job.finished_at = job.seconds = None
        job.error = ""
        job.imported = job.duplicates = job.rejected = job.skipped = job.progress = 0
        job.reports_removed_at = None
        job.save()
    started = time.monotonic()
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            _run(job)
        except ImportFileError as error:
            return _finish(job, JobStatus.FAILED, started=started, error=str(error))
        except Exception as error:
            logger.exception("import %s failed", job.pk)
            _finish(
                job,
                JobStatus.FAILED,
                started=started,
                error=_(
                    "The import stopped: %(error)s. The rows stored before it stopped stay; "
                    "run it again to import the rest."
                )
                % {"error": error},
            )
            raise
    return _finish(job, JobStatus.DONE, started=started)


def _finish(job: ImportJob, status: str, *, started: float, error: str = "") -> ImportJob:
    with transaction.atomic():
        job = _lock(job)
        _move(job, status, action="finished" if status == JobStatus.DONE else "failed",
              actor=None, note=error[:2000])  # fmt: skip
        job.error = error[:2000]
        job.finished_at = timezone.now()
        job.seconds = round(time.monotonic() - started, 3)
        if status == JobStatus.DONE:
            job.progress = job.total
        job.save()
    return job


def _read_upload(job: ImportJob) -> bytes:
    try:
        with job.upload.open("rb") as handle:
            return handle.read()
    except OSError:
        raise ImportFileError(
            _("The uploaded file is no longer on the server; upload it again.")
        ) from None


def _run(job: ImportJob) -> None:
    parsed = parse(_read_upload(job), job.file_format)
    context = _context(job)
    messages: list[Message] = []
    rejections: list[Rejection] = []
    skipped = parsed.skipped
    for row in parsed.rows:
        result = check_row(row, context)
        if result is None:
            skipped += 1
        elif isinstance(result, Rejection):
            rejections.append(result)
        else:
            messages.append(result)
    job.total = len(parsed.rows) + parsed.skipped
    job.rejected = len(rejections)
    job.skipped = skipped
    job.progress = job.rejected + job.skipped
    job.heartbeat_at = timezone.now()
    if rejections:
        job.report_xlsx.save(
            "rejected.xlsx",
            ContentFile(report_xlsx(rejections, parsed.columns, parsed.number_kind)),
            save=False,
        )
        job.report_csv.save(
            "rejected.csv",
            ContentFile(report_csv(rejections, parsed.columns, parsed.number_kind)),
            save=False,
        )
    job.save(
        update_fields=[
            "total",
            "rejected",
            "skipped",
            "progress",
            "heartbeat_at",
            "report_xlsx",
            "report_csv",
        ]
    )
    _store(job, messages)


def _store(job: ImportJob, messages: list[Message]) -> None:
    unique: dict[str, Message] = {}
    for message in messages:
        # The same message twice in one file (pasted twice, overlapping exports): once.
        unique.setdefault(message.external_id, message)
    pending = list(unique.values())
    imported, duplicates = 0, len(messages) - len(unique)
    progress = job.progress + duplicates
    for start in range(0, len(pending), BATCH_SIZE):
        batch = pending[start : start + BATCH_SIZE]
        for attempt in range(2):
            try:
                with transaction.atomic():
                    stored, earlier = _store_batch(job, batch)
                    ImportJob.objects.filter(pk=job.pk).update(
                        imported=imported + stored + earlier,
                        duplicates=duplicates + len(batch) - stored - earlier,
                        progress=progress + len(batch),
                        heartbeat_at=timezone.now(),
                    )
                break
            except IntegrityError:
                # Another import stored some of these messages since we looked: look again.
                if attempt:
                    raise
        imported += stored + earlier
        duplicates += len(batch) - stored - earlier
        progress += len(batch)


def _store_batch(job: ImportJob, batch: list[Message]) -> tuple[int, int]:
    """Store the batch's new messages; (stored now, stored by an earlier try of this job)."""
    known = _known(job, [message.external_id for message in batch])
    earlier = sum(
        1
        for details in known.values()
        if isinstance(details, dict) and details.get("import") == job.pk
    )
    fresh = [message for message in batch if message.external_id not in known]
    if fresh:
        submissions_create_bulk(items=[_new_submission(job, message) for message in fresh])
    return len(fresh), earlier


def _known(job: ImportJob, external_ids: list[str]) -> dict[str, dict]:
    """Which of these messages the channel already has, with their source details; a
    message that was an allegation is a confidential report instead (intake.routing),
    known by its id alone."""
    known = dict(
        Submission.objects.filter(channel=job.channel, external_id__in=external_ids).values_list(
            "external_id", "source_details"
        )
    )
    return {eid: {} for eid in known_confidential(job.channel, external_ids)} | known


def _new_submission(job: ImportJob, message: Message) -> NewSubmission:
    details: dict = {"import": job.pk, "source": job.source_name, job.number_kind: message.number}
    if message.source_id:
        details["id"] = message.source_id
    if message.author_id:
        details["author_id"] = message.author_id
    if message.likes is not None:
        details["likes"] = message.likes
    details.update(message.details)
    return NewSubmission(
        channel=job.channel,
        description=message.text,
        address=message.address,
        contact_name=message.author,
        contact_phone=message.phone,
        external_id=message.external_id,
        received_at=message.received_at,
        recorded_by=job.created_by,
        source_details=details,
    )


# --- retention -----------------------------------------------------------------------------


def report_retention_days() -> int:
    return int(getattr(settings, "CIVICDESK_IMPORT_REPORT_RETENTION_DAYS", 90))


def reports_removed_message(job: ImportJob) -> str:
    """What the pages say in place of a download whose reports the retention job deleted."""
    return _(
        "The rejected rows of this import were removed after %(days)d days, as every "
        "import's are; its counts stay."
    ) % {"days": report_retention_days()}


def reports_remove_expired(*, now=None) -> int:
    """Delete the rejected-rows reports of imports that finished longer ago than the retention
    period (they hold what citizens wrote); the import, its counts and history stay. Returns
    how many imports lost their reports. Idempotent: a second run finds nothing left to do."""
    days = report_retention_days()
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    expired = (
        ImportJob.objects.exclude(report_xlsx="", report_csv="")
        # A queued job deletes its old reports itself when it starts.
        .exclude(status=JobStatus.QUEUED)
        .annotate(reported_at=Coalesce("finished_at", "heartbeat_at", "created_at"))
        .filter(reported_at__lt=cutoff)
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in list(expired):
        try:
            if _remove_reports(pk, cutoff=cutoff, days=days):
                count += 1
        except OSError:
            # Left for the next run (the database change was rolled back with it).
            logger.exception("could not delete the reports of import %s", pk)
    if count:
        logger.info("removed the rejected-rows reports of %d imports", count)
    return count


@transaction.atomic
def _remove_reports(pk: int, *, cutoff, days: int) -> bool:
    job = ImportJob.objects.select_for_update().filter(pk=pk).first()
    if job is None or not (job.report_xlsx or job.report_csv) or job.status == JobStatus.QUEUED:
        return False  # Run again or removed meanwhile.
    reported_at = job.finished_at or job.heartbeat_at or job.created_at
    if reported_at >= cutoff:
        return False
    files = [(f.storage, f.name) for f in (job.report_xlsx, job.report_csv) if f]
    job.report_xlsx = job.report_csv = ""
    job.reports_removed_at = timezone.now()
    job.save(update_fields=["report_xlsx", "report_csv", "reports_removed_at"])
    JobEvent.objects.create(
        job=job, action="reports_removed", note=_("after %(days)d days") % {"days": days}
    )
    # Deleted inside the transaction: if a file cannot be deleted the row keeps its path and
    # the next run tries again; a file already gone is no error.
    for storage, name in files:
        storage.delete(name)
    return True

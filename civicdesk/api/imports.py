"""Importing messages from other channels, as on the import pages: upload a file, choose its
columns, preview the first rows, start the job, follow it, download the rejected rows.

Clerks, supervisors and administrators import (imports.access: district-wide work, every job
visible to all three); any other role gets a 403 here (the pages answer 404). Each change is
the imports app's service; the job itself runs in `civicdesk worker`, as from the pages.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import StringConstraints

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import (
    READ_ERRORS,
    XLSX,
    Page,
    PersonOut,
    forbid_unless,
    person,
    reads,
    writes,
)
from civicdesk.api.errors import ApiError, field_error, invalid
from civicdesk.api.schemas import ErrorOut, Text
from civicdesk.imports import access, services
from civicdesk.imports.downloads import ReportRemoved, rejected_rows_response
from civicdesk.imports.fields import FIELD_KEYS, FIELDS, mapping_errors
from civicdesk.imports.models import ImportJob, JobStatus
from civicdesk.imports.parsers import FileFormat, NumberKind
from civicdesk.intake.models import Channel

router = Router(tags=["imports"], auth=staff_token)

ImportField = StrEnum("ImportField", {key.upper(): key for key in FIELD_KEYS})


class ReportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


# --- Shapes --------------------------------------------------------------------------------


class UploadIn(Schema):
    channel: Text = Field(
        ..., min_length=1, max_length=40, description="Code of the channel the messages came in."
    )
    source_name: Text = Field(
        "",
        max_length=80,
        description="The chat group, site or account; may be empty for a QQ export.",
    )
    file_format: FileFormat | None = Field(None, description="Leave out to recognise it.")
    min_length: int = Field(
        0, ge=0, le=1000, description="Skip messages shorter than this many characters."
    )


class MappingIn(Schema):
    mapping: dict[ImportField, Annotated[str, StringConstraints(max_length=300)]] = Field(
        ...,
        description="Field → the file's column that holds it; `text` is required, each column "
        "at most once. Fields left out are not imported.",
    )


class ImportActionIn(Schema):
    """Nothing to say: send ``{}``."""


class FieldOut(Schema):
    key: ImportField
    label: str
    help: str
    required: bool


class JobEventOut(Schema):
    action: str
    label: str
    from_status: JobStatus | None
    to_status: JobStatus | None
    actor: PersonOut | None
    note: str
    created_at: datetime


class JobOut(Schema):
    id: int
    status: JobStatus
    file_name: str
    file_format: FileFormat
    size: int
    channel: str = Field(..., description="Channel code.")
    source_name: str
    created_by: PersonOut | None
    created_at: datetime
    total: int = Field(..., description="Rows of the file (0 until read to the end).")
    imported: int
    duplicates: int = Field(..., description="Rows already there (imported before).")
    rejected: int
    skipped: int
    progress: int = Field(..., description="Rows dealt with so far, out of total.")
    percent: int
    error: str
    started_at: datetime | None
    finished_at: datetime | None
    seconds: float | None


class JobDetailOut(JobOut):
    number_kind: NumberKind = Field(..., description="What a row number counts: row, line, item.")
    columns: list[str]
    mapping: dict[ImportField, str]
    min_length: int
    may_rerun: bool
    rejected_rows: dict[ReportFormat, str] = Field(
        ..., description="Where to download the rejected rows, per format (empty: none)."
    )
    reports_removed_at: datetime | None = Field(
        ...,
        description="When the retention job removed the rejected rows "
        "(`CIVICDESK_IMPORT_REPORT_RETENTION_DAYS`); null while they are kept.",
    )
    events: list[JobEventOut]


class RowProblemOut(Schema):
    column: str
    reason: str


class PreviewMessageOut(Schema):
    text: str
    received_at: datetime
    author: str
    address: str
    phone: str
    likes: int | None
    external_id: str


class PreviewRowOut(Schema):
    number: int
    status: str = Field(..., description="ready, known (already there), rejected or skipped.")
    values: dict[str, str] = Field(..., description="The row's cells by column.")
    message: PreviewMessageOut | None
    problems: list[RowProblemOut]


class PreviewOut(Schema):
    job: JobDetailOut
    rows: list[PreviewRowOut]
    earlier_import: int | None = Field(
        None, description="A finished import of the very same file into the same channel."
    )


# --- Output --------------------------------------------------------------------------------


def job_out(job: ImportJob) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "file_name": job.file_name,
        "file_format": job.file_format,
        "size": job.size,
        "channel": job.channel.code,
        "source_name": job.source_name,
        "created_by": person(job.created_by),
        "created_at": job.created_at,
        "total": job.total,
        "imported": job.imported,
        "duplicates": job.duplicates,
        "rejected": job.rejected,
        "skipped": job.skipped,
        "progress": job.progress,
        "percent": job.percent,
        "error": job.error,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "seconds": job.seconds,
    }


def _detail(job: ImportJob) -> dict:
    job = ImportJob.objects.select_related("channel", "created_by").get(pk=job.pk)  # fresh
    reports = {"xlsx": job.report_xlsx, "csv": job.report_csv}
    return job_out(job) | {
        "number_kind": job.number_kind,
        "columns": job.columns,
        "mapping": job.mapping,
        "min_length": job.min_length,
        "may_rerun": services.may_rerun(job),
        "rejected_rows": {
            kind: reverse("api-v1:import_rejected_rows", args=[job.pk]) + f"?format={kind}"
            for kind, stored in reports.items()
            if stored
        },
        "reports_removed_at": job.reports_removed_at,
        "events": [
            {
                "action": event.action,
                "label": event.label,
                "from_status": event.from_status or None,
                "to_status": event.to_status or None,
                "actor": person(event.actor),
                "note": event.note,
                "created_at": event.created_at,
            }
            for event in job.events.select_related("actor")
        ],
    }


# --- Helpers -------------------------------------------------------------------------------


def _importer(user: User) -> None:
    forbid_unless(access.may_import(user))


def _job(user: User, job_id: int) -> ImportJob:
    _importer(user)
    return access.get_job_for_user(user, job_id)


def _service(call, **kwargs):
    try:
        return call(**kwargs)
    except services.ImportJobError as error:
        raise ApiError(409, str(error)) from None


# --- Operations ----------------------------------------------------------------------------


@router.get("/fields", response=reads(list[FieldOut]), summary="The fields a column can hold")
def list_import_fields(request: HttpRequest) -> list[dict]:
    _importer(request.auth)
    return [
        {"key": f.key, "label": str(f.label), "help": str(f.help), "required": f.required}
        for f in FIELDS
    ]


@router.get("", response=reads(list[JobOut]), summary="Imports, newest first")
@paginate(Page, serialize=job_out)
def list_import_jobs(request: HttpRequest, status: JobStatus | None = None) -> Any:
    _importer(request.auth)
    jobs = access.jobs_visible_to(request.auth)
    return jobs.filter(status=status) if status else jobs


@router.post(
    "",
    response=writes(JobDetailOut, 201),
    summary="Upload a file of messages (CSV, XLSX, JSON, WeChat or QQ export) as a draft import",
)
def upload_import_file(
    request: HttpRequest, file: File[UploadedFile], payload: Form[UploadIn]
) -> Status[dict]:
    user: User = request.auth
    _importer(user)
    if file.size is not None and file.size > services.max_upload_bytes():
        raise ApiError(413, services.too_large_message(file.size))
    channel = Channel.objects.filter(code=payload.channel, is_active=True).first()
    if channel is None:
        raise invalid(
            "form", "channel", _("There is no channel “%(code)s”.") % {"code": payload.channel}
        )
    try:
        job = services.job_create(
            upload=file,
            channel=channel,
            source_name=payload.source_name,
            file_format=payload.file_format or "",
            min_length=payload.min_length,
            actor=user,
        )
    except services.ImportJobError as error:
        # The file cannot be read, or the source is missing: bad input, nothing was kept.
        missing_source = str(error) == _("Name the source: the chat group, site or account.")
        raise invalid("form", "source_name" if missing_source else "file", str(error)) from None
    return Status(201, _detail(job))


@router.get(
    "/{job_id}", response=reads(JobDetailOut), summary="An import: status, progress, counts"
)
def get_import_job(request: HttpRequest, job_id: int) -> dict:
    return _detail(_job(request.auth, job_id))


@router.put(
    "/{job_id}/mapping",
    response=writes(JobDetailOut),
    summary="Choose which column holds each field (remembered for the channel and source)",
)
def set_import_mapping(request: HttpRequest, job_id: int, payload: MappingIn) -> dict:
    user: User = request.auth
    job = _job(user, job_id)
    mapping = {key.value: column for key, column in payload.mapping.items() if column}
    if job.status == JobStatus.DRAFT and not job.is_chat:
        errors = mapping_errors(mapping, job.columns)
        if errors:
            raise NinjaValidationError([field_error("body", "mapping", e) for e in errors])
    _service(services.job_set_mapping, job=job, mapping=mapping, actor=user)
    return _detail(job)


@router.get(
    "/{job_id}/preview",
    response=reads(PreviewOut),
    summary="The first rows as the import will treat them",
)
def preview_import_job(request: HttpRequest, job_id: int) -> dict:
    job = _job(request.auth, job_id)
    rows = [
        {
            "number": row.number,
            "status": row.status,
            "values": {str(k): "" if v is None else str(v) for k, v in row.values.items()},
            "message": None
            if row.message is None
            else {
                "text": row.message.text,
                "received_at": row.message.received_at,
                "author": row.message.author,
                "address": row.message.address,
                "phone": row.message.phone,
                "likes": row.message.likes,
                "external_id": row.message.external_id,
            },
            "problems": [{"column": c, "reason": r} for c, r in row.problems],
        }
        for row in services.job_preview(job)
    ]
    earlier = services.earlier_import(job)
    return {"job": _detail(job), "rows": rows, "earlier_import": earlier.pk if earlier else None}


@router.post(
    "/{job_id}/start", response=writes(JobDetailOut), summary="Start a draft import (queued)"
)
def start_import_job(request: HttpRequest, job_id: int, payload: ImportActionIn) -> dict:
    user: User = request.auth
    job = _service(services.job_start, job=_job(user, job_id), actor=user)
    return _detail(job)


@router.post(
    "/{job_id}/rerun",
    response=writes(JobDetailOut),
    summary="Run a failed import, or one whose worker stopped, again",
)
def rerun_import_job(request: HttpRequest, job_id: int, payload: ImportActionIn) -> dict:
    user: User = request.auth
    job = _service(services.job_rerun, job=_job(user, job_id), actor=user)
    return _detail(job)


@router.delete(
    "/{job_id}",
    response=writes(None, 204),
    summary="Discard a draft import and its file",
)
def discard_import_job(request: HttpRequest, job_id: int) -> Status[None]:
    user: User = request.auth
    _service(services.job_discard, job=_job(user, job_id), actor=user)
    return Status(204, None)


@router.get(
    "/{job_id}/rejected-rows",
    response={**READ_ERRORS, 410: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "The rejected rows with their reasons (404 when there were "
                "none; 410 once the retention job removed them).",
                "content": {
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                    "text/csv": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
    summary="Download the rejected rows of an import, to fix and import again",
)
def import_rejected_rows(
    request: HttpRequest, job_id: int, format: ReportFormat = ReportFormat.XLSX
) -> Any:
    job = _job(request.auth, job_id)
    try:
        return rejected_rows_response(job, format.value)
    except ReportRemoved:
        # Gone for good, as on the page: say why rather than "not found".
        raise ApiError(410, services.reports_removed_message(job)) from None

"""Commitments: the measures promised for a prominent problem, their milestones, evidence,
extensions and sign-off. Who sees what is the staff pages' rule (commitments.access):
district-wide roles every measure, handlers those of their unit's subtree."""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import FileResponse, Http404, HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import StringConstraints

from civicdesk.accounts.models import Unit, User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import (
    READ_ERRORS,
    Page,
    PersonOut,
    code_name,
    file_download,
    forbid_unless,
    person,
    reads,
    unit_by_code,
    writes,
)
from civicdesk.api.errors import ApiError, invalid
from civicdesk.api.schemas import CodeNameOut
from civicdesk.commitments import access, services
from civicdesk.commitments.models import Measure, problem_progress
from civicdesk.commitments.validation import max_evidence_bytes
from civicdesk.commitments.workflow import (
    CREATORS,
    TRANSITIONS,
    MeasureAction,
    MeasureStatus,
)
from civicdesk.core.downloads import upload_response
from civicdesk.problems.models import Problem

router = Router(tags=["commitments"], auth=staff_token)


# --- Shapes --------------------------------------------------------------------------------


class ProblemRefOut(Schema):
    id: int
    title: str


class MeasureListItemOut(Schema):
    id: int
    problem: ProblemRefOut
    title: str
    unit: CodeNameOut
    start_date: date
    deadline: date
    weight: int
    progress: int
    status: MeasureStatus
    status_label: str
    overdue: bool


class MilestoneOut(Schema):
    id: int
    title: str
    due_date: date
    done_at: datetime | None


class EvidenceOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    note: str
    uploaded_by: PersonOut | None
    uploaded_at: datetime
    download_url: str


class ExtensionOut(Schema):
    id: int
    reason: str
    previous_deadline: date
    new_deadline: date
    requested_by: PersonOut | None
    requested_at: datetime
    approved_by: PersonOut | None
    approved_at: datetime | None


class MeasureEventOut(Schema):
    position: int
    action: MeasureAction
    label: str
    from_status: str
    to_status: str
    progress: int | None
    deadline: date | None
    note: str = Field(..., description="Internal note.")
    public_note: str
    reason: str = Field(
        ...,
        description="Why a supervisor marked the measure done without all its milestones "
        "reached or without evidence (public).",
    )
    actor: PersonOut | None
    is_public: bool
    created_at: datetime
    hash: str


class MeasureOut(MeasureListItemOut):
    description: str
    created_by: PersonOut | None
    created_at: datetime
    done_at: datetime | None
    verified_at: datetime | None
    closed_at: datetime | None
    milestones: list[MilestoneOut]
    evidence: list[EvidenceOut]
    extensions: list[ExtensionOut]
    pending_extension: ExtensionOut | None
    events: list[MeasureEventOut] = Field(..., description="Newest first.")
    allowed_actions: list[MeasureAction] = Field(..., description="What the caller may do now.")
    missing_for_done: list[str] = Field(
        ...,
        description="What the measure lacks to be marked done (milestones not reached, "
        "evidence); empty when it may be. Only a supervisor may mark it done without them, "
        "giving a reason.",
    )


class ProblemCommitmentsOut(Schema):
    problem: ProblemRefOut
    lead_unit: CodeNameOut | None
    progress: float | None = Field(..., description="Weighted mean progress of the measures.")
    measures: list[MeasureListItemOut]


class MeasureFilters(Schema):
    problem: int | None = Field(None, description="Problem id.")
    unit: str | None = Field(None, description="Unit code; includes the units below it.")
    status: MeasureStatus | None = None
    overdue: bool | None = Field(None, description="Past the deadline and still open.")
    due_within: int | None = Field(
        None, ge=0, le=60, description="Open and due within this many working days."
    )


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]


class MeasureIn(Schema):
    title: Title
    description: LongText = ""
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    start_date: date
    deadline: date
    weight: int = Field(1, ge=1, le=100)


class ProgressIn(Schema):
    progress: int = Field(..., ge=0, le=100, description="Percent done.")
    note: LongText = ""


class MilestoneIn(Schema):
    title: Title
    due_date: date


class ExtensionIn(Schema):
    new_deadline: date
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class MeasureNoteIn(Schema):
    note: LongText = ""


class MarkDoneIn(MeasureNoteIn):
    reason: LongText = Field(
        "",
        description="Supervisors only: why the measure is done although milestones are not "
        "reached or there is no evidence; kept in its history and public.",
    )


class EvidenceIn(Schema):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


# --- Output --------------------------------------------------------------------------------


def measure_item(measure: Measure) -> dict:
    return {
        "id": measure.pk,
        "problem": {"id": measure.problem_id, "title": measure.problem.title},
        "title": measure.title,
        "unit": code_name(measure.unit),
        "start_date": measure.start_date,
        "deadline": measure.deadline,
        "weight": measure.weight,
        "progress": measure.progress,
        "status": measure.status,
        "status_label": str(MeasureStatus(measure.status).label),
        "overdue": measure.is_overdue(),
    }


def _extension(extension) -> dict | None:
    if extension is None:
        return None
    return {
        "id": extension.pk,
        "reason": extension.reason,
        "previous_deadline": extension.previous_deadline,
        "new_deadline": extension.new_deadline,
        "requested_by": person(extension.requested_by),
        "requested_at": extension.requested_at,
        "approved_by": person(extension.approved_by),
        "approved_at": extension.approved_at,
    }


def _allowed(measure: Measure, user: User) -> list[str]:
    """The actions the measure page offers this user now."""
    pending = measure.pending_extension is not None
    allowed = []
    for action in TRANSITIONS:
        if not services.may(measure, action, user):
            continue
        if action == MeasureAction.APPROVE_EXTENSION and not pending:
            continue
        if action == MeasureAction.REQUEST_EXTENSION and pending:
            continue
        allowed.append(action)
    return allowed


def measure_out(measure: Measure, user: User) -> dict:
    events = measure.events.select_related("actor").order_by("-position")
    return measure_item(measure) | {
        "description": measure.description,
        "created_by": person(measure.created_by),
        "created_at": measure.created_at,
        "done_at": measure.done_at,
        "verified_at": measure.verified_at,
        "closed_at": measure.closed_at,
        "milestones": [
            {"id": m.pk, "title": m.title, "due_date": m.due_date, "done_at": m.done_at}
            for m in measure.milestones.all()
        ],
        "evidence": [
            {
                "id": e.pk,
                "original_name": e.original_name,
                "content_type": e.content_type,
                "size": e.size,
                "sha256": e.sha256,
                "note": e.note,
                "uploaded_by": person(e.uploaded_by),
                "uploaded_at": e.uploaded_at,
                "download_url": reverse("api-v1:download_evidence", args=[measure.pk, e.pk]),
            }
            for e in measure.evidence.select_related("uploaded_by")
        ],
        "extensions": [
            _extension(e) for e in measure.extensions.select_related("requested_by", "approved_by")
        ],
        "pending_extension": _extension(measure.pending_extension),
        "events": [
            {
                "position": event.position,
                "action": event.action,
                "label": str(MeasureAction(event.action).label),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "progress": event.progress,
                "deadline": event.deadline,
                "note": event.note,
                "public_note": event.public_note,
                "reason": event.reason,
                "actor": person(event.actor),
                "is_public": event.is_public,
                "created_at": event.created_at,
                "hash": event.hash,
            }
            for event in events
        ],
        "allowed_actions": _allowed(measure, user),
        "missing_for_done": measure.missing_for_done(),
    }


# --- Helpers -------------------------------------------------------------------------------


def _reader(user: User) -> None:
    forbid_unless(access.is_reader(user))


def _act(
    request: HttpRequest, measure_id: int, action: str, call, source: str = "body", **kwargs
) -> dict:
    """Run one workflow action: 404 for a measure out of sight, 403 for a role that may never
    do it, the service's own refusal as 422 (a field at fault) or 409 (not now)."""
    user: User = request.auth
    _reader(user)
    measure = access.get_measure_for_user(user, measure_id)
    forbid_unless(user.role in TRANSITIONS[action].actors)
    _service(call, source=source, measure=measure, actor=user, **kwargs)
    return measure_out(Measure.objects.select_related("unit", "problem").get(pk=measure.pk), user)


def _service(call, source: str = "body", **kwargs):
    try:
        return call(**kwargs)
    except services.MeasureError as error:
        if error.field:
            raise invalid(source, error.field, error.message) from None
        raise ApiError(409, error.message) from None


# --- A problem's commitments ---------------------------------------------------------------


@router.get(
    "/problems/{problem_id}/measures",
    response=reads(ProblemCommitmentsOut),
    summary="A problem's measures and their weighted progress",
)
def get_problem_commitments(request: HttpRequest, problem_id: int) -> dict:
    user: User = request.auth
    _reader(user)
    problem = access.get_problem_for_user(user, problem_id)
    measures = Measure.objects.visible_to(user).filter(problem=problem)
    return {
        "problem": {"id": problem.pk, "title": problem.title},
        "lead_unit": code_name(problem.lead_unit),
        "progress": problem_progress(problem),
        "measures": [measure_item(m) for m in measures.select_related("unit", "problem")],
    }


@router.post(
    "/problems/{problem_id}/measures",
    response=writes(MeasureOut, 201),
    summary="Promise a measure for a problem",
)
def create_measure(request: HttpRequest, problem_id: int, payload: MeasureIn) -> Status[dict]:
    user: User = request.auth
    _reader(user)
    problem: Problem = access.get_problem_for_user(user, problem_id)
    forbid_unless(user.has_role(*CREATORS))
    unit: Unit = unit_by_code("body", "unit", payload.unit)
    data = services.NewMeasure(
        title=payload.title,
        description=payload.description,
        unit=unit,
        start_date=payload.start_date,
        deadline=payload.deadline,
        weight=payload.weight,
    )
    measure = _service(services.measure_create, problem=problem, data=data, actor=user)
    return Status(201, measure_out(measure, user))


# --- Measures ------------------------------------------------------------------------------


@router.get("/measures", response=reads(list[MeasureListItemOut]), summary="Measures")
@paginate(Page, serialize=measure_item)
def list_measures(request: HttpRequest, filters: Query[MeasureFilters]) -> Any:
    user: User = request.auth
    _reader(user)
    measures = Measure.objects.visible_to(user).select_related("unit", "problem")
    if filters.problem is not None:
        measures = measures.filter(problem_id=filters.problem)
    if filters.unit:
        unit = Unit.objects.filter(code=filters.unit).first()
        if unit is None:
            raise invalid(
                "query", "unit", _("There is no unit “%(code)s”.") % {"code": filters.unit}
            )
        measures = measures.for_unit_subtree(unit)
    if filters.status:
        measures = measures.filter(status=filters.status)
    if filters.overdue is True:
        measures = measures.overdue()
    elif filters.overdue is False:
        measures = measures.exclude(pk__in=Measure.objects.overdue().values("pk"))
    if filters.due_within is not None:
        measures = measures.due_soon(filters.due_within)
    return measures


@router.get(
    "/measures/{measure_id}", response=reads(MeasureOut), summary="A measure with its history"
)
def get_measure(request: HttpRequest, measure_id: int) -> dict:
    _reader(request.auth)
    return measure_out(access.get_measure_for_user(request.auth, measure_id), request.auth)


@router.post(
    "/measures/{measure_id}/progress", response=writes(MeasureOut), summary="Report progress"
)
def update_measure_progress(request: HttpRequest, measure_id: int, payload: ProgressIn) -> dict:
    return _act(
        request,
        measure_id,
        MeasureAction.PROGRESS,
        services.measure_update_progress,
        progress=payload.progress,
        note=payload.note,
    )


@router.post(
    "/measures/{measure_id}/milestones",
    response=writes(MeasureOut, 201),
    summary="Add a milestone",
)
def add_milestone(request: HttpRequest, measure_id: int, payload: MilestoneIn) -> Status[dict]:
    body = _act(
        request,
        measure_id,
        MeasureAction.MILESTONE_ADD,
        services.milestone_add,
        title=payload.title,
        due_date=payload.due_date,
    )
    return Status(201, body)


@router.post(
    "/measures/{measure_id}/milestones/{milestone_id}/complete",
    response=writes(MeasureOut),
    summary="Mark a milestone reached",
)
def complete_milestone(
    request: HttpRequest, measure_id: int, milestone_id: int, payload: MeasureNoteIn
) -> dict:
    user: User = request.auth
    _reader(user)
    measure = access.get_measure_for_user(user, measure_id)
    milestone = measure.milestones.filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404
    forbid_unless(user.role in TRANSITIONS[MeasureAction.MILESTONE_COMPLETE].actors)
    try:
        services.milestone_complete(milestone=milestone, actor=user, note=payload.note)
    except services.MeasureError as error:
        raise ApiError(409, error.message) from None
    return measure_out(Measure.objects.select_related("unit", "problem").get(pk=measure.pk), user)


@router.post(
    "/measures/{measure_id}/evidence",
    response=writes(MeasureOut, 201),
    summary="Upload evidence: a photo (JPEG, PNG, WebP) or a PDF, DOCX or XLSX document",
)
def upload_evidence(
    request: HttpRequest,
    measure_id: int,
    file: File[UploadedFile],
    payload: Form[EvidenceIn],
) -> Status[dict]:
    _reader(request.auth)
    access.get_measure_for_user(request.auth, measure_id)
    limit = max_evidence_bytes()
    if file.size is not None and file.size > limit:
        # Refused before it is read or decoded.
        raise ApiError(
            413,
            _("%(file)s is larger than %(limit)s.")
            % {"file": _("File (%(name)s)") % {"name": file.name}, "limit": filesizeformat(limit)},
        )
    body = _act(
        request,
        measure_id,
        MeasureAction.EVIDENCE,
        services.evidence_add,
        source="form",
        upload=file,
        note=payload.note,
    )
    return Status(201, body)


@router.get(
    "/measures/{measure_id}/evidence/{evidence_id}",
    response=READ_ERRORS,
    openapi_extra=file_download("application/octet-stream", "The file as uploaded (checked)."),
    summary="Download one piece of evidence",
)
def download_evidence(request: HttpRequest, measure_id: int, evidence_id: int) -> FileResponse:
    _reader(request.auth)
    measure = access.get_measure_for_user(request.auth, measure_id)
    evidence = measure.evidence.filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404
    return upload_response(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        filename=f"evidence-{evidence.pk}.{evidence.file.name.rsplit('.', 1)[-1]}",
    )


@router.post(
    "/measures/{measure_id}/extension-request",
    response=writes(MeasureOut),
    summary="Ask to move the deadline (the reason is published once approved)",
)
def request_extension(request: HttpRequest, measure_id: int, payload: ExtensionIn) -> dict:
    return _act(
        request,
        measure_id,
        MeasureAction.REQUEST_EXTENSION,
        services.measure_request_extension,
        reason=payload.reason,
        new_deadline=payload.new_deadline,
    )


@router.post(
    "/measures/{measure_id}/extension-approval",
    response=writes(MeasureOut),
    summary="Approve the pending extension",
)
def approve_extension(request: HttpRequest, measure_id: int, payload: MeasureNoteIn) -> dict:
    return _act(
        request,
        measure_id,
        MeasureAction.APPROVE_EXTENSION,
        services.measure_approve_extension,
        note=payload.note,
    )


@router.post(
    "/measures/{measure_id}/done",
    response=writes(MeasureOut),
    summary="Mark done: needs every milestone reached and evidence, or a supervisor's reason",
)
def mark_measure_done(request: HttpRequest, measure_id: int, payload: MarkDoneIn) -> dict:
    return _act(
        request,
        measure_id,
        MeasureAction.MARK_DONE,
        services.measure_mark_done,
        note=payload.note,
        reason=payload.reason,
    )


@router.post(
    "/measures/{measure_id}/verify",
    response=writes(MeasureOut),
    summary="Verify and sign off (销号); needs evidence",
)
def verify_measure(request: HttpRequest, measure_id: int, payload: MeasureNoteIn) -> dict:
    return _act(
        request, measure_id, MeasureAction.VERIFY, services.measure_verify, note=payload.note
    )


@router.post("/measures/{measure_id}/close", response=writes(MeasureOut), summary="Close")
def close_measure(request: HttpRequest, measure_id: int, payload: MeasureNoteIn) -> dict:
    return _act(request, measure_id, MeasureAction.CLOSE, services.measure_close, note=payload.note)

"""Confidential reports of inaction and misconduct, and of collusion with black intermediaries.

Exactly as on the pages (reports.access): inaction reports are for supervisors and
administrators, intermediary reports for discipline inspectors only, and nobody sees reports
against their own unit's subtree unless that unit is the district. Anything else is a 404,
never a 403, so the API tells nobody what a ledger holds. Every report the API shows is
logged in the report's chained access log, as the pages log it: each row of a list page,
each detail, each action. Responses carry ``Cache-Control: no-store``.
"""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from civicdesk.accounts.models import Unit, User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import (
    XLSX,
    ImportErrorOut,
    ImportOut,
    Page,
    PersonOut,
    code_name,
    file_download,
    import_errors,
    optional_unit,
    person,
    reads,
    unit_by_code,
    writes,
)
from civicdesk.api.errors import ApiError, invalid
from civicdesk.api.schemas import CodeNameOut, Text, inline_enum
from civicdesk.ledgers.forms import ImportForm
from civicdesk.public.forms import phone_validator
from civicdesk.reports import services, spreadsheets
from civicdesk.reports.access import get_rejection_for_user, get_report_for_user, reports_visible_to
from civicdesk.reports.models import AccessView, Report, Source
from civicdesk.reports.workflow import TRANSITIONS, Action, Ledger, allowed_actions, may_handle
from civicdesk.reports.workflow import Status as ReportStatus

router = Router(tags=["reports"], auth=staff_token)

NO_STORE = "no-store, private"
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]
RequiredNote = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)
]


class ReportLedgerName(StrEnum):
    INACTION = Ledger.INACTION
    INTERMEDIARY = Ledger.INTERMEDIARY


# Named apart from the ledgers' LedgerName and the cases' Status: see inline_enum.
LedgerName = ReportLedgerName
ReportStatusField = inline_enum(ReportStatus, "ReportStatus")


# --- Shapes --------------------------------------------------------------------------------


class ReportListItemOut(Schema):
    id: int
    ledger: LedgerName
    status: ReportStatusField
    status_label: str
    reported_unit: CodeNameOut | None
    official_name: str
    setting: str
    description: str = Field(..., description="The first 200 characters.")
    received_at: datetime


class ReportEventOut(Schema):
    position: int
    action: Action
    label: str
    from_status: str
    to_status: str
    actor: PersonOut | None
    actor_kind: str
    note: str
    is_public: bool = Field(..., description="A reply the whistle-blower reads.")
    created_at: datetime
    hash: str


class ReportAccessOut(Schema):
    user: PersonOut
    view: AccessView
    created_at: datetime


class ReportOut(ReportListItemOut):
    official_position: str
    intermediary: str
    occurred_on: date | None
    place: str
    evidence: str
    contact_name: str
    contact_phone: str
    contact_email: str
    anonymous: bool
    source: Source
    filed_by: PersonOut | None
    events: list[ReportEventOut]
    accesses: list[ReportAccessOut] = Field(..., description="Who saw it; newest first.")
    allowed_actions: list[Action]


class ReportFilters(Schema):
    status: ReportStatusField | None = None
    unit: str | None = Field(None, description="Code of the reported unit.")


class ActionNoteIn(Schema):
    note: NoteText = ""


class FindingIn(Schema):
    note: RequiredNote = Field(..., description="The finding.")


class TextIn(Schema):
    note: RequiredNote


class ReportUnitIn(Schema):
    unit: str | None = Field(
        ..., max_length=40, description="Code of the unit the report is about; null: not known."
    )
    note: NoteText = ""


class InactionReportIn(Schema):
    reported_unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        ..., max_length=40, description="Code of the unit the report is about."
    )
    official_name: Text = Field("", max_length=80)
    official_position: Text = Field("", max_length=120)
    description: RequiredNote
    occurred_on: date | None = None
    place: Text = Field("", max_length=300)
    evidence: NoteText = ""
    contact_name: Text = Field("", max_length=80)
    contact_phone: Text = Field("", max_length=40)
    contact_email: Text = Field("", max_length=254)
    form_token: uuid.UUID | None = Field(
        None, description="Any fresh UUID; sending the same one again files nothing more."
    )

    @field_validator("occurred_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        if value and value > timezone.localdate():
            raise PydanticCustomError("future", _("The date cannot be in the future."))
        return value

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return _django_check(phone_validator, value)

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        return _django_check(validate_email, value)


def _django_check(validator, value: str) -> str:
    if value:
        try:
            validator(value)
        except DjangoValidationError as error:
            raise PydanticCustomError("invalid", " ".join(error.messages)) from None
    return value


class FiledOut(Schema):
    id: int | None = Field(
        ..., description="Only for a filer who may read the ledger; null for anyone else."
    )
    status: ReportStatusField
    again: bool = Field(..., description="True when this form_token had filed it already.")


class ReportImportOut(ImportOut):
    pass


# --- Output --------------------------------------------------------------------------------


def report_item(report: Report) -> dict:
    return {
        "id": report.pk,
        "ledger": report.ledger,
        "status": report.status,
        "status_label": str(ReportStatus(report.status).label),
        "reported_unit": code_name(report.reported_unit),
        "official_name": report.official_name,
        "setting": report.setting,
        "description": report.description[:200],
        "received_at": report.received_at,
    }


def report_out(report: Report, user: User) -> dict:
    report = Report.objects.select_related("reported_unit", "filed_by").get(pk=report.pk)
    return report_item(report) | {
        "description": report.description,
        "official_position": report.official_position,
        "intermediary": report.intermediary,
        "occurred_on": report.occurred_on,
        "place": report.place,
        "evidence": report.evidence,
        "contact_name": report.contact_name,
        "contact_phone": report.contact_phone,
        "contact_email": report.contact_email,
        "anonymous": report.is_anonymous,
        "source": report.source,
        "filed_by": person(report.filed_by),
        "events": [
            {
                "position": event.position,
                "action": event.action,
                "label": str(Action(event.action).label),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "actor": person(event.actor),
                "actor_kind": event.actor_kind,
                "note": event.note,
                "is_public": event.is_public,
                "created_at": event.created_at,
                "hash": event.hash,
            }
            for event in report.events.select_related("actor")
        ],
        "accesses": [
            {"user": person(a.user), "view": a.view, "created_at": a.created_at}
            for a in report.accesses.select_related("user").order_by("-created_at", "-id")
        ],
        "allowed_actions": allowed_actions(
            ledger=report.ledger, status=report.status, role=user.role
        ),
    }


def _log_page(request: HttpRequest, reports: list[Report]) -> None:
    services.report_log_access(reports=reports, user=request.auth, view=AccessView.LIST)


# --- Reading -------------------------------------------------------------------------------


@router.get(
    "/{ledger}",
    response=reads(list[ReportListItemOut], forbidden=False),
    summary="A confidential ledger's reports (each one shown is logged)",
)
@paginate(Page, serialize=report_item, on_page=_log_page)
def list_reports(
    request: HttpRequest, response: HttpResponse, ledger: LedgerName, filters: Query[ReportFilters]
) -> Any:
    response["Cache-Control"] = NO_STORE
    reports = reports_visible_to(request.auth, ledger.value).select_related("reported_unit")
    if filters.status:
        reports = reports.filter(status=filters.status)
    if filters.unit:
        unit = Unit.objects.filter(code=filters.unit).first()
        if unit is None:
            raise invalid(
                "query", "unit", _("There is no unit “%(code)s”.") % {"code": filters.unit}
            )
        reports = reports.filter(reported_unit=unit)
    return reports


@router.get(
    "/{ledger}/{int:report_id}",
    response=reads(ReportOut, forbidden=False),
    summary="A confidential report with its history and access log (the read is logged)",
)
def get_report(
    request: HttpRequest, response: HttpResponse, ledger: LedgerName, report_id: int
) -> dict:
    response["Cache-Control"] = NO_STORE
    report = get_report_for_user(request.auth, ledger.value, report_id)
    services.report_log_access(reports=[report], user=request.auth, view=AccessView.DETAIL)
    return report_out(report, request.auth)


# --- Actions -------------------------------------------------------------------------------

_ACTED = writes(ReportOut, forbidden=False)


def _act(
    request: HttpRequest,
    response: HttpResponse,
    ledger: str,
    report_id: int,
    action: str,
    note: str,
    unit: Unit | None = None,
) -> dict:
    response["Cache-Control"] = NO_STORE
    user: User = request.auth
    report = get_report_for_user(user, ledger, report_id)
    services.report_log_access(reports=[report], user=user, view=AccessView.ACTION)
    if action not in allowed_actions(ledger=report.ledger, status=report.status, role=user.role):
        raise ApiError(409, _("This action is not possible on this report now."))
    try:
        if action == Action.SET_UNIT:
            services.report_set_unit(report=report, unit=unit, actor=user, note=note)
        elif action in TRANSITIONS:
            services.report_transition(report=report, action=action, actor=user, note=note)
        elif action == Action.NOTE:
            services.report_add_note(report=report, actor=user, text=note)
        else:
            services.report_reply(report=report, actor=user, text=note)
    except services.ReportActionError as error:
        raise ApiError(409, str(error)) from None
    return report_out(report, user)


@router.post(
    "/{ledger}/{int:report_id}/investigate",
    response=_ACTED,
    summary="Open investigation",
)
def investigate_report(
    request: HttpRequest,
    response: HttpResponse,
    ledger: LedgerName,
    report_id: int,
    payload: ActionNoteIn,
) -> dict:
    return _act(request, response, ledger.value, report_id, Action.INVESTIGATE, payload.note)


@router.post(
    "/{ledger}/{int:report_id}/substantiate",
    response=_ACTED,
    summary="Record the finding: substantiated",
)
def substantiate_report(
    request: HttpRequest,
    response: HttpResponse,
    ledger: LedgerName,
    report_id: int,
    payload: FindingIn,
) -> dict:
    return _act(request, response, ledger.value, report_id, Action.SUBSTANTIATE, payload.note)


@router.post(
    "/{ledger}/{int:report_id}/unsubstantiate",
    response=_ACTED,
    summary="Record the finding: not substantiated",
)
def unsubstantiate_report(
    request: HttpRequest,
    response: HttpResponse,
    ledger: LedgerName,
    report_id: int,
    payload: FindingIn,
) -> dict:
    return _act(request, response, ledger.value, report_id, Action.UNSUBSTANTIATE, payload.note)


@router.post("/{ledger}/{int:report_id}/close", response=_ACTED, summary="Close")
def close_report(
    request: HttpRequest,
    response: HttpResponse,
    ledger: LedgerName,
    report_id: int,
    payload: ActionNoteIn,
) -> dict:
    return _act(request, response, ledger.value, report_id, Action.CLOSE, payload.note)


@router.post(
    "/{ledger}/{int:report_id}/note",
    response=_ACTED,
    summary="Add an internal note",
)
def add_report_note(
    request: HttpRequest,
    response: HttpResponse,
    ledger: LedgerName,
    report_id: int,
    payload: TextIn,
) -> dict:
    return _act(request, response, ledger.value, report_id, Action.NOTE, payload.note)


@router.post(
    "/{ledger}/{int:report_id}/reply",
    response=_ACTED,
    summary="Reply to the whistle-blower (intermediary reports; read with the follow-up code)",
)
def reply_to_report(
    request: HttpRequest,
    response: HttpResponse,
    ledger: LedgerName,
    report_id: int,
    payload: TextIn,
) -> dict:
    return _act(request, response, ledger.value, report_id, Action.REPLY, payload.note)


@router.post(
    "/{ledger}/{int:report_id}/unit",
    response=_ACTED,
    summary="Name the unit the report is about (reports routed from the channels come without)",
)
def set_report_unit(
    request: HttpRequest,
    response: HttpResponse,
    ledger: LedgerName,
    report_id: int,
    payload: ReportUnitIn,
) -> dict:
    unit = optional_unit("body", "unit", payload.unit)
    return _act(request, response, ledger.value, report_id, Action.SET_UNIT, payload.note, unit)


# --- Filing and importing ------------------------------------------------------------------


@router.post(
    "/inaction/filings",
    response={**writes(FiledOut, 201, forbidden=False), 200: FiledOut},
    summary="Take down a report of inaction or misconduct (any staff member)",
)
def file_inaction_report(request: HttpRequest, payload: InactionReportIn) -> Status[dict]:
    user: User = request.auth
    data = services.NewReport(
        reported_unit=unit_by_code("body", "reported_unit", payload.reported_unit),
        **payload.dict(exclude={"reported_unit", "form_token"}),
    )
    try:
        report, _code = services.report_file(
            ledger=Ledger.INACTION, data=data, filed_by=user, form_token=payload.form_token
        )
        again = False
    except services.DuplicateSubmission as duplicate:
        report, again = duplicate.report, True
    except services.ReportActionError as error:
        raise ApiError(409, str(error)) from None
    # The filer learns which report it is only if they may read the ledger anyway.
    visible = may_handle(user.role, Ledger.INACTION)
    body = {"id": report.pk if visible else None, "status": report.status, "again": again}
    return Status(200 if again else 201, body)


@router.post(
    "/{ledger}/import",
    response={**writes(ReportImportOut, forbidden=False), 422: ImportErrorOut},
    summary="Import reports taken on paper or by phone from XLSX: every row, or none",
)
def import_reports(
    request: HttpRequest, response: HttpResponse, ledger: LedgerName, file: File[UploadedFile]
) -> Any:
    response["Cache-Control"] = NO_STORE
    user: User = request.auth
    reports_visible_to(user, ledger.value)
    if file.size is not None and file.size > ImportForm.MAX_BYTES:
        raise ApiError(
            413,
            _("The workbook is larger than %(limit)s.")
            % {"limit": filesizeformat(ImportForm.MAX_BYTES)},
        )
    outcome = spreadsheets.report_import(
        ledger=ledger.value, file_name=file.name or "", content=file.read(), actor=user
    )
    if outcome.errors:
        url = None
        if outcome.rejection is not None:
            url = reverse(
                "api-v1:report_import_rejection", args=[ledger.value, outcome.rejection.pk]
            )
        return Status(422, import_errors(outcome.errors, url))
    return {"created": len(outcome.reports)}


@router.get(
    "/{ledger}/import-rejections/{int:rejection_id}",
    response={k: v for k, v in reads(None, forbidden=False).items() if k != 200},
    openapi_extra=file_download(XLSX, "The rejected rows with an error column."),
    summary="Download the rejected rows of a failed report import (the uploader's own)",
)
def report_import_rejection(
    request: HttpRequest, ledger: LedgerName, rejection_id: int
) -> HttpResponse:
    rejection = get_rejection_for_user(request.auth, ledger.value, rejection_id)
    response = HttpResponse(bytes(rejection.content), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, rejection.file_name)
    response["Cache-Control"] = NO_STORE
    return response

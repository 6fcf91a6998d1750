"""Moderation in the API (registered under /api/v1/moderation by civicdesk.api.api): anyone
reports an inappropriate public text; moderators (supervisors, administrators) list the
reports, moderate a case's public texts and dismiss reports."""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from civicdesk.api.auth import staff_token
from civicdesk.api.common import Page, conflict, forbid_unless, reads, writes
from civicdesk.api.errors import ApiError, invalid
from civicdesk.api.schemas import ErrorOut, ValidationErrorOut
from civicdesk.cases.models import Case
from civicdesk.core.ratelimit import client_address, over_limit, seconds_left
from civicdesk.moderation import services
from civicdesk.moderation.access import get_case_for_moderator, is_moderator
from civicdesk.moderation.models import AbuseReport
from civicdesk.moderation.views import abuse_rate_limit
from civicdesk.nearby.queries import get_published_report

router = Router(tags=["moderation"])

FieldName = Literal["description", "address", "answer"]


class AbuseReportIn(Schema):
    public_id: str = Field(..., max_length=40, description="The report's public id.")
    field: FieldName = Field(..., description="Which text: description, address or answer.")
    reason: Literal["personal", "offensive", "false", "advertising", "other"]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""


class AbuseReportOut(Schema):
    id: int
    case_id: int
    public_id: str
    field: str
    reason: str
    comment: str
    status: str
    created_at: datetime
    decided_at: datetime | None


class AbuseReportFiledOut(Schema):
    detail: str


class ModerateIn(Schema):
    field: FieldName
    action: Literal["hide", "edit", "restore"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    replacement: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)] = ""


class ModerationOut(Schema):
    id: int
    case_id: int
    field: str
    action: str
    reason: str
    replacement: str
    public_text: str = Field(..., description="What the public reads now.")
    upheld_reports: list[int]
    created_at: datetime


class DismissIn(Schema):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class ReportFilter(Schema):
    status: Literal["open", "upheld", "dismissed"] = "open"


def report_out(report: AbuseReport) -> dict:
    return {
        "id": report.pk,
        "case_id": report.case_id,
        "public_id": report.case.public_id,
        "field": report.field,
        "reason": report.reason,
        "comment": report.comment,
        "status": report.status,
        "created_at": report.created_at,
        "decided_at": report.decided_at,
    }


@router.post(
    "/abuse-reports",
    response={
        201: AbuseReportFiledOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
        429: ErrorOut,
    },
    summary="Report a published text as inappropriate (举报不当内容; no account needed)",
)
def report_abuse(request: HttpRequest, payload: AbuseReportIn) -> Status:
    case = get_published_report(payload.public_id)
    spec = abuse_rate_limit()
    if over_limit(request, "abuse-report", spec):
        raise ApiError(
            429,
            _("Too many reports of inappropriate content from your connection. Try again later."),
            headers={"Retry-After": str(seconds_left(spec))},
        )
    try:
        services.abuse_report_create(
            case=case,
            field=payload.field,
            reason=payload.reason,
            comment=payload.comment,
            client=client_address(request),
        )
    except services.AlreadyReported as error:
        raise conflict(str(error)) from None
    except services.ModerationError as error:
        raise invalid("body", error.field or "field", str(error)) from None
    return Status(
        201,
        {"detail": _("Thank you. The moderators will look at this text and hide it if needed.")},
    )


@router.get(
    "/abuse-reports",
    auth=staff_token,
    response=reads(list[AbuseReportOut]),
    summary="Reports of inappropriate content, oldest first (moderators)",
)
@paginate(Page, serialize=report_out)
def list_abuse_reports(request: HttpRequest, filters: Query[ReportFilter]) -> Any:
    forbid_unless(is_moderator(request.auth))
    return AbuseReport.objects.filter(status=filters.status).select_related("case")


@router.post(
    "/cases/{case_id}/texts",
    auth=staff_token,
    response=writes(ModerationOut, 201),
    summary="Hide, edit or restore the public version of a case's text (moderators)",
)
def moderate_text(request: HttpRequest, case_id: int, payload: ModerateIn) -> Status:
    forbid_unless(is_moderator(request.auth))
    case = get_case_for_moderator(request.auth, case_id)
    try:
        done = services.text_moderate(
            case=case,
            field=payload.field,
            action=payload.action,
            reason=payload.reason,
            replacement=payload.replacement,
            actor=request.auth,
        )
    except services.ModerationError as error:
        if error.field in {"replacement", "field", "reason"}:
            raise invalid("body", error.field, str(error)) from None
        raise conflict(str(error)) from None
    fresh = Case.objects.with_public_texts().get(pk=case.pk)
    moderation = done.moderation
    return Status(
        201,
        {
            "id": moderation.pk,
            "case_id": case.pk,
            "field": moderation.field,
            "action": moderation.action,
            "reason": moderation.reason,
            "replacement": moderation.replacement,
            "public_text": fresh.public_text(services.stored_text(fresh, moderation.field)),
            "upheld_reports": [report.pk for report in done.upheld],
            "created_at": moderation.created_at,
        },
    )


@router.post(
    "/abuse-reports/{report_id}/dismiss",
    auth=staff_token,
    response=writes(AbuseReportOut),
    summary="Dismiss a report of inappropriate content (moderators)",
)
def dismiss_abuse_report(request: HttpRequest, report_id: int, payload: DismissIn) -> dict:
    forbid_unless(is_moderator(request.auth))
    report = get_object_or_404(AbuseReport.objects.select_related("case"), pk=report_id)
    try:
        report = services.abuse_report_dismiss(report=report, actor=request.auth, note=payload.note)
    except services.ModerationError as error:
        raise conflict(str(error)) from None
    return report_out(AbuseReport.objects.select_related("case").get(pk=report.pk))

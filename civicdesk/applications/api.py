"""The online service hall in the API (registered under /api/v1/hall by civicdesk.api.api).

Applicants need no account: they apply, then follow their application with its tracking code
and a one-time code sent to the contact they left, which the API exchanges for a short-lived
applicant token (header `X-Applicant-Token`). Staff use their API token; who may see and do
what is applications.access, exactly as on the pages: 404 for an application the caller may
not see, 403 for a step their role or unit does not work on, 409 when the workflow refuses.
"""

import datetime as dt
from typing import Any

from django.core import signing
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from civicdesk.accounts.models import Unit, User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import (
    Page,
    code_name,
    forbid_unless,
    reads,
    writes,
)
from civicdesk.api.errors import ApiError, field_error, invalid
from civicdesk.api.schemas import ErrorOut, ValidationErrorOut
from civicdesk.applications import api_output as output
from civicdesk.applications import figures, otp, services, steps, visits
from civicdesk.applications.access import (
    ACCESS_SECONDS,
    LookupThrottled,
    applications_visible_to,
    get_application_for_code,
    get_application_for_user,
    may_act_on_step,
    may_enter_at_window,
    may_record_visit,
    may_request_late,
    may_use_hall,
)
from civicdesk.applications.api_schemas import (
    HallAccessOut,
    HallApplicantViewOut,
    HallApplicationDetailOut,
    HallApplicationOut,
    HallAppliedOut,
    HallApplyIn,
    HallCheckIn,
    HallCodeSentOut,
    HallListFilters,
    HallMatterOut,
    HallNoteIn,
    HallOtpIn,
    HallReasonIn,
    HallVersionFiguresOut,
    HallVersionIn,
    HallVersionOut,
    HallVisitIn,
)
from civicdesk.applications.models import (
    Application,
    MatterVersion,
)
from civicdesk.applications.recording import ApplicationError
from civicdesk.applications.versions import (
    MaterialRow,
    StepRow,
    VersionError,
    version_publish,
    version_withdraw,
)
from civicdesk.applications.workflow import Status as AppStatus
from civicdesk.catalogue.access import can_edit_items
from civicdesk.catalogue.models import OnlineAvailability, ServiceItem

router = Router(tags=["hall"])
TOKEN_SALT = "civicdesk.applications.applicant"  # noqa: S105 (a signing salt)
ONLINE = (OnlineAvailability.APPLICATION, OnlineAvailability.FULL)
PUBLIC_ERRORS: dict[int, Any] = {404: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut}


# --- Applicant: tokens -----------------------------------------------------------------------


def _access(application: Application) -> dict:
    token = signing.dumps({"code": application.tracking_code}, salt=TOKEN_SALT)
    return {
        "access_token": token,
        "access_expires_at": timezone.now() + dt.timedelta(seconds=ACCESS_SECONDS),
    }


def _lookup(request: HttpRequest, code: str) -> Application:
    try:
        return get_application_for_code(code, request=request)
    except LookupThrottled as throttled:
        raise ApiError(
            429,
            _("Too many unknown tracking codes were tried from your network. Try again later."),
            headers=throttled.headers,
        ) from None


def _opened(request: HttpRequest, code: str, token: str | None) -> Application:
    application = _lookup(request, code)
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT, max_age=ACCESS_SECONDS)
    except signing.BadSignature:
        data = None
    if not isinstance(data, dict) or data.get("code") != application.tracking_code:
        raise ApiError(
            403,
            _(
                "Send the X-Applicant-Token got with a one-time code (POST "
                "/hall/applications/{tracking_code}/code, then /session)."
            ),
        )
    return application


# --- Public operations -----------------------------------------------------------------------


@router.get("/matters", response={200: list[HallMatterOut]}, summary="Matters open online")
def list_hall_matters(request: HttpRequest) -> list[dict]:
    versions = (
        MatterVersion.objects.active()
        .filter(item__online__in=ONLINE)
        .select_related("item")
        .order_by("item__code")
    )
    return [
        {
            "code": v.item.code,
            "name": v.item.name,
            "version": v.number,
            "version_status": v.status,
            "time_limit_days": v.time_limit_days,
            "materials": [output.material_out(m) for m in v.materials.all()],
            "steps": [output.step_out(s) for s in v.steps.select_related("unit")],
        }
        for v in versions
    ]


def _apply_data(payload: HallApplyIn, files: list[UploadedFile]) -> services.NewApplication:
    if len(payload.file_materials) != len(files):
        raise invalid(
            "form",
            "file_materials",
            _("Name one requirement id for each file sent (%(n)d files).") % {"n": len(files)},
        )
    return services.NewApplication(
        applicant_type=payload.applicant_type,
        applicant_name=payload.applicant_name,
        credit_code=payload.credit_code,
        contact_phone=payload.contact_phone,
        contact_email=payload.contact_email,
        agent_name=payload.agent_name,
        agent_phone=payload.agent_phone,
        language=get_language() or "",
        files=dict(zip(payload.file_materials, files, strict=True)),
    )


def _version(pk: int) -> MatterVersion:
    version = MatterVersion.objects.select_related("item").filter(pk=pk).first()
    if version is None or version.item.online not in ONLINE:
        raise invalid(
            "form", "version", _("There is no matter version %(id)d online.") % {"id": pk}
        )
    return version


@router.post(
    "/applications",
    response={201: HallAppliedOut, 400: ErrorOut, 409: ErrorOut, 413: ErrorOut, **PUBLIC_ERRORS},
    summary="Apply online, with the materials' files (multipart form)",
)
def apply_online(
    request: HttpRequest,
    payload: Form[HallApplyIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict]:
    version = _version(payload.version)
    try:
        application = services.application_submit(
            version=version, data=_apply_data(payload, list(files or []))
        )
    except ApplicationError as error:
        raise output.refused(error, "form") from None
    return Status(
        201,
        {
            "tracking_code": application.tracking_code,
            "status": application.status,
            **_access(application),
        },
    )


@router.post(
    "/applications/{tracking_code}/code",
    response={200: HallCodeSentOut, 409: ErrorOut, **PUBLIC_ERRORS},
    summary="Send a one-time code to the application's phone or e-mail",
)
def send_applicant_code(request: HttpRequest, tracking_code: str) -> dict:
    application = _lookup(request, tracking_code)
    try:
        return {"sent_to": otp.code_request(application, request=request)}
    except otp.CodeError as error:
        raise ApiError(409, str(error)) from None


@router.post(
    "/applications/{tracking_code}/session",
    response={200: HallAccessOut, 403: ErrorOut, **PUBLIC_ERRORS},
    summary="Exchange the one-time code for an applicant token",
)
def open_applicant_session(request: HttpRequest, tracking_code: str, payload: HallOtpIn) -> dict:
    application = _lookup(request, tracking_code)
    try:
        otp.code_verify(application, payload.otp)
    except otp.CodeError as error:
        raise ApiError(403, str(error)) from None
    return _access(application)


@router.get(
    "/applications/{tracking_code}",
    response={200: HallApplicantViewOut, 403: ErrorOut, **PUBLIC_ERRORS},
    summary="The applicant's view of their application",
)
def applicant_view(
    request: HttpRequest,
    tracking_code: str,
    x_applicant_token: str | None = Header(None, alias="X-Applicant-Token"),
) -> dict:
    return output.applicant_out(_opened(request, tracking_code, x_applicant_token))


@router.post(
    "/applications/{tracking_code}/materials/{material_id}",
    response={
        200: HallApplicantViewOut,
        403: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
        **PUBLIC_ERRORS,
    },
    summary="Hand in a material that is asked for (multipart form, field file)",
)
def applicant_supply(
    request: HttpRequest,
    tracking_code: str,
    material_id: int,
    file: File[UploadedFile],
    x_applicant_token: str | None = Header(None, alias="X-Applicant-Token"),
) -> dict:
    application = _opened(request, tracking_code, x_applicant_token)
    line = application.materials.filter(pk=material_id).select_related("requirement").first()
    if line is None:
        raise Http404
    try:
        services.material_supply(application=application, material=line, upload=file)
    except ApplicationError as error:
        raise output.refused(error, "form") from None
    application.refresh_from_db()
    return output.applicant_out(application)


# --- Staff operations ------------------------------------------------------------------------


def _staff(user: User) -> None:
    forbid_unless(may_use_hall(user))


@router.get(
    "/staff/applications",
    response=reads(list[HallApplicationOut]),
    auth=staff_token,
    summary="Applications the caller may see",
)
@paginate(Page, serialize=output.application_out)
def list_applications(request: HttpRequest, filters: Query[HallListFilters]) -> Any:
    _staff(request.auth)
    applications = applications_visible_to(request.auth).select_related(
        "item", "version", "step__unit", "holder"
    )
    if filters.matter:
        applications = applications.filter(item__code=filters.matter)
    if filters.status:
        if filters.status not in AppStatus.values:
            raise invalid(
                "query",
                "status",
                _("Choose one of %(values)s.") % {"values": ", ".join(AppStatus.values)},
            )
        applications = applications.filter(status=filters.status)
    if filters.mine:
        applications = applications.filter(holder=request.auth)
    if filters.overdue:
        applications = applications.overdue()
    if filters.follow_up_overdue:
        applications = applications.follow_up_overdue()
    return applications


@router.get(
    "/staff/applications/{application_id}",
    response=reads(HallApplicationDetailOut),
    auth=staff_token,
    summary="One application with its materials, notices, steps, visits and history",
)
def get_application(request: HttpRequest, application_id: int) -> dict:
    _staff(request.auth)
    return output.detail_out(get_application_for_user(request.auth, application_id), request.auth)


@router.post(
    "/staff/applications",
    response=writes(HallApplicationDetailOut, 201),
    auth=staff_token,
    summary="Enter an application handed in at the window (multipart form; a visit)",
)
def enter_application(
    request: HttpRequest,
    payload: Form[HallApplyIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict]:
    user: User = request.auth
    _staff(user)
    version = MatterVersion.objects.select_related("item").filter(pk=payload.version).first()
    if version is None:
        raise invalid(
            "form", "version", _("There is no matter version %(id)d.") % {"id": payload.version}
        )
    forbid_unless(may_enter_at_window(user, version.first_step))
    try:
        application = services.application_submit(
            version=version, data=_apply_data(payload, list(files or [])), actor=user
        )
    except ApplicationError as error:
        raise output.refused(error, "form") from None
    return Status(201, output.detail_out(application, user))


def _on_step(request: HttpRequest, application_id: int) -> Application:
    user = request.auth
    _staff(user)
    application = get_application_for_user(user, application_id)
    forbid_unless(may_act_on_step(user, application.step))
    return application


def _done(call, *args, **kwargs) -> None:
    try:
        call(*args, **kwargs)
    except ApplicationError as error:
        raise output.refused(error) from None


@router.post(
    "/staff/applications/{application_id}/check",
    response=writes(HallApplicationDetailOut),
    auth=staff_token,
    summary="Accept or refuse a handed-in material (pre-check)",
)
def check_material(request: HttpRequest, application_id: int, payload: HallCheckIn) -> dict:
    application = _on_step(request, application_id)
    line = application.materials.filter(pk=payload.material).first()
    if line is None:
        raise invalid("body", "material", _("Not a material of this application."))
    _done(
        services.material_check,
        application=application,
        material=line,
        actor=request.auth,
        accept=payload.accept,
        problem=payload.problem,
    )
    return output.detail_out(application, request.auth)


@router.post(
    "/staff/applications/{application_id}/notice",
    response=writes(HallApplicationDetailOut),
    auth=staff_token,
    summary="Send the one-time notice of every missing material (一次性告知)",
)
def send_notice(request: HttpRequest, application_id: int, payload: HallReasonIn) -> dict:
    user: User = request.auth
    _staff(user)
    application = get_application_for_user(user, application_id)
    forbid_unless(may_act_on_step(user, application.step) or may_request_late(user))
    _done(services.notice_send, application=application, actor=user, reason=payload.reason)
    return output.detail_out(application, user)


@router.post(
    "/staff/applications/{application_id}/accept",
    response=writes(HallApplicationDetailOut),
    auth=staff_token,
    summary="Accept the application (受理), 容缺 materials to follow",
)
def accept_application(request: HttpRequest, application_id: int, payload: HallNoteIn) -> dict:
    application = _on_step(request, application_id)
    _done(steps.application_accept, application=application, actor=request.auth, note=payload.note)
    return output.detail_out(application, request.auth)


@router.post(
    "/staff/applications/{application_id}/take",
    response=writes(HallApplicationDetailOut),
    auth=staff_token,
    summary="Take the application up at its current step",
)
def take_application(request: HttpRequest, application_id: int, payload: HallNoteIn) -> dict:
    application = _on_step(request, application_id)
    _done(steps.step_take, application=application, actor=request.auth)
    return output.detail_out(application, request.auth)


@router.post(
    "/staff/applications/{application_id}/complete",
    response=writes(HallApplicationDetailOut),
    auth=staff_token,
    summary="Complete the current step (the issue step issues the application)",
)
def complete_step(request: HttpRequest, application_id: int, payload: HallNoteIn) -> dict:
    application = _on_step(request, application_id)
    _done(steps.step_complete, application=application, actor=request.auth, note=payload.note)
    return output.detail_out(application, request.auth)


@router.post(
    "/staff/applications/{application_id}/refuse",
    response=writes(HallApplicationDetailOut),
    auth=staff_token,
    summary="Refuse the application, with the reason the applicant reads",
)
def refuse_application(request: HttpRequest, application_id: int, payload: HallReasonIn) -> dict:
    application = _on_step(request, application_id)
    _done(
        steps.application_refuse,
        application=application,
        actor=request.auth,
        reason=payload.reason,
    )
    return output.detail_out(application, request.auth)


@router.post(
    "/staff/applications/{application_id}/visits",
    response=writes(HallApplicationDetailOut),
    auth=staff_token,
    summary="Record that the applicant came in person",
)
def record_visit(request: HttpRequest, application_id: int, payload: HallVisitIn) -> dict:
    user: User = request.auth
    _staff(user)
    application = get_application_for_user(user, application_id)
    forbid_unless(may_record_visit(user))
    _done(
        visits.visit_record,
        application=application,
        actor=user,
        kind=payload.kind,
        note=payload.note,
    )
    return output.detail_out(application, user)


# --- Versions and figures --------------------------------------------------------------------


@router.get(
    "/staff/versions",
    response=reads(list[HallVersionOut]),
    auth=staff_token,
    summary="Every version of every matter's checklist and process",
)
def list_versions(request: HttpRequest) -> list[dict]:
    _staff(request.auth)
    versions = MatterVersion.objects.select_related("item").order_by("item__code", "-number")
    return [output.version_out(v) for v in versions]


@router.post(
    "/staff/matters/{code}/versions",
    response=writes(HallVersionOut, 201),
    auth=staff_token,
    summary="Publish a new version of a matter's checklist and process",
)
def publish_version(request: HttpRequest, code: str, payload: HallVersionIn) -> Status[dict]:
    user: User = request.auth
    _staff(user)
    forbid_unless(can_edit_items(user))
    item = ServiceItem.objects.filter(code=code).first()
    if item is None:
        raise Http404
    units = {unit.code: unit for unit in Unit.objects.all()}
    try:
        version = version_publish(
            actor=user,
            item=item,
            time_limit_days=payload.time_limit_days,
            note=payload.note,
            materials=[
                MaterialRow(m.name, m.kind, m.follow_up_days, m.note) for m in payload.materials
            ],
            steps=[
                StepRow(
                    kind=s.kind,
                    role=s.role,
                    unit=units.get(s.unit),
                    time_limit_days=s.time_limit_days,
                    online_possible=s.online_possible,
                    name=s.name,
                )
                for s in payload.steps
            ],
        )
    except VersionError as error:
        from ninja.errors import ValidationError as NinjaValidationError

        raise NinjaValidationError(
            [field_error("body", "version", message) for message in error.messages]
        ) from None
    return Status(201, output.version_out(version))


@router.post(
    "/staff/versions/{version_id}/withdraw",
    response=writes(HallVersionOut),
    auth=staff_token,
    summary="Withdraw a version: no new applications under it",
)
def withdraw_version(request: HttpRequest, version_id: int, payload: HallNoteIn) -> dict:
    user: User = request.auth
    _staff(user)
    version = MatterVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise Http404
    forbid_unless(can_edit_items(user))
    try:
        version = version_withdraw(actor=user, version=version)
    except VersionError as error:
        raise ApiError(409, " ".join(error.messages)) from None
    return output.version_out(version)


@router.get(
    "/staff/figures",
    response=reads(list[HallVersionFiguresOut]),
    auth=staff_token,
    summary="Process figures per matter version and step (median and 90th percentile)",
)
def process_figures(request: HttpRequest) -> list[dict]:
    _staff(request.auth)
    versions = list(MatterVersion.objects.select_related("item").order_by("item__code", "number"))
    totals = figures.totals_by("version", figures.day_rows())
    times = figures.step_times(versions)
    result = []
    for version in versions:
        t = totals.get(version.pk, figures.Totals())
        metrics = t.metrics()
        result.append(
            {
                "matter": code_name(version.item),
                "version": version.number,
                "status": version.status,
                "finished": t.finished,
                "issued": t.issued,
                "steps_per_application": t.steps_per_application,
                "notices_per_application": t.notices_per_application,
                "late_requests": t.late_requests,
                "average_visits": t.average_visits,
                "at_most_one_share": metrics.at_most_one_share,
                "online_share": metrics.online_share,
                "on_spot_rate": metrics.on_spot_rate,
                "applicant_wait_days": t.applicant_wait_days,
                "steps": [
                    {
                        "step": row.step.label,
                        "kind": row.step.kind,
                        "completed": row.completed,
                        "handle_median_seconds": row.handle_median,
                        "handle_p90_seconds": row.handle_p90,
                        "queue_median_seconds": row.queue_median,
                        "queue_p90_seconds": row.queue_p90,
                    }
                    for row in times[version.pk]
                ],
            }
        )
    return result

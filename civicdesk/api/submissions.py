"""Reporting a problem and following it by tracking code, for apps and the public."""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, get_supported_language_variant
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from pydantic import StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from civicdesk.accounts.models import User
from civicdesk.api.auth import optional_staff_user, staff_token
from civicdesk.api.common import WRITE_ERRORS
from civicdesk.api.errors import ApiError, field_error, invalid
from civicdesk.api.schemas import (
    ErrorOut,
    PublicStatusOut,
    SubmissionCreatedOut,
    SubmissionIn,
    Text,
    ValidationErrorOut,
)
from civicdesk.cases.access import LookupThrottled, get_case_for_tracking_code
from civicdesk.cases.models import Case, Category
from civicdesk.cases.workflow import Action
from civicdesk.cases.workflow import Status as CaseStatus
from civicdesk.core.photos import ProcessedPhoto
from civicdesk.core.positions import PositionError, checked_position
from civicdesk.core.ratelimit import limit_reached, over_limit, seconds_left
from civicdesk.intake import in_person
from civicdesk.intake.models import Channel, IdempotencyKey
from civicdesk.intake.services import IdempotencyConflict, NewSubmission, Received, receive
from civicdesk.intake.validation import process_uploaded_photos
from civicdesk.reports.workflow import Ledger

router = Router(tags=["submissions"])

IdempotencyKeyHeader = Header(
    None,
    alias="Idempotency-Key",
    min_length=1,
    max_length=200,
    description="Any unique string; a retry with the same key and content returns the first "
    "result (200, Idempotent-Replayed: true) and creates nothing.",
)


class ConfidentialReportFiledOut(Schema):
    """An allegation of inaction or misconduct, or of collusion with black intermediaries, is
    not an ordinary case: it was filed as a confidential report (civicdesk.intake.routing)."""

    confidential: Literal[True] = True
    ledger: str = Field(
        ..., description="“inaction” (supervisors) or “intermediary” (discipline inspectors)."
    )
    followup_code: str | None = Field(
        ...,
        description="The whistle-blower's secret follow-up code of an intermediary report, "
        "given in this answer only (a retry gets null); inaction reports have none.",
    )
    followup_url: str = Field(..., description="Where the holder of the code follows it.")
    notice: str = Field(..., description="What happened to the report, for the reporter.")
    received_at: datetime


_CREATE_RESPONSES = {
    200: SubmissionCreatedOut | ConfidentialReportFiledOut,
    201: SubmissionCreatedOut | ConfidentialReportFiledOut,
    401: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
    429: ErrorOut,
}
# The token is optional here: it lifts the rate limit and opens staff-only channels.
_OPTIONAL_TOKEN = {"security": [{"StaffToken": []}, {}]}


def _check_rate_limit(request: HttpRequest, staff: User | None) -> None:
    """Refuse an anonymous client past its limit. Called only when a report is about to be
    stored: a retry of one already stored creates nothing, and refusing it would leave a
    client on a flaky network without its tracking code."""
    if staff is not None:
        return
    spec = settings.CIVICDESK_SUBMISSION_RATE_LIMIT
    if over_limit(request, "submit", spec):
        raise _too_many_reports(spec)


def _check_rate_limit_before_photos(request: HttpRequest, staff: User | None, key: str) -> None:
    """Refuse a client already past its limit before decoding its photos, unless the request
    is the retry of one already stored; counts nothing (that happens before storing)."""
    spec = settings.CIVICDESK_SUBMISSION_RATE_LIMIT
    if staff is not None or not limit_reached(request, "submit", spec):
        return
    if key and IdempotencyKey.objects.filter(key=key).exists():
        return
    raise _too_many_reports(spec)


def _too_many_reports(spec: str) -> ApiError:
    return ApiError(
        429,
        _("Too many reports were sent from your network. Please try again later."),
        headers={"Retry-After": str(seconds_left(spec))},
    )


def _channel(source: str, code: str, staff: User | None) -> Channel:
    # get() on the unique code: first() would add an ORDER BY for nothing.
    try:
        channel = Channel.objects.get(code=code, is_active=True)
    except Channel.DoesNotExist:
        message = _("There is no channel “%(code)s”.") % {"code": code}
        raise invalid(source, "channel", message) from None
    if staff is None and not channel.is_public_form:
        public = ", ".join(
            Channel.objects.filter(is_active=True, is_public_form=True).values_list(
                "code", flat=True
            )
        )
        raise invalid(
            source,
            "channel",
            _("The channel “%(code)s” is for staff only; without a token use one of: %(public)s.")
            % {"code": code, "public": public},
        )
    return channel


def _category(source: str, code: str | None) -> Category | None:
    if not code:
        return None
    try:
        category = Category.objects.get(code=code, is_active=True)
    except Category.DoesNotExist:
        message = _("There is no category “%(code)s”.") % {"code": code}
        raise invalid(source, "category", message) from None
    return category


def _language(source: str, code: str) -> str:
    if not code:
        return get_language() or settings.LANGUAGE_CODE
    try:
        # Maps regional variants the way LocaleMiddleware does (zh-cn → zh-hans).
        return get_supported_language_variant(code.lower())
    except LookupError:
        choices = ", ".join(code for code, _name in settings.LANGUAGES)
        raise invalid(
            source,
            "language",
            _("The language “%(code)s” is not offered; use one of: %(choices)s.")
            % {"code": code, "choices": choices},
        ) from None


def _position(source: str, payload: SubmissionIn) -> tuple[Decimal | None, Decimal | None]:
    """Both coordinates or neither, inside the district (the rule of every channel)."""
    try:
        return checked_position(payload.latitude, payload.longitude)
    except PositionError as error:
        raise invalid(source, error.coordinate, error.message) from None


def _create(
    request: HttpRequest,
    response: HttpResponse,
    *,
    source: str,
    payload: SubmissionIn,
    uploads: list[UploadedFile],
    idempotency_key: str | None,
) -> Status[dict]:
    staff = optional_staff_user(request)
    key = idempotency_key or ""
    # Cheap checks first, so that a refused request costs no photo decoding.
    channel = _channel(source, payload.channel, staff)
    category = _category(source, payload.category)
    language = _language(source, payload.language)
    latitude, longitude = _position(source, payload)
    if uploads:
        _check_rate_limit_before_photos(request, staff, key)
    photos = _photos(source, uploads)
    data = NewSubmission(
        channel=channel,
        description=payload.description,
        category=category,
        address=payload.address,
        latitude=latitude,
        longitude=longitude,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        contact_email=payload.contact_email,
        for_enterprise=payload.for_enterprise,
        enterprise_name=payload.enterprise_name,
        enterprise_credit_code=payload.enterprise_credit_code,
        consent_publish=payload.consent_publish,
        language=language,
        source_details={"via": "api"},
        recorded_by=staff,
        photos=photos,
    )
    received = _store(data, key, before_store=lambda: _check_rate_limit(request, staff))
    if not received.created:
        response["Idempotent-Replayed"] = "true"
    if received.is_confidential:
        return Status(201 if received.created else 200, _confidential_body(request, received))
    body = _created_body(request, received.submission, received.case)
    return Status(201 if received.created else 200, body)


def _photos(source: str, uploads: list[UploadedFile]) -> list[ProcessedPhoto]:
    if not uploads:
        return []
    try:
        return process_uploaded_photos(uploads)
    except DjangoValidationError as error:
        raise NinjaValidationError(
            [field_error(source, "photos", message) for message in error.messages]
        ) from None


def _store(
    data: NewSubmission, key: str, before_store: Callable[[], None] | None = None
) -> Received:
    try:
        return receive(data=data, idempotency_key=key, before_store=before_store)
    except IdempotencyConflict:
        raise ApiError(
            409,
            _(
                "This Idempotency-Key was already used for a different report. "
                "Send a new key for a new report."
            ),
        ) from None


def _created_body(request: HttpRequest, submission, case: Case) -> dict:
    return {
        "tracking_code": case.tracking_code,
        "status": case.status,
        "status_url": request.build_absolute_uri(
            reverse("public:status", args=[case.tracking_code])
        ),
        "received_at": submission.received_at,
    }


def _confidential_body(request: HttpRequest, received: Received) -> dict:
    report = received.report
    if report.ledger == Ledger.INTERMEDIARY:
        notice = _(
            "This concerns collusion with black intermediaries: it was filed as a confidential "
            "report for the discipline inspectors only, not as a public case. Keep the "
            "follow-up code secret; it is shown only once."
        )
    else:
        notice = _(
            "This concerns inaction or misconduct of officials: it was filed as a confidential "
            "report for the district supervisors only, not as a public case, and is not sent "
            "to the unit concerned."
        )
    return {
        "confidential": True,
        "ledger": report.ledger,
        "followup_code": received.followup_code,
        "followup_url": request.build_absolute_uri(reverse("reports:followup")),
        "notice": notice,
        "received_at": report.received_at,
    }


@router.post(
    "/submissions",
    response=_CREATE_RESPONSES,
    summary="Report a problem (JSON)",
    openapi_extra=_OPTIONAL_TOKEN,
)
def create_submission(
    request: HttpRequest,
    response: HttpResponse,
    payload: SubmissionIn,
    idempotency_key: str | None = IdempotencyKeyHeader,
) -> Status[dict]:
    return _create(
        request,
        response,
        source="body",
        payload=payload,
        uploads=[],
        idempotency_key=idempotency_key,
    )


@router.post(
    "/submissions/multipart",
    response=_CREATE_RESPONSES,
    summary="Report a problem with photos (multipart form)",
    openapi_extra=_OPTIONAL_TOKEN,
)
def create_submission_multipart(
    request: HttpRequest,
    response: HttpResponse,
    payload: Form[SubmissionIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    idempotency_key: str | None = IdempotencyKeyHeader,
) -> Status[dict]:
    return _create(
        request,
        response,
        source="form",
        payload=payload,
        uploads=list(photos or []),
        idempotency_key=idempotency_key,
    )


class InPersonIn(SubmissionIn):
    """An opinion heard in person, typed in by the member of staff who heard it."""

    channel: Text = Field(
        ...,
        max_length=40,
        description="An in-person channel: a window, the phone, a leader's reception, a visit.",
    )
    heard_at: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
    ] = Field(..., description="Where it was heard, e.g. window 3 of the service hall.")
    heard_by: Text = Field(
        "", max_length=80, description="Who heard it; empty: the caller (name the leader)."
    )
    heard_on: datetime = Field(..., description="When it was heard.")
    consent_contact: bool = Field(..., description="May the person be contacted about it?")

    @field_validator("heard_on")
    @classmethod
    def _recent(cls, value: datetime) -> datetime:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        try:
            in_person.check_heard_on(value)
        except in_person.InPersonError as error:
            raise PydanticCustomError("heard_on", error.message) from error
        return value


class InPersonCreatedOut(SubmissionCreatedOut):
    case_id: int | None = Field(
        ..., description="The case, when the caller may see it (else keep the tracking code)."
    )


def _record_in_person(
    request: HttpRequest,
    response: HttpResponse,
    *,
    source: str,
    payload: InPersonIn,
    uploads: list[UploadedFile],
    idempotency_key: str | None,
) -> Status[dict]:
    user: User = request.auth
    if not in_person.can_record(user):
        raise ApiError(403, _("Your role may not do this."))
    channel = _channel(source, payload.channel, user)
    latitude, longitude = _position(source, payload)
    try:
        data = in_person.in_person_submission(
            channel=channel,
            heard_at=payload.heard_at,
            heard_by=payload.heard_by,
            heard_on=payload.heard_on,
            recorded_by=user,
            via="api",
            description=payload.description,
            category=_category(source, payload.category),
            address=payload.address,
            latitude=latitude,
            longitude=longitude,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            contact_email=payload.contact_email,
            for_enterprise=payload.for_enterprise,
            enterprise_name=payload.enterprise_name,
            enterprise_credit_code=payload.enterprise_credit_code,
            consent_publish=payload.consent_publish,
            consent_contact=payload.consent_contact,
            language=_language(source, payload.language),
            photos=_photos(source, uploads),
        )
    except in_person.InPersonError as error:
        raise invalid(source, error.field, error.message) from error
    received = _store(data, idempotency_key or "")
    if not received.created:
        response["Idempotent-Replayed"] = "true"
    status = 201 if received.created else 200
    if received.is_confidential:
        return Status(status, _confidential_body(request, received))
    case = received.case
    visible = Case.objects.visible_to(user).filter(pk=case.pk).exists()
    body = _created_body(request, received.submission, case) | {
        "case_id": case.pk if visible else None
    }
    return Status(status, body)


_IN_PERSON_RESPONSES = {
    200: InPersonCreatedOut | ConfidentialReportFiledOut,
    201: InPersonCreatedOut | ConfidentialReportFiledOut,
    **WRITE_ERRORS,
}


# Before "/submissions/{tracking_code}", whose pattern would otherwise take these paths.
@router.post(
    "/submissions/in-person",
    auth=staff_token,
    response=_IN_PERSON_RESPONSES,
    summary="Record an opinion heard in person (staff)",
)
def record_in_person(
    request: HttpRequest,
    response: HttpResponse,
    payload: InPersonIn,
    idempotency_key: str | None = IdempotencyKeyHeader,
) -> Status[dict]:
    return _record_in_person(
        request,
        response,
        source="body",
        payload=payload,
        uploads=[],
        idempotency_key=idempotency_key,
    )


@router.post(
    "/submissions/in-person/multipart",
    auth=staff_token,
    response=_IN_PERSON_RESPONSES,
    summary="Record an opinion heard in person, with photos of papers handed in (staff)",
)
def record_in_person_multipart(
    request: HttpRequest,
    response: HttpResponse,
    payload: Form[InPersonIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    idempotency_key: str | None = IdempotencyKeyHeader,
) -> Status[dict]:
    return _record_in_person(
        request,
        response,
        source="form",
        payload=payload,
        uploads=list(photos or []),
        idempotency_key=idempotency_key,
    )


def _localized_name(category: Category) -> str:
    if (get_language() or "").startswith("en") and category.name_en:
        return category.name_en
    return category.name


@router.get(
    "/submissions/{tracking_code}",
    response={200: PublicStatusOut, 404: ErrorOut},
    summary="Follow a report by its tracking code",
)
def submission_status(request: HttpRequest, tracking_code: str) -> dict:
    try:
        case: Case = get_case_for_tracking_code(tracking_code, request=request)
    except LookupThrottled as throttled:
        raise ApiError(
            429,
            _("Too many unknown tracking codes were tried from your network. Try again later."),
            headers=throttled.headers,
        ) from None
    # Public text may quote the reporter; hide personal data known anywhere in the case.
    timeline = [
        {
            "action": event.action,
            "label": str(Action(event.action).label),
            "at": event.created_at,
            "note": case.public_text(event.note),
        }
        for event in case.events.public()
    ]
    return {
        "tracking_code": case.tracking_code,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "received_at": case.received_at,
        "category": _localized_name(case.category) if case.category else None,
        "unit": case.unit.name if case.unit else None,
        "answer": case.public_text(case.answer),
        "answered_at": case.answered_at,
        "merged_into": case.merged_into.tracking_code if case.merged_into else None,
        "timeline": timeline,
    }

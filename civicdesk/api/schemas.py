"""Request and response shapes of the API; they are also its OpenAPI document."""

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import StringConstraints, ValidationInfo, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from civicdesk.api.workorder_schemas import WorkOrderOut
from civicdesk.cases.workflow import Status
from civicdesk.intake.validation import clean_credit_code


def inline_enum(choices: type[Enum], title: str) -> Any:
    """``choices`` with its values written out where it is used, not as a shared component.

    ninja names components after the class, and several of our models' enums are called
    ``Status`` or ``Channel``: in the OpenAPI document the last one overwrote the others, so
    the report list, say, was documented with the statuses of notifications.
    """
    schema = {"title": title, "type": "string", "enum": [choice.value for choice in choices]}
    return Annotated[choices, WithJsonSchema(schema)]


CaseStatusField = inline_enum(Status, "CaseStatus")

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
RequiredText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _django_message(error: DjangoValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


# --- Submissions ---------------------------------------------------------------------------


class SubmissionIn(Schema):
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)
    ] = Field(..., description="What happened and where; 1 to 5000 characters.")
    channel: Text = Field(
        "mobile_app",
        max_length=40,
        description="Channel code. Anonymous callers may use public-form channels only.",
    )
    category: Text | None = Field(None, max_length=60, description="Category code, if known.")
    address: Text = Field("", max_length=300)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    contact_name: Text = Field("", max_length=80)
    contact_phone: Text = Field("", max_length=40)
    contact_email: Text = Field("", max_length=254)
    for_enterprise: bool = False
    enterprise_name: Text = Field("", max_length=200)
    # validate_default: the code is required when for_enterprise is set, even if left out.
    enterprise_credit_code: Text = Field(
        "",
        max_length=40,
        validate_default=True,
        description="Unified social credit code; required when for_enterprise is true.",
    )
    consent_publish: bool = False
    language: Text = Field(
        "", max_length=10, description="Language for replies; defaults to the request's."
    )

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError as error:
                raise PydanticCustomError("email", _django_message(error)) from None
        return value

    @field_validator("enterprise_credit_code")
    @classmethod
    def _credit_code(cls, value: str, info: ValidationInfo) -> str:
        if not info.data.get("for_enterprise"):
            return value
        if not value:
            raise PydanticCustomError(
                "missing", _("Give the enterprise's unified social credit code.")
            )
        try:
            return clean_credit_code(value)
        except DjangoValidationError as error:
            raise PydanticCustomError("credit_code", _django_message(error)) from None


class SubmissionCreatedOut(Schema):
    tracking_code: str
    status: str
    status_url: str = Field(..., description="Public status page for the reporter.")
    received_at: datetime


class TimelineEntryOut(Schema):
    action: str
    label: str
    at: datetime
    note: str


class PublicStatusOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    received_at: datetime
    category: str | None
    unit: str | None
    answer: str
    answered_at: datetime | None
    merged_into: str | None
    timeline: list[TimelineEntryOut]


# --- Cases (staff) -------------------------------------------------------------------------


class CodeNameOut(Schema):
    code: str
    name: str


class CaseListItemOut(Schema):
    id: int
    tracking_code: str
    status: str
    status_label: str
    unit: CodeNameOut | None
    category: CodeNameOut | None
    channel: str
    description: str = Field(..., description="The first 200 characters.")
    address: str
    received_at: datetime
    due_at: datetime | None = Field(..., description="Deadline of the current stage.")
    overdue: bool
    escalated: bool


class PhotoOut(Schema):
    url: str
    thumbnail_url: str
    width: int
    height: int


class SubmissionDetailOut(Schema):
    channel: str
    description: str
    address: str
    latitude: float | None
    longitude: float | None
    contact_name: str
    contact_phone: str
    contact_email: str
    consent_contact: bool = Field(
        ...,
        description="False: the person asked not to be contacted about it (请勿联系); do not "
        "use the contact data for calls, messages or visits.",
    )
    for_enterprise: bool
    enterprise_name: str
    enterprise_credit_code: str
    consent_publish: bool
    language: str
    photos: list[PhotoOut]


class EventOut(Schema):
    id: int
    action: str
    label: str
    from_status: str
    to_status: str
    actor: str = Field(..., description="Staff member's name, or reporter/system.")
    unit: str | None
    note: str
    is_public: bool
    created_at: datetime


class CaseDetailOut(CaseListItemOut):
    submission: SubmissionDetailOut
    answer: str
    assigned_at: datetime | None
    first_responded_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    assign_due_at: datetime
    response_due_at: datetime
    answer_due_at: datetime
    merged_into: str | None
    reopen_count: int
    allowed_actions: list[str] = Field(..., description="What the caller may do now.")
    work_order: WorkOrderOut = Field(
        ..., description="Within the unit, co-handling units, returns, extensions, suspension."
    )
    timeline: list[EventOut]


class CaseFilters(Schema):
    status: CaseStatusField | None = None
    open: bool | None = Field(
        None, description="true: only cases still being worked on (the inbox's default)."
    )
    unit: str | None = Field(None, description="Unit code; includes the units below it.")
    channel: str | None = Field(None, description="Channel code.")
    category: str | None = Field(
        None, description="Category code; an aspect includes its children."
    )
    overdue: bool | None = None
    q: str | None = Field(None, max_length=200, description="Words that must all appear.")
    received_after: date | None = Field(None, description="On or after this day.")
    received_before: date | None = Field(None, description="On or before this day.")


class AssignIn(Schema):
    unit: RequiredText = Field(..., description="Code of the unit to route the case to.")
    note: Text = Field("", max_length=2000)


class NoteIn(Schema):
    note: Text = Field("", max_length=2000)


class ReplyIn(Schema):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]


class ReturnIn(Schema):
    reason_code: Text | None = Field(
        None,
        max_length=40,
        description="Code of a return reason (GET /work-orders/return-reasons); none: other.",
    )
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = Field(
        "", description="Words: needed for a reason that asks for them (other)."
    )


class InternalNoteIn(Schema):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class MergeIn(Schema):
    into: RequiredText = Field(..., max_length=64, description="Tracking code of the case kept.")
    note: Text = Field("", max_length=2000)


class ReopenIn(Schema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class RecategorizeIn(Schema):
    category: Text | None = Field(
        ..., max_length=60, description="Category code; null or empty to clear the category."
    )


class ReplyTemplateOut(Schema):
    id: int
    title: str
    body: str


class SuggestedCategoryOut(Schema):
    category: CodeNameOut
    confidence: float


class CategorySuggestionOut(Schema):
    category: CodeNameOut
    confidence: float
    needs_review: bool
    words: list[str] = Field(..., description="The words that drove the top suggestion.")
    top: list[SuggestedCategoryOut]


class SuggestedUnitOut(Schema):
    unit: CodeNameOut
    confidence: float


class UnitSuggestionOut(Schema):
    unit: CodeNameOut = Field(..., description="The unit to route the case to.")
    confidence: float = Field(..., description="Calibrated probability, never 1.")
    needs_review: bool = Field(
        ..., description="True: below the model's confidence threshold; a person should decide."
    )
    top: list[SuggestedUnitOut]


class SimilarCaseOut(CaseListItemOut):
    score: float


class CaseTriageOut(Schema):
    suggestion: CategorySuggestionOut | None = Field(
        ..., description="Null while no classifier has been trained."
    )
    unit_suggestion: UnitSuggestionOut | None = Field(
        ...,
        description="The unit past cases like this one were handled by; null while no unit "
        "model has been trained.",
    )
    similar: list[SimilarCaseOut]


# --- Errors --------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class ValidationErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    detail: list[ValidationErrorItem]

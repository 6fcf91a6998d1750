"""Request and response shapes of the ledger operations."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from civicdesk.api.common import FieldChangeOut, ImportOut, PersonOut
from civicdesk.api.schemas import CodeNameOut, Text
from civicdesk.intake.validation import clean_credit_code
from civicdesk.ledgers import services
from civicdesk.ledgers.models import PromiseStatus, Stage, UtilityKind

Required = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class LedgerName(StrEnum):
    PROMISES = services.PROMISES
    BACKLOG = services.BACKLOG
    UTILITIES = services.UTILITIES


# --- Shapes --------------------------------------------------------------------------------


class LedgerEventOut(Schema):
    position: int
    action: str
    actor: PersonOut | None
    changes: list[FieldChangeOut]
    created_at: datetime
    hash: str


class EnterpriseOut(Schema):
    name: str
    credit_code: str


class PromiseOut(Schema):
    id: int
    enterprise: EnterpriseOut
    promise: str
    promised_on: date
    document: str
    amount_owed: Decimal | None
    unit: CodeNameOut
    deadline: date
    status: PromiseStatus
    overdue: bool
    resolution: str
    resolved_on: date | None
    enterprise_confirmed: bool
    confirmed_on: date | None
    created_at: datetime


class PromiseDetailOut(PromiseOut):
    can_write: bool = Field(..., description="Whether the caller may record changes.")
    events: list[LedgerEventOut]


class PromiseTotalsOut(Schema):
    enterprise: EnterpriseOut
    n_items: int
    n_open: int
    n_overdue: int
    owed_open: Decimal | None


def _credit_code(value: str) -> str:
    try:
        return clean_credit_code(value)
    except DjangoValidationError as error:
        raise PydanticCustomError("credit_code", " ".join(error.messages)) from None


class PromiseIn(Schema):
    enterprise_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    credit_code: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
    ]
    promise: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    promised_on: date
    document: Text = Field("", max_length=300)
    amount_owed: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    unit: Required = Field(..., max_length=40, description="Code of the responsible unit.")
    deadline: date

    @field_validator("credit_code")
    @classmethod
    def _code(cls, value: str) -> str:
        return _credit_code(value)

    @field_validator("deadline")
    @classmethod
    def _after_promise(cls, value: date, info: ValidationInfo) -> date:
        promised = info.data.get("promised_on")
        if promised and value < promised:
            raise PydanticCustomError(
                "date_order", _("The deadline cannot be before the day of the promise.")
            )
        return value


class ResolveIn(Schema):
    resolution: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)
    ]
    resolved_on: date = Field(default_factory=timezone.localdate)


class ConfirmIn(Schema):
    confirmed_on: date = Field(default_factory=timezone.localdate)


class PromiseFilters(Schema):
    status: PromiseStatus | None = None
    overdue: bool | None = Field(None, description="Open after the deadline.")
    credit_code: str | None = Field(None, max_length=40, description="The enterprise's code.")


class BacklogOut(Schema):
    id: int
    case_number: str
    court_or_agency: str
    enterprise_name: str
    credit_code: str
    filed_on: date
    stage: Stage
    target_close_on: date | None
    closed_on: date | None
    unit: CodeNameOut | None
    age_days: int
    bucket: str | None = Field(..., description="Ageing bucket of a pending case.")
    created_at: datetime


class BacklogDetailOut(BacklogOut):
    can_write: bool
    events: list[LedgerEventOut]


class BucketOut(Schema):
    key: str
    label: str
    count: int


class BacklogSummaryOut(Schema):
    buckets: list[BucketOut]
    n_pending: int
    n_closed: int


class BacklogIn(Schema):
    case_number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)
    ]
    court_or_agency: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    enterprise_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    credit_code: Text = Field("", max_length=40)
    filed_on: date
    stage: Stage = Stage.FILED
    target_close_on: date | None = None
    closed_on: date | None = None
    unit: Text | None = Field(None, max_length=40, description="Code of the responsible unit.")

    @field_validator("credit_code")
    @classmethod
    def _code(cls, value: str) -> str:
        return _credit_code(value) if value else ""


class BacklogUpdateIn(Schema):
    stage: Stage
    target_close_on: date | None = None
    closed_on: date | None = None


class DisclosureIn(Schema):
    service_standards: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    procedures: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    fees: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    legal_conditions: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class DisclosureOut(Schema):
    version: int
    service_standards: str
    procedures: str
    fees: str
    legal_conditions: str
    published_at: datetime
    published_by: PersonOut | None


class UtilityIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: UtilityKind
    unit: Required = Field(..., max_length=40, description="Code of the utility's unit.")


class UtilityOut(Schema):
    id: int
    name: str
    kind: UtilityKind
    unit: CodeNameOut
    latest_version: int | None
    public_url: str | None = Field(..., description="Public page, once a version is published.")


class UtilityDetailOut(UtilityOut):
    can_write: bool
    disclosures: list[DisclosureOut] = Field(..., description="Newest version first.")
    events: list[LedgerEventOut]


class LedgerImportOut(ImportOut):
    skipped: list[str] = Field(
        ...,
        description=(
            "Rows not loaded because the ledger (or an earlier row) has them already, each "
            "saying which and what differs; importing a workbook twice loads it once."
        ),
    )

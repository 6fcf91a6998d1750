"""Request and response shapes of the work-order and supervision operations (dispatch,
co-handling, returns, arbitration, extensions and suspensions, letters and instructions)."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from civicdesk.cases.models import SuspensionGround

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
# Required words: empty text is refused by the service with its own message (naming the
# field), so that the API and the pages say the same thing.
Words = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


class WorkOrderCodeNameOut(Schema):
    code: str
    name: str


class CoUnitOut(Schema):
    unit: WorkOrderCodeNameOut
    part: str = Field(..., description="The unit's part of the answer (internal).")
    part_at: datetime | None
    waived_reason: str
    waived_at: datetime | None
    is_in: bool = Field(..., description="Given or waived: the lead unit may answer.")


class ClockRequestOut(Schema):
    id: int
    kind: Literal["extension", "suspension"]
    status: Literal["pending", "approved", "refused", "withdrawn"]
    unit: WorkOrderCodeNameOut
    ground: str = Field(..., description="What a suspension waits for (court, survey, …).")
    reason: str
    new_date: date = Field(..., description="Extension: new deadline; suspension: resumption.")
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str
    resumed_at: datetime | None
    suspended_days: int | None


class WorkOrderOut(Schema):
    assignee: str | None = Field(None, description="Username of the person in charge.")
    grid: WorkOrderCodeNameOut | None = None
    co_units: list[CoUnitOut]
    return_count: int = Field(..., description="Returns since the last arbitration.")
    awaits_arbitration: bool
    bound_unit: WorkOrderCodeNameOut | None = Field(
        None, description="The unit an arbitration chose; it cannot return the case."
    )
    suspended_at: datetime | None
    clock_requests: list[ClockRequestOut]
    dispatched_automatically: bool = Field(
        ..., description="The case stands as an automatic dispatch put it (can be undone)."
    )


class WorkOrderNoteIn(Schema):
    note: Text = Field("", max_length=2000)


class GiveIn(Schema):
    assignee: Text | None = Field(None, max_length=150, description="Username, or none.")
    grid: Text | None = Field(None, max_length=40, description="Grid code, or none.")
    note: Text = Field("", max_length=2000)


class CoUnitIn(Schema):
    unit: Text = Field(..., max_length=40, description="Code of the co-handling unit.")


class PartIn(Schema):
    text: Words = Field(..., description="The co-handling unit's part of the answer.")


class ReasonIn(Schema):
    reason: Words = Field(..., max_length=2000)


class ArbitrateIn(Schema):
    unit: Text = Field(..., max_length=40, description="Code of the unit that must handle it.")
    reason: Words = Field(..., max_length=2000)


class CaseExtensionIn(Schema):
    new_date: date = Field(..., description="The new answer deadline (a day after today).")
    reason: Words = Field(..., max_length=2000)


class CaseSuspensionIn(Schema):
    ground: SuspensionGround = Field(..., description="What the case waits for.")
    new_date: date = Field(..., description="When the unit expects to resume.")
    reason: Words = Field(..., max_length=2000)


class DecideIn(Schema):
    approve: bool
    note: Text = Field("", max_length=2000, description="Needed to refuse.")


class ReturnReasonOut(Schema):
    code: str
    name: str
    name_en: str
    needs_explanation: bool


class DispatchRuleIn(Schema):
    category: Text | None = Field(None, max_length=60, description="Category or aspect code.")
    area: Text | None = Field(None, max_length=40, description="Area code.")
    unit: Text = Field(..., max_length=40)
    priority: int = Field(100, ge=0, le=1000)


class DispatchRuleOut(Schema):
    id: int
    category: WorkOrderCodeNameOut | None
    area: WorkOrderCodeNameOut | None
    unit: WorkOrderCodeNameOut
    priority: int
    is_active: bool


class ArbitrationOut(Schema):
    id: int
    tracking_code: str
    return_count: int
    arbitration_since: datetime


class PendingRequestOut(ClockRequestOut):
    case_id: int
    tracking_code: str


# --- Supervision ----------------------------------------------------------------------------

SubjectKind = Literal["case", "problem", "measure"]


class SubjectIn(Schema):
    kind: SubjectKind
    id: int = Field(..., ge=1)


class SubjectOut(Schema):
    kind: SubjectKind
    id: int
    label: str = Field(..., description="Tracking code, or the problem's or measure's title.")


class LetterIn(Schema):
    subject: SubjectIn
    unit: Text | None = Field(None, max_length=40, description="Default: the lead unit.")
    requirement: Words = Field(..., description="What the unit must do and report.")
    deadline: date = Field(..., description="Reply by (a day after today).")


class HistoryOut(Schema):
    position: int
    action: str
    label: str
    note: str
    actor: str | None
    created_at: datetime
    hash: str


class LetterOut(Schema):
    id: int
    number: str
    unit: WorkOrderCodeNameOut
    subject: SubjectOut
    requirement: str
    deadline: date
    status: Literal["open", "replied", "closed"]
    issued_at: datetime
    reply: str
    replied_at: datetime | None
    reminded_at: datetime | None
    escalated_at: datetime | None
    closed_at: datetime | None
    late: bool = Field(..., description="Still waiting for the reply after the deadline.")
    answered_late: bool = Field(..., description="Replied after the deadline.")
    history: list[HistoryOut]


class LetterReplyIn(Schema):
    reply: Words


class LetterNoteIn(Schema):
    note: Text = Field("", max_length=2000)


class InstructionIn(Schema):
    subject: SubjectIn
    unit: Text | None = Field(None, max_length=40, description="Default: the lead unit.")
    text: Words


class InstructionOut(Schema):
    id: int
    unit: WorkOrderCodeNameOut
    subject: SubjectOut
    text: str
    leader: str | None
    given_at: datetime
    acknowledgement: str
    acknowledged_at: datetime | None
    history: list[HistoryOut]


class AcknowledgeIn(Schema):
    acknowledgement: Words

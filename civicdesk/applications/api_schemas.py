"""The shapes of the hall's API operations."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from civicdesk.api.common import PersonOut
from civicdesk.api.schemas import CodeNameOut, Text
from civicdesk.applications.models import VisitKind

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class HallMaterialOut(Schema):
    id: int = Field(..., description="Requirement id: name files after it when applying.")
    name: str
    kind: str = Field(..., description="required, optional or deferrable (容缺).")
    follow_up_days: int | None
    note: str


class HallStepOut(Schema):
    position: int
    kind: str
    label: str
    role: str
    unit: CodeNameOut
    time_limit_days: int
    online_possible: bool


class HallMatterOut(Schema):
    code: str
    name: str
    version: int
    version_status: str
    time_limit_days: int
    materials: list[HallMaterialOut]
    steps: list[HallStepOut]


class HallApplyIn(Schema):
    version: int = Field(..., description="The version applied under (see GET /hall/matters).")
    applicant_type: str = Field(..., description="citizen or enterprise.")
    applicant_name: Text = Field(..., max_length=200)
    credit_code: Text = Field("", max_length=40)
    contact_phone: Text = Field("", max_length=30)
    contact_email: Text = Field("", max_length=254)
    agent_name: Text = Field("", max_length=200)
    agent_phone: Text = Field("", max_length=30)
    file_materials: list[int] = Field(
        [], max_length=60, description="For each file sent, in order, its requirement id."
    )


class HallAppliedOut(Schema):
    tracking_code: str
    status: str
    access_token: str = Field(..., description="Send as X-Applicant-Token to follow it.")
    access_expires_at: dt.datetime


class HallCodeSentOut(Schema):
    sent_to: str = Field(..., description="The masked phone number or e-mail address.")


class HallOtpIn(Schema):
    otp: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=12)]


class HallAccessOut(Schema):
    access_token: str
    access_expires_at: dt.datetime


class HallLineOut(Schema):
    id: int
    name: str
    kind: str
    state: str
    problem: str
    follow_up_due: dt.datetime | None
    files: int


class HallNoticeOut(Schema):
    number: int
    created_at: dt.datetime
    materials: list[str]
    reason: str
    late_items: int


class HallEventOut(Schema):
    action: str
    label: str
    step: str | None
    note: str
    at: dt.datetime


class HallApplicantViewOut(Schema):
    tracking_code: str
    matter: CodeNameOut
    version: int
    status: str
    status_label: str
    step: str | None
    due_at: dt.datetime | None
    visits: int
    materials: list[HallLineOut]
    notices: list[HallNoticeOut]
    timeline: list[HallEventOut]


class HallApplicationOut(Schema):
    id: int
    tracking_code: str
    matter: CodeNameOut
    version: int
    channel: str
    status: str
    applicant_name: str
    applicant_type: str
    step: str | None
    step_unit: CodeNameOut | None
    holder: PersonOut | None
    submitted_at: dt.datetime
    accepted_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    overdue: bool
    visits: int
    notices: int
    late_requests: int


class HallRunOut(Schema):
    step: str
    unit: CodeNameOut
    arrived_at: dt.datetime
    taken_at: dt.datetime | None
    holder: PersonOut | None
    completed_at: dt.datetime | None
    handle_seconds: int | None
    queue_seconds: int | None


class HallVisitOut(Schema):
    kind: str
    day: dt.date
    staff: PersonOut | None
    unit: CodeNameOut | None
    at: dt.datetime


class HallApplicationDetailOut(HallApplicationOut):
    credit_code: str
    contact_phone: str
    contact_email: str
    agent_name: str
    agent_phone: str
    outcome_note: str
    materials: list[HallLineOut]
    notices: list[HallNoticeOut]
    runs: list[HallRunOut]
    visit_events: list[HallVisitOut]
    timeline: list[HallEventOut]
    allowed_actions: list[str]


class HallListFilters(Schema):
    matter: str | None = Field(None, max_length=40, description="Matter (catalogue item) code.")
    status: str | None = Field(None, max_length=20)
    mine: bool = Field(False, description="Only those on the caller's desk.")
    overdue: bool = False
    follow_up_overdue: bool = Field(
        False, description="Only those with a material to follow (容缺) past its deadline."
    )


class HallCheckIn(Schema):
    material: int = Field(..., description="The application's material line id.")
    accept: bool
    problem: Text = Field("", max_length=300, description="What is wrong (to refuse).")


class HallNoteIn(Schema):
    note: Reason = ""


class HallReasonIn(Schema):
    reason: Reason = ""


class HallVisitIn(Schema):
    kind: str = Field(VisitKind.STAFF, description="window, staff or kiosk.")
    note: Text = Field("", max_length=200)


class HallMaterialRowIn(Schema):
    name: Text = Field(..., max_length=200)
    kind: str
    follow_up_days: int | None = Field(None, ge=0, le=10000)
    note: Text = Field("", max_length=300)


class HallStepRowIn(Schema):
    kind: str
    name: Text = Field("", max_length=200)
    role: str = ""
    unit: Text = Field("", max_length=40, description="Unit code.")
    time_limit_days: int | None = Field(None, ge=0, le=10000)
    online_possible: bool = False


class HallVersionIn(Schema):
    time_limit_days: int | None = Field(None, ge=0, le=10000)
    note: Reason = ""
    materials: list[HallMaterialRowIn] = Field(..., max_length=100)
    steps: list[HallStepRowIn] = Field(..., max_length=100)


class HallVersionOut(Schema):
    id: int
    matter: CodeNameOut
    number: int
    status: str
    time_limit_days: int
    note: str
    created_at: dt.datetime
    materials: list[HallMaterialOut]
    steps: list[HallStepOut]


class HallStepTimesOut(Schema):
    step: str
    kind: str
    completed: int
    handle_median_seconds: int | None
    handle_p90_seconds: int | None
    queue_median_seconds: int | None
    queue_p90_seconds: int | None


class HallVersionFiguresOut(Schema):
    matter: CodeNameOut
    version: int
    status: str
    finished: int
    issued: int
    steps_per_application: float | None
    notices_per_application: float | None
    late_requests: int
    average_visits: float | None
    at_most_one_share: float | None
    online_share: float | None
    on_spot_rate: float | None
    applicant_wait_days: float | None
    steps: list[HallStepTimesOut]

"""The return-visit queue and praise in the API (registered under /api/v1/visits and
/api/v1/praise by civicdesk.api.api), with the same access helpers as the pages: the call
centre (clerks, supervisors, administrators) works the queue, leaders read it, handlers get
a 403; sampling rules and scripts are changed by supervisors and administrators."""

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import (
    Page,
    PersonOut,
    cases_by_code,
    category_by_code,
    code_name,
    conflict,
    forbid_unless,
    person,
    reads,
    writes,
)
from civicdesk.api.errors import invalid
from civicdesk.api.schemas import CodeNameOut
from civicdesk.evaluation import access, visits
from civicdesk.evaluation.models import (
    FollowUp,
    Praise,
    PraiseSource,
    ReturnVisit,
    SamplingRule,
    SamplingRuleKind,
    VisitScript,
)
from civicdesk.evaluation.visit_workflow import VisitAction, VisitStatus

router = Router(tags=["return visits"], auth=staff_token)
praise_router = Router(tags=["return visits"], auth=staff_token)

Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


# --- Shapes --------------------------------------------------------------------------------


class VisitEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    attempt: int
    actor: PersonOut | None
    note: str
    created_at: datetime


class VisitOut(Schema):
    id: int
    case_id: int
    tracking_code: str
    category: CodeNameOut | None
    unit: CodeNameOut | None
    answer_of: datetime = Field(..., description="When the answer asked about was given.")
    reason: SamplingRuleKind = Field(..., description="The kind of rule that picked it.")
    status: VisitStatus
    attempts: int
    created_at: datetime
    closed_at: datetime | None
    solved: bool | None
    satisfaction: int | None
    praised: bool
    counted: bool = Field(
        ...,
        description="True when what the person said became the evaluation of the answer (the "
        "reporter had not answered the follow-up online).",
    )
    reopened: bool = Field(..., description="A re-handling order reopened the case.")
    comment: str


class VisitDetailOut(VisitOut):
    contact_name: str
    contact_phone: str
    description: str
    answer: str
    script: str = Field(..., description="The script of the case's category ('' if none).")
    followup_status: str = Field(..., description="The online follow-up's status, '' if none.")
    events: list[VisitEventOut]


class VisitFilters(Schema):
    status: VisitStatus | None = Field(None, description="Default: any status.")
    reason: SamplingRuleKind | None = None


class Outcome(StrEnum):
    REACH = VisitAction.REACH
    NOT_REACHED = VisitAction.NOT_REACHED
    REFUSE = VisitAction.REFUSE


class OutcomeIn(Schema):
    outcome: Outcome = Field(..., description="reach, not_reached or refuse.")
    solved: bool | None = Field(None, description="Reached only: what the person said.")
    satisfaction: int | None = Field(None, ge=1, le=5, description="Reached only: 5 … 1.")
    praised: bool = Field(False, description="Reached only: the person praised the handling.")
    comment: Comment = ""


class CancelIn(Schema):
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class BuildIn(Schema):
    """Nothing to say: send ``{}``."""


class QueueRunOut(Schema):
    queued: int
    cancelled: int


class RuleOut(Schema):
    id: int
    kind: SamplingRuleKind
    percent: Decimal | None
    category: CodeNameOut | None
    is_active: bool
    note: str


class RuleIn(Schema):
    kind: SamplingRuleKind
    percent: Decimal | None = Field(
        None, gt=0, le=100, description="A share's percentage; only for kind 'share'."
    )
    category: str | None = Field(None, description="Category code; empty: every case.")
    is_active: bool = True
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class ScriptOut(Schema):
    id: int
    category: CodeNameOut | None = Field(..., description="Null: the default script.")
    title: str
    text: str


class ScriptIn(Schema):
    category: str | None = Field(None, description="Category code; empty: the default script.")
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]


class PraiseOut(Schema):
    id: int
    tracking_code: str
    unit: CodeNameOut
    source: PraiseSource
    received_at: datetime
    note: str
    recorded_by: PersonOut | None


class PraiseIn(Schema):
    tracking_code: str
    source: PraiseSource
    received_on: date | None = Field(None, description="Default: today.")
    note: Comment = ""


# --- Output --------------------------------------------------------------------------------


def visit_out(visit: ReturnVisit) -> dict:
    case = visit.case
    return {
        "id": visit.pk,
        "case_id": case.pk,
        "tracking_code": case.tracking_code,
        "category": code_name(case.category),
        "unit": code_name(case.unit),
        "answer_of": visit.answer_of,
        "reason": visit.reason,
        "status": visit.status,
        "attempts": visit.attempts,
        "created_at": visit.created_at,
        "closed_at": visit.closed_at,
        "solved": visit.solved,
        "satisfaction": visit.satisfaction,
        "praised": visit.praised,
        "counted": visit.counted,
        "reopened": visit.reopened,
        "comment": visit.comment,
    }


def _visit_detail(user: User, visit_id: int) -> dict:
    visit = access.get_visit_for_user(user, visit_id)
    case = visit.case
    script = VisitScript.for_category(case.category)
    followup = FollowUp.objects.filter(case=case, answer_of=visit.answer_of).first()
    return visit_out(visit) | {
        "contact_name": case.submission.contact_name,
        "contact_phone": case.submission.contact_phone,
        "description": case.submission.description,
        "answer": case.answer,
        "script": script.text if script else "",
        "followup_status": followup.status if followup else "",
        "events": [
            {
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "attempt": e.attempt,
                "actor": person(e.actor),
                "note": e.note,
                "created_at": e.created_at,
            }
            for e in visit.events.select_related("actor")
        ],
    }


def rule_out(rule: SamplingRule) -> dict:
    return {
        "id": rule.pk,
        "kind": rule.kind,
        "percent": rule.percent,
        "category": code_name(rule.category),
        "is_active": rule.is_active,
        "note": rule.note,
    }


def script_out(script: VisitScript) -> dict:
    return {
        "id": script.pk,
        "category": code_name(script.category),
        "title": script.title,
        "text": script.text,
    }


def praise_out(praise: Praise) -> dict:
    return {
        "id": praise.pk,
        "tracking_code": praise.case.tracking_code,
        "unit": code_name(praise.unit),
        "source": praise.source,
        "received_at": praise.received_at,
        "note": praise.note,
        "recorded_by": person(praise.recorded_by),
    }


def _reader(user: User) -> None:
    forbid_unless(access.can_read_visits(user))


# --- The queue -----------------------------------------------------------------------------


@router.get("", response=reads(list[VisitOut]), summary="The return-visit queue")
@paginate(Page, serialize=visit_out)
def list_visits(request: HttpRequest, filters: Query[VisitFilters]) -> Any:
    _reader(request.auth)
    rows = access.visits_visible_to(request.auth).select_related(
        "case", "case__category", "case__unit"
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.reason:
        rows = rows.filter(reason=filters.reason)
    return rows.order_by("created_at", "id")


@router.post(
    "/build",
    response=writes(QueueRunOut),
    summary="Build the queue now (the scheduled job; idempotent)",
)
def build_visit_queue(request: HttpRequest, payload: BuildIn) -> dict:
    _reader(request.auth)
    forbid_unless(access.can_edit_visit_rules(request.auth))
    run = visits.build_queue()
    return {"queued": run.queued, "cancelled": run.cancelled}


@router.get("/rules", response=reads(list[RuleOut]), summary="The sampling rules")
def list_visit_rules(request: HttpRequest) -> list[dict]:
    _reader(request.auth)
    return [rule_out(r) for r in SamplingRule.objects.select_related("category")]


def _rule_fields(payload: RuleIn) -> dict:
    if payload.kind == SamplingRuleKind.SHARE and payload.percent is None:
        raise invalid("body", "percent", _("Give the percentage for a share."))
    if payload.kind != SamplingRuleKind.SHARE and payload.percent is not None:
        raise invalid("body", "percent", _("Only a share has a percentage."))
    return {
        "kind": payload.kind,
        "percent": payload.percent,
        "category": category_by_code("body", "category", payload.category),
        "is_active": payload.is_active,
        "note": payload.note,
    }


@router.post("/rules", response=writes(RuleOut, 201), summary="Add a sampling rule (supervisors)")
def create_visit_rule(request: HttpRequest, payload: RuleIn) -> Status:
    _reader(request.auth)
    forbid_unless(access.can_edit_visit_rules(request.auth))
    rule = SamplingRule.objects.create(updated_by=request.auth, **_rule_fields(payload))
    return Status(201, rule_out(rule))


@router.put("/rules/{rule_id}", response=writes(RuleOut), summary="Change a sampling rule")
def update_visit_rule(request: HttpRequest, rule_id: int, payload: RuleIn) -> dict:
    rule = access.get_rule_for_user(request.auth, rule_id)
    forbid_unless(access.can_edit_visit_rules(request.auth))
    for name, value in _rule_fields(payload).items():
        setattr(rule, name, value)
    rule.updated_by, rule.updated_at = request.auth, timezone.now()
    rule.save()
    return rule_out(rule)


@router.get("/scripts", response=reads(list[ScriptOut]), summary="The return-visit scripts")
def list_visit_scripts(request: HttpRequest) -> list[dict]:
    _reader(request.auth)
    return [script_out(s) for s in VisitScript.objects.select_related("category")]


def _save_script(script: VisitScript, payload: ScriptIn) -> VisitScript:
    script.category = category_by_code("body", "category", payload.category)
    script.title, script.text, script.updated_at = payload.title, payload.text, timezone.now()
    try:
        with transaction.atomic():
            script.save()
    except IntegrityError:
        raise conflict(
            _("There is already a default script.")
            if script.category is None
            else _("This category already has a script.")
        ) from None
    return script


@router.post("/scripts", response=writes(ScriptOut, 201), summary="Add a script (supervisors)")
def create_visit_script(request: HttpRequest, payload: ScriptIn) -> Status:
    _reader(request.auth)
    forbid_unless(access.can_edit_visit_rules(request.auth))
    return Status(201, script_out(_save_script(VisitScript(), payload)))


@router.put("/scripts/{script_id}", response=writes(ScriptOut), summary="Change a script")
def update_visit_script(request: HttpRequest, script_id: int, payload: ScriptIn) -> dict:
    script = access.get_script_for_user(request.auth, script_id)
    forbid_unless(access.can_edit_visit_rules(request.auth))
    return script_out(_save_script(script, payload))


@router.get(
    "/{visit_id}",
    response=reads(VisitDetailOut),
    summary="A return visit with the case, its script and its calls",
)
def get_visit(request: HttpRequest, visit_id: int) -> dict:
    _reader(request.auth)
    return _visit_detail(request.auth, visit_id)


@router.post(
    "/{visit_id}/calls",
    response=writes(VisitDetailOut),
    summary="Record a call: reached (solved? satisfied?), not reached, or refused; "
    "'not solved' reopens the case for re-handling",
)
def record_visit_call(request: HttpRequest, visit_id: int, payload: OutcomeIn) -> dict:
    user: User = request.auth
    visit = access.get_visit_for_user(user, visit_id)
    forbid_unless(access.can_work_visits(user))
    try:
        visits.visit_record(
            visit=visit,
            actor=user,
            outcome=payload.outcome.value,
            solved=payload.solved,
            satisfaction=payload.satisfaction,
            praised=payload.praised,
            comment=payload.comment,
        )
    except visits.VisitError as error:
        raise conflict(str(error)) from None
    return _visit_detail(user, visit_id)


@router.post(
    "/{visit_id}/cancel",
    response=writes(VisitDetailOut),
    summary="Take a waiting visit out of the queue, with a reason (supervisors)",
)
def cancel_visit(request: HttpRequest, visit_id: int, payload: CancelIn) -> dict:
    user: User = request.auth
    visit = access.get_visit_for_user(user, visit_id)
    forbid_unless(access.can_edit_visit_rules(user))
    try:
        if not visits.visit_cancel(visit=visit, actor=user, note=payload.note):
            raise conflict(_("Only a waiting return visit can be cancelled."))
    except visits.VisitError as error:
        raise conflict(str(error)) from None
    return _visit_detail(user, visit_id)


# --- Praise --------------------------------------------------------------------------------


@praise_router.get("", response=reads(list[PraiseOut]), summary="Praise, newest first")
@paginate(Page, serialize=praise_out)
def list_praise(request: HttpRequest) -> Any:
    forbid_unless(access.can_read_praise(request.auth))
    return access.praise_visible_to(request.auth).select_related("case", "unit", "recorded_by")


@praise_router.post(
    "", response=writes(PraiseOut, 201), summary="Record praise for how a case was handled"
)
def record_praise(request: HttpRequest, payload: PraiseIn) -> Status:
    user: User = request.auth
    forbid_unless(access.can_record_praise(user))
    (case,) = cases_by_code("body", "tracking_code", [payload.tracking_code])
    day = payload.received_on or timezone.localdate()
    if day > timezone.localdate():
        raise invalid("body", "received_on", _("The praise cannot have come in the future."))
    received = min(timezone.make_aware(datetime.combine(day, time(12))), timezone.now())
    try:
        praise = visits.praise_record(
            case=case, actor=user, source=payload.source, received_at=received, note=payload.note
        )
    except visits.VisitError as error:
        raise conflict(str(error)) from None
    return Status(201, praise_out(praise))

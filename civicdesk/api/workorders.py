"""Work orders through the API: dispatch within and across units, co-handling units and their
parts, arbitration of cases returned too often, extensions and suspensions, and the lists
supervisors work from (arbitration queue, requests to decide, dispatch rules, return reasons).

Same rules as the pages: the case is found through `cases.access` (404), the role is checked
(403), the services refuse what the case does not allow (409) or input they cannot take (422,
naming the field)."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.cases import reload_case
from civicdesk.api.common import (
    category_by_code,
    code_name,
    forbid_unless,
    reads,
    unit_by_code,
    writes,
)
from civicdesk.api.errors import ApiError, invalid
from civicdesk.api.schemas import CaseDetailOut
from civicdesk.api.workorder_output import clock_request
from civicdesk.api.workorder_schemas import (
    ArbitrateIn,
    ArbitrationOut,
    CaseExtensionIn,
    CaseSuspensionIn,
    CoUnitIn,
    DecideIn,
    DispatchRuleIn,
    DispatchRuleOut,
    GiveIn,
    PartIn,
    PendingRequestOut,
    ReasonIn,
    ReturnReasonOut,
    WorkOrderNoteIn,
)
from civicdesk.cases import dispatch, extensions, returns
from civicdesk.cases.access import can_edit_dispatch_rules, get_case_for_user
from civicdesk.cases.models import Area, ClockRequest, DispatchRule, Grid
from civicdesk.cases.services import CaseActionError, CaseInputError
from civicdesk.cases.workflow import Action, may_act

router = Router(tags=["work orders"], auth=staff_token)

_WRITE = writes(CaseDetailOut)


# --- Helpers -------------------------------------------------------------------------------


def _act(case_id: int, user: User, action: str, service: Callable[..., Any], **kwargs) -> dict:
    """Find the case (404), check the role (403), run the service (409, or 422 for input);
    answer with the case as the action left it."""
    case = get_case_for_user(user, case_id)
    forbid_unless(may_act(action, user.role))
    try:
        service(case=case, actor=user, **kwargs)
    except CaseInputError as error:
        raise invalid("body", error.field or "body", str(error)) from None
    except CaseActionError as error:
        raise ApiError(409, str(error)) from None
    return reload_case(case.pk, user)


def _unit(field: str, code: str):
    return unit_by_code("body", field, code)


# --- Actions on one case -------------------------------------------------------------------


@router.post(
    "/cases/{case_id}/undo-dispatch",
    response=_WRITE,
    summary="Undo an automatic dispatch the unit has not taken on",
)
def undo_case_dispatch(request: HttpRequest, case_id: int, payload: WorkOrderNoteIn) -> dict:
    return _act(
        case_id, request.auth, Action.UNDO_DISPATCH, dispatch.undo_dispatch, note=payload.note
    )


@router.post(
    "/cases/{case_id}/give",
    response=_WRITE,
    summary="Give the case to a person or grid of its unit",
)
def give_case_within_unit(request: HttpRequest, case_id: int, payload: GiveIn) -> dict:
    assignee = grid = None
    if payload.assignee:
        assignee = get_user_model().objects.filter(username=payload.assignee).first()
        if assignee is None:
            raise invalid(
                "body",
                "assignee",
                _("There is no staff member “%(name)s”.") % {"name": payload.assignee},
            )
    if payload.grid:
        grid = Grid.objects.filter(code=payload.grid).first()
        if grid is None:
            raise invalid(
                "body", "grid", _("There is no grid “%(code)s”.") % {"code": payload.grid}
            )
    return _act(
        case_id,
        request.auth,
        Action.GIVE,
        dispatch.give,
        assignee=assignee,
        grid=grid,
        note=payload.note,
    )


@router.post("/cases/{case_id}/co-units", response=_WRITE, summary="Add a co-handling unit")
def add_case_co_unit(request: HttpRequest, case_id: int, payload: CoUnitIn) -> dict:
    unit = _unit("unit", payload.unit)
    return _act(case_id, request.auth, Action.ADD_CO_UNIT, dispatch.add_co_unit, unit=unit)


@router.post(
    "/cases/{case_id}/co-units/{unit_code}/remove",
    response=_WRITE,
    summary="Remove a co-handling unit that has not given its part",
)
def remove_case_co_unit(
    request: HttpRequest, case_id: int, unit_code: str, payload: WorkOrderNoteIn
) -> dict:
    unit = _unit("unit", unit_code)
    return _act(
        case_id,
        request.auth,
        Action.REMOVE_CO_UNIT,
        dispatch.remove_co_unit,
        unit=unit,
        note=payload.note,
    )


@router.post(
    "/cases/{case_id}/co-units/{unit_code}/part",
    response=_WRITE,
    summary="A co-handling unit's part of the answer",
)
def give_co_unit_part(request: HttpRequest, case_id: int, unit_code: str, payload: PartIn) -> dict:
    unit = _unit("unit", unit_code)
    return _act(
        case_id, request.auth, Action.PART, dispatch.give_part, unit=unit, text=payload.text
    )


@router.post(
    "/cases/{case_id}/co-units/{unit_code}/waive",
    response=_WRITE,
    summary="Let the lead unit answer without a co-handling unit's part",
)
def waive_co_unit_part(
    request: HttpRequest, case_id: int, unit_code: str, payload: ReasonIn
) -> dict:
    unit = _unit("unit", unit_code)
    return _act(
        case_id,
        request.auth,
        Action.WAIVE_PART,
        dispatch.waive_part,
        unit=unit,
        reason=payload.reason,
    )


@router.post(
    "/cases/{case_id}/arbitrate",
    response=_WRITE,
    summary="Choose the unit of a case returned too often (binding)",
)
def arbitrate_case(request: HttpRequest, case_id: int, payload: ArbitrateIn) -> dict:
    unit = _unit("unit", payload.unit)
    return _act(
        case_id,
        request.auth,
        Action.ARBITRATE,
        returns.case_arbitrate,
        unit=unit,
        reason=payload.reason,
    )


@router.post("/cases/{case_id}/extension", response=_WRITE, summary="Ask for an extension")
def request_case_extension(request: HttpRequest, case_id: int, payload: CaseExtensionIn) -> dict:
    return _act(
        case_id,
        request.auth,
        Action.REQUEST_EXTENSION,
        extensions.request_extension,
        reason=payload.reason,
        new_date=payload.new_date,
    )


@router.post("/cases/{case_id}/suspension", response=_WRITE, summary="Ask to suspend the case")
def request_case_suspension(request: HttpRequest, case_id: int, payload: CaseSuspensionIn) -> dict:
    return _act(
        case_id,
        request.auth,
        Action.REQUEST_SUSPENSION,
        extensions.request_suspension,
        ground=payload.ground.value,
        reason=payload.reason,
        new_date=payload.new_date,
    )


@router.post(
    "/cases/{case_id}/decide",
    response=_WRITE,
    summary="Approve or refuse the pending extension or suspension",
)
def decide_case_request(request: HttpRequest, case_id: int, payload: DecideIn) -> dict:
    return _act(
        case_id,
        request.auth,
        Action.DECIDE_REQUEST,
        extensions.decide_request,
        approve=payload.approve,
        note=payload.note,
    )


@router.post("/cases/{case_id}/resume", response=_WRITE, summary="Resume a suspended case")
def resume_case(request: HttpRequest, case_id: int, payload: WorkOrderNoteIn) -> dict:
    return _act(case_id, request.auth, Action.RESUME, extensions.resume, note=payload.note)


# --- Lists ---------------------------------------------------------------------------------


def _supervisors_only(user: User) -> None:
    forbid_unless(user.sees_all_cases)


@router.get(
    "/work-orders/arbitration",
    response=reads(list[ArbitrationOut]),
    summary="Cases waiting for a supervisor's arbitration",
)
def list_arbitration_queue(request: HttpRequest) -> list[dict]:
    _supervisors_only(request.auth)
    return [
        {
            "id": case.pk,
            "tracking_code": case.tracking_code,
            "return_count": case.return_count,
            "arbitration_since": case.arbitration_since,
        }
        for case in returns.arbitration_queue()[:500]
    ]


@router.get(
    "/work-orders/requests",
    response=reads(list[PendingRequestOut]),
    summary="Extensions and suspensions waiting for a decision",
)
def list_pending_requests(request: HttpRequest) -> list[dict]:
    _supervisors_only(request.auth)
    pending = ClockRequest.objects.pending().select_related("case", "unit")
    return [
        clock_request(r) | {"case_id": r.case_id, "tracking_code": r.case.tracking_code}
        for r in pending.order_by("requested_at")[:500]
    ]


@router.get(
    "/work-orders/return-reasons",
    response=reads(list[ReturnReasonOut]),
    summary="The reasons a unit may return a case for",
)
def list_return_reasons(request: HttpRequest) -> list[dict]:
    return [
        {
            "code": r.code,
            "name": r.name,
            "name_en": r.name_en,
            "needs_explanation": r.needs_explanation,
        }
        for r in returns.active_reasons()
    ]


def _rule(rule: DispatchRule) -> dict:
    return {
        "id": rule.pk,
        "category": code_name(rule.category),
        "area": code_name(rule.area),
        "unit": code_name(rule.unit),
        "priority": rule.priority,
        "is_active": rule.is_active,
    }


@router.get(
    "/work-orders/dispatch-rules",
    response=reads(list[DispatchRuleOut]),
    summary="Dispatch rules: category and area → unit",
)
def list_dispatch_rules(request: HttpRequest) -> list[dict]:
    _supervisors_only(request.auth)
    rules = DispatchRule.objects.select_related("category", "area", "unit")
    return [_rule(rule) for rule in rules]


@router.post(
    "/work-orders/dispatch-rules",
    response=writes(DispatchRuleOut, 201),
    summary="Add a dispatch rule",
)
def create_dispatch_rule(request: HttpRequest, payload: DispatchRuleIn) -> Status[dict]:
    user: User = request.auth
    forbid_unless(can_edit_dispatch_rules(user))
    category = category_by_code("body", "category", payload.category)
    area = None
    if payload.area:
        area = Area.objects.filter(code=payload.area).first()
        if area is None:
            raise invalid(
                "body", "area", _("There is no area “%(code)s”.") % {"code": payload.area}
            )
    unit = _unit("unit", payload.unit)
    try:
        rule = dispatch.rule_create(
            category=category, area=area, unit=unit, priority=payload.priority, actor=user
        )
    except CaseInputError as error:
        raise invalid("body", error.field or "body", str(error)) from None
    return Status(201, _rule(rule))


@router.post(
    "/work-orders/dispatch-rules/{rule_id}/off",
    response=writes(DispatchRuleOut),
    summary="Switch a dispatch rule off",
)
def switch_off_dispatch_rule(request: HttpRequest, rule_id: int, payload: WorkOrderNoteIn) -> dict:
    user: User = request.auth
    forbid_unless(can_edit_dispatch_rules(user))
    rule = DispatchRule.objects.filter(pk=rule_id, is_active=True).first()
    if rule is None:
        raise ApiError(404, _("There is no such active rule."))
    return _rule(dispatch.rule_deactivate(rule=rule, actor=user))

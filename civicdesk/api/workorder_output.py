"""The work-order part of a case as the API shows it (api/cases.py puts it in the detail)."""

from civicdesk.api.common import code_name
from civicdesk.cases import dispatch
from civicdesk.cases.models import Case, ClockRequest


def clock_request(request: ClockRequest) -> dict:
    return {
        "id": request.pk,
        "kind": request.kind,
        "status": request.status,
        "unit": code_name(request.unit),
        "ground": request.ground,
        "reason": request.reason,
        "new_date": request.new_date,
        "requested_at": request.requested_at,
        "decided_at": request.decided_at,
        "decision_note": request.decision_note,
        "resumed_at": request.resumed_at,
        "suspended_days": request.suspended_days,
    }


def work_order(case: Case) -> dict:
    """The work-order part of a case's detail."""
    return {
        "assignee": case.assignee.get_username() if case.assignee else None,
        "grid": code_name(case.grid),
        "co_units": [
            {
                "unit": code_name(co.unit),
                "part": co.part,
                "part_at": co.part_at,
                "waived_reason": co.waived_reason,
                "waived_at": co.waived_at,
                "is_in": co.is_in,
            }
            for co in case.co_units.select_related("unit")
        ],
        "return_count": case.return_count,
        "awaits_arbitration": case.awaits_arbitration,
        "bound_unit": code_name(case.bound_unit),
        "suspended_at": case.suspended_at,
        "clock_requests": [clock_request(r) for r in case.clock_requests.select_related("unit")],
        "dispatched_automatically": dispatch.may_undo(case),
    }

"""Returns with limits (退单): a unit sends a case back with a reason from the list
(``ReturnReason``, data; "other" needs words). Each return counts; at CIVICDESK_RETURN_LIMIT
returns the case stops going back to the clerks and waits in the supervisors' arbitration
queue. The supervisor's decision binds: the unit chosen gets the case and may not return it
(``services.case_return`` refuses), and the count starts again. The return itself is
``services.case_return``; this module holds the arbitration and the queue.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import Unit, User
from civicdesk.cases.models import Case, ReturnReason
from civicdesk.cases.services import (
    CaseActionError,
    CaseInputError,
    _check_transition,
    _lock,
    _record,
    actor_kind,
)
from civicdesk.cases.workflow import Action


def active_reasons():
    return ReturnReason.objects.filter(is_active=True)


def arbitration_queue():
    """Cases waiting for a supervisor's arbitration, longest waiting first."""
    return (
        Case.objects.filter(arbitration_since__isnull=False)
        .select_related("submission", "category")
        .order_by("arbitration_since", "id")
    )


def returns_of(case: Case):
    """The case's returns, oldest first, with the units that returned it."""
    return case.events.filter(action=Action.RETURN).select_related("unit", "actor")


@transaction.atomic
def case_arbitrate(*, case: Case, unit: Unit | None, actor: User, reason: str) -> Case:
    """A supervisor decides which unit handles a case returned too often; binding."""
    if unit is None:
        raise CaseInputError(_("Unit: choose the unit that must handle the case."), "unit")
    if not reason.strip():
        raise CaseInputError(_("Reason: say why this unit must handle the case."), "reason")
    case = _lock(case)
    if case.arbitration_since is None:
        raise CaseActionError(_("This case is not waiting for arbitration."))
    if not unit.is_active:
        raise CaseInputError(_("Unit: that unit is no longer active."), "unit")
    kind = actor_kind(actor)
    from_status = case.status
    case.status = _check_transition(case, Action.ARBITRATE, kind)
    case.unit = case.bound_unit = unit
    case.arbitration_since = None
    case.return_count = 0
    case.assigned_at = timezone.now()
    case.save(
        update_fields=[
            "status",
            "unit",
            "bound_unit",
            "arbitration_since",
            "return_count",
            "assigned_at",
        ]
    )
    _record(
        case,
        Action.ARBITRATE,
        actor=actor,
        kind=kind,
        from_status=from_status,
        note=reason.strip(),
        unit=unit,
    )
    return case

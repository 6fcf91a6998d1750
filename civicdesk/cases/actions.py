"""What a user may do on one case now: the workflow table's actions for their role and the
case's status, narrowed by what the case itself allows (a pending request to decide, a part
still missing, an automatic dispatch to undo). The case page and the API list these; the
services check the same conditions again when an action is taken."""

from collections.abc import Callable

from civicdesk.accounts.models import Role, User
from civicdesk.cases import dispatch
from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Action, allowed_actions

# What a handler of a co-handling unit (not of the lead unit) may do: give its part.
CO_UNIT_ACTIONS = frozenset({Action.PART})


def reaches_lead(case: Case, user: User) -> bool:
    """District-wide roles, and handlers of the lead unit or a unit above it."""
    if user.sees_all_cases:
        return True
    return (
        user.unit is not None
        and case.unit is not None
        and case.unit.path.startswith(user.unit.path)
    )


def _has_pending(case: Case) -> bool:
    return case.clock_requests.pending().exists()


def _missing_parts(case: Case) -> bool:
    return any(not co.is_in for co in case.co_units.all())


GUARDS: dict[str, Callable[[Case, User], bool]] = {
    Action.ASSIGN: lambda case, user: case.arbitration_since is None,
    Action.RETURN: lambda case, user: (
        not (case.bound_unit_id is not None and case.bound_unit_id == case.unit_id)
    ),
    Action.UNDO_DISPATCH: lambda case, user: dispatch.may_undo(case),
    Action.ARBITRATE: lambda case, user: case.arbitration_since is not None,
    Action.REMOVE_CO_UNIT: lambda case, user: case.co_units.filter(part_at__isnull=True).exists(),
    Action.PART: lambda case, user: dispatch.co_units_in_reach(case, user).exists(),
    Action.WAIVE_PART: lambda case, user: _missing_parts(case),
    Action.REQUEST_EXTENSION: lambda case, user: not case.is_suspended and not _has_pending(case),
    Action.REQUEST_SUSPENSION: lambda case, user: not case.is_suspended and not _has_pending(case),
    Action.DECIDE_REQUEST: lambda case, user: _has_pending(case),
    Action.RESUME: lambda case, user: case.is_suspended,
}


def available_actions(case: Case, user: User) -> list[str]:
    """The actions open to this user on this case now, in workflow order."""
    actions = allowed_actions(case.status, user.role)
    if user.role == Role.HANDLER and not reaches_lead(case, user):
        actions = [action for action in actions if action in CO_UNIT_ACTIONS]
    return [action for action in actions if GUARDS.get(action, lambda c, u: True)(case, user)]

"""The case workflow as data: statuses, actions, and which action may move which status."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Role


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")
    MERGED = "merged", _("Merged")
    REOPENED = "reopened", _("Reopened")


OPEN_STATUSES = frozenset(
    {Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.RETURNED, Status.REOPENED}
)
# Waiting for a unit to be chosen.
UNROUTED_STATUSES = frozenset({Status.RECEIVED, Status.RETURNED})


class Action(models.TextChoices):
    CREATE = "create", _("Received")
    ASSIGN = "assign", _("Assigned")
    REASSIGN = "reassign", _("Reassigned")
    ACCEPT = "accept", _("Accepted")
    RETURN = "return", _("Returned to supervisor")
    ANSWER = "answer", _("Answered")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")
    MERGE = "merge", _("Merged into another case")
    NOTE = "note", _("Internal note")
    ESCALATE = "escalate", _("Escalated")
    RECATEGORIZE = "recategorize", _("Category changed")
    # Work orders: dispatch within and across units (dispatch.py).
    UNDO_DISPATCH = "undo_dispatch", _("Automatic dispatch undone")
    GIVE = "give", _("Given to a person or grid")
    ADD_CO_UNIT = "add_co_unit", _("Co-handling unit added")
    REMOVE_CO_UNIT = "remove_co_unit", _("Co-handling unit removed")
    PART = "part", _("Part of the answer given")
    WAIVE_PART = "waive_part", _("Part of the answer waived")
    # Returns past the limit wait for a supervisor's binding decision (returns.py).
    ARBITRATE = "arbitrate", _("Arbitrated")
    # Extensions and suspensions of the deadline (extensions.py). The requests and the
    # decision are operations; EXTEND, SUSPEND and REFUSE_REQUEST are what a decision records.
    REQUEST_EXTENSION = "request_extension", _("Extension requested")
    REQUEST_SUSPENSION = "request_suspension", _("Suspension requested")
    DECIDE_REQUEST = "decide_request", _("Request decided")
    EXTEND = "extend", _("Deadline extended")
    SUSPEND = "suspend", _("Suspended")
    REFUSE_REQUEST = "refuse_request", _("Request refused")
    WITHDRAW_REQUEST = "withdraw_request", _("Request withdrawn")
    RESUME = "resume", _("Resumed")
    # Supervision (civicdesk.supervision): recorded on the case's timeline too.
    SUPERVISE = "supervise", _("Supervision letter")
    INSTRUCT = "instruct", _("Leader's instruction")
    # Moderation (civicdesk.moderation): a public text hidden, edited or restored.
    MODERATE = "moderate", _("Public text moderated")


# The actor of a transition: staff roles, the reporter (holder of the tracking code) or the system.
REPORTER = "reporter"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    actors: frozenset[str]


_ALL_STAFF_WRITERS = frozenset({Role.CLERK, Role.HANDLER, Role.SUPERVISOR, Role.ADMIN})

TRANSITIONS: dict[str, Transition] = {
    Action.ASSIGN: Transition(
        frozenset({Status.RECEIVED, Status.RETURNED, Status.REOPENED}),
        Status.ASSIGNED,
        frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN, SYSTEM}),
    ),
    Action.REASSIGN: Transition(
        frozenset({Status.ASSIGNED, Status.IN_PROGRESS}),
        Status.ASSIGNED,
        frozenset({Role.SUPERVISOR, Role.ADMIN}),
    ),
    Action.ACCEPT: Transition(
        frozenset({Status.ASSIGNED, Status.REOPENED}),
        Status.IN_PROGRESS,
        frozenset({Role.HANDLER, Role.SUPERVISOR, Role.ADMIN}),
    ),
    Action.RETURN: Transition(
        frozenset({Status.ASSIGNED, Status.IN_PROGRESS}),
        Status.RETURNED,
        frozenset({Role.HANDLER, Role.SUPERVISOR, Role.ADMIN}),
    ),
    Action.ANSWER: Transition(
        frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED}),
        Status.ANSWERED,
        frozenset({Role.HANDLER, Role.SUPERVISOR, Role.ADMIN}),
    ),
    Action.CLOSE: Transition(
        frozenset({Status.ANSWERED}),
        Status.CLOSED,
        frozenset({Role.SUPERVISOR, Role.ADMIN, SYSTEM}),
    ),
    Action.REOPEN: Transition(
        frozenset({Status.ANSWERED, Status.CLOSED}),
        Status.REOPENED,
        frozenset({Role.SUPERVISOR, Role.ADMIN, REPORTER}),
    ),
    Action.MERGE: Transition(
        OPEN_STATUSES,
        Status.MERGED,
        frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN}),
    ),
    # Staff take back an automatic dispatch the unit has not taken on yet.
    Action.UNDO_DISPATCH: Transition(
        frozenset({Status.ASSIGNED}),
        Status.RECEIVED,
        frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN}),
    ),
    # A supervisor's binding choice of unit for a case returned too often.
    Action.ARBITRATE: Transition(
        frozenset({Status.RETURNED}),
        Status.ASSIGNED,
        frozenset({Role.SUPERVISOR, Role.ADMIN}),
    ),
}

# Statuses in which a unit works on a case (it has a unit and is not answered yet).
ROUTED_OPEN_STATUSES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED})
_ROUTERS = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN})
_UNIT_WORKERS = frozenset({Role.HANDLER, Role.SUPERVISOR, Role.ADMIN})
_DECIDERS = frozenset({Role.SUPERVISOR, Role.ADMIN})

# Actions that leave the status alone but still go on the timeline.
NON_TRANSITIONS: dict[str, frozenset[str]] = {
    Action.NOTE: _ALL_STAFF_WRITERS,
    Action.ESCALATE: frozenset({Role.SUPERVISOR, Role.ADMIN, SYSTEM}),
    Action.RECATEGORIZE: _ALL_STAFF_WRITERS,
}


@dataclass(frozen=True)
class WorkOrderAction:
    """An action of the work order that leaves the status alone, possible in `statuses` only.
    Further conditions (a pending request, a missing part) are checked by `cases.actions`
    and by the service itself."""

    statuses: frozenset[str]
    actors: frozenset[str]


_WORKED = WorkOrderAction  # brevity in the table below
WORK_ORDER_ACTIONS: dict[str, WorkOrderAction] = {
    Action.GIVE: _WORKED(ROUTED_OPEN_STATUSES, _UNIT_WORKERS),
    Action.ADD_CO_UNIT: _WORKED(ROUTED_OPEN_STATUSES, _ROUTERS),
    Action.REMOVE_CO_UNIT: _WORKED(ROUTED_OPEN_STATUSES, _ROUTERS),
    Action.PART: _WORKED(ROUTED_OPEN_STATUSES, _UNIT_WORKERS),
    Action.WAIVE_PART: _WORKED(ROUTED_OPEN_STATUSES, _DECIDERS),
    Action.REQUEST_EXTENSION: _WORKED(ROUTED_OPEN_STATUSES, _UNIT_WORKERS),
    Action.REQUEST_SUSPENSION: _WORKED(ROUTED_OPEN_STATUSES, _UNIT_WORKERS),
    Action.DECIDE_REQUEST: _WORKED(ROUTED_OPEN_STATUSES, _DECIDERS),
    Action.RESUME: _WORKED(ROUTED_OPEN_STATUSES, _UNIT_WORKERS | {SYSTEM}),
}


def allowed_actions(status: str, actor: str) -> list[str]:
    """Actions this kind of actor may take on a case in this status, in workflow order."""
    actions = [
        action
        for action, transition in TRANSITIONS.items()
        if status in transition.sources and actor in transition.actors
    ]
    if status != Status.MERGED:
        actions += [action for action, actors in NON_TRANSITIONS.items() if actor in actors]
    actions += [
        action
        for action, rule in WORK_ORDER_ACTIONS.items()
        if status in rule.statuses and actor in rule.actors
    ]
    return actions


def may_act(action: str, actor: str) -> bool:
    """Whether this kind of actor may ever take the action, whatever the case's status."""
    for table in (TRANSITIONS, WORK_ORDER_ACTIONS):
        if action in table:
            return actor in table[action].actors
    return actor in NON_TRANSITIONS.get(action, frozenset())

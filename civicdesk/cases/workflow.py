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
}

# Actions that leave the status alone but still go on the timeline.
NON_TRANSITIONS: dict[str, frozenset[str]] = {
    Action.NOTE: _ALL_STAFF_WRITERS,
    Action.ESCALATE: frozenset({Role.SUPERVISOR, Role.ADMIN, SYSTEM}),
    Action.RECATEGORIZE: _ALL_STAFF_WRITERS,
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
    return actions

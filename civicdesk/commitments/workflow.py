"""The measure workflow as data: statuses, actions, and which action may move which status."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Role


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")


# A measure in one of these is still being worked on; it can become overdue.
OPEN_STATUSES = frozenset({MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS})


class MeasureAction(models.TextChoices):
    CREATE = "create", _("Measure promised")
    PROGRESS = "progress", _("Progress updated")
    MILESTONE_ADD = "milestone_add", _("Milestone added")
    MILESTONE_COMPLETE = "milestone_complete", _("Milestone reached")
    EVIDENCE = "evidence", _("Evidence added")
    REQUEST_EXTENSION = "request_extension", _("Extension requested")
    APPROVE_EXTENSION = "approve_extension", _("Deadline extended")
    MARK_DONE = "mark_done", _("Marked done")
    VERIFY = "verify", _("Verified and signed off")
    CLOSE = "close", _("Closed")
    ESCALATE = "escalate", _("Escalated: deadline passed")


class ProblemAction(models.TextChoices):
    MEASURE_ADDED = "measure_added", _("Measure added")


SYSTEM = "system"

# Who works on the measure (the unit's handlers, checked for reach separately) and who signs off.
WORKERS = frozenset({Role.HANDLER, Role.SUPERVISOR, Role.ADMIN})
SIGNERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
CREATORS = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN})
READERS = frozenset({Role.CLERK, Role.HANDLER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status stays as it is
    actors: frozenset[str]


_WORKING = frozenset({MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS})

TRANSITIONS: dict[str, Transition] = {
    MeasureAction.PROGRESS: Transition(_WORKING, MeasureStatus.IN_PROGRESS, WORKERS),
    MeasureAction.MILESTONE_ADD: Transition(_WORKING, None, WORKERS),
    MeasureAction.MILESTONE_COMPLETE: Transition(_WORKING, None, WORKERS),
    MeasureAction.EVIDENCE: Transition(_WORKING | {MeasureStatus.DONE}, None, WORKERS),
    MeasureAction.REQUEST_EXTENSION: Transition(_WORKING, None, WORKERS),
    MeasureAction.APPROVE_EXTENSION: Transition(_WORKING, None, SIGNERS),
    MeasureAction.MARK_DONE: Transition(_WORKING, MeasureStatus.DONE, WORKERS),
    MeasureAction.VERIFY: Transition(
        frozenset({MeasureStatus.DONE}), MeasureStatus.VERIFIED, SIGNERS
    ),
    MeasureAction.CLOSE: Transition(
        frozenset({MeasureStatus.VERIFIED}), MeasureStatus.CLOSED, SIGNERS
    ),
    MeasureAction.ESCALATE: Transition(_WORKING, None, frozenset({SYSTEM})),
}


def allowed_actions(status: str, actor: str) -> list[str]:
    """Actions this kind of actor may take on a measure in this status, in workflow order."""
    return [
        action
        for action, transition in TRANSITIONS.items()
        if status in transition.sources and actor in transition.actors
    ]

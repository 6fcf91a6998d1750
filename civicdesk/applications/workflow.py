"""The application workflow as data: statuses, actions, and which action moves which status.

An application is submitted (online, or typed in at a window), its materials are checked at
the acceptance step, and whatever is missing is asked for in one notice (一次性告知); while
the applicant is asked, the application waits and its clock stands still. Once accepted it
passes its matter's steps one by one (each taken up by an official, then completed) until the
last step issues it, unless it is refused or the applicant withdraws it.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Materials being checked")
    WAITING = "waiting", _("Waiting for materials")
    IN_PROGRESS = "in_progress", _("In progress")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.WAITING, Status.IN_PROGRESS})
FINAL_STATUSES = frozenset({Status.ISSUED, Status.REFUSED, Status.WITHDRAWN})


class Action(models.TextChoices):
    SUBMIT = "submit", _("Application submitted")
    CHECK = "check", _("Material checked")
    NOTICE = "notice", _("Missing materials notified")
    SUPPLY = "supply", _("Material handed in")
    RESUME = "resume", _("All requested materials received")
    ACCEPT = "accept", _("Accepted")
    TAKE = "take", _("Taken up")
    COMPLETE = "complete", _("Step completed")
    ISSUE = "issue", _("Issued")
    REFUSE = "refuse", _("Refused")
    WITHDRAW = "withdraw", _("Withdrawn by the applicant")
    VISIT = "visit", _("Visit recorded")
    RATING = "rating", _("Rating link issued")


# Who acts: staff on the step (their role and unit are checked against the step), the
# applicant (holder of the tracking code and one-time code), or the system.
STAFF = "staff"
APPLICANT = "applicant"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    targets: frozenset[str]
    actors: frozenset[str]


TRANSITIONS: dict[str, Transition] = {
    Action.NOTICE: Transition(
        frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
        frozenset({Status.WAITING}),
        frozenset({STAFF}),
    ),
    # Back to where it was asked from: the check before acceptance, or the step after it.
    Action.RESUME: Transition(
        frozenset({Status.WAITING}),
        frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
        frozenset({SYSTEM}),
    ),
    Action.ACCEPT: Transition(
        frozenset({Status.SUBMITTED}), frozenset({Status.IN_PROGRESS}), frozenset({STAFF})
    ),
    Action.COMPLETE: Transition(
        frozenset({Status.IN_PROGRESS}), frozenset({Status.IN_PROGRESS}), frozenset({STAFF})
    ),
    Action.ISSUE: Transition(
        frozenset({Status.IN_PROGRESS}), frozenset({Status.ISSUED}), frozenset({STAFF})
    ),
    Action.REFUSE: Transition(
        frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
        frozenset({Status.REFUSED}),
        frozenset({STAFF}),
    ),
    Action.WITHDRAW: Transition(
        OPEN_STATUSES, frozenset({Status.WITHDRAWN}), frozenset({APPLICANT})
    ),
}

# Actions that leave the status alone but still go into the history, and the statuses in
# which they may happen.
NON_TRANSITIONS: dict[str, frozenset[str]] = {
    Action.CHECK: frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
    Action.SUPPLY: OPEN_STATUSES,
    Action.TAKE: frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
    Action.VISIT: OPEN_STATUSES | FINAL_STATUSES,
    Action.RATING: OPEN_STATUSES | FINAL_STATUSES,
}


def may(action: str, status: str, actor: str) -> bool:
    """Whether this kind of actor may take this action on an application in this status."""
    transition = TRANSITIONS.get(action)
    if transition is not None:
        return status in transition.sources and actor in transition.actors
    return status in NON_TRANSITIONS.get(action, frozenset())


def staff_actions(status: str) -> list[str]:
    """Actions staff may take in this status, in workflow order."""
    return [
        action
        for action in Action.values
        if may(action, status, STAFF) and action not in {Action.VISIT, Action.RATING}
    ]

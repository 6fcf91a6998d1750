"""The return-visit workflow as data: statuses, actions, and which action may move which status.

A visit waits in the call centre's queue until someone reaches the person (reached), the person
declines to talk about it (refused), the last allowed attempt fails (not reached, closed), or
the answer it asks about is no longer in force (cancelled by the system: the case was
reopened, re-answered or merged, or the person withdrew consent to be contacted).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicdesk.accounts.models import Role
from civicdesk.cases.workflow import SYSTEM


class VisitStatus(models.TextChoices):
    # Words of a return visit in their own context: "Refused" here is the person declining to
    # answer (拒绝回访), not a refusal of an application.
    WAITING = "waiting", _("Waiting for a call")
    REACHED = "reached", pgettext_lazy("return visit", "Reached")
    UNREACHABLE = "unreachable", _("Not reached, closed")
    REFUSED = "refused", pgettext_lazy("return visit", "Refused")
    CANCELLED = "cancelled", pgettext_lazy("return visit", "Cancelled")


class VisitAction(models.TextChoices):
    QUEUE = "queue", pgettext_lazy("return visit", "Queued")
    REACH = "reach", pgettext_lazy("return visit", "Reached")
    NOT_REACHED = "not_reached", _("Not reached")
    REFUSE = "refuse", pgettext_lazy("return visit", "Refused")
    CANCEL = "cancel", pgettext_lazy("return visit", "Cancelled")


# The outcomes a call-centre agent records.
OUTCOMES = (VisitAction.REACH, VisitAction.NOT_REACHED, VisitAction.REFUSE)

# The call centre: clerks take the calls, supervisors and administrators too. Handlers never:
# a unit does not appraise its own work.
CALL_CENTRE = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class VisitTransition:
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    # Where a failed attempt goes once it was the last one allowed.
    exhausted: str | None = None


TRANSITIONS: dict[str, VisitTransition] = {
    VisitAction.REACH: VisitTransition(
        frozenset({VisitStatus.WAITING}), VisitStatus.REACHED, CALL_CENTRE
    ),
    VisitAction.NOT_REACHED: VisitTransition(
        frozenset({VisitStatus.WAITING}),
        VisitStatus.WAITING,
        CALL_CENTRE,
        exhausted=VisitStatus.UNREACHABLE,
    ),
    VisitAction.REFUSE: VisitTransition(
        frozenset({VisitStatus.WAITING}), VisitStatus.REFUSED, CALL_CENTRE
    ),
    VisitAction.CANCEL: VisitTransition(
        frozenset({VisitStatus.WAITING}),
        VisitStatus.CANCELLED,
        frozenset({SYSTEM, Role.SUPERVISOR, Role.ADMIN}),
    ),
}

OPEN_VISIT_STATUSES = frozenset({VisitStatus.WAITING})


def allowed_outcomes(status: str, actor: str) -> list[str]:
    """The outcomes this kind of actor may record on a visit in this status."""
    return [
        action
        for action in OUTCOMES
        if status in TRANSITIONS[action].sources and actor in TRANSITIONS[action].actors
    ]

"""Read filters behind the staff work queues: which cases wait for what, and in which order.

Each function narrows a case QuerySet (already limited to what a user may see) and writes
nothing. The order of a queue is a key expression plus the primary key, so that "the case
after this one" is well defined even when the case has just left the queue."""

from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import Combinable

from civicdesk.cases.models import CaseQuerySet, ClockRequest, overdue_condition, stage_due
from civicdesk.cases.workflow import (
    OPEN_STATUSES,
    ROUTED_OPEN_STATUSES,
    UNROUTED_STATUSES,
    Status,
)

# The open statuses, sorted as in the condition of the index of open cases (Case.Meta.indexes)
# so that the SQL is the same in every process.
_OPEN = sorted(OPEN_STATUSES)
# A deadline within this much time from now is "due soon" (即将到期).
DUE_SOON = timedelta(hours=24)


def to_route(cases: CaseQuerySet) -> CaseQuerySet:
    """Waiting for a unit to be chosen; a case waiting for arbitration is the supervisors'."""
    return cases.filter(status__in=UNROUTED_STATUSES, arbitration_since__isnull=True)


def to_accept(cases: CaseQuerySet) -> CaseQuerySet:
    """With a unit that has not taken it on (again) yet."""
    return cases.filter(status__in=[Status.ASSIGNED, Status.REOPENED])


def in_progress(cases: CaseQuerySet) -> CaseQuerySet:
    return cases.filter(status=Status.IN_PROGRESS)


def due_soon(cases: CaseQuerySet, now: datetime, within: timedelta = DUE_SOON) -> CaseQuerySet:
    """Open, not overdue yet, and the stage's deadline falls within `within` from now."""
    until = now + within
    routed_running = Q(status__in=ROUTED_OPEN_STATUSES, suspended_at__isnull=True)
    soon = (
        Q(status__in=UNROUTED_STATUSES, assign_due_at__lt=until)
        | (routed_running & Q(first_responded_at__isnull=True, response_due_at__lt=until))
        | (routed_running & Q(answer_due_at__lt=until))
    )
    # Each such case has its stage's deadline in [now, until): said outright, with the open
    # statuses, it lets the database read the range from the index of open cases by stage
    # deadline (Case.Meta.indexes) instead of testing every open case.
    return (
        cases.alias(stage_due=stage_due())
        .filter(soon, status__in=_OPEN, stage_due__gte=now, stage_due__lt=until)
        .exclude(overdue_condition(now))
    )


def overdue_or_escalated(cases: CaseQuerySet, now: datetime) -> CaseQuerySet:
    """Past a deadline, or escalated by a supervisor or the scheduled job, and still open."""
    return cases.filter(
        overdue_condition(now) | Q(status__in=OPEN_STATUSES, escalated_at__isnull=False),
        status__in=_OPEN,  # as in due_soon: the index of open cases serves the order
    )


def awaiting_arbitration(cases: CaseQuerySet) -> CaseQuerySet:
    """Returned too often: a supervisor chooses the unit, and that choice binds."""
    return cases.filter(status=Status.RETURNED, arbitration_since__isnull=False)


def with_pending_request(cases: CaseQuerySet) -> CaseQuerySet:
    """A unit asked for an extension or a suspension that no supervisor has decided yet."""
    pending = ClockRequest.objects.pending().filter(case=OuterRef("pk"))
    return cases.filter(Exists(pending))


def ordered(cases: QuerySet, key: Combinable) -> QuerySet:
    """The queue's order: its key, then the primary key (cases without a key come last)."""
    return cases.annotate(queue_key=key).order_by(F("queue_key").asc(nulls_last=True), "pk")


def key_of(cases: QuerySet, key: Combinable, pk: int):
    """The queue key of one case (which need not be in the queue any more)."""
    return (
        cases.model.objects.filter(pk=pk)
        .annotate(queue_key=key)
        .values_list("queue_key", flat=True)
        .first()
    )


def after(queue: QuerySet, key_value, pk: int) -> QuerySet:
    """The cases of an `ordered` queue that come after the case with this key and pk."""
    queue = queue.exclude(pk=pk)
    if key_value is None:
        return queue.filter(queue_key__isnull=True, pk__gt=pk)
    return queue.filter(
        Q(queue_key__gt=key_value) | Q(queue_key=key_value, pk__gt=pk) | Q(queue_key__isnull=True)
    )

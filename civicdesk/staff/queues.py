"""The staff work queues: which queues a role works from, what each holds for this user
(within the cases they may see), their live counts and the next case of a queue after an action
(civicdesk.core.landing sends each role to its queue)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.expressions import Combinable
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Role, User
from civicdesk.cases import queues as filters
from civicdesk.cases.models import Case, CaseQuerySet
from civicdesk.cases.workflow import Status
from civicdesk.evaluation.models import FollowUp, FollowUpStatus

# Counts stop here: past it a counter reads "999+", and counting costs no more than that.
COUNT_CAP = 999

_ROUTERS = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN, Role.LEADER})
_DECIDERS = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.LEADER})
_CASE_WORKERS = frozenset({Role.CLERK, Role.HANDLER, Role.SUPERVISOR, Role.ADMIN, Role.LEADER})


def _awaiting_followup(cases: CaseQuerySet, now: datetime) -> CaseQuerySet:
    """Answered, and the reporter's word on the answer in force is not in yet (no follow-up
    opened, or one still waiting): the cases a return call can settle."""
    answered = FollowUp.objects.filter(
        case=OuterRef("pk"), answer_of=OuterRef("answered_at")
    ).exclude(status=FollowUpStatus.PENDING)
    return cases.filter(status=Status.ANSWERED).exclude(Exists(answered))


@dataclass(frozen=True)
class Queue:
    slug: str
    label: Promise
    description: Promise
    roles: frozenset[str]
    select: Callable[[CaseQuerySet, datetime], CaseQuerySet]
    # The order of the queue, most urgent first (then by primary key).
    key: Callable[[], Combinable]

    def url(self) -> str:
        return reverse("staff:queue", args=[self.slug])


QUEUES: dict[str, Queue] = {
    queue.slug: queue
    for queue in [
        Queue(
            "to-route",
            _("To route"),
            _("Received or returned, waiting for a unit; the assignment deadline first."),
            _ROUTERS,
            lambda cases, now: filters.to_route(cases),
            lambda: F("assign_due_at"),
        ),
        Queue(
            "to-accept",
            _("To take on"),
            _("Assigned or reopened, not taken on by the unit yet."),
            _CASE_WORKERS,
            lambda cases, now: filters.to_accept(cases),
            lambda: F("response_due_at"),
        ),
        Queue(
            "in-progress",
            _("In progress"),
            _("Taken on and not answered yet; the answer deadline first."),
            _CASE_WORKERS,
            lambda cases, now: filters.in_progress(cases),
            lambda: F("answer_due_at"),
        ),
        Queue(
            "due-soon",
            _("Due within 24 hours"),
            _("Open cases whose current deadline falls within the next 24 hours."),
            _CASE_WORKERS,
            filters.due_soon,
            filters.stage_due,
        ),
        Queue(
            "overdue",
            _("Overdue or escalated"),
            _("Open cases past a deadline, or escalated; the longest overdue first."),
            _CASE_WORKERS,
            filters.overdue_or_escalated,
            filters.stage_due,
        ),
        Queue(
            "follow-up",
            _("Awaiting follow-up"),
            _("Answered cases whose reporter has not said yet whether the problem is solved."),
            _CASE_WORKERS,
            _awaiting_followup,
            lambda: F("answered_at"),
        ),
        Queue(
            "arbitration",
            _("To arbitrate"),
            _("Returned too often: a supervisor chooses the unit, and the choice binds."),
            _DECIDERS,
            lambda cases, now: filters.awaiting_arbitration(cases),
            lambda: F("arbitration_since"),
        ),
        Queue(
            "requests",
            _("Extension requests"),
            _("Units ask to extend or suspend the deadline; a supervisor decides."),
            _DECIDERS,
            lambda cases, now: filters.with_pending_request(cases),
            lambda: F("answer_due_at"),
        ),
        Queue(
            "open",
            _("All open cases"),
            _("Every open case you work on, the most urgent first."),
            _CASE_WORKERS,
            lambda cases, now: cases.open(),
            filters.stage_due,
        ),
    ]
}


def queues_for(user: User) -> list[Queue]:
    if not user.is_authenticated or not user.is_staff_member:
        return []
    return [queue for queue in QUEUES.values() if user.role in queue.roles]


def get_queue(user: User, slug: str) -> Queue:
    """The queue, if this user works from it; otherwise a 404, like any page not theirs."""
    queue = QUEUES.get(slug)
    if queue is None or queue not in queues_for(user):
        raise Http404("No such queue")
    return queue


def queue_cases(user: User, queue: Queue, now: datetime | None = None) -> QuerySet:
    """The queue's cases for this user, in its order (`queue_key`, then pk)."""
    cases = queue.select(Case.objects.visible_to(user), now or timezone.now())
    return filters.ordered(cases, queue.key())


@dataclass(frozen=True)
class Count:
    queue: Queue
    count: int

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def counts(user: User, now: datetime | None = None) -> list[Count]:
    """Each of the user's queues with its number of cases, counted up to COUNT_CAP + 1."""
    now = now or timezone.now()
    visible = Case.objects.visible_to(user)
    return [
        Count(queue, queue.select(visible, now).order_by()[: COUNT_CAP + 1].count())
        for queue in queues_for(user)
    ]


def position_of(queue: Queue, case_pk: int):
    """Where a case stands in a queue's order (taken before an action moves it)."""
    return filters.key_of(Case.objects.all(), queue.key(), case_pk)


def next_case(cases: QuerySet, *, after_pk: int, after_key) -> Case | None:
    """The case that follows `after_pk` in a queue (`cases`: queue_cases with the user's
    filters), or its first case when none follows; None when nothing else waits."""
    following = filters.after(cases, after_key, after_pk).first()
    if following is not None:
        return following
    return cases.exclude(pk=after_pk).first()

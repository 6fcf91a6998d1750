"""Extensions (延期) and suspensions (挂起) of a case's answer deadline.

The unit working on a case asks, with a reason and a new date; a supervisor approves or
refuses. An approved extension makes the new date (end of that working day) the answer
deadline, which is what every rate then counts (evaluation/RATES.md). An approved suspension
stops the deadline clock: while suspended the case is not overdue and not escalated, and on
resumption its open deadlines are those it had before, moved by the working days it was
suspended (``cases.clock``). Meanwhile they stand moved by the days planned (until the date
the unit gave), so that lists, rates and reports, which read the deadlines, treat a suspended
case as not yet due. Approved reasons are public: they are on the status page's timeline.

Rules, each a translated error naming the field:
- a request needs a reason; a suspension also says what the case waits for;
- the new date is after today and, for an extension, after the deadline it extends and at
  most CIVICDESK_EXTENSION_MAX_DAYS working days after it; for a suspension, at most
  CIVICDESK_SUSPENSION_MAX_DAYS working days after today;
- a unit asks before its answer deadline has passed (after it, the case is late: that is
  what the rates must show), one request at a time, and not while the case is suspended.
A case that leaves the unit (returned, reassigned, merged, dispatch undone) or is answered
withdraws a pending request and resumes a suspension, each recorded on the timeline.
"""

from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.cases.clock import shift_deadline, suspended_working_days
from civicdesk.cases.models import (
    Case,
    ClockRequest,
    ClockRequestKind,
    ClockRequestStatus,
    SuspensionGround,
)
from civicdesk.cases.services import (
    CaseActionError,
    CaseInputError,
    _check_reach,
    _lock,
    _record,
    actor_kind,
)
from civicdesk.cases.workflow import ROUTED_OPEN_STATUSES, WORK_ORDER_ACTIONS, Action
from civicdesk.core.deadlines import local_today, work_calendar


def _check_actor(case: Case, action: str, actor: User | None) -> None:
    rule = WORK_ORDER_ACTIONS[action]
    if actor_kind(actor) not in rule.actors:
        raise CaseActionError(_("Your role may not do this."))
    if case.status not in rule.statuses:
        raise CaseActionError(_("Only a case a unit is working on can be extended or suspended."))


def _end_of(day: date) -> datetime:
    """End of a local day: when a deadline on that day passes (as stage deadlines do)."""
    return timezone.make_aware(datetime.combine(day, time.max))


def _check_request(case: Case, *, reason: str, new_date: date | None) -> date:
    if not reason.strip():
        raise CaseInputError(_("Reason: say why the deadline cannot be kept."), "reason")
    if new_date is None:
        raise CaseInputError(_("New date: give the date."), "new_date")
    if new_date <= local_today():
        raise CaseInputError(_("New date: it must be after today."), "new_date")
    if case.answer_due_at < timezone.now():
        raise CaseActionError(
            _(
                "The answer deadline has already passed: an extension or suspension must be "
                "asked for before it."
            )
        )
    if case.is_suspended:
        raise CaseActionError(_("The case is suspended; resume it first."))
    if case.clock_requests.pending().exists():
        raise CaseActionError(_("A request for this case is already waiting for a supervisor."))
    return new_date


def _working_days_after(start: date, days: int) -> date:
    calendar = work_calendar()
    day = start
    for _step in range(days):
        day = calendar.next_working_day(day)
    return day


@transaction.atomic
def request_extension(
    *, case: Case, actor: User, reason: str, new_date: date | None
) -> ClockRequest:
    """The unit asks for a later answer deadline."""
    case = _lock(case)
    _check_actor(case, Action.REQUEST_EXTENSION, actor)
    _check_reach(case, actor)
    new_date = _check_request(case, reason=reason, new_date=new_date)
    current = timezone.localtime(case.answer_due_at).date()
    if new_date <= current:
        raise CaseInputError(
            _("New date: it must be after the current answer deadline, %(date)s.")
            % {"date": current.isoformat()},
            "new_date",
        )
    latest = _working_days_after(current, settings.CIVICDESK_EXTENSION_MAX_DAYS)
    if new_date > latest:
        raise CaseInputError(
            _(
                "New date: an extension adds at most %(days)d working days to the deadline, "
                "so %(date)s at the latest."
            )
            % {"days": settings.CIVICDESK_EXTENSION_MAX_DAYS, "date": latest.isoformat()},
            "new_date",
        )
    return _ask(case, ClockRequestKind.EXTENSION, actor, reason, new_date, ground="")


@transaction.atomic
def request_suspension(
    *, case: Case, actor: User, ground: str, reason: str, new_date: date | None
) -> ClockRequest:
    """The unit asks to stop the clock while the case waits for someone else; `new_date` is
    when it expects to resume."""
    case = _lock(case)
    _check_actor(case, Action.REQUEST_SUSPENSION, actor)
    _check_reach(case, actor)
    if ground not in SuspensionGround.values:
        raise CaseInputError(_("Waiting for: choose what the case waits for."), "ground")
    new_date = _check_request(case, reason=reason, new_date=new_date)
    latest = _working_days_after(local_today(), settings.CIVICDESK_SUSPENSION_MAX_DAYS)
    if new_date > latest:
        raise CaseInputError(
            _(
                "New date: a suspension lasts at most %(days)d working days, so it should "
                "end by %(date)s."
            )
            % {"days": settings.CIVICDESK_SUSPENSION_MAX_DAYS, "date": latest.isoformat()},
            "new_date",
        )
    return _ask(case, ClockRequestKind.SUSPENSION, actor, reason, new_date, ground=ground)


def _ask(
    case: Case, kind: str, actor: User, reason: str, new_date: date, *, ground: str
) -> ClockRequest:
    request = ClockRequest.objects.create(
        case=case,
        kind=kind,
        unit=case.unit,
        ground=ground,
        reason=reason.strip(),
        new_date=new_date,
        previous_due_at=case.answer_due_at,
        previous_response_due_at=None if case.first_responded_at else case.response_due_at,
        requested_by=actor,
    )
    action = (
        Action.REQUEST_EXTENSION
        if kind == ClockRequestKind.EXTENSION
        else Action.REQUEST_SUSPENSION
    )
    _record(
        case,
        action,
        actor=actor,
        kind=actor.role,
        note=request.reason,
        unit=case.unit,
        data={"request": request.pk, "new_date": new_date.isoformat(), "ground": ground},
    )
    return request


@transaction.atomic
def decide_request(*, case: Case, actor: User, approve: bool, note: str = "") -> ClockRequest:
    """A supervisor approves or refuses the pending request. Approving an extension moves the
    answer deadline; approving a suspension stops the clock from now."""
    case = _lock(case)
    _check_actor(case, Action.DECIDE_REQUEST, actor)
    request = case.clock_requests.pending().select_for_update().first()
    if request is None:
        raise CaseActionError(_("No request of this case is waiting for a decision."))
    if not approve and not note.strip():
        raise CaseInputError(_("Note: say why the request is refused."), "note")
    now = timezone.now()
    request.decided_by, request.decided_at = actor, now
    request.decision_note = note.strip()
    if not approve:
        request.status = ClockRequestStatus.REFUSED
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        _record(
            case,
            Action.REFUSE_REQUEST,
            actor=actor,
            kind=actor.role,
            note=request.decision_note,
            unit=case.unit,
            data={"request": request.pk, "kind": request.kind},
        )
        return request
    request.status = ClockRequestStatus.APPROVED
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if request.kind == ClockRequestKind.EXTENSION:
        case.answer_due_at = _end_of(request.new_date)
        case.save(update_fields=["answer_due_at"])
        action = Action.EXTEND
    else:
        # The deadlines move now by the days planned, so that everything that reads them
        # (lists, rates, reports) sees a suspended case as not yet due; resuming sets them
        # from the days the suspension really lasted.
        today = timezone.localtime(now).date()
        request.planned_days = suspended_working_days(work_calendar(), [(today, request.new_date)])
        request.save(update_fields=["planned_days"])
        case.suspended_at = now
        _move_deadlines(case, request, request.planned_days)
        case.save(update_fields=["suspended_at", "answer_due_at", "response_due_at"])
        action = Action.SUSPEND
    # Public: the reporter reads why their answer comes later (on the status page).
    _record(
        case,
        action,
        actor=actor,
        kind=actor.role,
        note=request.reason,
        is_public=True,
        unit=case.unit,
        data={
            "request": request.pk,
            "ground": request.ground,
            "deadline": case.answer_due_at.isoformat() if action == Action.EXTEND else "",
            "until": request.new_date.isoformat() if action == Action.SUSPEND else "",
        },
    )
    return request


def _move_deadlines(case: Case, request: ClockRequest, days: int) -> None:
    """The deadlines the unit had when it asked, moved by `days` working days; a response
    deadline only while the case had no response then."""
    calendar = work_calendar()
    case.answer_due_at = shift_deadline(calendar, timezone.localtime(request.previous_due_at), days)
    if request.previous_response_due_at is not None and case.first_responded_at is None:
        case.response_due_at = shift_deadline(
            calendar, timezone.localtime(request.previous_response_due_at), days
        )


def _resume(case: Case, request: ClockRequest, actor: User | None, note: str) -> None:
    """Restart the clock: the deadlines are those before the suspension, moved by the working
    days it really lasted (fewer than planned when resumed early)."""
    now = timezone.now()
    start = timezone.localtime(request.decided_at).date()
    days = suspended_working_days(work_calendar(), [(start, timezone.localtime(now).date())])
    _move_deadlines(case, request, days)
    case.suspended_at = None
    case.save(update_fields=["suspended_at", "answer_due_at", "response_due_at"])
    request.resumed_at, request.resumed_by, request.suspended_days = now, actor, days
    request.save(update_fields=["resumed_at", "resumed_by", "suspended_days"])
    _record(
        case,
        Action.RESUME,
        actor=actor,
        kind=actor_kind(actor),
        note=note,
        is_public=True,
        unit=case.unit,
        data={
            "request": request.pk,
            "days": days,
            "deadline": timezone.localtime(case.answer_due_at).isoformat(),
        },
    )


@transaction.atomic
def resume(*, case: Case, actor: User | None, note: str = "") -> Case:
    """End the suspension now (the unit, a supervisor, or the scheduled job on the day the
    unit said it would resume)."""
    case = _lock(case)
    _check_actor(case, Action.RESUME, actor)
    if actor is not None:
        _check_reach(case, actor)
    request = ClockRequest.objects.running_suspensions().filter(case=case).first()
    if request is None or not case.is_suspended:
        raise CaseActionError(_("The case is not suspended."))
    _resume(case, request, actor, note.strip())
    return case


def settle_clock(case: Case, actor: User | None, why: str) -> None:
    """Withdraw a pending request and resume a suspension of a case that leaves its unit or
    is answered: neither belongs to what comes next. Called inside the caller's transaction,
    with the case locked and before its status or unit changes."""
    pending = case.clock_requests.pending().first()
    if pending is not None:
        pending.status = ClockRequestStatus.WITHDRAWN
        pending.save(update_fields=["status"])
        _record(
            case,
            Action.WITHDRAW_REQUEST,
            actor=actor,
            kind=actor_kind(actor),
            note=why,
            unit=case.unit,
            data={"request": pending.pk, "kind": pending.kind},
        )
    if case.is_suspended:
        running = ClockRequest.objects.running_suspensions().filter(case=case).first()
        if running is not None:
            _resume(case, running, actor, why)


def cases_due_to_resume():
    """Suspended cases whose unit said they would resume by today."""
    return Case.objects.filter(
        suspended_at__isnull=False,
        status__in=ROUTED_OPEN_STATUSES,
        clock_requests__kind=ClockRequestKind.SUSPENSION,
        clock_requests__status=ClockRequestStatus.APPROVED,
        clock_requests__resumed_at__isnull=True,
        clock_requests__new_date__lte=local_today(),
    ).distinct()

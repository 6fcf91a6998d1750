"""Every change of a case goes through here: checked against the workflow, atomic, and logged."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import Unit, User
from civicdesk.cases.models import Case, CaseEvent, Category, ReplyTemplate, ReturnReason
from civicdesk.cases.replies import unfilled_placeholders
from civicdesk.cases.workflow import (
    NON_TRANSITIONS,
    REPORTER,
    SYSTEM,
    TRANSITIONS,
    Action,
    Status,
)
from civicdesk.core.deadlines import StageDeadlines, stage_deadlines
from civicdesk.core.tracking import new_tracking_code
from civicdesk.intake.routing import confidential_routing
from civicdesk.notifications.services import notify_case_answered
from civicdesk.reports.workflow import Ledger


class CaseActionError(Exception):
    """An action that the workflow or the actor's role does not allow; the message is translated."""


class CaseInputError(CaseActionError):
    """Input an action cannot take (a missing reason, a date out of range); the message is
    translated and starts with the field's label, and `field` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def actor_kind(actor: User | None, default: str = SYSTEM) -> str:
    return actor.role if actor is not None else default


def _lock(case: Case) -> Case:
    # Lock only the case row: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("submission", "unit")
        .get(pk=case.pk)
    )


def _check_reach(case: Case, actor: User | None) -> None:
    """A handler may act only on cases of their own unit or the units below it."""
    if actor is None or actor.sees_all_cases:
        return
    if actor.unit is None or case.unit is None or not case.unit.path.startswith(actor.unit.path):
        raise CaseActionError(_("This case belongs to another unit."))


def _check_transition(case: Case, action: str, kind: str) -> str:
    transition = TRANSITIONS[action]
    if kind not in transition.actors:
        raise CaseActionError(_("Your role may not do this."))
    if case.status not in transition.sources:
        raise CaseActionError(
            _("A case that is “%(status)s” cannot be %(action)s.")
            % {"status": Status(case.status).label, "action": Action(action).label.lower()}
        )
    return transition.target


def _record(
    case: Case,
    action: str,
    *,
    actor: User | None,
    kind: str,
    from_status: str = "",
    note: str = "",
    is_public: bool = False,
    unit: Unit | None = None,
    data: dict | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Append an event; `at` dates it at the moment the case's own field records (answered_at,
    …) so that the timeline and the case agree to the microsecond."""
    return CaseEvent.objects.create(
        created_at=at or timezone.now(),
        case=case,
        action=action,
        from_status=from_status,
        to_status=case.status if from_status else "",
        actor=actor,
        actor_kind="" if actor is not None else kind,
        unit=unit,
        note=note,
        is_public=is_public,
        data=data or {},
    )


def _unique_tracking_codes(count: int) -> list[str]:
    """`count` fresh codes, different from each other and from every stored one."""
    codes: set[str] = set()
    while len(codes) < count:
        fresh = {new_tracking_code() for _ in range(count - len(codes))} - codes
        taken = Case.objects.filter(tracking_code__in=fresh).values_list("tracking_code", flat=True)
        codes |= fresh - set(taken)
    return list(codes)


def _new_case(
    submission, *, category: Category | None, tracking_code: str, deadlines: StageDeadlines
) -> Case:
    case = Case(
        submission=submission,
        tracking_code=tracking_code,
        category=category or submission.category,
        received_at=submission.received_at,
        assign_due_at=deadlines.assign,
        response_due_at=deadlines.response,
        answer_due_at=deadlines.answer,
    )
    case.refresh_search_text()
    return case


def _open_event(case: Case) -> CaseEvent:
    submission = case.submission
    return CaseEvent(
        case=case,
        action=Action.CREATE,
        to_status=Status.RECEIVED,
        actor=submission.recorded_by,
        actor_kind="" if submission.recorded_by else REPORTER,
        is_public=True,
        data={"channel": submission.channel.code},
        created_at=submission.received_at,
    )


def case_open(*, submission, category: Category | None = None) -> Case:
    """Open the case for a new submission; called inside the submission's transaction.

    The tracking code is not checked against stored ones first: the unique constraint refuses
    a taken one, and submission_create stores again with a fresh code.
    """
    case = _new_case(
        submission,
        category=category,
        tracking_code=new_tracking_code(),
        deadlines=stage_deadlines(submission.received_at),
    )
    case.save()
    _open_event(case).save()
    return _dispatch().auto_dispatch(case)


def cases_open(*, submissions: list) -> list[Case]:
    """case_open for many stored submissions at once (bulk imports): the same cases and
    "create" events, written with a few bulk queries; called inside their transaction."""
    deadlines: dict[date, StageDeadlines] = {}
    cases = []
    for submission, code in zip(submissions, _unique_tracking_codes(len(submissions)), strict=True):
        # Deadlines depend only on the local day received: work them out once per day.
        day = timezone.localdate(submission.received_at)
        if day not in deadlines:
            deadlines[day] = stage_deadlines(submission.received_at)
        cases.append(
            _new_case(submission, category=None, tracking_code=code, deadlines=deadlines[day])
        )
    Case.objects.bulk_create(cases)
    CaseEvent.objects.bulk_create([_open_event(case) for case in cases])
    return _dispatch().auto_dispatch_many(cases)


def _dispatch():
    # cases.dispatch builds on this module (its checks and records); imported when used.
    from civicdesk.cases import dispatch

    return dispatch


def _settle_clock(case: Case, actor: User | None, why: str) -> None:
    """A pending extension or suspension request is withdrawn, and a suspension resumed, when
    the case leaves its unit or is answered (cases.extensions)."""
    if case.suspended_at is None and not case.clock_requests.pending().exists():
        return
    from civicdesk.cases import extensions

    extensions.settle_clock(case, actor, why)


@transaction.atomic
def case_assign(
    *, case: Case, unit: Unit, actor: User | None, note: str = "", data: dict | None = None
) -> Case:
    """Route a case to a unit; a case already with a unit is reassigned. `data` goes on the
    timeline event (an automatic dispatch records what decided it)."""
    case = _lock(case)
    kind = actor_kind(actor)
    if not unit.is_active:
        raise CaseActionError(_("That unit is no longer active."))
    action = (
        Action.REASSIGN if case.status in TRANSITIONS[Action.REASSIGN].sources else Action.ASSIGN
    )
    if action == Action.REASSIGN and case.unit_id == unit.pk:
        raise CaseActionError(_("The case is already with this unit."))
    if case.arbitration_since is not None:
        raise CaseActionError(
            _(
                "This case was returned %(count)d times and waits for a supervisor's "
                "arbitration, whose choice of unit binds."
            )
            % {"count": case.return_count}
        )
    if case.co_units.filter(unit=unit).exists():
        raise CaseInputError(
            _(
                "Unit: %(unit)s co-handles this case; remove it from the co-handling units "
                "before making it the lead unit."
            )
            % {"unit": unit},
            "unit",
        )
    from_status = case.status
    case.status = _check_transition(case, action, kind)
    if action == Action.REASSIGN:
        _settle_clock(case, actor, _("The case was given to another unit."))
    case.unit = unit
    # The person and grid belong to the unit the case leaves.
    case.assignee = case.grid = None
    case.assigned_at = timezone.now()
    case.save(update_fields=["status", "unit", "assignee", "grid", "assigned_at"])
    _record(
        case,
        action,
        actor=actor,
        kind=kind,
        from_status=from_status,
        note=note,
        unit=unit,
        is_public=True,
        data=data,
    )
    return case


@transaction.atomic
def case_accept(*, case: Case, actor: User, note: str = "") -> Case:
    """The unit takes the case on; its (public) acknowledgement counts as the first response."""
    case = _lock(case)
    _check_reach(case, actor)
    from_status = case.status
    case.status = _check_transition(case, Action.ACCEPT, actor_kind(actor))
    case.first_responded_at = case.first_responded_at or timezone.now()
    case.save(update_fields=["status", "first_responded_at"])
    _record(
        case,
        Action.ACCEPT,
        actor=actor,
        kind=actor.role,
        from_status=from_status,
        note=note,
        is_public=True,
        unit=case.unit,
    )
    return case


# The return reason chosen when a caller gives only words (API clients of version 1).
OTHER_RETURN_REASON = "other"


def _return_reason(choice: ReturnReason | None, reason: str) -> ReturnReason:
    if choice is None:
        choice = ReturnReason.objects.filter(code=OTHER_RETURN_REASON).first()
    if choice is None or not choice.is_active:
        raise CaseInputError(_("Reason for returning: choose one from the list."), "reason_choice")
    if choice.needs_explanation and not reason.strip():
        raise CaseInputError(_("Say why the case is not for your unit."), "reason")
    return choice


@transaction.atomic
def case_return(
    *, case: Case, actor: User, reason: str = "", reason_choice: ReturnReason | None = None
) -> Case:
    """A unit says the case is not theirs, with a reason from the list (and words where the
    reason needs them); it goes back to the supervisors to be routed again. After
    CIVICDESK_RETURN_LIMIT returns it waits for a supervisor's arbitration (cases.returns),
    and the unit that arbitration chose cannot return it."""
    choice = _return_reason(reason_choice, reason)
    case = _lock(case)
    _check_reach(case, actor)
    if case.bound_unit_id is not None and case.bound_unit_id == case.unit_id:
        raise CaseActionError(
            _(
                "A supervisor's arbitration gave this case to %(unit)s: it cannot be returned. "
                "Ask for co-handling units or an extension if you need them."
            )
            % {"unit": case.unit}
        )
    from_status = case.status
    returned_by = case.unit
    case.status = _check_transition(case, Action.RETURN, actor_kind(actor))
    _settle_clock(case, actor, _("The case was returned."))
    case.unit = None
    case.assignee = case.grid = None
    case.return_count += 1
    to_arbitration = case.return_count >= settings.CIVICDESK_RETURN_LIMIT
    if to_arbitration:
        case.arbitration_since = timezone.now()
    case.save(
        update_fields=["status", "unit", "assignee", "grid", "return_count", "arbitration_since"]
    )
    _record(
        case,
        Action.RETURN,
        actor=actor,
        kind=actor.role,
        from_status=from_status,
        note=reason.strip(),
        unit=returned_by,
        data={
            "reason": choice.code,
            "returns": case.return_count,
            "arbitration": to_arbitration,
        },
    )
    return case


def _check_placeholders(answer: str) -> None:
    """Refuse an answer that still holds a blank of a reply template ("……"): sent unchanged,
    the template would be published as the official answer."""
    templates = ReplyTemplate.objects.values_list("body", flat=True)
    unfilled = unfilled_placeholders(answer, templates)
    if unfilled:
        raise CaseActionError(
            _(
                "The answer still contains the placeholder %(placeholders)s of a reply "
                "template. Replace it with what was actually done before sending the answer."
            )
            % {"placeholders": " ".join(f"“{mark}”" for mark in unfilled)}
        )


def _check_parts(case: Case) -> None:
    """The lead unit answers once every co-handling unit's part is in (or a supervisor
    waived it, with a reason: cases.dispatch.waive_part)."""
    missing = [co.unit for co in case.co_units.select_related("unit") if not co.is_in]
    if missing:
        raise CaseActionError(
            _(
                "The parts of the co-handling units are not all in: %(units)s. Wait for them, "
                "or ask a supervisor to waive a part with a reason."
            )
            % {"units": "、".join(str(unit) for unit in missing)}
        )


@transaction.atomic
def case_answer(*, case: Case, actor: User, text: str) -> Case:
    """The official answer to the reporter; it is public on the status page."""
    if not text.strip():
        raise CaseActionError(_("The answer cannot be empty."))
    case = _lock(case)
    _check_reach(case, actor)
    from_status = case.status
    case.status = _check_transition(case, Action.ANSWER, actor_kind(actor))
    _check_placeholders(text)
    _check_parts(case)
    _settle_clock(case, actor, _("The case was answered."))
    now = timezone.now()
    case.answer = text.strip()
    case.answered_at = now
    case.first_responded_at = case.first_responded_at or now
    case.refresh_search_text()
    case.save(
        update_fields=[
            "status",
            "answer",
            "answered_at",
            "first_responded_at",
            "search_text",
            "public_search_text",
        ]
    )
    _record(
        case,
        Action.ANSWER,
        actor=actor,
        kind=actor.role,
        from_status=from_status,
        note=case.answer,
        is_public=True,
        unit=case.unit,
        at=now,
    )
    # Queued in this transaction: if the answer rolls back, no message goes out.
    notify_case_answered(case)
    return case


@transaction.atomic
def case_close(*, case: Case, actor: User | None, note: str = "") -> Case:
    case = _lock(case)
    kind = actor_kind(actor)
    from_status = case.status
    case.status = _check_transition(case, Action.CLOSE, kind)
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at"])
    _record(
        case,
        Action.CLOSE,
        actor=actor,
        kind=kind,
        from_status=from_status,
        note=note,
        is_public=True,
    )
    return case


@transaction.atomic
def case_reopen(*, case: Case, actor: User | None, reason: str) -> Case:
    """The reporter (no actor: the holder of the tracking code) or a supervisor disagrees."""
    if not reason.strip():
        raise CaseActionError(_("Say why the answer does not solve the problem."))
    case = _lock(case)
    kind = actor_kind(actor, default=REPORTER)
    if kind == REPORTER and case.answered_at is not None:
        window = timedelta(days=settings.CIVICDESK_REOPEN_DAYS)
        if timezone.now() - case.answered_at > window:
            raise CaseActionError(
                _("An answer can be disputed within %(days)d days; this one is older.")
                % {"days": settings.CIVICDESK_REOPEN_DAYS}
            )
    from_status = case.status
    case.status = _check_transition(case, Action.REOPEN, kind)
    case.reopen_count += 1
    case.closed_at = None
    case.save(update_fields=["status", "reopen_count", "closed_at"])
    _record(
        case,
        Action.REOPEN,
        actor=actor,
        kind=kind,
        from_status=from_status,
        note=reason.strip(),
        is_public=True,
    )
    return case


@transaction.atomic
def case_merge(*, case: Case, into: Case, actor: User, note: str = "") -> Case:
    """Mark a case as a duplicate; its reporter follows the other case from then on."""
    if into.pk == case.pk:
        raise CaseActionError(_("A case cannot be merged into itself."))
    case = _lock(case)
    into = Case.objects.select_for_update().get(pk=into.pk)
    if into.status == Status.MERGED:
        raise CaseActionError(
            _("Case %(code)s is itself merged; merge into the case it was merged into.")
            % {"code": into.tracking_code}
        )
    from_status = case.status
    case.status = _check_transition(case, Action.MERGE, actor_kind(actor))
    _settle_clock(case, actor, _("The case was merged into another one."))
    case.merged_into = into
    case.save(update_fields=["status", "merged_into"])
    _record(
        case,
        Action.MERGE,
        actor=actor,
        kind=actor.role,
        from_status=from_status,
        note=note,
        is_public=True,
        data={"into": into.tracking_code},
    )
    # Duplicates merged earlier into this case follow it to the surviving case.
    case.duplicates.update(merged_into=into)
    _record(
        into,
        Action.NOTE,
        actor=actor,
        kind=actor.role,
        note=_("Case %(code)s was merged into this one.") % {"code": case.tracking_code},
        data={"merged": case.tracking_code},
    )
    return case


def _non_transition(case: Case, action: str, actor: User | None) -> str:
    kind = actor_kind(actor)
    if kind not in NON_TRANSITIONS[action]:
        raise CaseActionError(_("Your role may not do this."))
    if case.status == Status.MERGED:
        raise CaseActionError(_("This case was merged; work on the case it was merged into."))
    return kind


@transaction.atomic
def case_add_note(*, case: Case, actor: User, text: str) -> CaseEvent:
    """An internal note: staff only, never on a public page."""
    if not text.strip():
        raise CaseActionError(_("The note cannot be empty."))
    case = _lock(case)
    _check_reach(case, actor)
    kind = _non_transition(case, Action.NOTE, actor)
    return _record(case, Action.NOTE, actor=actor, kind=kind, note=text.strip())


@transaction.atomic
def case_escalate(*, case: Case, actor: User | None, note: str) -> Case:
    case = _lock(case)
    kind = _non_transition(case, Action.ESCALATE, actor)
    if not case.is_open:
        raise CaseActionError(_("Only open cases can be escalated."))
    if actor is None and case.escalated_at is not None:
        # The scheduled job escalates once; a second worker racing it must not add another.
        raise CaseActionError(_("This case is already escalated."))
    case.escalated_at = timezone.now()
    case.save(update_fields=["escalated_at"])
    _record(case, Action.ESCALATE, actor=actor, kind=kind, note=note, unit=case.unit)
    return case


def _refuse_confidential_category(category: Category) -> None:
    """An allegation of misconduct (不作为乱作为) or of black intermediaries (黑中介) is no
    case: a case can be routed to the very unit it accuses and is read by everyone on its
    path. Every channel files such a report in the confidential ledgers instead
    (intake.routing); a case found to be one is filed there by hand, not re-categorised."""
    routing = confidential_routing(category=category, description="")
    if routing is None:
        return
    where = (
        reverse("reports:staff_file")
        if routing.ledger == Ledger.INACTION
        else reverse("reports:public_intermediary")
    )
    raise CaseInputError(
        _(
            "Category: “%(category)s” is for confidential reports, not cases (a case can reach "
            "the unit it accuses). File it as a confidential report at %(where)s, then close "
            "this case with a note saying so."
        )
        % {"category": category.name, "where": where},
        "category",
    )


@transaction.atomic
def case_recategorize(*, case: Case, category: Category | None, actor: User) -> Case:
    case = _lock(case)
    _check_reach(case, actor)
    kind = _non_transition(case, Action.RECATEGORIZE, actor)
    if case.category_id == (category.pk if category else None):
        return case
    if category is not None:
        _refuse_confidential_category(category)
    old = case.category.name if case.category else ""
    case.category = category
    case.save(update_fields=["category"])
    _record(
        case,
        Action.RECATEGORIZE,
        actor=actor,
        kind=kind,
        data={"from": old, "to": category.name if category else ""},
    )
    return case

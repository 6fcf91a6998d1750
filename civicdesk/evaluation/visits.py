"""The return-visit queue (回访): which answers are called back about, and what came of it.

Sampling is deterministic: whether a SHARE rule takes an answer depends only on the case and
the moment of the answer (a hash of both, read as a number from 0 to 100), never on when the
job runs or in which order, so rebuilding the queue adds only what is new and a share raised
from 10 % to 20 % keeps the first 10 %. Only answers in force of cases whose reporter left a
phone number and agreed to be contacted are called back about (a return visit is a call).

Outcomes go through the workflow table of `visit_workflow`: reached (what the person said is
the evaluation of the answer unless they already gave one online; "not solved" orders the
case re-handled by reopening it through the case workflow), not reached (after
`CIVICDESK_RETURN_VISIT_ATTEMPTS` attempts, default 3, the visit closes as not reached),
refused. Every step is an append-only VisitEvent, and the case timeline notes the outcome.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.services import CaseActionError, case_reopen
from civicdesk.cases.workflow import SYSTEM, Action
from civicdesk.evaluation.models import FollowUp, FollowUpStatus, Satisfaction
from civicdesk.evaluation.services import (
    ANSWERED_STATUSES,
    FollowUpError,
    followup_answer_from_visit,
)
from civicdesk.evaluation.visit_models import (
    EVERY_KINDS,
    Praise,
    PraiseSource,
    ReturnVisit,
    SamplingRule,
    SamplingRuleKind,
    VisitEvent,
)
from civicdesk.evaluation.visit_workflow import TRANSITIONS, VisitAction, VisitStatus
from civicdesk.ratings.models import BAD_LEVELS

DEFAULT_ATTEMPTS = 3
DEFAULT_WINDOW_DAYS = 30


class VisitError(Exception):
    """An outcome the workflow or the rules refuse; the message is translated."""


def max_attempts() -> int:
    return int(getattr(settings, "CIVICDESK_RETURN_VISIT_ATTEMPTS", DEFAULT_ATTEMPTS))


def window_days() -> int:
    """How far back (days since the answer) the queue builder looks for answers to sample."""
    return int(getattr(settings, "CIVICDESK_RETURN_VISIT_DAYS", DEFAULT_WINDOW_DAYS))


# --- Sampling ------------------------------------------------------------------------------


def sample_point(case_id: int, answer_of: datetime) -> Decimal:
    """Where an answer falls on 0.00 … 99.99: the same for the same case and answer on every
    run and every machine, so a share rule's choice never changes once made."""
    key = f"{case_id}:{answer_of.astimezone(UTC).isoformat()}"
    digest = hashlib.sha256(key.encode()).digest()
    return Decimal(int.from_bytes(digest[:4], "big") % 10000) / 100


def is_dissatisfied(followup: FollowUp | None) -> bool:
    """The follow-up of the answer says "not solved" or one of the two bad levels."""
    return (
        followup is not None
        and followup.status == FollowUpStatus.ANSWERED
        and (followup.solved is False or followup.satisfaction in BAD_LEVELS)
    )


def matches(rule: SamplingRule, case: Case, followup: FollowUp | None) -> bool:
    """Whether an "every …" rule takes the case's answer in force."""
    if not rule.covers(case.category):
        return False
    if rule.kind == SamplingRuleKind.DISSATISFIED:
        return is_dissatisfied(followup)
    if rule.kind == SamplingRuleKind.ENTERPRISE:
        return case.submission.for_enterprise
    if rule.kind == SamplingRuleKind.REHANDLED:
        return case.reopen_count > 0
    return False


def choose_rule(
    rules: list[SamplingRule], case: Case, followup: FollowUp | None
) -> SamplingRule | None:
    """The rule that puts the case's answer in force in the queue, or None. "Every …" rules
    first, in the order of EVERY_KINDS; else the share rule of the case's category (the most
    specific one: category, then aspect, then every case) if the answer's sample point falls
    below its percentage."""
    for kind in EVERY_KINDS:
        for rule in rules:
            if rule.kind == kind and matches(rule, case, followup):
                return rule
    shares = [r for r in rules if r.kind == SamplingRuleKind.SHARE and r.covers(case.category)]
    if not shares:
        return None

    def specificity(rule: SamplingRule) -> int:
        if rule.category_id is None:
            return 0
        return 2 if case.category is not None and rule.category_id == case.category.pk else 1

    rule = max(shares, key=lambda r: (specificity(r), -r.pk))
    return rule if sample_point(case.pk, case.answered_at) < rule.percent else None


def reachable_answers(since: datetime):
    """Answers in force since `since` of cases the call centre may call about."""
    has_visit = ReturnVisit.objects.filter(case=OuterRef("pk"), answer_of=OuterRef("answered_at"))
    return (
        Case.objects.filter(status__in=ANSWERED_STATUSES, answered_at__gte=since)
        .filter(submission__consent_contact=True)
        .exclude(submission__contact_phone="")
        .exclude(Exists(has_visit))
        .select_related("submission", "category")
        .order_by("answered_at", "pk")
    )


@dataclass
class QueueRun:
    queued: int = 0
    cancelled: int = 0


def _record(
    visit: ReturnVisit,
    action: str,
    *,
    from_status: str,
    actor: User | None,
    note: str = "",
    data: dict | None = None,
) -> VisitEvent:
    return VisitEvent.objects.create(
        visit=visit,
        action=action,
        from_status=from_status,
        to_status=visit.status,
        attempt=visit.attempts,
        actor=actor,
        actor_kind=actor.role if actor is not None else SYSTEM,
        note=note,
        data=data or {},
    )


def _queue(case: Case, rule: SamplingRule) -> ReturnVisit | None:
    try:
        with transaction.atomic():
            visit = ReturnVisit.objects.create(
                case=case, answer_of=case.answered_at, reason=rule.kind, rule=rule
            )
            _record(visit, VisitAction.QUEUE, from_status="", actor=None, data={"rule": rule.pk})
    except IntegrityError:  # another worker queued it meanwhile
        return None
    return visit


def stale_visits():
    """Waiting visits whose answer is no longer in force, or whose person may no longer be
    called: the case was reopened, re-answered or merged, or consent was withdrawn."""
    still_current = Case.objects.filter(
        pk=OuterRef("case_id"),
        status__in=ANSWERED_STATUSES,
        answered_at=OuterRef("answer_of"),
        submission__consent_contact=True,
    )
    return ReturnVisit.objects.waiting().exclude(Exists(still_current))


def build_queue(*, now: datetime | None = None) -> QueueRun:
    """Queue a visit for every answer the active rules pick, and cancel waiting visits that
    no longer apply. Idempotent: a second run queues and cancels nothing."""
    now = now or timezone.now()
    run = QueueRun()
    for visit in stale_visits():
        run.cancelled += visit_cancel(visit=visit, actor=None)
    rules = list(SamplingRule.objects.active().select_related("category"))
    if not rules:
        return run
    candidates = list(reachable_answers(now - timedelta(days=window_days())))
    followups = {
        (f.case_id, f.answer_of): f
        for f in FollowUp.objects.filter(case__in=[c.pk for c in candidates])
    }
    for case in candidates:
        rule = choose_rule(rules, case, followups.get((case.pk, case.answered_at)))
        if rule is not None and _queue(case, rule) is not None:
            run.queued += 1
    return run


# --- Outcomes ------------------------------------------------------------------------------


def _lock(visit: ReturnVisit) -> ReturnVisit:
    return (
        ReturnVisit.objects.select_for_update(of=("self",))
        .select_related("case", "case__submission", "case__unit")
        .get(pk=visit.pk)
    )


def _check(visit: ReturnVisit, action: str, kind: str) -> str:
    transition = TRANSITIONS[action]
    if kind not in transition.actors:
        raise VisitError(_("Your role may not do this."))
    if visit.status not in transition.sources:
        raise VisitError(
            _("This return visit is “%(status)s”; nothing more can be recorded on it.")
            % {"status": VisitStatus(visit.status).label}
        )
    return transition.target


def _case_note(visit: ReturnVisit, actor: User | None, note: str, data: dict) -> None:
    """The outcome on the case's timeline, as an internal note (never public)."""
    case = visit.case
    CaseEvent.objects.create(
        case=case,
        action=Action.NOTE,
        actor=actor,
        actor_kind="" if actor is not None else SYSTEM,
        unit=case.unit,
        note=note,
        data={"return_visit": visit.pk, **data},
    )


def _check_answer(solved: bool | None, satisfaction: int | None) -> None:
    if solved is None:
        raise VisitError(_("Say whether the person said the problem was solved."))
    if satisfaction not in Satisfaction.values:
        raise VisitError(_("Choose one of the five satisfaction levels the person gave."))


def _reopen_for_rehandling(visit: ReturnVisit, comment: str) -> None:
    """A re-handling order: the case is reopened through the case workflow, on the person's
    word (the reporter's transition), if the answer asked about is still in force."""
    case = Case.objects.get(pk=visit.case_id)
    if case.status not in ANSWERED_STATUSES or case.answered_at != visit.answer_of:
        return  # already reopened (the follow-up's "not solved" does it) or re-answered
    reason = _(
        "Re-handling ordered after a return visit: the person said the problem is not solved."
    )
    if comment:
        reason = f"{reason} {comment}"
    try:
        case_reopen(case=case, actor=None, reason=reason)
    except CaseActionError as error:
        raise VisitError(str(error)) from error


@transaction.atomic
def visit_record(
    *,
    visit: ReturnVisit,
    actor: User,
    outcome: str,
    solved: bool | None = None,
    satisfaction: int | None = None,
    comment: str = "",
    praised: bool = False,
) -> ReturnVisit:
    """Record one call of a return visit: reached (with what the person said), not reached,
    or refused."""
    if outcome not in (VisitAction.REACH, VisitAction.NOT_REACHED, VisitAction.REFUSE):
        raise VisitError(_("Choose what came of the call."))
    visit = _lock(visit)
    target = _check(visit, outcome, actor.role)
    if not visit.case.reporter_may_be_contacted:
        raise VisitError(
            _("The reporter asked not to be contacted about this case; there is no call to record.")
        )
    comment = comment.strip()
    if outcome == VisitAction.REACH:
        _check_answer(solved, satisfaction)
    elif solved is not None or satisfaction is not None or praised:
        raise VisitError(_("Only a person who was reached can say whether it was solved."))
    now = timezone.now()
    from_status = visit.status
    visit.attempts += 1
    visit.last_attempt_at = now
    visit.visited_by = actor
    visit.comment = comment or visit.comment
    if outcome == VisitAction.NOT_REACHED and visit.attempts >= max_attempts():
        target = TRANSITIONS[outcome].exhausted
    visit.status = target
    if target != VisitStatus.WAITING:
        visit.closed_at = now
    data: dict = {"outcome": outcome, "attempt": visit.attempts}
    if outcome == VisitAction.REACH:
        reopen_count_before = visit.case.reopen_count
        visit.solved, visit.satisfaction, visit.praised = solved, satisfaction, praised
        try:
            counted = followup_answer_from_visit(
                case=visit.case,
                answer_of=visit.answer_of,
                actor=actor,
                solved=solved,
                satisfaction=satisfaction,
                comment=comment,
            )
        except FollowUpError as error:
            raise VisitError(str(error)) from error
        visit.counted = counted is not None
        if not solved:
            # The follow-up's own "not solved" may have reopened the case already.
            _reopen_for_rehandling(visit, comment)
            reopens = Case.objects.filter(pk=visit.case_id).values_list("reopen_count", flat=True)
            visit.reopened = reopens.get() > reopen_count_before
        if praised:
            Praise.objects.create(
                case=visit.case,
                unit=visit.case.unit,
                source=PraiseSource.RETURN_VISIT,
                received_at=now,
                note=comment,
                visit=visit,
                recorded_by=actor,
            )
        data.update(
            solved=solved,
            satisfaction=satisfaction,
            counted=visit.counted,
            reopened=visit.reopened,
            praised=praised,
        )
    visit.save()
    _record(visit, outcome, from_status=from_status, actor=actor, note=comment, data=data)
    if visit.status != VisitStatus.WAITING:
        _case_note(visit, actor, _outcome_note(visit), data)
    return visit


def _outcome_note(visit: ReturnVisit) -> str:
    if visit.status == VisitStatus.REACHED:
        said = _("solved") if visit.solved else _("not solved")
        note = _("Return visit: the person was reached (%(said)s, %(level)s).") % {
            "said": said,
            "level": Satisfaction(visit.satisfaction).label,
        }
        if visit.reopened:
            note += " " + _("The case was reopened for re-handling.")
        return f"{note} {visit.comment}".strip()
    if visit.status == VisitStatus.UNREACHABLE:
        return _("Return visit closed: the person was not reached in %(n)d attempts.") % {
            "n": visit.attempts
        }
    return f"{_('Return visit: the person declined to answer.')} {visit.comment}".strip()


@transaction.atomic
def visit_cancel(*, visit: ReturnVisit, actor: User | None, note: str = "") -> bool:
    """Take a waiting visit out of the queue (the system, when its answer is no longer in
    force; a supervisor, with a reason)."""
    visit = _lock(visit)
    if visit.status != VisitStatus.WAITING:
        return False
    kind = actor.role if actor is not None else SYSTEM
    if actor is not None and not note.strip():
        raise VisitError(_("Say why the return visit is cancelled."))
    from_status = visit.status
    visit.status = _check(visit, VisitAction.CANCEL, kind)
    visit.closed_at = timezone.now()
    visit.save(update_fields=["status", "closed_at"])
    if actor is None:
        note = _(
            "The answer asked about is no longer in force, or the person may no longer be called."
        )
    _record(visit, VisitAction.CANCEL, from_status=from_status, actor=actor, note=note.strip())
    return True


# --- Praise --------------------------------------------------------------------------------


@transaction.atomic
def praise_record(
    *, case: Case, actor: User, source: str, received_at: datetime | None = None, note: str = ""
) -> Praise:
    """Praise for how a case was handled, credited to the unit that handles it."""
    if source not in PraiseSource.values:
        raise VisitError(_("Choose how the praise came."))
    if case.unit_id is None:
        raise VisitError(_("This case has no unit to credit the praise to."))
    received_at = received_at or timezone.now()
    if received_at > timezone.now():
        raise VisitError(_("The praise cannot have come in the future."))
    return Praise.objects.create(
        case=case,
        unit=case.unit,
        source=source,
        received_at=received_at,
        note=note.strip(),
        recorded_by=actor,
    )

"""Every change of a measure goes through here: checked against the workflow and the actor's
reach, atomic, and recorded as a hash-chained event. Public changes notify the reporters of
the problem's linked cases (in the app, and by e-mail or SMS through the outbox) and the
problem's subscribers."""

from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.commitments.models import (
    Evidence,
    Extension,
    Measure,
    MeasureEvent,
    Milestone,
    Notification,
    ProblemEvent,
    Subscription,
)
from civicdesk.commitments.validation import EvidenceError, check_evidence
from civicdesk.commitments.workflow import (
    CREATORS,
    SIGNERS,
    SYSTEM,
    TRANSITIONS,
    MeasureAction,
    MeasureStatus,
    ProblemAction,
)
from civicdesk.core.chain import recorded_now
from civicdesk.core.files import is_disk_full, save_file
from civicdesk.notifications import services as notify
from civicdesk.notifications.models import Channel, Event
from civicdesk.notifications.rendering import pick_language
from civicdesk.problems.models import Problem


class MeasureError(Exception):
    """A change that is not allowed or not valid; the message is translated. `field` names
    the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def actor_kind(actor: User | None) -> str:
    return actor.role if actor is not None else SYSTEM


def can_reach(measure: Measure, user: User) -> bool:
    """Handlers act on measures of their own unit and the units below it; district roles on all."""
    if user.role != Role.HANDLER:
        return True
    return user.unit is not None and measure.unit.path.startswith(user.unit.path)


def may(measure: Measure, action: str, user: User) -> bool:
    transition = TRANSITIONS[action]
    return (
        user.is_active
        and user.role in transition.actors
        and measure.status in transition.sources
        and can_reach(measure, user)
    )


def _lock(measure: Measure) -> Measure:
    return (
        Measure.objects.select_for_update(of=("self",))
        .select_related("unit", "problem")
        .get(pk=measure.pk)
    )


def _check(measure: Measure, action: str, actor: User | None) -> str | None:
    transition = TRANSITIONS[action]
    if actor_kind(actor) not in transition.actors or (actor and not actor.is_active):
        raise MeasureError(_("Your role may not do this."))
    if actor is not None and not can_reach(measure, actor):
        raise MeasureError(_("This measure belongs to another unit."))
    if measure.status not in transition.sources:
        raise MeasureError(
            _("A measure that is “%(status)s” cannot be changed this way (%(action)s).")
            % {
                "status": MeasureStatus(measure.status).label,
                "action": MeasureAction(action).label.lower(),
            }
        )
    return transition.target


def _record(
    measure: Measure,
    action: str,
    *,
    actor: User | None,
    from_status: str = "",
    progress: int | None = None,
    deadline: date | None = None,
    note: str = "",
    public_note: str = "",
    is_public: bool = False,
    reason: str = "",
) -> MeasureEvent:
    changed = bool(from_status) and from_status != measure.status
    return MeasureEvent.append(
        chain=measure.chain_name,
        measure=measure,
        action=action,
        from_status=from_status if changed else "",
        to_status=measure.status if changed else "",
        progress=progress,
        deadline=deadline,
        note=note,
        public_note=public_note,
        actor=actor,
        is_public=is_public,
        reason=reason,
    )


# --- Notifications -----------------------------------------------------------------------


def _site_url(path: str) -> str:
    return notify.site_url(path)


def _change_message(measure: Measure, event: MeasureEvent) -> str:
    """What changed, in the active language, with no internal notes."""
    values = {"measure": measure.title}
    if event.action == MeasureAction.PROGRESS:
        values["progress"] = event.progress
        return _("“%(measure)s” is now %(progress)d%% done.") % values
    if event.action == MeasureAction.APPROVE_EXTENSION:
        values.update(deadline=event.deadline.isoformat(), reason=event.public_note)
        return _("The deadline of “%(measure)s” moved to %(deadline)s. Reason: %(reason)s") % (
            values
        )
    values["status"] = MeasureStatus(measure.status).label
    return _("“%(measure)s” is now: %(status)s.") % values


def _announce(measure: Measure, event: MeasureEvent) -> None:
    """Tell the reporters of linked cases and the subscribers.

    Every linked case gets an in-app notification on its status page; its reporter also gets
    an e-mail if they left an address, or else an SMS if they left a phone number (queued in
    this transaction, in the reporter's language). Anonymous reporters, and those who did not
    agree to be contacted, get only the in-app notification."""
    problem = measure.problem
    page = reverse("commitments:public_problem", args=[problem.pk])
    cases = problem.cases.select_related("submission")
    for case in cases:
        submission = case.submission
        with translation.override(pick_language(submission.language)):
            message = _change_message(measure, event)
            Notification.objects.create(
                tracking_code=case.tracking_code, problem=problem, measure=measure, message=message
            )
        notify.queue_for_reporter(
            submission=submission,
            event=Event.MEASURE_PROGRESS,
            context={
                "code": case.tracking_code,
                "problem": problem.title,
                "change": message,
                "status_url": _site_url(reverse("public:status", args=[case.tracking_code])),
            },
            occurrence=f"measure-event:{event.pk}:case:{case.pk}",
        )
    for subscription in problem.subscriptions.filter(confirmed=True):
        with translation.override(pick_language(subscription.language)):
            change = _change_message(measure, event)
        unsubscribe = reverse("commitments:unsubscribe", args=[subscription.token])
        notify.queue(
            event=Event.SUBSCRIPTION_NEWS,
            channel=Channel.EMAIL,
            address=subscription.email,
            language=subscription.language,
            context={
                "problem": problem.title,
                "change": change,
                "page_url": _site_url(page),
                "stop_url": _site_url(unsubscribe),
            },
            occurrence=f"measure-event:{event.pk}:subscription:{subscription.pk}",
        )


# --- Measures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewMeasure:
    title: str
    unit: Unit
    start_date: date
    deadline: date
    description: str = ""
    weight: int = 1


def _check_dates(start: date, deadline: date) -> None:
    if deadline < start:
        raise MeasureError(_("The deadline cannot be before the start date."), field="deadline")


@transaction.atomic
def measure_create(*, problem: Problem, data: NewMeasure, actor: User) -> Measure:
    if not actor.has_role(*CREATORS):
        raise MeasureError(_("Your role may not do this."))
    if not data.title.strip():
        raise MeasureError(_("Say what will be done."), field="title")
    if not data.unit.is_active:
        raise MeasureError(_("That unit is no longer active."), field="unit")
    if data.weight < 1:
        raise MeasureError(_("The weight must be at least 1."), field="weight")
    _check_dates(data.start_date, data.deadline)
    measure = Measure.objects.create(
        problem=problem,
        title=data.title.strip(),
        description=data.description,
        unit=data.unit,
        start_date=data.start_date,
        deadline=data.deadline,
        weight=data.weight,
        created_by=actor,
        created_at=recorded_now(),
    )
    _record(
        measure,
        MeasureAction.CREATE,
        actor=actor,
        progress=0,
        deadline=measure.deadline,
        is_public=True,
    )
    ProblemEvent.append(
        chain=f"problem:{problem.pk}",
        problem=problem,
        action=ProblemAction.MEASURE_ADDED,
        measure=measure,
        public_note=measure.title,
        actor=actor,
        is_public=True,
    )
    return measure


@transaction.atomic
def measure_update_progress(
    *, measure: Measure, progress: int, actor: User, note: str = ""
) -> Measure:
    if not isinstance(progress, int) or isinstance(progress, bool) or not 0 <= progress <= 100:
        raise MeasureError(_("Progress must be between 0 and 100 percent."), field="progress")
    measure = _lock(measure)
    target = _check(measure, MeasureAction.PROGRESS, actor)
    if progress == measure.progress and measure.status == target:
        raise MeasureError(_("The progress is already %(progress)d%%.") % {"progress": progress})
    from_status = measure.status
    measure.progress = progress
    measure.status = target
    measure.save(update_fields=["progress", "status"])
    event = _record(
        measure,
        MeasureAction.PROGRESS,
        actor=actor,
        from_status=from_status,
        progress=progress,
        note=note,
        is_public=True,
    )
    _announce(measure, event)
    return measure


@transaction.atomic
def milestone_add(*, measure: Measure, title: str, due_date: date, actor: User) -> Milestone:
    measure = _lock(measure)
    _check(measure, MeasureAction.MILESTONE_ADD, actor)
    if not title.strip():
        raise MeasureError(_("Name the milestone."), field="title")
    if not measure.start_date <= due_date <= measure.deadline:
        raise MeasureError(
            _("A milestone falls between the start date and the deadline of its measure."),
            field="due_date",
        )
    milestone = Milestone.objects.create(measure=measure, title=title.strip(), due_date=due_date)
    _record(
        measure,
        MeasureAction.MILESTONE_ADD,
        actor=actor,
        deadline=due_date,
        public_note=milestone.title,
        is_public=True,
    )
    return milestone


@transaction.atomic
def milestone_complete(*, milestone: Milestone, actor: User, note: str = "") -> Milestone:
    measure = _lock(milestone.measure)
    _check(measure, MeasureAction.MILESTONE_COMPLETE, actor)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_at is not None:
        raise MeasureError(_("This milestone is already reached."))
    milestone.done_at = recorded_now()
    milestone.save(update_fields=["done_at"])
    _record(
        measure,
        MeasureAction.MILESTONE_COMPLETE,
        actor=actor,
        note=note,
        public_note=milestone.title,
        is_public=True,
    )
    return milestone


@transaction.atomic
def evidence_add(*, measure: Measure, upload, actor: User, note: str = "") -> Evidence:
    """Add a photo or document; its type is decided by its content."""
    measure = _lock(measure)
    _check(measure, MeasureAction.EVIDENCE, actor)
    name = getattr(upload, "name", "") or "file"
    try:
        checked = check_evidence(upload.read(), name)
    except EvidenceError as error:
        raise MeasureError(str(error), field="file") from None
    evidence = Evidence(
        measure=measure,
        original_name=name[:200],
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        note=note,
        uploaded_by=actor,
        uploaded_at=recorded_now(),
    )
    try:
        stored = save_file(
            evidence.file, f"evidence.{checked.extension}", ContentFile(checked.content)
        )
    except OSError as error:
        if not is_disk_full(error):
            raise
        raise MeasureError(
            _(
                "The file could not be stored: the server has no storage space left. Nothing "
                "was saved; please try again later."
            ),
            field="file",
        ) from None
    try:
        evidence.save()
        _record(measure, MeasureAction.EVIDENCE, actor=actor, note=note or evidence.original_name)
    except BaseException:
        # The rows roll back with the transaction; the file is not transactional.
        evidence.file.storage.delete(stored)
        raise
    return evidence


@transaction.atomic
def measure_request_extension(
    *, measure: Measure, reason: str, new_deadline: date, actor: User
) -> Extension:
    measure = _lock(measure)
    _check(measure, MeasureAction.REQUEST_EXTENSION, actor)
    if not reason.strip():
        raise MeasureError(_("Give a reason for the extension."), field="reason")
    if new_deadline <= measure.deadline:
        raise MeasureError(
            _("The new deadline must be after the current one (%(deadline)s).")
            % {"deadline": measure.deadline.isoformat()},
            field="new_deadline",
        )
    if measure.extensions.filter(approved_at__isnull=True).exists():
        raise MeasureError(_("An extension is already waiting for approval."))
    extension = Extension.objects.create(
        measure=measure,
        reason=reason.strip(),
        previous_deadline=measure.deadline,
        new_deadline=new_deadline,
        requested_by=actor,
        requested_at=recorded_now(),
    )
    _record(
        measure,
        MeasureAction.REQUEST_EXTENSION,
        actor=actor,
        deadline=new_deadline,
        note=extension.reason,
    )
    return extension


@transaction.atomic
def measure_approve_extension(*, measure: Measure, actor: User, note: str = "") -> Measure:
    """Move the deadline as requested; from now on the reason is public."""
    measure = _lock(measure)
    _check(measure, MeasureAction.APPROVE_EXTENSION, actor)
    extension = measure.extensions.select_for_update().filter(approved_at__isnull=True).first()
    if extension is None:
        raise MeasureError(_("No extension is waiting for approval."))
    extension.approved_by = actor
    extension.approved_at = recorded_now()
    extension.save(update_fields=["approved_by", "approved_at"])
    measure.deadline = extension.new_deadline
    measure.save(update_fields=["deadline"])
    event = _record(
        measure,
        MeasureAction.APPROVE_EXTENSION,
        actor=actor,
        deadline=measure.deadline,
        note=note,
        public_note=extension.reason,
        is_public=True,
    )
    _announce(measure, event)
    return measure


def _check_done(measure: Measure, actor: User, reason: str) -> None:
    """Done needs every milestone reached and evidence, or a supervisor's recorded reason."""
    missing = measure.missing_for_done()
    if not missing:
        return
    values = {"missing": pgettext("list separator between clauses", "; ").join(missing)}
    if actor.role not in SIGNERS:
        raise MeasureError(
            _(
                "This measure cannot be marked done yet: %(missing)s. Reach its milestones and "
                "add evidence first; only a supervisor may mark it done without them, giving "
                "the reason."
            )
            % values
        )
    if not reason:
        raise MeasureError(
            _(
                "This measure cannot be marked done yet: %(missing)s. Reach its milestones and "
                "add evidence first, or give the reason for marking it done without them."
            )
            % values,
            field="reason",
        )


def _transition(
    measure: Measure, action: str, actor: User, note: str, stamp: str, reason: str = ""
) -> Measure:
    measure = _lock(measure)
    target = _check(measure, action, actor)
    if action == MeasureAction.VERIFY and not measure.evidence.exists():
        raise MeasureError(
            _(
                "A measure can be signed off only with evidence: upload at least one photo or "
                "document."
            )
        )
    reason = reason.strip()
    if action == MeasureAction.MARK_DONE:
        _check_done(measure, actor, reason)
    from_status = measure.status
    measure.status = target
    setattr(measure, stamp, recorded_now())
    fields = ["status", stamp]
    if action == MeasureAction.MARK_DONE:
        measure.progress = 100
        fields.append("progress")
    measure.save(update_fields=fields)
    event = _record(
        measure,
        action,
        actor=actor,
        from_status=from_status,
        progress=measure.progress,
        note=note,
        is_public=True,
        reason=reason,
    )
    _announce(measure, event)
    return measure


@transaction.atomic
def measure_mark_done(
    *, measure: Measure, actor: User, note: str = "", reason: str = ""
) -> Measure:
    """Report the measure done: with every milestone reached and at least one piece of
    evidence, or, lacking them, by a supervisor who gives the reason (kept in the chained
    event and shown with it). Only then are subscribers and reporters told it is done."""
    return _transition(measure, MeasureAction.MARK_DONE, actor, note, "done_at", reason)


@transaction.atomic
def measure_verify(*, measure: Measure, actor: User, note: str = "") -> Measure:
    """The supervisor's sign-off (销号); it needs at least one piece of evidence."""
    return _transition(measure, MeasureAction.VERIFY, actor, note, "verified_at")


@transaction.atomic
def measure_close(*, measure: Measure, actor: User, note: str = "") -> Measure:
    return _transition(measure, MeasureAction.CLOSE, actor, note, "closed_at")


@transaction.atomic
def measure_escalate(*, measure: Measure, note: str = "") -> MeasureEvent:
    """Record that the deadline passed (scheduled job; once per deadline, see tasks.py)."""
    measure = _lock(measure)
    _check(measure, MeasureAction.ESCALATE, None)
    return _record(
        measure, MeasureAction.ESCALATE, actor=None, deadline=measure.deadline, note=note
    )


# --- Subscriptions -----------------------------------------------------------------------


def subscription_create(*, problem: Problem, email: str, language: str = "") -> Subscription:
    """Subscribe an address (again); a confirmation link is mailed, nothing else until then."""
    email = email.strip().lower()
    with transaction.atomic():
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(
                    problem=problem, email=email, language=language
                )
        except IntegrityError:
            subscription = Subscription.objects.get(problem=problem, email=email)
        if not subscription.confirmed:
            confirm = reverse("commitments:confirm", args=[subscription.token])
            unsubscribe = reverse("commitments:unsubscribe", args=[subscription.token])
            notify.queue(
                event=Event.SUBSCRIPTION_CONFIRM,
                channel=Channel.EMAIL,
                address=email,
                language=language,
                context={
                    "problem": problem.title,
                    "confirm_url": _site_url(confirm),
                    "stop_url": _site_url(unsubscribe),
                },
                # Asking again the same day sends no second link (the form could be used to
                # flood someone's mailbox); the next day it does.
                occurrence=f"subscription:{subscription.pk}:{timezone.localdate().isoformat()}",
            )
    return subscription


def subscription_confirm(*, token: str) -> Subscription | None:
    subscription = Subscription.objects.filter(token=token).select_related("problem").first()
    if subscription is not None and not subscription.confirmed:
        subscription.confirmed = True
        subscription.save(update_fields=["confirmed"])
    return subscription


def subscription_delete(*, token: str) -> Problem | None:
    subscription = Subscription.objects.filter(token=token).select_related("problem").first()
    if subscription is None:
        return None
    problem = subscription.problem
    subscription.delete()
    return problem

"""Moving an application through its steps: acceptance (with 容缺), taking it up, completing
a step, issuing, refusing, the applicant's withdrawal, and the 百姓评 link of a step.

Each change writes one event and keeps the step runs and figures current, in one transaction.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.applications import figures
from civicdesk.applications.access import may_act_on_step
from civicdesk.applications.messages import queue_outcome
from civicdesk.applications.models import (
    ActorKind,
    Application,
    MaterialKind,
    MaterialState,
    StepKind,
    StepRun,
)
from civicdesk.applications.recording import (
    ApplicationError,
    lock,
    record,
    refuse_unless,
    require_step_actor,
)
from civicdesk.applications.workflow import APPLICANT, STAFF, Action, Status, may
from civicdesk.core.deadlines import work_calendar


def _open_run(application: Application) -> StepRun:
    return StepRun.objects.select_for_update().get(
        application=application, step=application.step, completed_at__isnull=True
    )


def _finish_run(application: Application, actor: User | None, now) -> StepRun:
    run = _open_run(application)
    if run.taken_at is None:
        # Completed without being taken up first: all of its time was handling, no queue.
        run.taken_at = now
        run.holder = actor
        run.queue_seconds = max(
            0, int((now - run.arrived_at).total_seconds()) - run.applicant_wait_seconds
        )
    run.completed_at = now
    run.completed_by = actor
    run.handle_seconds = max(
        0, int((now - run.arrived_at).total_seconds()) - run.applicant_wait_seconds
    )
    run.save()
    figures.step_figure_refresh(run.step_id)
    return run


def _arrive(application: Application, step, now) -> None:
    application.step = step
    application.holder = None
    StepRun.objects.create(application=application, step=step, arrived_at=now)


def _finish(application: Application, status: str, now) -> None:
    application.status = status
    application.finished_at = now
    application.holder = None
    application.save()
    figures.application_finished(application)
    queue_outcome(application)


@transaction.atomic
def application_accept(*, application: Application, actor: User, note: str = "") -> Application:
    """受理: every required material accepted; a 容缺 material not yet in is accepted to follow
    by its deadline. The promised time limit starts now."""
    application = lock(application)
    refuse_unless(may(Action.ACCEPT, application.status, STAFF), application, Action.ACCEPT)
    require_step_actor(actor, application)
    materials = list(application.materials.select_for_update().select_related("requirement"))
    unchecked = [m.requirement.name for m in materials if m.state == MaterialState.PROVIDED]
    if unchecked:
        raise ApplicationError(
            _("Check every handed-in material before accepting: %(names)s.")
            % {"names": "、".join(unchecked)}
        )
    missing = [
        m.requirement.name
        for m in materials
        if m.requirement.kind == MaterialKind.REQUIRED and m.state != MaterialState.ACCEPTED
    ]
    if missing:
        raise ApplicationError(
            _(
                "Required materials are missing: %(names)s. Send the one-time notice, or refuse "
                "the application."
            )
            % {"names": "、".join(missing)}
        )
    now = timezone.now()
    calendar = work_calendar()
    local = timezone.localtime(now)
    deferred = []
    for material in materials:
        if material.requirement.kind == MaterialKind.DEFERRABLE and material.state in {
            MaterialState.ABSENT,
            MaterialState.REQUESTED,
        }:
            material.state = MaterialState.DEFERRED
            material.follow_up_due = calendar.add_working_days(
                local, material.requirement.follow_up_days
            )
            material.save(update_fields=["state", "follow_up_due"])
            deferred.append(material.requirement.name)
    _finish_run(application, actor, now)
    before = application.status
    application.status = Status.IN_PROGRESS
    application.accepted_at = now
    application.due_at = calendar.add_working_days(local, application.version.time_limit_days)
    application.steps_done += 1
    next_step = application.version.step_after(application.step)
    record(
        application,
        Action.ACCEPT,
        actor=actor,
        from_status=before,
        note=note.strip(),
        data={"deferred": deferred, "due_at": application.due_at.isoformat()},
        at=now,
    )
    _arrive(application, next_step, now)
    application.save()
    return application


@transaction.atomic
def step_take(*, application: Application, actor: User) -> Application:
    """An official takes the application up at its current step: from now on it is on their
    desk, and the queue in front of the step ends."""
    application = lock(application)
    refuse_unless(may(Action.TAKE, application.status, STAFF), application, Action.TAKE)
    require_step_actor(actor, application)
    if application.holder_id == actor.pk:
        raise ApplicationError(_("You have already taken this application up."))
    if application.holder_id is not None and may_act_on_step(application.holder, application.step):
        raise ApplicationError(
            _("%(name)s has already taken this application up at this step.")
            % {"name": application.holder}
        )
    now = timezone.now()
    run = _open_run(application)
    run.taken_at = now
    run.holder = actor
    run.queue_seconds = max(
        0, int((now - run.arrived_at).total_seconds()) - run.applicant_wait_seconds
    )
    run.save(update_fields=["taken_at", "holder", "queue_seconds"])
    application.holder = actor
    application.save(update_fields=["holder"])
    record(application, Action.TAKE, actor=actor, at=now)
    return application


@transaction.atomic
def step_complete(*, application: Application, actor: User, note: str = "") -> Application:
    """Complete the current step; the last one (issue) issues the application."""
    application = lock(application)
    step = application.step
    action = Action.ISSUE if step is not None and step.kind == StepKind.ISSUE else Action.COMPLETE
    refuse_unless(may(action, application.status, STAFF), application, action)
    if step.kind == StepKind.ACCEPT:
        raise ApplicationError(_("The acceptance step is completed by accepting."))
    require_step_actor(actor, application)
    if action == Action.ISSUE:
        outstanding = [
            m.requirement.name
            for m in application.materials.select_related("requirement")
            if m.state in {MaterialState.DEFERRED, MaterialState.PROVIDED}
        ]
        if outstanding:
            raise ApplicationError(
                _(
                    "Materials that were to follow (容缺) are not yet in and checked: "
                    "%(names)s. Issue once they are."
                )
                % {"names": "、".join(outstanding)}
            )
    now = timezone.now()
    _finish_run(application, actor, now)
    application.steps_done += 1
    before = application.status
    if action == Action.ISSUE:
        application.status = Status.ISSUED
        record(application, action, actor=actor, from_status=before, note=note.strip(), at=now)
        _finish(application, Status.ISSUED, now)
        return application
    record(application, action, actor=actor, from_status=before, note=note.strip(), at=now)
    _arrive(application, application.version.step_after(step), now)
    application.save()
    return application


@transaction.atomic
def application_refuse(*, application: Application, actor: User, reason: str) -> Application:
    """不予受理 / 不予许可, with the reason the applicant reads."""
    application = lock(application)
    refuse_unless(may(Action.REFUSE, application.status, STAFF), application, Action.REFUSE)
    require_step_actor(actor, application)
    reason = reason.strip()
    if not reason:
        raise ApplicationError({"reason": [_("Reason: say why the application is refused.")]})
    now = timezone.now()
    _finish_run(application, actor, now)
    before = application.status
    application.status = Status.REFUSED
    application.outcome_note = reason
    record(application, Action.REFUSE, actor=actor, from_status=before, note=reason, at=now)
    _finish(application, Status.REFUSED, now)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, reason: str = "") -> Application:
    """The applicant withdraws their application."""
    application = lock(application)
    refuse_unless(may(Action.WITHDRAW, application.status, APPLICANT), application, Action.WITHDRAW)
    now = timezone.now()
    run = application.step_runs.open().first()
    if run is not None:
        # Not a completed passage: the step's times count only work that was finished.
        StepRun.objects.filter(pk=run.pk).update(completed_at=now)
    if application.waiting_since is not None:
        application.applicant_wait_seconds += max(
            0, int((now - application.waiting_since).total_seconds())
        )
        application.waiting_since = None
    before = application.status
    application.status = Status.WITHDRAWN
    application.outcome_note = reason.strip()
    record(
        application,
        Action.WITHDRAW,
        actor_kind=ActorKind.APPLICANT,
        from_status=before,
        note=reason.strip(),
        at=now,
    )
    _finish(application, Status.WITHDRAWN, now)
    return application


def rating_link(*, application: Application, actor: User | None):
    """A 百姓评 link for the application at its current (or last) step, so that a bad rating
    names the matter and the step. The window rated is the application's window, else the
    acceptance step's unit."""
    from civicdesk.ratings.services import RatingError, invitation_create

    step = application.step or application.version.steps.order_by("-position").first()
    window = application.window or application.version.first_step.unit
    works_there = actor is not None and actor.unit is not None
    works_there = works_there and actor.unit.path.startswith(window.path)
    try:
        with transaction.atomic():
            invitation = invitation_create(
                window=window,
                actor=actor,
                staff=actor if works_there else None,
                service_name=application.item.name,
                application=application,
                step=step,
            )
            record(
                application,
                Action.RATING,
                actor=actor,
                actor_kind=ActorKind.STAFF if actor else ActorKind.APPLICANT,
            )
    except RatingError as error:
        raise ApplicationError(str(error)) from None
    return invitation

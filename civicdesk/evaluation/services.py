"""Every change of a follow-up goes through here: atomic, once only, and on the case timeline."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.services import CaseActionError, case_reopen
from civicdesk.cases.workflow import REPORTER, SYSTEM, Action, Status
from civicdesk.evaluation.models import (
    AnswerChannel,
    FollowUp,
    FollowUpStatus,
    Satisfaction,
    SentVia,
)
from civicdesk.notifications.models import Event
from civicdesk.notifications.models import Status as OutboxStatus
from civicdesk.notifications.services import queue_for_reporter

DEFAULT_FOLLOWUP_DAYS = 7
ANSWERED_STATUSES = (Status.ANSWERED, Status.CLOSED)


class FollowUpError(Exception):
    """A follow-up answer that cannot be taken; the message is translated."""


def followup_days() -> int:
    return int(getattr(settings, "CIVICDESK_FOLLOWUP_DAYS", DEFAULT_FOLLOWUP_DAYS))


def followup_url(followup: FollowUp) -> str:
    path = reverse("evaluation:followup", kwargs={"token": followup.token})
    return getattr(settings, "CIVICDESK_SITE_URL", "").rstrip("/") + path


def _send_link(followup: FollowUp) -> str:
    """Queue the follow-up link to the reporter (e-mail if given, else SMS, in their language);
    returns the channel it goes by, or "" when nothing goes out."""
    case = followup.case
    row = queue_for_reporter(
        submission=case.submission,
        event=Event.FOLLOWUP_REQUEST,
        context={
            "code": case.tracking_code,
            "days": followup_days(),
            "followup_url": followup_url(followup),
        },
        occurrence=f"followup:{followup.pk}",
    )
    return row.channel if row is not None and row.status == OutboxStatus.PENDING else ""


def _timeline(
    case: Case, *, actor: User | None, note: str, data: dict, by_reporter: bool = False
) -> CaseEvent:
    """An internal timeline entry (append-only) for each step of a follow-up."""
    return CaseEvent.objects.create(
        case=case,
        action=Action.NOTE,
        actor=actor,
        actor_kind="" if actor is not None else (REPORTER if by_reporter else SYSTEM),
        unit=case.unit,
        note=note,
        data=data,
    )


@transaction.atomic
def followup_open(*, case: Case, notify: bool = True) -> FollowUp | None:
    """Open the follow-up of the case's current answer and send its link to the reporter
    (e-mail if given, else SMS; anonymous reporters, those who did not agree to be contacted
    and those who stopped such messages get nothing and answer on their status page). Returns
    None when the case has no answer in force; an existing follow-up of the same answer is
    returned unchanged, so calling it twice opens and sends only once."""
    case = Case.objects.select_for_update(of=("self",)).select_related("submission").get(pk=case.pk)
    if case.status not in ANSWERED_STATUSES or case.answered_at is None:
        return None
    existing = FollowUp.objects.current_for(case).first()
    if existing is not None:
        return existing
    now = timezone.now()
    followup = FollowUp(
        case=case,
        answer_of=case.answered_at,
        token=secrets.token_urlsafe(32),
        created_at=now,
        due_at=now + timedelta(days=followup_days()),
    )
    try:
        with transaction.atomic():
            followup.save()
    except IntegrityError:  # Another worker opened it meanwhile.
        return FollowUp.objects.current_for(case).get()
    if notify:
        followup.sent_via = SentVia(_send_link(followup))
        if followup.sent_via:
            followup.save(update_fields=["sent_via"])
    _timeline(
        case,
        actor=None,
        note=_("Satisfaction follow-up opened."),
        data={"followup": "open", "sent_via": followup.sent_via},
    )
    return followup


def _check_answer(solved: bool | None, satisfaction: int | None, channel: str) -> None:
    if solved is None:
        raise FollowUpError(_("Say whether the problem was solved."))
    if channel == AnswerChannel.VERIFIED:
        if satisfaction is not None:
            raise FollowUpError(_("A staff verification records no satisfaction level."))
        return
    if satisfaction not in Satisfaction.values:
        raise FollowUpError(_("Choose one of the five satisfaction levels."))


@transaction.atomic
def followup_answer(
    *,
    followup: FollowUp,
    solved: bool | None,
    satisfaction: int | None,
    comment: str = "",
    channel: str = AnswerChannel.WEB,
    actor: User | None = None,
) -> FollowUp:
    """Take the one answer of a follow-up: online by the reporter (no actor), or a return call,
    a verification or a return visit recorded by staff. "Not solved" reopens the case."""
    if channel not in AnswerChannel.values or (channel == AnswerChannel.WEB) != (actor is None):
        raise FollowUpError(_("This way of answering is not allowed."))
    _check_answer(solved, satisfaction, channel)
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if followup.status == FollowUpStatus.ANSWERED:
        raise FollowUpError(_("This follow-up was already answered. Thank you."))
    if followup.status == FollowUpStatus.NO_ANSWER and channel != AnswerChannel.VISIT:
        # Only the call centre's return visit may still reach the person afterwards: the
        # queue calls back about answers whose online follow-up went unanswered.
        raise FollowUpError(_("This follow-up has closed without an answer."))
    comment = comment.strip()
    followup.status = FollowUpStatus.ANSWERED
    followup.responded_at = timezone.now()
    followup.channel = channel
    followup.solved = solved
    followup.satisfaction = satisfaction
    followup.comment = comment
    followup.recorded_by = actor
    followup.save()
    case = followup.case
    _timeline(
        case,
        actor=actor,
        note=comment,
        data={
            "followup": "answer",
            "channel": channel,
            "solved": solved,
            "satisfaction": satisfaction,
        },
        by_reporter=actor is None,
    )
    if not solved:
        case.refresh_from_db()
        # Only the answer asked about can be reopened; a case reopened meanwhile stays as it is.
        if case.status in ANSWERED_STATUSES and case.answered_at == followup.answer_of:
            try:
                case_reopen(
                    case=case,
                    actor=None,
                    reason=comment or _("The reporter said the problem was not solved."),
                )
            except CaseActionError as error:
                raise FollowUpError(str(error)) from error
    return followup


def followup_answer_from_visit(
    *,
    case: Case,
    answer_of,
    actor: User,
    solved: bool,
    satisfaction: int,
    comment: str = "",
) -> FollowUp | None:
    """The evaluation of an answer heard on a return visit: it answers the follow-up of that
    answer (opened first if need be, without a message) while the reporter has given none,
    even after it closed as "no answer". Returns None, changing nothing, when the follow-up
    was already answered (the reporter's own word is never replaced) or the answer asked
    about is no longer the one in force."""
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if case.answered_at != answer_of or case.status not in ANSWERED_STATUSES:
            return None
        followup = followup_open(case=case, notify=False)
        if followup is None or followup.status == FollowUpStatus.ANSWERED:
            return None
        return followup_answer(
            followup=followup,
            solved=solved,
            satisfaction=satisfaction,
            comment=comment,
            channel=AnswerChannel.VISIT,
            actor=actor,
        )


def followup_record_call(
    *,
    case: Case,
    actor: User,
    solved: bool | None,
    satisfaction: int | None,
    comment: str = "",
    channel: str = AnswerChannel.PHONE,
) -> FollowUp:
    """Staff record what the reporter said on a return call (or their own verification),
    opening the follow-up first if the scheduled task has not yet done so (no message sent)."""
    if channel not in (AnswerChannel.PHONE, AnswerChannel.VERIFIED):
        # Online answers are the reporter's; return visits go through the visit queue.
        raise FollowUpError(_("This way of answering is not allowed."))
    if channel == AnswerChannel.PHONE and not case.reporter_may_be_contacted:
        raise FollowUpError(
            _(
                "The reporter asked not to be contacted about this case, so there is no return "
                "call to record; record a staff verification instead."
            )
        )
    with transaction.atomic():
        followup = followup_open(case=case, notify=False)
        if followup is None:
            raise FollowUpError(_("Only answered cases can be followed up."))
        return followup_answer(
            followup=followup,
            solved=solved,
            satisfaction=satisfaction,
            comment=comment,
            channel=channel,
            actor=actor,
        )


@transaction.atomic
def followup_expire(*, followup: FollowUp) -> bool:
    """Record a follow-up whose time ran out as "no answer" (never as satisfied)."""
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if followup.status != FollowUpStatus.PENDING or followup.due_at > timezone.now():
        return False
    followup.status = FollowUpStatus.NO_ANSWER
    followup.save(update_fields=["status"])
    _timeline(
        followup.case,
        actor=None,
        note=_("The reporter did not answer the satisfaction follow-up."),
        data={"followup": "no_answer"},
    )
    return True

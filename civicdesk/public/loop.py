"""The citizen's loop on the status page: the satisfaction question once the case is
answered (answered right there, the tracking code being the key), and an answer the reporter
disputed, marked as such and no longer leading the page."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.workflow import REPORTER, Action, Status
from civicdesk.evaluation import services as followups
from civicdesk.evaluation.models import FollowUp, FollowUpStatus


@dataclass(frozen=True)
class Dispute:
    """Why the answer on record is not in force: reopened at `at`, by the reporter ("not
    solved", online or on the follow-up) or by the office."""

    at: datetime
    by_reporter: bool


def last_reopening(events: list[CaseEvent]) -> Dispute | None:
    """The reopening after the last answer, among the case's public events (in order)."""
    found = None
    for event in events:
        if event.action == Action.ANSWER:
            found = None
        elif event.action == Action.REOPEN:
            found = Dispute(at=event.created_at, by_reporter=event.actor_kind == REPORTER)
    return found


def answer_context(case: Case, events: list[CaseEvent]) -> dict:
    """What the page says about the answer: the one in force, or the disputed one."""
    if case.status == Status.REOPENED and case.answer:
        return {"dispute": last_reopening(events) or Dispute(at=None, by_reporter=False)}
    replaced = case.reopen_count > 0 and case.status in followups.ANSWERED_STATUSES
    return {"dispute": None, "replaces_disputed": replaced}


def current_followup(case: Case) -> FollowUp | None:
    if case.answered_at is None:
        return None
    return FollowUp.objects.current_for(case).first()


def may_answer(case: Case, followup: FollowUp | None, now: datetime | None = None) -> bool:
    """The satisfaction question is open on the page while the answer is in force and its
    follow-up waits; before the scheduled job opens the follow-up, while the answer is recent
    (CIVICDESK_FOLLOWUP_DAYS), as the job would."""
    if case.status not in followups.ANSWERED_STATUSES or case.answered_at is None:
        return False
    if followup is not None:
        return followup.status == FollowUpStatus.PENDING
    now = now or timezone.now()
    return case.answered_at >= now - timedelta(days=followups.followup_days())


@transaction.atomic
def answer_on_status_page(
    *, case: Case, solved: bool, satisfaction: int | None, comment: str
) -> FollowUp:
    """The reporter's answer given on the status page: the follow-up of the answer in force
    is opened if need be (no message: they are answering now) and answered online. "Not
    solved" reopens the case, as on the follow-up link."""
    if not may_answer(case, current_followup(case)):
        raise followups.FollowUpError(_("There is no answer to evaluate on this report now."))
    followup = followups.followup_open(case=case, notify=False)
    if followup is None:  # answered, then reopened meanwhile
        raise followups.FollowUpError(_("There is no answer to evaluate on this report now."))
    return followups.followup_answer(
        followup=followup, solved=solved, satisfaction=satisfaction, comment=comment
    )

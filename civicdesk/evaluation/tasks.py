"""Scheduled follow-up work for `civicdesk worker`; every job is idempotent.

Add to ``CIVICDESK_SCHEDULED_TASKS``:
``civicdesk.evaluation.tasks.open_followups,civicdesk.evaluation.tasks.expire_followups,``
``civicdesk.evaluation.tasks.build_return_visit_queue``.
"""

import logging
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from civicdesk.cases.models import Case
from civicdesk.evaluation import services, visits
from civicdesk.evaluation.models import FollowUp

logger = logging.getLogger(__name__)


def cases_needing_followup():
    """Cases whose answer in force has no follow-up yet, answered within the follow-up window
    (so that turning the feature on does not message every reporter of the past)."""
    since = timezone.now() - timedelta(days=services.followup_days())
    has_followup = FollowUp.objects.filter(case=OuterRef("pk"), answer_of=OuterRef("answered_at"))
    return (
        Case.objects.filter(status__in=services.ANSWERED_STATUSES, answered_at__gte=since)
        .exclude(Exists(has_followup))
        .order_by("answered_at")
    )


@task()
def open_followups() -> int:
    """Open (and send) the satisfaction follow-up of every newly answered case."""
    count = 0
    for case in cases_needing_followup().iterator():
        if services.followup_open(case=case) is not None:
            count += 1
    logger.info("opened %d follow-ups", count)
    return count


@task()
def expire_followups() -> int:
    """Record follow-ups unanswered after CIVICDESK_FOLLOWUP_DAYS as "no answer"."""
    count = 0
    for followup in FollowUp.objects.pending().filter(due_at__lte=timezone.now()).iterator():
        count += services.followup_expire(followup=followup)
    logger.info("recorded %d follow-ups without answer", count)
    return count


@task()
def build_return_visit_queue() -> int:
    """Queue the return visits the sampling rules pick among recent answers, and cancel the
    waiting ones whose answer is no longer in force (see evaluation/visits.py)."""
    run = visits.build_queue()
    logger.info("queued %d return visits, cancelled %d", run.queued, run.cancelled)
    return run.queued

"""Scheduled case work, run by `civicdesk worker`. Each job is idempotent: running it twice,
or on two workers at once, changes nothing the second time."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from civicdesk.cases import extensions, services
from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status

logger = logging.getLogger(__name__)


@task()
def escalate_overdue_cases() -> int:
    """Escalate each overdue open case once, so supervisors see it on top of their inbox."""
    count = 0
    for case in Case.objects.overdue().filter(escalated_at__isnull=True).iterator():
        try:
            services.case_escalate(
                case=case, actor=None, note=_("Escalated automatically: a deadline has passed.")
            )
        except services.CaseActionError:
            continue  # Changed meanwhile (answered, merged, or escalated by another worker).
        count += 1
    logger.info("escalated %d overdue cases", count)
    return count


@task()
def close_undisputed_cases() -> int:
    """Close answered cases whose reporters did not dispute the answer in time."""
    cutoff = timezone.now() - timedelta(days=settings.CIVICDESK_REOPEN_DAYS)
    count = 0
    for case in Case.objects.filter(status=Status.ANSWERED, answered_at__lt=cutoff).iterator():
        try:
            services.case_close(
                case=case, actor=None, note=_("Closed automatically: the answer was not disputed.")
            )
        except services.CaseActionError:
            continue
        count += 1
    logger.info("closed %d undisputed cases", count)
    return count


@task()
def resume_due_suspensions() -> int:
    """Resume suspended cases on the day their unit said they would resume: a suspension
    cannot quietly outlast what the supervisor approved."""
    count = 0
    for case in extensions.cases_due_to_resume().iterator():
        try:
            extensions.resume(
                case=case, actor=None, note=_("Resumed automatically on the date approved.")
            )
        except services.CaseActionError:
            continue  # resumed meanwhile
        count += 1
    logger.info("resumed %d suspended cases", count)
    return count

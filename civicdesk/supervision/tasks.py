"""Scheduled supervision of letters, run by `civicdesk worker`. Each job is idempotent: a
letter is reminded once and escalated once (the services re-check under a row lock), so
running a job twice, or on two workers at once, changes nothing the second time."""

import logging

from django.conf import settings
from django_tasks import task

from civicdesk.core.deadlines import local_today, work_calendar
from civicdesk.supervision import services
from civicdesk.supervision.models import SupervisionLetter

logger = logging.getLogger(__name__)


def _remind_until():
    """The last deadline day reminded today: CIVICDESK_SUPERVISION_REMIND_DAYS working days on."""
    calendar = work_calendar()
    day = local_today()
    for _step in range(settings.CIVICDESK_SUPERVISION_REMIND_DAYS):
        day = calendar.next_working_day(day)
    return day


@task()
def remind_supervision_letters() -> int:
    """Remind units of letters due within the reminder window, once each."""
    due = SupervisionLetter.objects.awaiting_reply().filter(
        reminded_at__isnull=True, deadline__gte=local_today(), deadline__lte=_remind_until()
    )
    count = sum(services.letter_remind(letter=letter) for letter in due.iterator())
    logger.info("reminded units of %d supervision letters", count)
    return count


@task()
def escalate_late_supervision_letters() -> int:
    """Escalate each letter still unanswered after its deadline to the unit's leaders, once."""
    late = SupervisionLetter.objects.late().filter(escalated_at__isnull=True)
    count = sum(services.letter_escalate(letter=letter) for letter in late.iterator())
    logger.info("escalated %d late supervision letters", count)
    return count

"""Scheduled supervision of measures, run by `civicdesk worker`. Each job is idempotent: a
reminder or an escalation is queued once per measure and deadline (recorded in Reminder, and
keyed by it in the outbox), so running a job twice, or on two workers at once, sends nothing
the second time."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from civicdesk.accounts.models import Role, User
from civicdesk.commitments import services
from civicdesk.commitments.models import Measure, Reminder, ReminderKind
from civicdesk.commitments.services import _site_url
from civicdesk.core.templatetags.civic import local_name
from civicdesk.notifications import services as notify
from civicdesk.notifications.models import Channel, Event

logger = logging.getLogger(__name__)


def _claim(measure: Measure, kind: str) -> Reminder | None:
    """Record the reminder for this deadline; None if it was already recorded."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(measure=measure, kind=kind, deadline=measure.deadline)
    except IntegrityError:
        return None


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _emails(users) -> list[str]:
    return sorted({u.email for u in users if u.email})


def _mail(recipients: list[str], event: str, reminder: Reminder, context: dict) -> None:
    """Queue the staff message in the site's language (staff have no language of their own)."""
    for to in recipients:
        notify.queue(
            event=event,
            channel=Channel.EMAIL,
            address=to,
            language=settings.LANGUAGE_CODE,
            context=context,
            occurrence=f"reminder:{reminder.pk}",
        )


def _context(measure: Measure) -> dict:
    return {
        "measure": measure.title,
        "unit": lambda: local_name(measure.unit),  # in the language the message is in
        "problem": measure.problem.title,
        "deadline": measure.deadline.isoformat(),
        "progress": measure.progress,
        "url": _site_url(reverse("commitments:staff_measure", args=[measure.pk])),
    }


@task()
def remind_due_measures(days: int = 3) -> int:
    """Remind the unit's handlers of measures due within `days` working days, once each."""
    count = 0
    for measure in Measure.objects.due_soon(days).select_related("unit", "problem").iterator():
        with transaction.atomic():
            reminder = _claim(measure, ReminderKind.REMIND)
            if reminder is None:
                continue
            handlers = User.objects.filter(is_active=True, role=Role.HANDLER, unit=measure.unit)
            _mail(_emails(handlers), Event.MEASURE_REMINDER, reminder, _context(measure))
        count += 1
    logger.info("reminded about %d measures due soon", count)
    return count


@task()
def escalate_overdue_measures() -> int:
    """Escalate each overdue measure once per deadline to the supervisors and the unit's leaders."""
    count = 0
    for measure in Measure.objects.overdue().select_related("unit", "problem").iterator():
        with transaction.atomic():
            reminder = _claim(measure, ReminderKind.ESCALATE)
            if reminder is None:
                continue
            try:
                services.measure_escalate(
                    measure=measure, note=_("Escalated automatically: the deadline has passed.")
                )
            except services.MeasureError:
                transaction.set_rollback(True)  # done meanwhile: nothing to escalate
                continue
            recipients = User.objects.filter(is_active=True).filter(
                Q(role=Role.SUPERVISOR)
                | Q(role=Role.LEADER, unit__path__in=_ancestor_paths(measure.unit.path))
            )
            _mail(_emails(recipients), Event.MEASURE_ESCALATION, reminder, _context(measure))
        count += 1
    logger.info("escalated %d overdue measures", count)
    return count

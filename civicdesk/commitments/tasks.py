"""Scheduled supervision of measures, run by `civicdesk worker`. Each job is idempotent: a
reminder or an escalation goes out once per measure and deadline (recorded in Reminder), so
running a job twice, or on two workers at once, sends nothing the second time."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from civicdesk.accounts.models import Role, User
from civicdesk.commitments import services
from civicdesk.commitments.models import Measure, Reminder, ReminderKind
from civicdesk.commitments.senders import email_message
from civicdesk.commitments.services import _site_url, send_after_commit

logger = logging.getLogger(__name__)


def _claim(measure: Measure, kind: str) -> bool:
    """Record the reminder for this deadline; False if it was already recorded."""
    try:
        with transaction.atomic():
            Reminder.objects.create(measure=measure, kind=kind, deadline=measure.deadline)
    except IntegrityError:
        return False
    return True


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _emails(users) -> list[str]:
    return sorted({u.email for u in users if u.email})


def _mail(recipients: list[str], subject: str, body: str) -> None:
    send_after_commit([email_message(to, subject, body) for to in recipients])


@task()
def remind_due_measures(days: int = 3) -> int:
    """Remind the unit's handlers of measures due within `days` working days, once each."""
    count = 0
    for measure in Measure.objects.due_soon(days).select_related("unit", "problem").iterator():
        with transaction.atomic():
            if not _claim(measure, ReminderKind.REMIND):
                continue
            handlers = User.objects.filter(is_active=True, role=Role.HANDLER, unit=measure.unit)
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Due on %(deadline)s: %(measure)s") % {
                    "deadline": measure.deadline.isoformat(),
                    "measure": measure.title,
                }
                body = _(
                    "The measure “%(measure)s” for the problem “%(problem)s” is due on "
                    "%(deadline)s and is %(progress)d%% done.\n\n%(url)s"
                ) % {
                    "measure": measure.title,
                    "problem": measure.problem.title,
                    "deadline": measure.deadline.isoformat(),
                    "progress": measure.progress,
                    "url": _site_url(reverse("commitments:staff_measure", args=[measure.pk])),
                }
            _mail(_emails(handlers), subject, body)
        count += 1
    logger.info("reminded about %d measures due soon", count)
    return count


@task()
def escalate_overdue_measures() -> int:
    """Escalate each overdue measure once per deadline to the supervisors and the unit's leaders."""
    count = 0
    for measure in Measure.objects.overdue().select_related("unit", "problem").iterator():
        with transaction.atomic():
            if not _claim(measure, ReminderKind.ESCALATE):
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
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Overdue since %(deadline)s: %(measure)s") % {
                    "deadline": measure.deadline.isoformat(),
                    "measure": measure.title,
                }
                body = _(
                    "The measure “%(measure)s” of %(unit)s for the problem “%(problem)s” was "
                    "due on %(deadline)s and is %(progress)d%% done.\n\n%(url)s"
                ) % {
                    "measure": measure.title,
                    "unit": measure.unit.name,
                    "problem": measure.problem.title,
                    "deadline": measure.deadline.isoformat(),
                    "progress": measure.progress,
                    "url": _site_url(reverse("commitments:staff_measure", args=[measure.pk])),
                }
            _mail(_emails(recipients), subject, body)
        count += 1
    logger.info("escalated %d overdue measures", count)
    return count

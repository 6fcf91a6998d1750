"""Delivery of the outbox by `civicdesk worker`.

Enqueued after every transaction that queues a message, and listed in
``CIVICDESK_SCHEDULED_TASKS`` as the safety net (retries, and messages whose enqueue was lost).
Idempotent and safe to run on several workers at once (see delivery.py).

``remove_old_outbox_messages``, also in the schedule, deletes finished messages past the
retention period.
"""

import logging

from django_tasks import task

from civicdesk.notifications.delivery import deliver_due
from civicdesk.notifications.services import outbox_remove_expired

logger = logging.getLogger(__name__)


@task()
def deliver_outbox() -> dict[str, int]:
    """Send every due message; returns how many ended in each status."""
    report = deliver_due()
    if report.counts:
        logger.info("outbox delivery: %s", report.counts)
    return report.counts


@task()
def remove_old_outbox_messages() -> int:
    """Delete sent, failed and cancelled messages older than CIVICDESK_OUTBOX_RETENTION_DAYS
    (never pending ones). Idempotent: a second run deletes nothing."""
    return outbox_remove_expired()

"""Scheduled refresh of the dashboard's figures for `civicdesk worker`; idempotent.

Listed in ``CIVICDESK_SCHEDULED_TASKS``; run it as often as the figures should follow the
cases (every run of `civicdesk enqueue_scheduled`, e.g. hourly, or more often from a timer).
"""

import logging

from django_tasks import task

from civicdesk.dashboard import aggregate

logger = logging.getLogger(__name__)


@task()
def refresh_dashboard(full: bool = False) -> int:
    """Rebuild the figures of the days that may have changed; returns how many days."""
    done = aggregate.refresh(full=full)
    logger.info("dashboard figures: %d days rebuilt in %.1f s", done.days, done.seconds)
    return done.days

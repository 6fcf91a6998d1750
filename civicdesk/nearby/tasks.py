"""The scheduled job of area alerts (listed in CIVICDESK_SCHEDULED_TASKS)."""

from django_tasks import task

from civicdesk.nearby.services import send_area_alerts


@task()
def send_alerts() -> int:
    """Mail confirmed subscribers the new published reports in their areas; idempotent,
    a report never goes to the same subscriber twice. Returns the messages queued."""
    return send_area_alerts()

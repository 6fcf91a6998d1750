"""Background imports for `civicdesk worker`, and the retention of their reports.

`remove_old_import_reports` belongs in ``CIVICDESK_SCHEDULED_TASKS``; it is idempotent, so
running it every few minutes, or on two workers at once, deletes each report once.
"""

from django_tasks import task

from civicdesk.imports import services


@task()
def run_import(job_id: int) -> str:
    job = services.job_execute(job_id)
    return job.status if job is not None else ""


@task()
def remove_old_import_reports() -> int:
    """Delete rejected-rows reports older than CIVICDESK_IMPORT_REPORT_RETENTION_DAYS."""
    return services.reports_remove_expired()

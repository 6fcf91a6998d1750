"""Background imports for `civicdesk worker`."""

from django_tasks import task

from civicdesk.imports import services


@task()
def run_import(job_id: int) -> str:
    job = services.job_execute(job_id)
    return job.status if job is not None else ""

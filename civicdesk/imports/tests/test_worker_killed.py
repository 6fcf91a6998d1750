"""Fault: the import worker is killed outright in the middle of a job (SIGTERM → SystemExit,
which no error handler records), is found stale, and is run again: nothing twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.conftest import login
from civicdesk.imports import services
from civicdesk.imports.models import ImportJob, JobStatus
from civicdesk.intake.models import Submission

from .conftest import URL
from .test_jobs import start_portal_job

pytestmark = pytest.mark.django_db


def test_a_killed_job_found_stale_runs_again_without_duplicates(
    clerk, channels, upload, run_jobs, monkeypatch
):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    real = services.submissions_create_bulk
    calls = []

    def killed_on_the_second_batch(*, items):
        calls.append(len(items))
        if len(calls) == 2:
            raise SystemExit(143)
        return real(items=items)

    monkeypatch.setattr(services, "submissions_create_bulk", killed_on_the_second_batch)
    client = login(clerk)
    # The task backend records the dead task; the job itself is left as the worker left it.
    job = start_portal_job(client, upload, channels, run_jobs)
    assert job.status == JobStatus.RUNNING  # nobody lived to record the failure
    assert Submission.objects.count() == 2  # the first batch was committed
    monkeypatch.setattr(services, "submissions_create_bulk", real)

    # Not while its worker might still be alive; once the heartbeat is old, yes.
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - services.STALE_AFTER - timedelta(minutes=1)
    )
    response = run_jobs(client, f"{URL}{job.pk}/rerun/")
    assert response.status_code == 302

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.imported, job.duplicates) == (4, 0)
    assert Submission.objects.count() == Case.objects.count() == 4
    ids = list(Submission.objects.values_list("external_id", flat=True))
    assert len(ids) == len(set(ids))

    run_jobs(client, f"{URL}{job.pk}/rerun/")  # refused: it is done; nothing changes
    assert Submission.objects.count() == 4

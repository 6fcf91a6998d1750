"""Running imports: all-or-nothing files, interrupted and repeated runs, races, bulk cases."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from civicdesk.cases.models import Case, CaseEvent
from civicdesk.conftest import login
from civicdesk.core.deadlines import stage_deadlines
from civicdesk.imports import services
from civicdesk.imports.checks import external_id_for
from civicdesk.imports.models import ImportJob, JobStatus
from civicdesk.imports.tasks import run_import
from civicdesk.intake import services as intake
from civicdesk.intake.models import Submission

from .conftest import URL, xlsx


def start_portal_job(client, upload, channels, run_jobs=None, **extra) -> ImportJob:
    upload(client, "portal_messages.csv", channel_id=channels["portal"].pk, source_name="门户")
    job = ImportJob.objects.latest("id")
    if run_jobs is None:
        client.post(f"{URL}{job.pk}/preview/")
    else:
        run_jobs(client, f"{URL}{job.pk}/preview/")
    job.refresh_from_db()
    return job


def test_a_task_delivered_twice_runs_once(clerk, channels, upload, run_jobs):
    job = start_portal_job(login(clerk), upload, channels, run_jobs)
    assert job.status == JobStatus.DONE and job.imported == 4
    run_import.call(job.pk)
    job.refresh_from_db()
    assert job.imported == 4 and job.events.filter(action="started").count() == 1
    assert Submission.objects.count() == 4


def test_a_file_broken_past_the_preview_imports_nothing(clerk, channels, upload, run_jobs):
    rows = [["内容", "时间"]] + [[f"第{i}条：路灯不亮", "2025-03-01 08:00"] for i in range(30)]
    rows[27] = ["第27条", "2025-03-01 08:00", "多出来的一格"]
    client = login(clerk)
    upload(client, "big.xlsx", xlsx(rows), channel_id=channels["portal"].pk, source_name="门户")
    job = ImportJob.objects.get()
    assert job.status == JobStatus.DRAFT  # the first 20 rows read fine
    run_jobs(client, f"{URL}{job.pk}/preview/")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("Row 28 has 3 cells but row 1 names only 2 columns")
    assert job.imported == 0 and not Submission.objects.exists()
    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert 'id="job-error"' in page and "Row 28 has 3 cells" in page


def test_a_vanished_upload_fails_with_a_reason(clerk, channels, upload, run_jobs):
    client = login(clerk)
    upload(client, "portal_messages.csv", channel_id=channels["portal"].pk, source_name="门户")
    job = ImportJob.objects.get()
    job.upload.storage.delete(job.upload.name)
    run_jobs(client, f"{URL}{job.pk}/preview/")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "no longer on the server" in job.error


def test_an_interrupted_job_runs_again_without_duplicates(
    clerk, channels, upload, run_jobs, monkeypatch
):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    real = services.submissions_create_bulk
    calls = []

    def dies_on_the_second_batch(*, items):
        calls.append(len(items))
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(items=items)

    monkeypatch.setattr(services, "submissions_create_bulk", dies_on_the_second_batch)
    client = login(clerk)
    job = start_portal_job(client, upload, channels, run_jobs)
    assert job.status == JobStatus.FAILED and "worker killed" in job.error
    assert "run it again to import the rest" in job.error
    assert Submission.objects.count() == 2 and job.imported == 2  # the first batch stays

    response = run_jobs(client, f"{URL}{job.pk}/rerun/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    # What the first try stored counts as imported by this job, not as already there.
    assert (job.imported, job.duplicates, job.rejected) == (4, 0, 2)
    assert Submission.objects.count() == Case.objects.count() == 4
    assert list(job.events.values_list("action", flat=True)) == [
        "uploaded",
        "queued",
        "started",
        "failed",
        "requeued",
        "started",
        "finished",
    ]


def test_only_failed_or_abandoned_jobs_run_again(clerk, channels, upload, run_jobs):
    client = login(clerk)
    job = start_portal_job(client, upload, channels)  # queued, no worker
    response = client.post(f"{URL}{job.pk}/rerun/", follow=True)
    assert "Only a failed import, or one whose worker stopped" in response.content.decode()

    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    client.post(f"{URL}{job.pk}/rerun/")
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # its worker is alive: leave it alone
    assert "Run it again" not in client.get(f"{URL}{job.pk}/").content.decode()

    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=now - timedelta(minutes=30))
    assert "Run it again" in client.get(f"{URL}{job.pk}/").content.decode()
    run_jobs(client, f"{URL}{job.pk}/rerun/")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.imported == 4


def test_a_message_stored_by_someone_else_meanwhile_is_not_stored_twice(
    clerk, channels, upload, run_jobs, monkeypatch
):
    """Another import stores a message between this one's look and its insert: the unique
    constraint catches it, and the batch is looked at again."""
    rival = intake.NewSubmission(
        channel=channels["portal"],
        description="另一个导入先存了这条",
        external_id=external_id_for("WZ20250301001", "门户"),
        source_details={"import": 0},
    )
    intake.submission_create(data=rival)
    real = services._known
    looks = []

    def blind_the_first_time(job, external_ids):
        looks.append(len(external_ids))
        return {} if len(looks) == 1 else real(job, external_ids)

    monkeypatch.setattr(services, "_known", blind_the_first_time)
    job = start_portal_job(login(clerk), upload, channels, run_jobs)
    assert job.status == JobStatus.DONE and len(looks) == 2
    assert (job.imported, job.duplicates) == (3, 1)
    assert Submission.objects.filter(external_id=rival.external_id).count() == 1
    assert Submission.objects.count() == Case.objects.count() - 0 == 4


def test_bulk_cases_are_what_case_open_gives(clerk, channels):
    """The bulk path used by imports and the one-by-one path build the same case."""
    received = timezone.now() - timedelta(days=3)

    def data(external_id: str) -> intake.NewSubmission:
        return intake.NewSubmission(
            channel=channels["chat_group"],
            description="  东苑3栋门口路灯不亮，联系人王阿姨 13812345678  ",
            address=" 东苑小区3栋 ",
            contact_name="王阿姨",
            contact_phone="13812345678",
            external_id=external_id,
            received_at=received,
            recorded_by=clerk,
            source_details={"import": 1},
        )

    _submission, one, _created = intake.submission_create(data=data("one"))
    [bulk] = intake.submissions_create_bulk(items=[data("bulk")])
    one.refresh_from_db()
    bulk.refresh_from_db()
    fields = [
        "status",
        "received_at",
        "assign_due_at",
        "response_due_at",
        "answer_due_at",
        "category_id",
        "unit_id",
    ]
    assert [getattr(bulk, f) for f in fields] == [getattr(one, f) for f in fields]
    assert bulk.assign_due_at == stage_deadlines(received).assign
    assert bulk.tracking_code != one.tracking_code
    assert bulk.search_text.replace(bulk.tracking_code.lower(), "") == one.search_text.replace(
        one.tracking_code.lower(), ""
    )
    assert bulk.public_search_text == one.public_search_text and "13812345678" not in (
        bulk.public_search_text
    )
    assert bulk.submission.description == "东苑3栋门口路灯不亮，联系人王阿姨 13812345678"
    assert bulk.submission.address == "东苑小区3栋"
    keys = ["action", "to_status", "actor_id", "actor_kind", "is_public", "data", "created_at"]
    assert list(CaseEvent.objects.filter(case=bulk).values(*keys)) == list(
        CaseEvent.objects.filter(case=one).values(*keys)
    )


def test_bulk_creation_is_all_or_nothing(clerk, channels):
    first = intake.NewSubmission(channel=channels["portal"], description="路灯", external_id="x1")
    intake.submission_create(data=first)
    items = [
        intake.NewSubmission(channel=channels["portal"], description="井盖", external_id="x2"),
        intake.NewSubmission(channel=channels["portal"], description="路灯", external_id="x1"),
    ]
    with pytest.raises(IntegrityError):
        intake.submissions_create_bulk(items=items)
    assert Submission.objects.count() == Case.objects.count() == 1


def test_many_tracking_codes_at_once_are_distinct(clerk, channels):
    items = [
        intake.NewSubmission(
            channel=channels["portal"], description=f"第{i}条", external_id=f"n{i}"
        )
        for i in range(300)
    ]
    cases = intake.submissions_create_bulk(items=items)
    assert len({case.tracking_code for case in cases}) == 300
    assert CaseEvent.objects.filter(action="create").count() == 300

"""Retention of rejected-rows reports: old ones deleted with their paths, the import and its
counts kept, recent and running ones untouched, a second run harmless, the pages say so."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicdesk.conftest import login
from civicdesk.imports.models import ImportJob, JobStatus
from civicdesk.imports.tasks import remove_old_import_reports

from .conftest import URL

pytestmark = pytest.mark.django_db


def finished_job(client, upload, channels, run_jobs, *, days_ago: int) -> ImportJob:
    """A portal import run through the pages: 4 rows imported, 2 rejected into the reports."""
    upload(client, "portal_messages.csv", channel_id=channels["portal"].pk, source_name="门户")
    job = ImportJob.objects.latest("id")
    run_jobs(client, f"{URL}{job.pk}/preview/")
    finished = timezone.now() - timedelta(days=days_ago)
    ImportJob.objects.filter(pk=job.pk).update(finished_at=finished)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.rejected == 2 and job.report_xlsx
    return job


def report_files(job: ImportJob) -> list[Path]:
    return [Path(f.path) for f in (job.report_xlsx, job.report_csv)]


def test_old_reports_are_deleted_and_recent_ones_kept(settings, clerk, channels, upload, run_jobs):
    settings.CIVICDESK_IMPORT_REPORT_RETENTION_DAYS = 30
    client = login(clerk)
    old = finished_job(client, upload, channels, run_jobs, days_ago=31)
    recent = finished_job(client, upload, channels, run_jobs, days_ago=29)
    old_files, recent_files = report_files(old), report_files(recent)
    assert all(path.exists() for path in old_files + recent_files)

    assert remove_old_import_reports.call() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not any(path.exists() for path in old_files)
    assert old.report_xlsx.name == "" and old.report_csv.name == ""
    assert old.reports_removed_at is not None
    # The import itself, its counts and history stay.
    assert (old.status, old.total, old.imported, old.rejected) == ("done", 6, 4, 2)
    assert old.events.filter(action="reports_removed").count() == 1
    assert all(path.exists() for path in recent_files) and recent.reports_removed_at is None

    # Running it again is harmless.
    assert remove_old_import_reports.call() == 0
    assert old.events.filter(action="reports_removed").count() == 1
    assert all(path.exists() for path in recent_files)


def test_the_pages_say_the_report_was_removed(settings, clerk, channels, upload, run_jobs):
    settings.CIVICDESK_IMPORT_REPORT_RETENTION_DAYS = 30
    client = login(clerk)
    job = finished_job(client, upload, channels, run_jobs, days_ago=40)
    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert f"{URL}{job.pk}/rejected.xlsx" in page and 'id="reports-removed"' not in page
    remove_old_import_reports.call()

    for headers in ({}, {"HX-Request": "true"}):  # the page, and its self-updating part
        response = client.get(f"{URL}{job.pk}/", headers=headers)
        page = response.content.decode()
        assert response.status_code == 200
        assert 'id="reports-removed"' in page and "removed after 30 days" in page
        assert "rejected.xlsx" not in page and 'id="count-rejected">2<' in page
    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert "rejected rows removed" in page  # in the history
    for kind in ("xlsx", "csv"):
        response = client.get(f"{URL}{job.pk}/rejected.{kind}")
        assert response.status_code == 410
        assert "removed after 30 days" in response.content.decode()
    assert client.get(f"{URL}{job.pk}/rejected.pdf").status_code == 404


def test_imports_without_reports_and_running_imports_are_left_alone(
    settings, clerk, channels, upload, run_jobs
):
    settings.CIVICDESK_IMPORT_REPORT_RETENTION_DAYS = 30
    client = login(clerk)
    job = finished_job(client, upload, channels, run_jobs, days_ago=60)
    files = report_files(job)
    # Queued again (e.g. being run again): starting deletes the old reports itself.
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    assert remove_old_import_reports.call() == 0
    # A running one whose heartbeat is recent is not touched either.
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, finished_at=None, heartbeat_at=timezone.now()
    )
    assert remove_old_import_reports.call() == 0
    assert all(path.exists() for path in files)
    # A draft never has reports.
    upload(client, "portal_messages.csv", channel_id=channels["portal"].pk, source_name="门户")
    ImportJob.objects.filter(status=JobStatus.DRAFT).update(
        created_at=timezone.now() - timedelta(days=90)
    )
    assert remove_old_import_reports.call() == 0


def test_zero_days_keeps_every_report(settings, clerk, channels, upload, run_jobs):
    settings.CIVICDESK_IMPORT_REPORT_RETENTION_DAYS = 0
    job = finished_job(login(clerk), upload, channels, run_jobs, days_ago=3650)
    assert remove_old_import_reports.call() == 0
    assert all(path.exists() for path in report_files(job))


def test_a_file_already_gone_is_no_error(settings, clerk, channels, upload, run_jobs):
    settings.CIVICDESK_IMPORT_REPORT_RETENTION_DAYS = 30
    job = finished_job(login(clerk), upload, channels, run_jobs, days_ago=31)
    report_files(job)[0].unlink()
    assert remove_old_import_reports.call() == 1
    job.refresh_from_db()
    assert job.report_xlsx.name == "" and job.report_csv.name == ""


def test_running_an_import_again_brings_its_reports_back(
    settings, clerk, channels, upload, run_jobs
):
    settings.CIVICDESK_IMPORT_REPORT_RETENTION_DAYS = 30
    client = login(clerk)
    job = finished_job(client, upload, channels, run_jobs, days_ago=31)
    remove_old_import_reports.call()
    # A failed job may be run again; its fresh reports are offered, not the removal notice.
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    run_jobs(client, f"{URL}{job.pk}/rerun/")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.report_xlsx and job.reports_removed_at is None
    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert 'id="reports-removed"' not in page
    assert client.get(f"{URL}{job.pk}/rejected.csv").status_code == 200


def test_the_jobs_are_scheduled(capsys, db):
    call_command("enqueue_scheduled")
    out = capsys.readouterr().out
    assert "remove_old_import_reports" in out and "remove_old_outbox_messages" in out

"""The API after the retention job removed an import's rejected-rows reports: the import and
its counts are still there with the time of the removal, no download is offered, and asking
for one is a 410 that says why (an import that never had rejected rows stays a 404)."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from civicdesk.imports import services
from civicdesk.imports.models import ImportJob
from civicdesk.imports.tasks import remove_old_import_reports

from .test_imports import MAPPING, PORTAL_CSV, URL

pytestmark = pytest.mark.django_db

# One good row: nothing rejected, so no report to keep or remove.
CLEAN_CSV = (
    "留言编号,留言主题,留言详情,留言时间,留言用户\nWZ1,路灯,东苑路灯不亮。,2025-03-01 08:00,李\n"
).encode()


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.CIVICDESK_IMPORT_DIR = tmp_path / "imports"


def _run(client, capture, content: bytes = PORTAL_CSV) -> str:
    """Upload, map and run an import; the URL of the job."""
    data = {"file": SimpleUploadedFile("p.csv", content), "channel": "portal"}
    job = client.upload(URL, {**data, "source_name": "示范街道门户"}).json()
    url = f"{URL}/{job['id']}"
    assert client.put(f"{url}/mapping", {"mapping": MAPPING}).status_code == 200
    with capture(execute=True):
        assert client.post(f"{url}/start").status_code == 200
    return url


def test_an_import_whose_reports_were_removed(
    api_as, clerk, settings, django_capture_on_commit_callbacks
):
    settings.CIVICDESK_IMPORT_REPORT_RETENTION_DAYS = 30
    client = api_as(clerk)
    url = _run(client, django_capture_on_commit_callbacks)
    before = client.get(url).json()
    assert set(before["rejected_rows"]) == {"xlsx", "csv"}
    assert before["reports_removed_at"] is None
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=31))
    assert remove_old_import_reports.call() == 1

    detail = client.get(url)
    assert detail.status_code == 200
    body = detail.json()
    assert body["rejected_rows"] == {} and (body["imported"], body["rejected"]) == (4, 2)
    job.refresh_from_db()
    # JSON times are given to the millisecond.
    removed_at = parse_datetime(body["reports_removed_at"])
    assert abs(removed_at - job.reports_removed_at) < timedelta(milliseconds=1)
    removed = [e for e in body["events"] if e["action"] == "reports_removed"]
    assert removed and removed[0]["note"] == "after 30 days"
    for query in ("", "?format=csv"):
        response = client.get(f"{url}/rejected-rows{query}")
        assert response.status_code == 410
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"detail": services.reports_removed_message(job)}
        assert "30 days" in response.json()["detail"]


def test_an_import_without_rejected_rows_is_still_not_found(
    api_as, clerk, settings, django_capture_on_commit_callbacks
):
    settings.CIVICDESK_IMPORT_REPORT_RETENTION_DAYS = 30
    client = api_as(clerk)
    url = _run(client, django_capture_on_commit_callbacks, CLEAN_CSV)
    body = client.get(url).json()
    assert (body["imported"], body["rejected"], body["rejected_rows"]) == (1, 0, {})
    ImportJob.objects.update(finished_at=timezone.now() - timedelta(days=31))
    assert remove_old_import_reports.call() == 0
    assert client.get(url).json()["reports_removed_at"] is None
    response = client.get(f"{url}/rejected-rows")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


def test_the_document_declares_the_410_and_the_removal_time(db, served_openapi):
    document = json.loads(served_openapi)
    operation = document["paths"]["/api/v1/imports/{job_id}/rejected-rows"]["get"]
    assert "410" in operation["responses"]
    schema = operation["responses"]["410"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/ErrorOut")
    detail = document["components"]["schemas"]["JobDetailOut"]
    assert "reports_removed_at" in detail["properties"]
    assert "reports_removed_at" in detail["required"]

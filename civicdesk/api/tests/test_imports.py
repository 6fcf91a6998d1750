"""Importing messages through the API: upload, columns, preview, start, follow, rejected rows,
discard and run again, for clerks, supervisors and administrators only."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.imports.models import ImportJob, JobStatus
from civicdesk.intake.models import Submission

URL = "/api/v1/imports"
PORTAL_CSV = (
    Path(__file__).resolve().parents[2] / "imports/tests/fixtures/portal_messages.csv"
).read_bytes()
MAPPING = {
    "text": "留言详情",
    "title": "留言主题",
    "time": "留言时间",
    "author": "留言用户",
    "external_id": "留言编号",
}
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.CIVICDESK_IMPORT_DIR = tmp_path / "imports"


def _upload(client, content: bytes = PORTAL_CSV, name: str = "portal.csv", **fields):
    data = {"file": SimpleUploadedFile(name, content), "channel": "portal"}
    data.update({"source_name": "示范街道门户", **fields})
    return client.upload(URL, data)


def _delete(client, path: str):
    return client.client.delete(path, headers=client.headers)


def test_upload_map_preview_start_and_rejected_rows(
    api_as, clerk, supervisor, django_capture_on_commit_callbacks
):
    client = api_as(clerk)
    uploaded = _upload(client)
    assert uploaded.status_code == 201, uploaded.content
    job = uploaded.json()
    assert (job["status"], job["file_format"], job["channel"]) == ("draft", "csv", "portal")
    assert "留言详情" in job["columns"] and job["mapping"]["text"] == "留言详情"

    url = f"{URL}/{job['id']}"
    mapped = client.put(f"{url}/mapping", {"mapping": MAPPING})
    assert mapped.status_code == 200, mapped.content
    assert mapped.json()["mapping"] == MAPPING
    preview = client.get(f"{url}/preview").json()
    assert [row["status"] for row in preview["rows"]].count("ready") == 4
    rejected = [row for row in preview["rows"] if row["status"] == "rejected"]
    assert rejected and rejected[0]["problems"][0]["reason"]
    assert not Submission.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        started = api_as(supervisor).post(f"{url}/start")
    assert started.status_code == 200, started.content
    done = client.get(url).json()
    assert (done["status"], done["imported"], done["rejected"], done["percent"]) == (
        "done",
        4,
        2,
        100,
    )
    assert [e["action"] for e in done["events"]][:3] == ["uploaded", "mapped", "queued"]
    assert Submission.objects.filter(channel__code="portal").count() == 4
    assert client.get(URL).json()["items"][0]["id"] == job["id"]

    report = client.get(done["rejected_rows"]["csv"])
    assert report.status_code == 200
    assert report["Content-Type"].startswith("text/csv")
    assert "attachment" in report["Content-Disposition"]
    assert "留言编号" in b"".join(report.streaming_content).decode("utf-8-sig")
    assert client.get(f"{url}/rejected-rows").status_code == 200  # XLSX by default

    again = client.post(f"{url}/start")
    assert again.status_code == 409
    assert client.post(f"{url}/rerun").status_code == 409
    assert _delete(client, url).status_code == 409


def test_mapping_errors_name_the_field(api_as, clerk):
    client = api_as(clerk)
    job = _upload(client).json()

    response = client.put(f"{URL}/{job['id']}/mapping", {"mapping": {"title": "没有这一列"}})
    assert response.status_code == 422
    messages = [error["msg"] for error in response.json()["detail"]]
    assert all(message.startswith("mapping: ") for message in messages)
    assert any("没有这一列" in message for message in messages)
    unknown_field = client.put(f"{URL}/{job['id']}/mapping", {"mapping": {"colour": "地址"}})
    assert unknown_field.status_code == 422
    assert ImportJob.objects.get().mapping["text"] == "留言详情"  # unchanged


def test_bad_uploads_keep_nothing(api_as, clerk, settings):
    client = api_as(clerk)

    unknown = _upload(client, channel="pigeon")
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"][-1] == "channel"
    unreadable = _upload(client, b"\xd0\xcf\x11\xe0" + b"\0" * 64, name="old.xls")
    assert unreadable.status_code == 422
    assert unreadable.json()["detail"][0]["msg"].startswith("file: old.xls")
    settings.CIVICDESK_IMPORT_MAX_BYTES = 100
    assert _upload(client).status_code == 413
    assert not ImportJob.objects.exists()


def test_discard_a_draft(api_as, admin_user):
    client = api_as(admin_user)
    job = _upload(client).json()

    response = _delete(client, f"{URL}/{job['id']}")
    assert response.status_code == 204
    assert not ImportJob.objects.exists()
    assert client.get(f"{URL}/{job['id']}").status_code == 404


@pytest.mark.parametrize("persona", ["handler", "leader"])
def test_other_roles_are_refused(api_as, request, clerk, persona):
    job = _upload(api_as(clerk)).json()
    client = api_as(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/{job['id']}").status_code == 403
    assert client.post(f"{URL}/{job['id']}/start").status_code == 403
    assert _upload(client).status_code == 403
    assert ImportJob.objects.get().status == JobStatus.DRAFT

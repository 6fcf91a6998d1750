"""The import pages through HTTP, per role: upload, columns, preview, run, progress, reports."""

from pathlib import Path

import pytest

from civicdesk.cases.models import Case, CaseEvent
from civicdesk.conftest import login
from civicdesk.core.tracking import is_valid_tracking_code
from civicdesk.imports.models import ImportJob, JobStatus, SavedMapping
from civicdesk.intake.models import Submission

from .conftest import URL, portal_workbook, read_xlsx, sample


def upload_portal(client, upload, channels, name="portal_messages.csv", **extra):
    return upload(
        client, name, channel_id=channels["portal"].pk, source_name="新华街道门户网站", **extra
    )


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["clerk", "supervisor", "admin_user"])
def test_clerks_supervisors_and_admins_import(request, persona, channels):
    response = login(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == 200
    assert 'id="upload-form"' in response.content.decode()


@pytest.mark.parametrize("persona", ["handler", "leader"])
def test_other_staff_get_404_everywhere(request, persona, clerk, channels, upload):
    job_url = upload_portal(login(clerk), upload, channels)["Location"]
    pk = ImportJob.objects.get().pk
    client = login(request.getfixturevalue(persona))
    for url in (URL, job_url, f"{URL}{pk}/", f"{URL}{pk}/preview/", f"{URL}{pk}/rejected.csv"):
        assert client.get(url).status_code == 404, url
    for url in (URL, f"{URL}{pk}/preview/", f"{URL}{pk}/rerun/", f"{URL}{pk}/discard/"):
        assert client.post(url, {}).status_code == 404, url
    assert ImportJob.objects.get().status == JobStatus.DRAFT


def test_the_public_is_sent_to_log_in(citizen, db):
    response = citizen.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert citizen.post(URL, {}).status_code == 302


# --- a portal CSV, from upload to cases -----------------------------------------------------


def test_portal_csv_upload_map_preview_run_and_report(clerk, channels, upload, run_jobs):
    client = login(clerk)
    response = upload_portal(client, upload, channels)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}{job.pk}/columns/"
    assert job.status == JobStatus.DRAFT and job.file_format == "csv" and job.total == 6

    # The columns are guessed from their Chinese names.
    page = client.get(response["Location"]).content.decode()
    assert '<option value="留言详情" selected>' in page
    mapping = {
        "text": "留言详情",
        "title": "留言主题",
        "time": "留言时间",
        "author": "留言用户",
        "external_id": "留言编号",
        "address": "地址",
        "phone": "联系电话",
        "likes": "点赞数",
    }
    response = client.post(f"{URL}{job.pk}/columns/", mapping)
    assert response.status_code == 302 and response["Location"] == f"{URL}{job.pk}/preview/"
    assert SavedMapping.objects.get(channel=channels["portal"]).mapping == mapping

    preview = client.get(f"{URL}{job.pk}/preview/").content.decode()
    assert preview.count('class="preview-ready"') == 4
    assert preview.count('class="preview-rejected"') == 2
    assert "The message text is missing." in preview
    assert "“昨天下午” is not a time" in preview
    # What the column holds, not the file's key for it; the columns as the file names them.
    assert "<small>Time: “昨天下午” is not a time" in preview
    assert "“留言时间”" not in preview
    assert "Time from the file's column <bdi>留言时间</bdi>" in preview
    assert Submission.objects.count() == 0  # a preview stores nothing

    response = run_jobs(client, f"{URL}{job.pk}/preview/")
    assert response.status_code == 302 and response["Location"] == f"{URL}{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.total, job.imported, job.duplicates, job.rejected, job.skipped) == (
        "done",
        6,
        4,
        0,
        2,
        0,
    )
    assert job.progress == 6 and job.percent == 100

    submissions = Submission.objects.filter(channel=channels["portal"]).order_by("received_at")
    assert submissions.count() == 4
    first = submissions.get(source_details__id="WZ20250301001")
    assert first.description.startswith("人行道破损\n新华路与学院街交叉口")
    assert first.contact_name == "居民张先生" and first.contact_phone == "13812345678"
    assert first.address == "新华路与学院街交叉口" and first.recorded_by == clerk
    assert first.source_details == {
        "import": job.pk,
        "source": "新华街道门户网站",
        "row": 2,
        "id": "WZ20250301001",
        "likes": 23,
    }
    assert submissions.get(source_details__id="WZ20250301002").contact_phone == ""  # masked
    # Every message has its case, as case_open opens it.
    case = first.case
    assert is_valid_tracking_code(case.tracking_code) and case.status == "received"
    assert case.received_at == first.received_at and case.assign_due_at > case.received_at
    assert "人行道破损" in case.search_text
    event = CaseEvent.objects.get(case=case)
    assert event.action == "create" and event.actor == clerk
    assert event.created_at == first.received_at

    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert 'id="count-imported">4<' in page and "hx-trigger" not in page
    # The rejected rows, formula-safe, under the file's own column names.
    report = client.get(f"{URL}{job.pk}/rejected.xlsx")
    assert report.status_code == 200 and "attachment" in report["Content-Disposition"]
    rows = read_xlsx(b"".join(report.streaming_content))
    assert rows[0] == ["Row", "Column", "Reason", *mapping_columns()]
    assert [row[:3] for row in rows[1:]] == [
        [4, "留言详情", "The message text is missing."],
        [6, "留言时间", "“昨天下午” is not a time; write it like 2025-03-02 09:15."],
    ]
    assert rows[2][4] == '\'=HYPERLINK("http://example.com","垃圾清运")'
    csv_report = client.get(f"{URL}{job.pk}/rejected.csv")
    text = b"".join(csv_report.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Row,Column,Reason,留言编号")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text


def mapping_columns():
    return [
        "留言编号",
        "留言主题",
        "留言详情",
        "留言时间",
        "留言用户",
        "联系电话",
        "地址",
        "点赞数",
    ]


def test_reimporting_the_same_file_adds_nothing_and_says_so(clerk, channels, upload, run_jobs):
    client = login(clerk)
    for attempt in range(2):
        upload_portal(client, upload, channels)
        job = ImportJob.objects.latest("id")
        if attempt:
            preview = client.get(f"{URL}{job.pk}/preview/").content.decode()
            assert 'id="earlier-import"' in preview
            assert preview.count('class="preview-known"') == 4
        run_jobs(client, f"{URL}{job.pk}/preview/")
    job.refresh_from_db()
    assert (job.imported, job.duplicates, job.rejected) == (0, 4, 2)
    assert Submission.objects.count() == Case.objects.count() == 4
    assert "Nothing new" in client.get(f"{URL}{job.pk}/").content.decode()


def test_the_saved_mapping_is_offered_for_the_next_file(clerk, channels, upload):
    client = login(clerk)
    upload_portal(client, upload, channels)
    job = ImportJob.objects.get()
    # This portal's "留言主题" is really the text, and "留言详情" is not wanted.
    client.post(f"{URL}{job.pk}/columns/", {"text": "留言主题", "time": "留言时间"})
    upload_portal(client, upload, channels, name="portal_messages_gbk.csv")
    again = ImportJob.objects.latest("id")
    assert again.mapping["text"] == "留言主题" and "title" not in again.mapping
    assert again.mapping["external_id"] == "留言编号"  # still guessed where nothing was saved


def test_a_wrong_mapping_is_refused_with_reasons(clerk, channels, upload):
    client = login(clerk)
    upload_portal(client, upload, channels)
    job = ImportJob.objects.get()
    response = client.post(f"{URL}{job.pk}/columns/", {"text": "留言详情", "title": "留言详情"})
    assert response.status_code == 400
    assert "is chosen for Message text, Title; choose it once" in response.content.decode()
    response = client.post(f"{URL}{job.pk}/columns/", {"time": "留言时间"})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = client.post(f"{URL}{job.pk}/columns/", {"text": "不存在的列"})
    assert response.status_code == 400
    assert not SavedMapping.objects.exists()


# --- chat exports, XLSX and JSON ------------------------------------------------------------


def test_chat_export_skips_the_column_step(clerk, channels, upload, run_jobs):
    client = login(clerk)
    response = upload(client, "wechat_dongyuan.txt", channel_id=channels["chat_group"].pk)
    job = ImportJob.objects.get()
    assert response["Location"] == f"{URL}{job.pk}/preview/"
    assert client.get(f"{URL}{job.pk}/columns/")["Location"] == f"{URL}{job.pk}/preview/"
    run_jobs(client, f"{URL}{job.pk}/preview/")
    job.refresh_from_db()
    assert (job.total, job.imported, job.skipped, job.rejected) == (10, 5, 5, 0)
    pictures = Submission.objects.get(contact_name="东苑5栋李师傅")
    assert pictures.source_details["media"] == ["图片"]
    assert pictures.source_details["line"] == 17
    assert pictures.external_id.startswith("sha256:")


def test_qq_export_names_its_group_and_short_messages_can_be_skipped(
    clerk, channels, upload, run_jobs
):
    client = login(clerk)
    upload(client, "qq_riverside.txt", channel_id=channels["chat_group"].pk, source_name="")
    job = ImportJob.objects.get()
    assert job.source_name == "滨江花园业主交流群" and job.file_format == "qq"
    run_jobs(client, f"{URL}{job.pk}/preview/")
    assert Submission.objects.get(contact_name="张三").source_details["author_id"] == "123456789"

    upload(client, "wechat_dongyuan.txt", channel_id=channels["chat_group"].pk, min_length=5)
    job = ImportJob.objects.latest("id")
    run_jobs(client, f"{URL}{job.pk}/preview/")
    job.refresh_from_db()
    assert (job.imported, job.skipped) == (4, 6)  # "收到" is too short to keep
    assert not Submission.objects.filter(description="收到").exists()


def test_a_chat_export_without_a_source_name_is_refused(clerk, channels, upload):
    response = upload(
        login(clerk), "wechat_dongyuan.txt", "2025-03-02 09:15:02 张三\n路灯坏了\n".encode(),
        channel_id=channels["chat_group"].pk, source_name="",
    )  # fmt: skip
    assert response.status_code == 400 and "Name the source" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_xlsx_with_typed_dates(clerk, channels, upload, run_jobs):
    client = login(clerk)
    upload_portal(client, upload, channels, name="portal.xlsx", content=portal_workbook())
    job = ImportJob.objects.get()
    assert job.file_format == "xlsx" and job.total == 3  # read to the end: it is short
    client.post(
        f"{URL}{job.pk}/columns/",
        {"text": "留言内容", "title": "留言标题", "time": "发布时间", "external_id": "留言编号",
         "author": "网友昵称", "likes": "点赞"},
    )  # fmt: skip
    run_jobs(client, f"{URL}{job.pk}/preview/")
    job.refresh_from_db()
    assert (job.total, job.imported, job.rejected) == (3, 2, 1)
    submission = Submission.objects.get(source_details__id="GX-1001")
    assert submission.received_at.isoformat() == "2025-03-06T12:15:00+00:00"


def test_self_media_json(clerk, channels, upload, run_jobs):
    client = login(clerk)
    upload(client, "self_media.json", channel_id=channels["self_media"].pk, source_name="城北头条")
    job = ImportJob.objects.get()
    assert job.mapping["author_id"] == "user.id"
    client.post(f"{URL}{job.pk}/columns/", job.mapping)
    run_jobs(client, f"{URL}{job.pk}/preview/")
    job.refresh_from_db()
    assert (job.imported, job.rejected) == (2, 1)
    post = Submission.objects.get(source_details__id="7341180021")
    assert post.source_details["likes"] == 15000 and post.contact_name == "城北小灵通"
    assert post.address == "城北农贸市场"


# --- bad files and oversized uploads ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("blank.csv", b"\r\n\r\n", "The file is empty."),
        ("garbage.csv", bytes(range(256)) * 10, "cannot be read as text"),
        ("broken.json", b'[{"text": "a"},\n{"text": }]', "Line 2, column 10"),
        ("fake.xlsx", b"plain text, not a workbook", "not an Excel workbook"),
    ],
)
def test_unreadable_files_are_refused_and_nothing_is_kept(
    clerk, channels, upload, settings, name, content, message
):
    response = upload_portal(login(clerk), upload, channels, name=name, content=content)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and name in page
    assert not ImportJob.objects.exists()
    folder = settings.CIVICDESK_IMPORT_DIR
    assert not folder.exists() or not any(path.is_file() for path in folder.rglob("*"))


def test_choosing_the_wrong_format_explains(clerk, channels, upload):
    response = upload_portal(login(clerk), upload, channels, file_format="xlsx")
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()


def test_an_oversized_upload_is_refused_before_it_is_read(clerk, channels, upload, settings):
    settings.CIVICDESK_IMPORT_MAX_BYTES = 1000
    big = "留言详情\n".encode() + "路灯不亮，".encode() * 300_000  # ~4.5 MB
    response = upload_portal(login(clerk), upload, channels, content=big)
    assert response.status_code == 413
    assert "files up to 1000" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_upload_just_over_the_limit_is_refused_by_the_form(clerk, channels, upload, settings):
    settings.CIVICDESK_IMPORT_MAX_BYTES = len(sample("portal_messages.csv")) - 1
    response = upload_portal(login(clerk), upload, channels)
    assert response.status_code == 400
    assert "files up to" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_upload_still_needs_its_csrf_token(clerk, channels):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = client.post(
        URL,
        {
            "file": SimpleUploadedFile("p.csv", sample("portal_messages.csv")),
            "channel": channels["portal"].pk,
            "source_name": "x",
        },
    )
    assert response.status_code == 403 and not ImportJob.objects.exists()


# --- progress page, re-running, discarding -----------------------------------------------------


def test_the_progress_page_polls_while_the_job_works(clerk, channels, upload):
    client = login(clerk)
    upload_portal(client, upload, channels)
    job = ImportJob.objects.get()
    client.post(f"{URL}{job.pk}/preview/")  # queued; no worker runs it in this test
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=3)
    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and 'id="job-status"' in page
    fragment = client.get(f"{URL}{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="job-status"') and "<html" not in fragment
    assert '<progress max="100" value="50"' in fragment and "3 / 6" in fragment
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, progress=6, imported=4)
    fragment = client.get(f"{URL}{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and 'id="count-imported">4<' in fragment


def test_a_draft_can_be_discarded_with_its_file(clerk, channels, upload, run_jobs):
    client = login(clerk)
    upload_portal(client, upload, channels)
    job = ImportJob.objects.get()
    path = Path(job.upload.path)
    assert path.exists()
    response = run_jobs(client, f"{URL}{job.pk}/discard/")
    assert response.status_code == 302 and not ImportJob.objects.exists()
    assert not path.exists()


def test_a_started_job_cannot_be_discarded_or_remapped(clerk, channels, upload, run_jobs):
    client = login(clerk)
    upload_portal(client, upload, channels)
    job = ImportJob.objects.get()
    run_jobs(client, f"{URL}{job.pk}/preview/")
    response = client.post(f"{URL}{job.pk}/discard/", follow=True)
    assert "Only an import that has not started can be discarded." in response.content.decode()
    assert client.get(f"{URL}{job.pk}/columns/")["Location"] == f"{URL}{job.pk}/"
    assert client.post(f"{URL}{job.pk}/preview/")["Location"] == f"{URL}{job.pk}/"
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert list(job.events.values_list("action", flat=True)) == [
        "uploaded",
        "queued",
        "started",
        "finished",
    ]


def test_the_admin_lists_and_shows_jobs_without_file_links(admin_user, clerk, channels, upload):
    upload_portal(login(clerk), upload, channels)
    job = ImportJob.objects.get()
    client = login(admin_user)
    assert client.get("/admin/imports/importjob/").status_code == 200
    page = client.get(f"/admin/imports/importjob/{job.pk}/change/")
    assert page.status_code == 200 and "新华街道门户网站" in page.content.decode()


def test_pages_name_channels_in_the_reader_s_language(clerk, channels, upload):
    client = login(clerk)
    upload_portal(client, upload, channels)
    job = ImportJob.objects.get()
    for language, name in (("zh-hans", "街道门户网站"), ("en", "Street portal")):
        page = client.get(f"{URL}{job.pk}/", headers={"Accept-Language": language})
        assert name in page.content.decode()

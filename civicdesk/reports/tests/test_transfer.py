"""Workbook export and import of both confidential ledgers, within their access rules."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from civicdesk.accounts.models import Role, User
from civicdesk.conftest import PASSWORD, login
from civicdesk.reports.models import (
    AccessView,
    ImportRejection,
    Report,
    ReportAccess,
    ReportEvent,
    Source,
)
from civicdesk.reports.services import NewReport, report_file, report_transition
from civicdesk.reports.workflow import Ledger

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

INACTION_HEADER = ["被反映单位", "人员姓名", "职务", "事情经过", "发生日期", "地点", "证据",
                   "联系人", "联系电话"]  # fmt: skip
INTERMEDIARY_HEADER = ["setting", "unit", "intermediary", "what happened", "date", "place",
                       "evidence", "contact name", "contact phone"]  # fmt: skip


def _workbook(header: list, rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, ledger: str, content: bytes, name: str = "paper.xlsx"):
    return client.post(
        reverse(f"reports:{ledger}_import"),
        {"file": SimpleUploadedFile(name, content, content_type=XLSX)},
    )


def _cells(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Cache-Control"] == "no-store, private"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


# ------------------------------------------------------------------------------ export


def test_inaction_export_has_the_rows_with_filters_and_is_injection_safe(
    supervisor, units, inaction_report
):
    hostile, _code = report_file(
        ledger=Ledger.INACTION,
        data=NewReport(
            description='=HYPERLINK("http://evil.example","点我")',
            reported_unit=units["market"],
            official_name="+cmd|' /C calc'!A0",
            official_position="-1+1",
            place="@SUM(A1)",
            evidence="\tTAB",
            contact_name="李四",
            contact_phone="13800000000",
        ),
        filed_by=None,
    )
    client = login(supervisor)
    listing = client.get(reverse("reports:inaction_list"), {"status": "received"})
    assert 'href="/reports/staff/inaction/export/?status=received"' in listing.content.decode()
    assert 'href="/reports/staff/inaction/import/"' in listing.content.decode()

    rows = _cells(client.get(reverse("reports:inaction_export")))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["编号", "被反映单位", "人员姓名", "职务", "事情经过"]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert set(by_id) == {inaction_report.pk, hostile.pk}
    assert by_id[inaction_report.pk]["事情经过"] == inaction_report.description
    assert by_id[inaction_report.pk]["被反映单位"] == "urban"
    row = by_id[hostile.pk]
    assert row["事情经过"] == "'" + hostile.description
    assert row["人员姓名"] == "'" + hostile.official_name
    assert row["职务"] == "'-1+1"
    assert row["地点"] == "'@SUM(A1)"
    assert row["证据"] == "'\tTAB"
    # Supervisors see the inaction reporter's contact on the report page, so in the export too.
    assert row["联系人"] == "李四" and row["联系电话"] == "13800000000"
    assert not any(
        isinstance(c, str) and c.startswith(("=", "+", "-", "@")) for r in body for c in r
    )

    # The filters of the list apply to the export.
    report_transition(report=hostile, action="investigate", actor=supervisor)
    filtered = _cells(client.get(reverse("reports:inaction_export"), {"status": "investigating"}))
    assert [r[0] for r in filtered[1:]] == [hostile.pk]
    by_unit = _cells(client.get(reverse("reports:inaction_export"), {"unit": "urban"}))
    assert [r[0] for r in by_unit[1:]] == [inaction_report.pk]
    assert client.get(reverse("reports:inaction_export"), {"status": "bogus"}).status_code == 400


def test_intermediary_export_is_logged_and_has_no_followup_secret(discipline, intermediary):
    report, code = intermediary
    Report.objects.filter(pk=report.pk).update(contact_phone="13900000000")
    client = login(discipline)
    response = client.get(reverse("reports:intermediary_export"))
    rows = _cells(response)
    assert [r[0] for r in rows[1:]] == [report.pk]
    flat = [str(c) for r in rows for c in r if c is not None]
    assert not any(report.followup_digest in c or code in c for c in flat)
    assert "环节" in rows[0] and "中介名称" in rows[0]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["环节"] == "行政审批"
    assert row["中介名称"] == "某某代办公司"
    assert row["联系电话"] == "13900000000"  # the discipline role may see the contact

    exports = ReportAccess.objects.filter(report=report, view=AccessView.EXPORT)
    assert exports.count() == 1 and exports.get().user == discipline
    client.get(reverse("reports:intermediary_export"))
    assert ReportAccess.objects.filter(report=report, view=AccessView.EXPORT).count() == 2
    call_command("verify_chains")


# ------------------------------------------------------------------------------ import


def test_import_of_a_good_inaction_file_files_reports_with_chains(supervisor, units):
    content = _workbook(
        INACTION_HEADER,
        [
            ["urban", "王五", "科员", "电话反映：办证拖了三个月", "2025-03-01", "窗口", "录音",
             "赵六", "13700000000"],
            ["东街道", None, None, "纸质来信：乱收费", dt.date(2025, 4, 2), None, None, None,
             None],
        ],
    )  # fmt: skip
    client = login(supervisor)
    response = _upload(client, "inaction", content)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:inaction_list")
    imported = Report.objects.filter(source=Source.IMPORT).order_by("pk")
    assert imported.count() == 2
    first, second = imported
    assert first.ledger == Ledger.INACTION and first.reported_unit == units["urban"]
    assert first.official_name == "王五" and first.occurred_on == dt.date(2025, 3, 1)
    assert first.contact_phone == "13700000000" and first.filed_by == supervisor
    assert second.reported_unit == units["east-street"]
    assert second.occurred_on == dt.date(2025, 4, 2)
    for report in imported:
        (event,) = ReportEvent.objects.filter(report=report)
        assert event.action == "create" and event.actor == supervisor
        assert event.data["source"] == "import"
        assert event.chain == f"report:{report.pk}"
    call_command("verify_chains")


def test_import_of_intermediary_reports_creates_no_followup_code(discipline, units):
    client = login(discipline)
    page = client.get(reverse("reports:intermediary_import"))
    assert page.status_code == 200
    assert 'id="no-followup-code"' in page.content.decode()
    assert "行政审批" in page.content.decode()  # the allowed settings are listed
    content = _workbook(
        INTERMEDIARY_HEADER,
        [
            ["窗口", "urban-window", "某代办", "电话举报：交钱插队", "2025/05/06", None, None,
             None, None],
            ["approval", None, None, "来信：审批找中介", None, None, None, None, None],
        ],
    )  # fmt: skip
    response = _upload(client, "intermediary", content)
    assert response.status_code == 302
    imported = Report.objects.filter(ledger=Ledger.INTERMEDIARY).order_by("pk")
    assert [r.setting for r in imported] == ["window", "approval"]
    assert [r.followup_digest for r in imported] == ["", ""]
    assert imported[0].reported_unit == units["urban-window"]
    assert imported[1].reported_unit is None
    assert all(r.source == Source.IMPORT for r in imported)
    call_command("verify_chains")


def test_a_bad_row_rejects_the_whole_file_with_a_rejected_rows_report(
    supervisor, units, inaction_report
):
    before = Report.objects.count(), ReportEvent.objects.count()
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    content = _workbook(
        INACTION_HEADER,
        [
            ["urban", None, None, "好的一行", "2025-03-01", None, None, None, None],
            ["nowhere", None, None, "单位不存在", None, None, None, None, None],
            ["urban", None, None, "日期错误", "下周二", None, None, None, None],
            ["urban", None, None, "   ", None, None, None, None, None],
            ["urban", None, None, "未来的日期", tomorrow, None, None, None, None],
        ],
    )
    client = login(supervisor)
    response = _upload(client, "inaction", content, name="电话记录.xlsx")
    assert response.status_code == 400
    page = response.content.decode()
    assert (Report.objects.count(), ReportEvent.objects.count()) == before
    assert "Row 3, column “被反映单位”" in page and "nowhere" in page
    assert "Row 4, column “发生日期”" in page
    assert "Row 5, column “事情经过”" in page
    assert "Row 6, column “发生日期”" in page
    assert "Row 2," not in page

    rejection = ImportRejection.objects.get()
    url = reverse("reports:inaction_import_rejected", args=[rejection.pk])
    assert f'href="{url}"' in page
    rows = _cells(client.get(url))
    assert rows[0][-1] == "Errors" and rows[0][1:-1] == INACTION_HEADER
    assert [r[0] for r in rows[1:]] == [3, 4, 5, 6]
    assert "nowhere" in rows[1][-1]
    assert rejection.file_name == "电话记录-rejected.xlsx"

    # Only the uploader, and only while they may see the ledger.
    other = User.objects.create_user(
        username="sup2", password=PASSWORD, role=Role.SUPERVISOR, unit=units["district"]
    )
    assert login(other).get(url).status_code == 404
    assert client.get(
        reverse("reports:intermediary_import_rejected", args=[rejection.pk])
    ).status_code == 404  # fmt: skip
    supervisor.role = Role.HANDLER
    supervisor.save()
    assert client.get(url).status_code == 404


def test_bad_setting_names_row_and_column(discipline):
    content = _workbook(["环节", "事情经过"], [["行政审批", "好的"], ["饭店", "环节不对"]])
    response = _upload(login(discipline), "intermediary", content)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Row 3, column “环节”" in page and "饭店" in page
    assert not Report.objects.exists()


def test_missing_column_is_a_clear_error(supervisor):
    content = _workbook(["人员姓名", "事情经过"], [["王五", "没有单位列"]])
    response = _upload(login(supervisor), "inaction", content)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Row 1: the required column “被反映单位”" in page
    assert not Report.objects.exists()
    assert not ImportRejection.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(supervisor):
    response = _upload(login(supervisor), "inaction", b"not a workbook", name="x.xlsx")
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()
    assert not Report.objects.exists()


# ------------------------------------------------------------------------------ access


def _transfer_urls(ledger: str) -> list[tuple[str, str]]:
    return [
        ("get", reverse(f"reports:{ledger}_export")),
        ("get", reverse(f"reports:{ledger}_import")),
        ("post", reverse(f"reports:{ledger}_import")),
    ]


def _assert_transfer_404(client, ledger: str) -> None:
    content = _workbook(["被反映单位", "环节", "事情经过"], [["urban", "窗口", "不应被导入"]])
    for method, url in _transfer_urls(ledger):
        response = _upload(client, ledger, content) if method == "post" else client.get(url)
        assert response.status_code == 404, (method, url)
    assert not Report.objects.filter(description="不应被导入").exists()
    assert not ReportAccess.objects.filter(view=AccessView.EXPORT).exists()


def test_supervisor_cannot_import_or_export_intermediary_reports(supervisor, intermediary):
    _assert_transfer_404(login(supervisor), "intermediary")


def test_admin_cannot_import_or_export_intermediary_reports(admin_user, intermediary):
    _assert_transfer_404(login(admin_user), "intermediary")


def test_discipline_cannot_import_or_export_inaction_reports(discipline, inaction_report):
    _assert_transfer_404(login(discipline), "inaction")


@pytest.mark.parametrize("persona", ["handler", "leader", "clerk"])
@pytest.mark.parametrize("ledger", ["inaction", "intermediary"])
def test_other_staff_get_404_on_import_and_export(
    request, persona, ledger, inaction_report, intermediary
):
    _assert_transfer_404(login(request.getfixturevalue(persona)), ledger)


def test_rejected_rows_of_another_ledger_are_not_reachable(supervisor, discipline, units):
    rejection = ImportRejection.objects.create(
        ledger=Ledger.INTERMEDIARY, created_by=discipline, file_name="x.xlsx", content=b"x"
    )
    url = reverse("reports:intermediary_import_rejected", args=[rejection.pk])
    assert login(discipline).get(url).status_code == 200
    assert login(supervisor).get(url).status_code == 404


def test_anonymous_is_sent_to_login(citizen):
    response = citizen.get(reverse("reports:inaction_export"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

"""XLSX import (all rows or none, with a rejected-rows report) and formula-safe export."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum

from civicdesk.conftest import login
from civicdesk.ledgers import services
from civicdesk.ledgers.models import (
    BacklogCase,
    Enterprise,
    ImportReport,
    LedgerEvent,
    PromiseItem,
    Stage,
)
from civicdesk.ledgers.tests.conftest import BAD_CODE, CODE_A, CODE_B, read_xlsx, upload

ZH_HEADER = ["企业名称", "统一社会信用代码", "承诺事项", "承诺日期", "文件", "欠款金额", "责任单位",
             "期限"]  # fmt: skip


def _good_rows() -> list[list]:
    return [
        ZH_HEADER,
        ["东苑机械有限公司", CODE_A, "兑现技改补贴", "2023-05-10", "区府办〔2023〕12号", 120000.5,
         "urban", "2023-12-31"],
        ["东苑机械有限公司", CODE_A, "归还保证金", "2023/06/01", "", "", "市场监管局",
         "2024-06-30"],
        ["西溪科技有限公司", CODE_B.lower(), "协调用地指标", "2022年1月5日", "会议纪要", "3,000",
         "market", "2022-12-31"],
    ]  # fmt: skip


def test_good_workbook_loads_every_row(units, clerk):
    response = login(clerk).post("/ledgers/import/promises/", {"file": upload(_good_rows())})
    assert response.status_code == 302
    assert response["Location"] == "/ledgers/promises/"
    assert PromiseItem.objects.count() == 3
    assert Enterprise.objects.count() == 2
    first = PromiseItem.objects.get(promise="兑现技改补贴")
    assert first.amount_owed == Decimal("120000.50")
    assert first.unit == units["urban"]
    assert PromiseItem.objects.get(promise="归还保证金").unit == units["market"]  # by name
    assert PromiseItem.objects.get(promise="协调用地指标").amount_owed == Decimal("3000.00")


def test_english_headers_and_backlog(units, clerk):
    rows = [
        ["Case number", "Court or agency", "Enterprise name", "Credit code", "Filing date",
         "Stage", "Target closing date", "Closed on", "Unit"],
        ["A-1", "西湖区法院", "甲公司", CODE_A, "2024-01-02", "审理", "", "", "urban"],
        ["A-2", "区市场监管局", "乙公司", "", "2023-01-02", "closed", "", "2023-05-01", ""],
    ]  # fmt: skip
    response = login(clerk).post("/ledgers/import/backlog/", {"file": upload(rows)})
    assert response.status_code == 302
    a1, a2 = BacklogCase.objects.order_by("case_number")
    assert (a1.stage, a1.enterprise.credit_code, a1.unit) == (Stage.HEARING, CODE_A, units["urban"])
    assert (a2.stage, a2.enterprise, str(a2.closed_on)) == (Stage.CLOSED, None, "2023-05-01")


def test_one_bad_credit_code_loads_nothing_and_offers_the_rejected_rows(units, clerk):
    rows = _good_rows()
    rows[2][1] = BAD_CODE
    client = login(clerk)
    response = client.post("/ledgers/import/promises/", {"file": upload(rows, "台账.xlsx")})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in body
    assert "Row 3, column “统一社会信用代码” (unified social credit code)" in body
    assert not PromiseItem.objects.exists()
    assert not Enterprise.objects.exists()

    report = ImportReport.objects.get()
    link = f"/ledgers/import/reports/{report.pk}/"
    assert link in body
    download = client.get(link)
    assert download.status_code == 200
    assert "%E5%8F%B0%E8%B4%A6-rejected.xlsx" in download["Content-Disposition"]  # 台账
    sheet = read_xlsx(download.content)
    assert sheet[0] == ["Row", *ZH_HEADER, "Errors"]
    assert len(sheet) == 2  # the header and the one rejected row
    assert sheet[1][0] == 3
    assert sheet[1][2] == BAD_CODE
    assert "its last character does not match" in sheet[1][-1]


def test_every_bad_cell_is_named(units, clerk):
    rows = [
        ZH_HEADER,
        ["甲", CODE_A, "x", "not a date", "", "-5", "no-such-unit", "2024-01-01"],
        ["乙", CODE_B, "", "2024-02-01", "", "", "urban", "2024-01-01"],
    ]
    response = login(clerk).post("/ledgers/import/promises/", {"file": upload(rows)})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Row 2, column “承诺日期” (promised on): “not a date” is not a date" in body
    assert "Row 2, column “欠款金额” (amount owed): The amount cannot be negative" in body
    assert "Row 2, column “责任单位” (responsible unit): no active unit" in body
    assert "Row 3, column “承诺事项” (what was promised): this cell is empty." in body
    assert "Row 3, column “期限” (deadline): the deadline is before the day" in body
    assert not PromiseItem.objects.exists()
    assert len(read_xlsx(bytes(ImportReport.objects.get().content))) == 3


def test_a_blank_unit_cell_is_empty_not_an_unknown_unit(units, clerk):
    rows = [ZH_HEADER, ["甲", CODE_A, "x", "2024-01-01", "", "", "   ", "2024-03-01"]]
    body = login(clerk).post("/ledgers/import/promises/", {"file": upload(rows)}).content.decode()
    assert "Row 2, column “责任单位” (responsible unit): this cell is empty." in body
    assert "no active unit" not in body


def test_missing_column_is_a_clear_error(units, clerk):
    rows = [[c for c in row if c != "期限"] for row in _good_rows()[:1]] + [
        row[:-1] for row in _good_rows()[1:]
    ]
    response = login(clerk).post("/ledgers/import/promises/", {"file": upload(rows)})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Row 1: the required column “期限” (deadline) is missing." in body
    assert not PromiseItem.objects.exists()
    assert not ImportReport.objects.exists()


def test_not_a_workbook(units, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.xlsx", b"name,code\n")
    response = login(clerk).post("/ledgers/import/promises/", {"file": bad})
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()


def test_export_round_trip(units, clerk):
    client = login(clerk)
    assert (
        client.post("/ledgers/import/promises/", {"file": upload(_good_rows())}).status_code == 302
    )
    response = client.get("/ledgers/promises/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = read_xlsx(response.content)
    assert sheet[0][:8] == ZH_HEADER
    assert {row[2] for row in sheet[1:]} == {"兑现技改补贴", "归还保证金", "协调用地指标"}
    # The export is a valid import, and its rows are recognised: loading it adds nothing.
    exported = upload(sheet, "export.xlsx")
    again = client.post("/ledgers/import/promises/", {"file": exported})
    assert again.status_code == 200
    assert "3 rows were not imported" in again.content.decode()
    assert PromiseItem.objects.count() == 3


def test_the_same_workbook_imported_twice_loads_once(units, clerk):
    """Issue 13, item 3: a second import doubled the items and the amount owed."""
    client = login(clerk)
    first = client.post("/ledgers/import/promises/", {"file": upload(_good_rows())})
    assert first.status_code == 302
    owed = PromiseItem.objects.aggregate(total=Sum("amount_owed"))["total"]
    events = LedgerEvent.objects.count()

    second = client.post("/ledgers/import/promises/", {"file": upload(_good_rows())})

    assert second.status_code == 200
    assert PromiseItem.objects.count() == 3
    assert PromiseItem.objects.aggregate(total=Sum("amount_owed"))["total"] == owed
    assert LedgerEvent.objects.count() == events
    body = second.content.decode()
    assert "0 rows were imported." in body
    assert 'id="import-skipped"' in body and "3 rows were not imported" in body
    item = PromiseItem.objects.get(promise="兑现技改补贴")
    assert f"Row 2: this promise is already in the ledger as no. {item.pk}." in body


def test_known_rows_are_skipped_new_ones_loaded_and_differences_named(units, clerk):
    client = login(clerk)
    client.post("/ledgers/import/promises/", {"file": upload(_good_rows())})
    rows = _good_rows()
    # The same promise, spaced and cased differently, with a corrected amount and deadline.
    rows[1][2], rows[1][5], rows[1][7] = " 兑现 技改补贴 ", 99, "2024-06-30"
    rows.append(
        ["西溪科技有限公司", CODE_B, "减免房租", "2023-02-01", "", "", "urban", "2023-06-30"]
    )
    rows.append(
        ["西溪科技有限公司", CODE_B, "减免房租", "2023-02-01", "", "", "urban", "2023-06-30"]
    )

    response = client.post("/ledgers/import/promises/", {"file": upload(rows)})

    body = response.content.decode()
    assert "1 rows were imported." in body
    assert PromiseItem.objects.count() == 4
    assert PromiseItem.objects.get(promise="兑现技改补贴").amount_owed == Decimal("120000.50")
    assert "Row 2: this promise is already in the ledger as no. " in body
    assert "Its amount owed, deadline differ from the ledger&#x27;s" in body
    assert "Row 6: the same promise as row 5; loaded once." in body


def test_the_same_promise_entered_by_hand_again_is_refused(units, clerk):
    fields = {
        "enterprise_name": "东苑机械有限公司",
        "credit_code": CODE_A,
        "promise": "兑现技改补贴",
        "promised_on": date(2023, 5, 10),
        "unit": units["urban"],
        "deadline": date(2023, 12, 31),
        "actor": clerk,
    }
    item = services.promise_create(**fields)

    with pytest.raises(services.LedgerError, match=f"already in the ledger as no. {item.pk}"):
        services.promise_create(**{**fields, "promise": "兑现技改补贴 "})
    assert PromiseItem.objects.count() == 1


def test_export_neutralises_formulas(units, clerk):
    client = login(clerk)
    response = client.post(
        "/ledgers/promises/new/",
        {"enterprise_name": '=HYPERLINK("http://evil","x")', "credit_code": CODE_A,
         "promise": "+cmd|' /C calc'!A0", "promised_on": "2024-01-01", "document": "@SUM(1+1)",
         "amount_owed": "", "unit": units["urban"].pk, "deadline": "2024-02-01"},
    )  # fmt: skip
    assert response.status_code == 302
    content = client.get("/ledgers/promises/export.xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = next(sheet.iter_rows(min_row=2))
    assert cells[0].value == '\'=HYPERLINK("http://evil","x")'
    assert cells[2].value == "'+cmd|' /C calc'!A0"
    assert cells[4].value == "'@SUM(1+1)"
    assert all(cell.data_type != "f" for cell in cells)
    assert client.get("/ledgers/backlog/export.xlsx").status_code == 200


def test_only_managers_import(units, handler, leader, clerk):
    for user in (handler, leader):
        response = login(user).post("/ledgers/import/promises/", {"file": upload(_good_rows())})
        assert response.status_code == 404
    assert not PromiseItem.objects.exists()
    # A rejected-rows report is only for the person who uploaded the file.
    rows = _good_rows()
    rows[1][1] = BAD_CODE
    login(clerk).post("/ledgers/import/promises/", {"file": upload(rows)})
    report = ImportReport.objects.get()
    assert login(leader).get(f"/ledgers/import/reports/{report.pk}/").status_code == 404

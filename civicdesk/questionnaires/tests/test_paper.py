"""Paper questionnaires typed into XLSX: the template, a good file, a file with bad rows (nothing
imported, a report of rejected rows), and files that are not XLSX at all."""

import datetime as dt
import io
import zipfile

import pytest

from civicdesk.conftest import login
from civicdesk.intake.models import Submission
from civicdesk.questionnaires import paper
from civicdesk.questionnaires.models import EventAction, PaperImportReport, Response
from civicdesk.questionnaires.tests.conftest import (
    BAD_CODE,
    CODE_A,
    CODE_B,
    CODE_C,
    CODE_D,
    questions_by_code,
    read_xlsx,
    upload,
    xlsx,
)

# Headers as a clerk would type them: codes, texts or both, in any order.
HEADER = ["问卷编号", "填写日期", "Q1 企业名称", "Q1 统一社会信用代码", "企业类型", "Q3",
          "Q4 您对区政务服务的总体满意度", "Q5", "您对优化营商环境的意见和建议", "联系人",
          "联系电话"]  # fmt: skip
ADVICE = "用电报装从申请到通电用了一个多月，希望简化流程。"


def good_rows() -> list[list]:
    return [
        HEADER,
        ["ZZ-001", "2025-03-02", "示范区东方食品有限公司", CODE_A, "民营企业", "开办企业、纳税",
         5, 4, "", "王会计", 13900000001],
        # Options by number and by letter, the code in lower case, a score written "2分".
        ["ZZ-002", dt.datetime(2025, 3, 3), "示范区绿源建材有限公司", CODE_B.lower(), 1, "B,C",
         "2分", None, ADVICE, "", ""],
        ["ZZ-003", "2025/03/04", "示范区华信软件有限公司", CODE_C, "c", "", 3.0, 1, "", None,
         None],
        [None] * len(HEADER),  # an empty row in between is skipped
        ["ZZ-004", "", "示范区瑞丰物流有限公司", CODE_D, "个体工商户", "纳税",
         4, 5, "", "", ""],
    ]  # fmt: skip


@pytest.fixture
def rows(survey) -> list[list]:
    return good_rows()


def post(client, survey, content: bytes, name: str = "纸质问卷.xlsx"):
    return client.post(f"/staff/questionnaires/{survey.pk}/paper/", {"file": upload(content, name)})


def test_template_has_one_column_per_question_and_a_guide(clerk, survey):
    response = login(clerk).get(f"/staff/questionnaires/{survey.pk}/paper/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    header = read_xlsx(response.content)[0]
    assert header == [
        "Q1 企业名称", "Q1 统一社会信用代码", "Q2 企业类型", "Q3 近一年办理过哪些事项",
        "Q4 您对区政务服务的总体满意度", "Q5 涉企检查是否规范", "Q6 您对优化营商环境的意见和建议",
        "问卷编号", "填写日期", "联系人", "联系电话",
    ]  # fmt: skip
    guide = read_xlsx(response.content, sheet=1)
    lines = {row[0]: row for row in guide if row and row[0]}
    assert "A. 国有企业; B. 民营企业" in lines["Q2 企业类型"][2]
    assert lines["Q2 企业类型"][1] == "yes"
    assert "from 1 to 5 (1 = 非常不满意, 5 = 非常满意)" in lines["Q4 您对区政务服务的总体满意度"][2]


def test_a_filled_in_template_imports(clerk, survey):
    client = login(clerk)
    template = client.get(f"/staff/questionnaires/{survey.pk}/paper/template.xlsx").content
    header = read_xlsx(template)[0]
    row = ["示范区东方食品有限公司", CODE_A, "民营企业", "纳税", 5, 5, "", "001", "", "", ""]
    assert post(client, survey, xlsx([header, row])).status_code == 302
    assert Response.objects.get().paper_number == "001"


def test_good_file_loads_every_form_and_sends_opinions_to_triage(clerk, survey, rows):
    client = login(clerk)
    response = post(client, survey, xlsx(rows))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == f"/staff/questionnaires/{survey.pk}/results/"
    responses = {r.paper_number: r for r in Response.objects.all()}
    assert sorted(responses) == ["ZZ-001", "ZZ-002", "ZZ-003", "ZZ-004"]
    q = questions_by_code(survey)
    first, second, third = responses["ZZ-001"], responses["ZZ-002"], responses["ZZ-003"]
    assert first.channel == "paper" and first.entered_by == clerk
    assert (first.filled_on, first.contact_phone) == (dt.date(2025, 3, 2), "13900000001")
    assert (first.source_file, first.source_row) == ("纸质问卷.xlsx", 2)
    assert sorted(a.option.label for a in first.answers.filter(question=q["Q3"])) == [
        "开办企业", "纳税",
    ]  # fmt: skip
    assert second.enterprise_credit_code == CODE_B
    assert second.answers.get(question=q["Q2"]).option.label == "国有企业"
    assert sorted(a.option.label for a in second.answers.filter(question=q["Q3"])) == [
        "工程建设项目审批", "纳税",
    ]  # fmt: skip
    assert second.answers.get(question=q["Q4"]).number == 2
    assert third.answers.get(question=q["Q2"]).option.label == "外资企业"
    assert third.filled_on == dt.date(2025, 3, 4)

    # One submission per form that raised concerns: ZZ-002 (a low score and a request), ZZ-003.
    submissions = Submission.objects.select_related("channel")
    assert sorted(s.source_details["questions"] for s in submissions) == [["Q4", "Q6"], ["Q5"]]
    assert {s.channel.code for s in submissions} == {"paper_questionnaire"}
    assert {s.recorded_by for s in submissions} == {clerk}
    assert ADVICE in submissions.get(source_details__response=second.pk).description
    assert submissions.get(source_details__response=third.pk).enterprise_credit_code == CODE_C
    event = survey.events.get(action=EventAction.IMPORT)
    assert event.data == {"file": "纸质问卷.xlsx", "rows": 4, "cases": 2}

    # The same file again: every row is already there, and nothing more is stored.
    again = post(client, survey, xlsx(rows))
    assert again.status_code == 400
    body = again.content.decode()
    assert "this form number was already imported" in body
    assert "was already received" in body
    assert Response.objects.count() == 4 and Submission.objects.count() == 2


def test_bad_rows_import_nothing_and_come_back_in_a_report(clerk, supervisor, survey, rows):
    rows[1][3] = BAD_CODE  # row 2
    rows[2][4] = "合资企业"  # row 3: not an option
    rows[3][6] = 7  # row 4: out of the scale
    rows[5][4] = None  # row 6: required answer missing
    rows.append(["ZZ-005", "明天", "示范区东方食品有限公司", CODE_C, "民营企业", "", "很满意",
                 "", "", "", ""])  # fmt: skip
    rows.append(["ZZ-001", "", "示范区宏远服装有限公司", CODE_B, "民营企业", "", 5, "", "", "", ""])
    client = login(clerk)
    response = post(client, survey, xlsx(rows), name="三月纸质问卷.xlsx")
    assert response.status_code == 400
    body = response.content.decode().replace("&#x27;", "'")
    assert "Nothing was imported" in body
    expected = [
        "三月纸质问卷.xlsx, row 2, column “Q1 统一社会信用代码”",
        "its last character does not match",
        "row 3, column “企业类型”: “合资企业” is not one of the options: A. 国有企业; B. 民营企业",
        "row 4, column “Q4 您对区政务服务的总体满意度”: Q4 “您对区政务服务的总体满意度”: give a "
        "whole number from 1 to 5.",
        "row 6, column “企业类型”: Q2 “企业类型” needs an answer.",
        "row 7, column “填写日期”: “明天” is not a date",
        "row 7, column “Q4 您对区政务服务的总体满意度”: “很满意” is not a whole number from 1 "
        "to 5.",
        "row 8, column “问卷编号”: the same form number is on row 2.",
    ]
    for message in expected:
        assert message in body, message
    assert Response.objects.count() == 0 and Submission.objects.count() == 0

    report = PaperImportReport.objects.get()
    assert report.file_name == "三月纸质问卷-rejected.xlsx" and report.created_by == clerk
    url = f"/staff/questionnaires/import-reports/{report.pk}/"
    assert url in body
    download = client.get(url)
    assert download.status_code == 200
    errors = read_xlsx(download.content, sheet=0)
    assert errors[0] == ["File", "Row", "Column", "Value", "Reason"]
    assert errors[2][:4] == ["三月纸质问卷.xlsx", 3, "企业类型", "合资企业"]
    assert {row[1] for row in errors[1:]} == {2, 3, 4, 6, 7, 8}
    rejected = read_xlsx(download.content, sheet=1)
    assert rejected[0] == ["Row", *HEADER, "Errors"]
    assert [row[0] for row in rejected[1:]] == [2, 3, 4, 6, 7, 8]  # row 5 was fine
    assert rejected[2][5] == "合资企业"
    # The report belongs to whoever uploaded the file.
    assert login(supervisor).get(url).status_code == 404


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("问卷编号,企业名称\nZZ-001,东方食品\n".encode("gbk"), "This is a text file (such as CSV)"),
        ("\ufeff问卷编号,企业名称\n".encode(), "This is a text file (such as CSV)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "old Excel 97–2003 workbook (.xls)"),
        (_zip({"word/document.xml": b"<w/>"}), "not an Excel workbook (.xlsx)"),
        (b"PK\x03\x04" + b"\x00" * 50, "damaged or incomplete"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\xff" * 40, "is not an Excel workbook"),
    ],
)
def test_files_that_are_not_xlsx_get_clear_errors(clerk, survey, content, message):
    response = post(login(clerk), survey, content, name="问卷.xlsx")
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "问卷.xlsx: " in body
    assert Response.objects.count() == 0 and PaperImportReport.objects.count() == 0


def test_damaged_and_incomplete_workbooks(clerk, survey, rows):
    client = login(clerk)
    good = xlsx(rows)
    assert "damaged" in post(client, survey, good[: len(good) // 2]).content.decode()
    # A workbook without the required question columns names them.
    body = post(client, survey, xlsx([["问卷编号", "Q3"], ["ZZ-1", "纳税"]])).content.decode()
    assert "the required column" in body and "Q2 企业类型" in body and "Q4" in body
    body = post(client, survey, xlsx([HEADER])).content.decode()
    assert "has a header row but no data rows" in body
    assert Response.objects.count() == 0


def test_oversized_uploads_are_refused(clerk, survey, rows, monkeypatch):
    monkeypatch.setattr(paper, "MAX_UPLOAD_BYTES", 1000)
    response = post(login(clerk), survey, xlsx(rows))
    assert response.status_code == 400
    assert "larger than 10 MB" in response.content.decode()
    monkeypatch.setattr(paper, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    monkeypatch.setattr(paper, "MAX_UNPACKED_BYTES", 2000)
    response = post(login(clerk), survey, xlsx(rows))
    assert "too large once unpacked" in response.content.decode()
    assert Response.objects.count() == 0


def test_only_builders_import(leader, handler, survey, rows):
    for user in (leader, handler):
        client = login(user)
        assert client.get(f"/staff/questionnaires/{survey.pk}/paper/").status_code == 404
        url = f"/staff/questionnaires/{survey.pk}/paper/template.xlsx"
        assert client.get(url).status_code == 404
        assert post(client, survey, xlsx(rows)).status_code == 404
    assert Response.objects.count() == 0

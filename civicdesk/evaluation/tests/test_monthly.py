"""The monthly appraisal report: figures computed by hand, opened as XLSX and DOCX."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from civicdesk.cases.workflow import Status
from civicdesk.conftest import login
from civicdesk.evaluation.models import FollowUpStatus, Satisfaction
from civicdesk.evaluation.monthly import xlsx_header
from civicdesk.evaluation.tests.conftest import at
from civicdesk.evaluation.tests.test_rates import followup

pytestmark = pytest.mark.django_db

MARCH_XLSX = {"month": "2025-03", "format": "xlsx"}


@pytest.fixture
def month_cases(units, case_at, settings):
    """Urban: five cases received in March 2025, one in February; market: none.

    March: response 3/5 (c1, c4, c5 on time; c2 late; c3 deadline passed), resolution 1/2,
    satisfaction 1/2, on-time 1/2, reopen 1/2 (c1 and c2 answered in March); overdue at month
    end 2 (c3 open and past both deadlines, c5 answered only on 3 April, due 20 March).
    February: response 1/1, resolution 0/0 (its one answer's follow-up never got an answer),
    satisfaction 0/0, on-time 1/1, reopen 0/1."""
    settings.CIVICDESK_RANKING_MIN_CASES = 5
    urban = units["urban"]
    c1 = case_at(
        urban,
        received=at(3, 2),
        response_due=at(3, 5),
        responded=at(3, 3),
        answered=at(3, 10),
        answer_due=at(3, 20),
    )
    followup(c1, responded=at(3, 11), solved=True, level=Satisfaction.VERY_SATISFIED)
    c2 = case_at(
        urban,
        received=at(3, 3),
        response_due=at(3, 6),
        responded=at(3, 8),
        answered=at(3, 25),
        answer_due=at(3, 20),
        reopen_count=1,
    )
    followup(c2, responded=at(3, 26), solved=False, level=Satisfaction.DISSATISFIED)
    case_at(urban, received=at(3, 4), response_due=at(3, 7), answer_due=at(3, 28))
    case_at(
        urban,
        received=at(3, 30),
        response_due=at(4, 2),
        responded=at(4, 1),
        answered=at(4, 10),
        answer_due=at(4, 15),
    )
    case_at(
        urban,
        received=at(3, 5),
        response_due=at(3, 8),
        responded=at(3, 6),
        answered=at(4, 3),
        answer_due=at(3, 20),
    )
    # Merged duplicate: never counted, not even as overdue.
    case_at(urban, received=at(3, 6), response_due=at(3, 7), status=Status.MERGED)
    case_at(
        urban,
        received=at(2, 10),
        response_due=at(2, 12),
        responded=at(2, 11),
        answered=at(2, 15),
        answer_due=at(2, 20),
    )
    return units


def _rows(response) -> list[dict]:
    sheet = load_workbook(BytesIO(response.content)).active
    header, *rows = sheet.iter_rows(values_only=True)
    assert list(header) == xlsx_header()
    assert sheet["A1"].font.bold
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_xlsx_figures_by_hand(supervisor, month_cases):
    response = login(supervisor).get("/evaluation/monthly/", MARCH_XLSX)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="appraisal-2025-03.xlsx"'
    rows = {row["单位代码"]: row for row in _rows(response)}
    assert set(rows) == {"urban", "east-street", "market"}
    urban = rows["urban"]
    assert urban["排名"] == 1 and urban["受理诉求（件）"] == 5
    assert (urban["响应率分子"], urban["响应率分母"], urban["响应率（%）"]) == (3, 5, 60.0)
    assert (urban["解决率分子"], urban["解决率分母"], urban["解决率（%）"]) == (1, 2, 50.0)
    assert (urban["满意率分子"], urban["满意率分母"]) == (1, 2)
    assert (urban["按时办结率分子"], urban["按时办结率分母"]) == (1, 2)
    assert (urban["重办率分子"], urban["重办率分母"], urban["重办率（%）"]) == (1, 2, 50.0)
    assert urban["月末超期诉求（件）"] == 2
    assert rows["market"]["排名"] == "受理量不足5件，不参与排名"
    assert rows["market"]["响应率（%）"] is None and rows["market"]["响应率分母"] == 0


def test_previous_month_comparison(supervisor, month_cases):
    response = login(supervisor).get("/evaluation/monthly/", {**MARCH_XLSX, "unit": "urban"})

    assert response["Content-Disposition"] == (
        'attachment; filename="appraisal-2025-03-urban.xlsx"'
    )
    [urban] = _rows(response)
    assert urban["上月响应率（%）"] == 100.0 and urban["响应率变化（百分点）"] == -40.0
    assert urban["上月按时办结率（%）"] == 100.0 and urban["按时办结率变化（百分点）"] == -50.0
    assert urban["上月重办率（%）"] == 0.0 and urban["重办率变化（百分点）"] == 50.0
    # No follow-up answers in February: no resolution or satisfaction rate, no change (a
    # follow-up nobody answered was "not solved" before issue 13, item 1: 0%).
    assert urban["上月解决率（%）"] is None and urban["解决率变化（百分点）"] is None
    assert urban["上月满意率（%）"] is None and urban["满意率变化（百分点）"] is None
    assert urban["上月排名"] == "受理量不足5件，不参与排名"


def test_docx_title_intro_and_table(leader, month_cases):
    response = login(leader).get("/evaluation/monthly/", {"month": "2025-03", "format": "docx"})

    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response["Content-Disposition"] == 'attachment; filename="appraisal-2025-03.docx"'
    document = Document(BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "2025年3月单位考评情况通报"
    assert "现将2025年3月各单位接诉即办考评情况通报如下" in texts[1]
    [table] = document.tables
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0][:3] == ["排名", "单位", "受理诉求"]
    urban = next(row for row in cells if row[1] == "城市管理局")
    assert urban[0] == "1" and urban[2] == "5件" and urban[-1] == "2件"
    assert urban[3] == "60.0%（3/5）\n上月100.0%，-40.0个百分点"
    assert urban[5].startswith("50.0%（1/2）\n上月—，—")
    assert len(cells) == 4  # header and the three units directly below the district


@pytest.mark.parametrize("persona", ["clerk", "supervisor", "leader", "admin_user"])
def test_readers_get_the_form(request, persona, units):
    response = login(request.getfixturevalue(persona)).get("/evaluation/monthly/")
    assert response.status_code == 200
    assert 'id="monthly-form"' in response.content.decode()
    choices = response.context["form"].fields["unit"].choices
    assert {code for code, _name in choices} == {"", "urban", "east-street", "market"}


def test_index_links_to_the_monthly_report(supervisor, units):
    assert 'href="/evaluation/monthly/"' in login(supervisor).get("/evaluation/").content.decode()


def _next_month() -> str:
    today = timezone.localdate().replace(day=1)
    ahead = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return f"{ahead:%Y-%m}"


@pytest.mark.parametrize(
    "month, message",
    [
        ("2025-13", "Enter a month as YYYY-MM"),
        ("nonsense", "Enter a month as YYYY-MM"),
        ("2025-3", "Enter a month as YYYY-MM"),
        ("", "This field is required"),
        (None, "may not be in the future"),
    ],
)
def test_bad_months_are_refused(supervisor, units, month, message):
    month = _next_month() if month is None else month
    response = login(supervisor).get("/evaluation/monthly/", {"month": month, "format": "xlsx"})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_this_month_is_allowed(supervisor, units):
    this_month = f"{timezone.localdate():%Y-%m}"
    response = login(supervisor).get("/evaluation/monthly/", {"month": this_month})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'appraisal-{this_month}.xlsx"')


def test_unknown_unit_is_refused(supervisor, units):
    response = login(supervisor).get("/evaluation/monthly/", {**MARCH_XLSX, "unit": "nope"})
    assert response.status_code == 400


def test_handler_sees_only_own_unit(handler, month_cases):
    client = login(handler)
    assert client.get("/evaluation/monthly/").status_code == 200

    response = client.get("/evaluation/monthly/", MARCH_XLSX)
    assert response["Content-Disposition"] == (
        'attachment; filename="appraisal-2025-03-urban.xlsx"'
    )
    [urban] = _rows(response)
    assert urban["单位代码"] == "urban" and urban["排名"] == 1 and urban["月末超期诉求（件）"] == 2

    docx = client.get("/evaluation/monthly/", {"month": "2025-03", "format": "docx"})
    assert "市场监管局" not in "".join(
        cell.text for table in Document(BytesIO(docx.content)).tables for cell in table._cells
    )
    for other in ("market", "east-street", "urban-window"):
        assert client.get("/evaluation/monthly/", {**MARCH_XLSX, "unit": other}).status_code == 404


def test_visitors_must_log_in(citizen):
    assert citizen.get("/evaluation/monthly/").status_code == 302


def test_formula_safe_cells(supervisor, units, case_at):
    units["market"].name = '=HYPERLINK("http://x")'
    units["market"].save()
    units["urban"].code = "+urban"
    units["urban"].save()

    response = login(supervisor).get("/evaluation/monthly/", MARCH_XLSX)

    rows = _rows(response)
    market = next(row for row in rows if row["单位代码"] == "market")
    assert market["单位"] == '\'=HYPERLINK("http://x")'
    assert any(row["单位代码"] == "'+urban" for row in rows)


def test_rectification_rate_with_the_month_before(supervisor, units, rating_at):
    """March: of two bad ratings of the urban window, one rectified in time (1/2); February:
    one, rectified in time (1/1); a rating still within its deadline is in neither."""
    window = units["urban-window"]
    rating_at(window, 1, made=at(3, 2), due=at(3, 20), answered=at(3, 10))
    rating_at(window, 2, made=at(3, 3), due=at(3, 20), answered=at(3, 25))
    rating_at(window, 1, made=at(2, 10), due=at(2, 28), answered=at(2, 20))
    rating_at(window, 1, made=at(3, 31), due=timezone.now() + timedelta(days=1))
    client = login(supervisor)

    [urban] = _rows(client.get("/evaluation/monthly/", {**MARCH_XLSX, "unit": "urban"}))

    assert (urban["差评整改率分子"], urban["差评整改率分母"]) == (1, 2)
    assert urban["差评整改率（%）"] == 50.0 and urban["上月差评整改率（%）"] == 100.0
    assert urban["差评整改率变化（百分点）"] == -50.0

    docx = client.get("/evaluation/monthly/", {"month": "2025-03", "format": "docx"})

    document = Document(BytesIO(docx.content))
    assert "差评整改率" in document.paragraphs[1].text
    [table] = document.tables
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0][8] == "差评整改率" and cells[0][-1] == "月末超期"
    urban = next(row for row in cells if row[1] == "城市管理局")
    assert urban[8] == "50.0%（1/2）\n上月100.0%，-50.0个百分点"
    market = next(row for row in cells if row[1] == "市场监管局")
    assert market[8] == "—（0/0）\n上月—，—"


def test_follow_ups_without_an_answer_are_shown_beside_the_resolution_rate(
    supervisor, month_cases, case_at
):
    """Issue 13, item 1: they are neither solved nor not solved."""
    for day in (12, 14):
        unanswered = case_at(
            month_cases["urban"], received=at(3, 2), answered=at(3, day), answer_due=at(3, 20)
        )
        followup(unanswered, status=FollowUpStatus.NO_ANSWER)
    client = login(supervisor)

    [urban] = _rows(client.get("/evaluation/monthly/", {**MARCH_XLSX, "unit": "urban"}))
    docx = client.get("/evaluation/monthly/", {"month": "2025-03", "format": "docx"})

    assert (urban["解决率分子"], urban["解决率分母"], urban["解决率（%）"]) == (1, 2, 50.0)
    assert urban["解决率回访无应答（件）"] == 2
    cells = [
        cell.text for row in Document(BytesIO(docx.content)).tables[0].rows for cell in row.cells
    ]
    assert "50.0%（1/2），回访无应答2件" in "\n".join(cells)

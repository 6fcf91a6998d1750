"""Bulletins through HTTP: the form, its errors, who may use it, and the XLSX and DOCX
documents opened with openpyxl and python-docx."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.apps import apps
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from civicdesk.cases.models import Case, Category
from civicdesk.cases.workflow import Status
from civicdesk.conftest import login
from civicdesk.problems.models import Campaign, Problem

URL = "/staff/bulletins/"


@pytest.fixture
def period():
    today = timezone.localdate()
    return today - timedelta(days=30), today


@pytest.fixture
def world(units, make_case):
    """Three problems; hand-computed figures are in the tests.

    P1 路灯不亮 (城市管理/路灯): lead urban, co east-street, cases c1 (snapshot, answered in
       the period), c2 (phone, answered before the period), c3 (phone, open).
    P2 夜市占道 (市场监管/食品): lead market, co urban, cases c3 (shared) and c4 (snapshot,
       overdue).
    P3 无分类问题: no category, no unit, no cases.
    """
    now = timezone.now()
    city = Category.objects.create(code="t-city", name="城市管理", sort_order=1)
    lights = Category.objects.create(code="t-lights", name="路灯", parent=city)
    market = Category.objects.create(code="t-market", name="市场监管", sort_order=2)
    food = Category.objects.create(code="t-food", name="食品", parent=market)
    c1 = make_case("snapshot")
    c2 = make_case("phone")
    c3 = make_case("phone")
    c4 = make_case("snapshot")
    Case.objects.filter(pk=c1.pk).update(
        status=Status.ANSWERED, answered_at=now - timedelta(days=2)
    )
    Case.objects.filter(pk=c2.pk).update(status=Status.CLOSED, answered_at=now - timedelta(days=60))
    Case.objects.filter(pk=c4.pk).update(
        status=Status.IN_PROGRESS,
        unit=units["market"],
        first_responded_at=now - timedelta(days=5),
        answer_due_at=now - timedelta(days=1),
    )
    utilities = Campaign.objects.get(code="monopoly-utilities")
    promises = Campaign.objects.get(code="broken-promises")
    p1 = Problem.objects.create(
        title="东苑小区路灯不亮",
        category=lights,
        lead_unit=units["urban"],
        responsible_official="张三",
    )
    p1.co_units.set([units["east-street"]])
    p1.cases.set([c1, c2, c3])
    p1.campaigns.set([utilities])
    p2 = Problem.objects.create(
        title="夜市占道经营", category=food, lead_unit=units["market"], responsible_official="李四"
    )
    p2.co_units.set([units["urban"]])
    p2.cases.set([c3, c4])
    p2.campaigns.set([utilities, promises])
    p3 = Problem.objects.create(title="无分类问题")
    return {"problems": (p1, p2, p3), "cases": (c1, c2, c3, c4)}


def _get(client, kind, start, end, fmt):
    return client.get(
        URL,
        {
            "kind": kind,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "format": fmt,
        },
    )


def _sheet_rows(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if row[0] is not None]


def _workbook(response):
    return load_workbook(BytesIO(response.content))


def _docx_text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_form_is_shown_to_readers(clerk, supervisor, leader, admin_user):
    for user in (clerk, supervisor, leader, admin_user):
        response = login(user).get(URL)
        assert response.status_code == 200
        assert b'id="bulletin-form"' in response.content


def test_handler_gets_404_and_anonymous_is_sent_to_login(handler, citizen, period):
    assert login(handler).get(URL).status_code == 404
    start, end = period
    assert _get(login(handler), "problem-list", start, end, "xlsx").status_code == 404
    response = citizen.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/")
    assert "login" in response["Location"]


def test_problem_list_xlsx_groups_problems_by_aspect_with_counts(supervisor, world, period):
    start, end = period
    response = _get(login(supervisor), "problem-list", start, end, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="bulletin-problem-list-{start.isoformat()}-{end.isoformat()}.xlsx"'
    )
    workbook = _workbook(response)
    assert workbook.sheetnames == ["问题清单", "单位汇总", "专项汇总"]
    sheet = workbook["问题清单"]
    assert all(cell.font.bold for cell in sheet[1])
    rows = [row for row in _sheet_rows(sheet) if isinstance(row["序号"], int)]
    assert [(r["序号"], r["方面"], r["类别"], r["问题"]) for r in rows] == [
        (1, "城市管理", "路灯", "东苑小区路灯不亮"),
        (2, "市场监管", "食品", "夜市占道经营"),
        (3, "未分类", None, "无分类问题"),
    ]
    light, stalls, loose = rows
    assert (light["随手拍（件）"], light["电话（件）"], light["关联诉求合计"]) == (1, 2, 3)
    assert (stalls["随手拍（件）"], stalls["电话（件）"], stalls["关联诉求合计"]) == (1, 1, 2)
    assert (light["本期办结"], light["超期"]) == (1, 0)
    assert (stalls["本期办结"], stalls["超期"]) == (0, 1)
    assert light["牵头单位"] == "城市管理局" and light["配合单位"] == "东街道"
    assert light["责任人"] == "张三" and light["专项行动"] == "垄断行业"
    assert stalls["专项行动"] == "政府失信违诺、垄断行业"
    assert loose["关联诉求合计"] == 0 and loose["牵头单位"] is None

    units = {r["单位"]: r for r in _sheet_rows(workbook["单位汇总"])}
    assert set(units) == {"城市管理局", "东街道", "市场监管局"}
    fields = ("牵头问题数", "配合问题数", "关联诉求", "本期办结", "超期")
    assert tuple(units["城市管理局"][f] for f in fields) == (1, 1, 3, 1, 0)
    assert tuple(units["市场监管局"][f] for f in fields) == (1, 0, 2, 0, 1)
    assert tuple(units["东街道"][f] for f in fields) == (0, 1, 0, 0, 0)

    campaigns = {r["专项行动"]: r for r in _sheet_rows(workbook["专项汇总"])}
    assert len(campaigns) == 5
    fields = ("问题数", "关联诉求", "本期办结", "超期")
    # c3 is linked to both problems of 垄断行业 and counts once.
    assert tuple(campaigns["垄断行业"][f] for f in fields) == (2, 4, 1, 1)
    assert tuple(campaigns["政府失信违诺"][f] for f in fields) == (1, 2, 0, 1)
    assert tuple(campaigns["不作为乱作为"][f] for f in fields) == (0, 0, 0, 0)


def test_problem_list_docx_has_title_period_and_one_row_per_problem(leader, world, period):
    start, end = period
    response = _get(login(leader), "problem-list", start, end, "docx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"].endswith(
        f'filename="bulletin-problem-list-{start.isoformat()}-{end.isoformat()}.docx"'
    )
    document = Document(BytesIO(response.content))
    text = _docx_text(document)
    assert "关于全区突出问题清单的通报" in text
    assert (
        f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日" in text
    )
    assert "共列入问题3个" in text and "关联群众诉求4件" in text
    assert "一、城市管理（1个）" in text and "二、市场监管（1个）" in text
    assert "三、未分类（1个）" in text
    # Three aspect tables, then the unit and campaign summaries.
    assert len(document.tables) == 5
    problem_rows = [
        [cell.text for cell in row.cells] for table in document.tables[:3] for row in table.rows[1:]
    ]
    assert [row[1] for row in problem_rows] == ["东苑小区路灯不亮", "夜市占道经营", "无分类问题"]
    assert problem_rows[0][2] == "3件：随手拍1件、电话2件"
    units = {row.cells[0].text: row.cells[1].text for row in document.tables[3].rows[1:]}
    assert units == {"城市管理局": "1", "东街道": "0", "市场监管局": "1"}
    campaigns = {row.cells[0].text: row.cells[2].text for row in document.tables[4].rows[1:]}
    assert campaigns["垄断行业"] == "4"


def test_problems_listed_after_the_period_are_left_out(clerk, world, period):
    start, end = period
    p1 = world["problems"][0]
    Problem.objects.filter(pk=p1.pk).update(created_at=timezone.now() + timedelta(days=2))
    response = _get(login(clerk), "problem-list", start, end, "xlsx")
    titles = [r["问题"] for r in _sheet_rows(_workbook(response)["问题清单"]) if r["问题"]]
    assert "东苑小区路灯不亮" not in titles and "夜市占道经营" in titles


@pytest.mark.parametrize(
    ("start_offset", "end_offset", "message"),
    [
        (0, -1, b"The end date is before the start date."),
        (-400, 0, b"Choose a period of at most one year."),
    ],
)
def test_bad_period_is_a_400_with_a_message(supervisor, start_offset, end_offset, message):
    today = timezone.localdate()
    response = _get(
        login(supervisor),
        "problem-list",
        today + timedelta(days=start_offset),
        today + timedelta(days=end_offset),
        "xlsx",
    )
    assert response.status_code == 400
    assert message in response.content


def test_bad_kind_format_and_date_are_400(supervisor):
    client = login(supervisor)
    response = client.get(
        URL, {"kind": "gossip", "period_start": "2025-13-01", "period_end": "", "format": "pdf"}
    )
    assert response.status_code == 400
    assert b"Select a valid choice." in response.content
    assert b"Enter a valid date." in response.content
    assert b"This field is required." in response.content


def test_formula_injection_is_neutralised(supervisor, units, period):
    problem = Problem.objects.create(
        title='=HYPERLINK("http://evil.example","click")',
        lead_unit=units["urban"],
        responsible_official="+86 123",
    )
    problem.campaigns.set([Campaign.objects.get(code="inaction")])
    start, end = period
    response = _get(login(supervisor), "problem-list", start, end, "xlsx")
    sheet = _workbook(response)["问题清单"]
    row = _sheet_rows(sheet)[0]
    assert row["问题"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["责任人"] == "'+86 123"
    assert all(cell.data_type != "f" for r in sheet.iter_rows() for cell in r)


def test_progress_bulletin_without_measures_uses_answered_share(
    supervisor, world, period, monkeypatch
):
    from civicdesk.bulletins import build

    monkeypatch.setattr(build, "measure_model", lambda: None)
    start, end = period
    client = login(supervisor)
    response = _get(client, "progress", start, end, "xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        f'filename="bulletin-progress-{start.isoformat()}-{end.isoformat()}.xlsx"'
    )
    workbook = _workbook(response)
    assert workbook.sheetnames == ["整改进展", "单位汇总", "专项汇总"]
    rows = {r["问题"]: r for r in _sheet_rows(workbook["整改进展"]) if isinstance(r["序号"], int)}
    # P1: c1 and c2 answered of three; P2: none of two; P3: no cases.
    assert rows["东苑小区路灯不亮"]["整改进展（%）"] == pytest.approx(66.7)
    assert rows["夜市占道经营"]["整改进展（%）"] == 0
    assert rows["无分类问题"]["整改进展（%）"] is None
    assert rows["东苑小区路灯不亮"]["进展依据"] == "诉求办结"
    campaigns = {r["专项行动"]: r for r in _sheet_rows(workbook["专项汇总"])}
    assert campaigns["垄断行业"]["平均整改进展（%）"] == pytest.approx(33.3)

    document = Document(BytesIO(_get(client, "progress", start, end, "docx").content))
    text = _docx_text(document)
    assert "关于全区突出问题整改进展情况的通报" in text
    assert "整改进展按关联诉求办结比例计算" in text
    progress = [row.cells[7].text for table in document.tables[:3] for row in table.rows[1:]]
    assert progress == ["67%（诉求办结）", "0%（诉求办结）", "—（诉求办结）"]


def test_progress_bulletin_with_measures_uses_weighted_progress(supervisor, world, period):
    measure = apps.get_model("commitments", "Measure")
    p1 = world["problems"][0]
    start, end = period
    today = timezone.localdate()
    common = {"unit": p1.lead_unit, "start_date": today - timedelta(days=20)}
    # P1: (100 × 1 + 40 × 3) / 4 = 55; the second one is overdue.
    measure.objects.create(
        problem=p1,
        title="换灯",
        deadline=today - timedelta(days=5),
        weight=1,
        progress=100,
        status="done",
        **common,
    )
    measure.objects.create(
        problem=p1,
        title="巡查",
        deadline=today - timedelta(days=1),
        weight=3,
        progress=40,
        status="in_progress",
        **common,
    )
    response = _get(login(supervisor), "progress", start, end, "xlsx")
    workbook = _workbook(response)
    rows = {r["问题"]: r for r in _sheet_rows(workbook["整改进展"]) if isinstance(r["序号"], int)}
    light, stalls = rows["东苑小区路灯不亮"], rows["夜市占道经营"]
    assert light["整改进展（%）"] == pytest.approx(55)
    assert (light["进展依据"], light["整改措施数"], light["超期措施数"]) == ("整改措施", 2, 1)
    # P2 has no measures yet: its progress falls back to its cases.
    assert stalls["进展依据"] == "诉求办结" and stalls["整改进展（%）"] == 0
    units = {r["单位"]: r for r in _sheet_rows(workbook["单位汇总"])}
    assert units["城市管理局"]["超期措施数"] == 1
    document = Document(BytesIO(_get(login(supervisor), "progress", start, end, "docx").content))
    assert "整改进展按各问题整改措施的完成进度加权计算" in _docx_text(document)
    assert "目前共有超期整改措施1项" in _docx_text(document)

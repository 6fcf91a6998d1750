"""Appraisal scores: a hand-computed month, the scheme checked line by line (nothing half-saved,
translated errors naming the line), the drill-down, who sees what, the monthly report and the
API."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook

from civicdesk.accounts.models import ApiToken
from civicdesk.api.tests.conftest import ApiClient
from civicdesk.appraisal import scores
from civicdesk.appraisal.models import Scheme
from civicdesk.appraisal.schemes import SchemeError, parse_lines, scheme_create
from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status
from civicdesk.commitments.models import Measure
from civicdesk.conftest import login
from civicdesk.evaluation.models import Praise, PraiseSource
from civicdesk.evaluation.tests.conftest import at, case_at, rating_at  # noqa: F401 - fixtures
from civicdesk.evaluation.tests.test_rates import followup
from civicdesk.problems.models import Problem
from civicdesk.ratings.models import Rating

pytestmark = pytest.mark.django_db

MARCH = date(2025, 3, 1)
LINES = [
    {"kind": "base", "points": "10"},
    {"kind": "rate", "target": "response", "points": "30"},
    {"kind": "rate", "target": "resolution", "points": "30"},
    {"kind": "rate", "target": "reopen", "points": "10"},
    {"kind": "overdue_case", "points": "0.5", "cap": "0.8"},
    {"kind": "upheld_bad_rating", "points": "2"},
    {"kind": "overdue_measure", "points": "1"},
    {"kind": "praised_case", "points": "0.5"},
]


@pytest.fixture
def scheme(supervisor):
    return scheme_create(name="三月方案", valid_from=MARCH, rows=LINES, actor=supervisor)


@pytest.fixture
def march(units, case_at, rating_at, supervisor):  # noqa: F811
    """The urban management department's March 2025, as worked out by hand below."""
    urban = units["urban"]
    # c1: responded and answered on time, follow-up "solved", praised twice.
    c1 = case_at(
        urban,
        received=at(3, 2),
        response_due=at(3, 5),
        responded=at(3, 3),
        answered=at(3, 10),
        answer_due=at(3, 20),
    )
    followup(c1, responded=at(3, 11), solved=True, level=5)
    # c2: responded late, answered after its deadline, follow-up "not solved".
    c2 = case_at(
        urban,
        received=at(3, 3),
        response_due=at(3, 6),
        responded=at(3, 9),
        answered=at(3, 25),
        answer_due=at(3, 20),
    )
    followup(c2, responded=at(3, 26), solved=False, level=2)
    # c3: no response, no answer, both deadlines passed in March.
    case_at(urban, received=at(3, 4), response_due=at(3, 7), answer_due=at(3, 28))
    # c4: on time, but reopened once.
    case_at(
        urban,
        received=at(3, 5),
        response_due=at(3, 8),
        responded=at(3, 6),
        answered=at(3, 12),
        answer_due=at(3, 26),
        reopen_count=1,
    )
    # Another unit's overdue case: not urban's.
    case_at(units["market"], received=at(3, 4), response_due=at(3, 7), answer_due=at(3, 28))
    window = units["urban-window"]
    stands = rating_at(window, 1, made=at(3, 8))  # stands: -2
    upheld = rating_at(window, 2, made=at(3, 9))
    Rating.objects.filter(pk=upheld.pk).update(excluded=True, appeal_status="upheld")
    # Each bad rating opened a rectification case of the window (urban's subtree): r1 and r2,
    # both responded to and answered on time.
    for day, rating in ((8, stands), (9, upheld)):
        Case.objects.filter(pk=rating.case_id).update(
            received_at=at(3, day),
            response_due_at=at(3, day + 3),
            first_responded_at=at(3, day, 15),
            answered_at=at(3, day + 1),
            answer_due_at=at(3, 28),
            status=Status.ANSWERED,
        )
    rating_at(window, 5, made=at(3, 10))  # good: nothing
    problem = Problem.objects.create(title="路灯", lead_unit=urban, created_by=supervisor)
    Measure.objects.create(
        problem=problem,
        title="修复路灯",
        unit=urban,
        start_date=date(2025, 3, 1),
        deadline=date(2025, 3, 15),
    )
    Measure.objects.create(  # done on time: nothing
        problem=problem,
        title="排查线路",
        unit=urban,
        start_date=date(2025, 3, 1),
        deadline=date(2025, 3, 15),
        status="done",
        done_at=at(3, 14),
    )
    for day in (11, 12):
        Praise.objects.create(
            case=c1, unit=urban, source=PraiseSource.LETTER, received_at=at(3, day)
        )
    Praise.objects.create(case=c2, unit=urban, source=PraiseSource.LETTER, received_at=at(4, 2))
    return urban


def test_a_hand_computed_month(scheme, march):
    score = scores.unit_score(march, MARCH)

    results = [(line.label, line.formula, line.result) for line in score.lines]
    assert results == [
        ("Base points", "10.00", Decimal("10.00")),
        # 4 of 6 responded on time (c1, c4, r1, r2; c2 late, c3 never): 30 × 4/6.
        ("Points per rate: Response rate", "66.7% (4/6) × 30.00 = 20.00", Decimal("20.00")),
        # Follow-ups answered: c1 solved, c2 not (c4 none): 30 × 0.5.
        ("Points per rate: Resolution rate", "50.0% (1/2) × 30.00 = 15.00", Decimal("15.00")),
        # c4 of c1, c2, c4, r1, r2 reopened; lower is better: (1 − 1/5) × 10 = 8.
        ("Points per rate: Reopen rate", "(1 − 20.0% (1/5)) × 10.00 = 8.00", Decimal("8.00")),
        # c2 answered late, c3 never: 2 × 0.5 = 1.00, at most 0.80.
        (
            "Deduction per overdue case",
            "2 × 0.50 = −1.00 (at most 0.80)",
            Decimal("-0.80"),
        ),
        # One bad rating stands; the other was excluded after an upheld appeal.
        ("Deduction per upheld bad rating", "1 × 2.00 = −2.00", Decimal("-2.00")),
        ("Deduction per overdue measure", "1 × 1.00 = −1.00", Decimal("-1.00")),
        # c1 praised twice in March counts once; c2's praise came in April.
        ("Bonus per praised case", "1 × 0.50 = +0.50", Decimal("0.50")),
    ]
    assert score.total == Decimal("49.70")
    assert score.sum_formula == ("10.00 + 20.00 + 15.00 + 8.00 − 0.80 − 2.00 − 1.00 + 0.50 = 49.70")


def test_a_second_month_worked_out_by_hand(scheme, march, supervisor):
    """April under the same scheme: nothing fell due and nothing was answered, so the rates have
    nothing to count and earn their full points; only c2's praise of 2 April counts."""
    score = scores.unit_score(march, date(2025, 4, 1))

    results = [(line.label, line.formula, line.result) for line in score.lines]
    assert results == [
        ("Base points", "10.00", Decimal("10.00")),
        ("Points per rate: Response rate", "nothing to count: full 30.00", Decimal("30.00")),
        ("Points per rate: Resolution rate", "nothing to count: full 30.00", Decimal("30.00")),
        ("Points per rate: Reopen rate", "nothing to count: full 10.00", Decimal("10.00")),
        # c3's and market's deadlines were in March; the ratings and measures too.
        ("Deduction per overdue case", "0 × 0.50 = 0.00", Decimal("0.00")),
        ("Deduction per upheld bad rating", "0 × 2.00 = 0.00", Decimal("0.00")),
        ("Deduction per overdue measure", "0 × 1.00 = 0.00", Decimal("0.00")),
        ("Bonus per praised case", "1 × 0.50 = +0.50", Decimal("0.50")),
    ]
    assert score.total == Decimal("80.50")
    page = login(supervisor).get("/staff/appraisal/units/urban/", {"month": "2025-04"})
    assert '<strong id="score-total">80.50</strong>' in page.content.decode()


def test_the_scheme_in_force_scores_the_month(scheme, march, supervisor):
    later = scheme_create(
        name="四月方案",
        valid_from=date(2025, 4, 1),
        rows=[{"kind": "base", "points": "100"}],
        actor=supervisor,
    )
    assert Scheme.objects.in_force(MARCH) == scheme
    assert Scheme.objects.in_force(date(2025, 5, 1)) == later
    assert scores.unit_score(march, MARCH).total == Decimal("49.70")
    assert scores.unit_score(march, date(2025, 4, 1)).total == Decimal("100.00")


def test_a_rate_with_nothing_to_count_earns_full_points(scheme, units):
    score = scores.unit_score(units["market"], MARCH)
    resolution = score.lines[2]
    assert resolution.result == Decimal("30.00")
    assert resolution.formula == "nothing to count: full 30.00"


@pytest.mark.parametrize(
    "rows, message",
    [
        (
            [{"kind": "base", "points": "10"}, {"kind": "overdue_case", "points": "abc"}],
            "Line 2 (Deduction per overdue case): the points “abc” are not a number of points",
        ),
        ([{"kind": "overdue_case", "points": "-1"}], "the points “-1” are not a number"),
        ([{"kind": "overdue_case", "points": "0.125"}], "at most two decimals"),
        ([{"kind": "rate", "target": "nope", "points": "5"}], "Line 1 (Points per rate): choose"),
        ([{"kind": "late_letters", "points": "5"}], "Line 1: “late_letters” is not a kind"),
        ([{"kind": "base", "points": "5", "cap": "3"}], "only a deduction or a bonus"),
        (
            [{"kind": "praised_case", "points": "1"}, {"kind": "praised_case", "points": "2"}],
            "Line 2 (Bonus per praised case) repeats line 1.",
        ),
        ([{"kind": "", "points": ""}], "A scheme needs at least one line."),
    ],
)
def test_lines_that_do_not_parse_are_named(rows, message):
    with pytest.raises(SchemeError) as raised:
        parse_lines(rows)
    assert any(message in error for error in raised.value.errors), raised.value.errors


def test_full_width_digits_read_as_numbers():
    (line,) = parse_lines([{"kind": "overdue_case", "points": "０.５", "cap": "１０"}])
    assert line.points == Decimal("0.50") and line.cap == Decimal("10.00")


def _post_scheme(client, lines, name="新方案", month="2025-06", **headers):
    data = {
        "name": name,
        "valid_from": month,
        "line-TOTAL_FORMS": str(len(lines)),
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "40",
    }
    for index, line in enumerate(lines):
        for key in ("kind", "target", "points", "cap"):
            data[f"line-{index}-{key}"] = line.get(key, "")
    return client.post("/staff/appraisal/schemes/new/", data, **headers)


def test_a_bad_line_on_the_page_saves_nothing_and_is_named(supervisor):
    before = Scheme.objects.count()
    response = _post_scheme(
        login(supervisor),
        [{"kind": "base", "points": "60"}, {"kind": "upheld_bad_rating", "points": "two"}],
    )
    assert response.status_code == 400
    assert (
        "Line 2 (Deduction per upheld bad rating): the points “two” are not a number of points"
        in response.content.decode()
    )
    assert Scheme.objects.count() == before


def test_the_error_is_translated(supervisor):
    client = login(supervisor)
    response = _post_scheme(
        client, [{"kind": "overdue_case", "points": "两分"}], HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "第1项（超期诉求扣分）：分值“两分”不是有效分数" in response.content.decode()


def test_a_supervisor_saves_a_new_version(supervisor, handler):
    response = _post_scheme(
        login(supervisor),
        [{"kind": "rate", "target": "satisfaction", "points": "100"}, {}],
    )
    assert response.status_code == 302
    saved = Scheme.objects.get(name="新方案")
    assert saved.valid_from == date(2025, 6, 1)
    assert [(line.kind, line.target, line.points) for line in saved.lines.all()] == [
        ("rate", "satisfaction", Decimal("100.00"))
    ]
    assert login(handler).get("/staff/appraisal/schemes/new/").status_code == 404


def test_the_unit_page_shows_the_arithmetic_and_drills_down(scheme, march, supervisor):
    client = login(supervisor)
    page = client.get("/staff/appraisal/units/urban/", {"month": "2025-03"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "2 × 0.50 = −1.00 (at most 0.80)" in body
    assert "10.00 + 20.00 + 15.00 + 8.00 − 0.80 − 2.00 − 1.00 + 0.50 = 49.70" in body

    overdue = client.get("/staff/appraisal/units/urban/lines/5/", {"month": "2025-03"})
    codes = [row.code for row in overdue.context["rows"]]
    assert len(codes) == 2
    response_rows = client.get("/staff/appraisal/units/urban/lines/2/", {"month": "2025-03"})
    counted = sorted(row.counted for row in response_rows.context["rows"])
    assert counted == [False, False, True, True, True, True]


def test_the_table_ranks_units_with_training_beside(scheme, march, leader):
    page = login(leader).get("/staff/appraisal/", {"month": "2025-03"})
    assert page.status_code == 200
    ranked = [(score.unit.code, score.total, score.rank) for score, _t in page.context["rows"]]
    assert ranked == [
        # Nothing to count: every rate earns its full points, nothing is deducted.
        ("east-street", Decimal("80.00"), 1),
        ("urban", Decimal("49.70"), 2),
        # Its one case: never responded to (0 of 30) and overdue (−0.50).
        ("market", Decimal("49.50"), 3),
    ]
    assert 'data-training-hours="0"' in page.content.decode()


def test_handlers_see_their_own_unit_only(scheme, march, handler, other_handler):
    assert login(handler).get("/staff/appraisal/").status_code == 302
    assert login(handler).get("/staff/appraisal/units/urban/").status_code == 200
    assert login(handler).get("/staff/appraisal/units/urban-window/").status_code == 200
    assert login(other_handler).get("/staff/appraisal/units/urban/").status_code == 404
    assert login(other_handler).get("/staff/appraisal/units/urban/lines/5/").status_code == 404


def test_the_monthly_report_includes_the_score(scheme, march, supervisor):
    client = login(supervisor)
    xlsx = client.get("/evaluation/monthly/", {"month": "2025-03", "format": "xlsx"})
    book = load_workbook(BytesIO(xlsx.content))
    header, *rows = book.worksheets[0].iter_rows(values_only=True)
    urban = dict(zip(header, next(r for r in rows if r[1] == "城市管理局"), strict=True))
    assert urban["考核得分"] == 49.7 and urban["考核排名"] == 2
    detail = list(book["考核得分明细"].iter_rows(values_only=True))
    assert ("城市管理局", 5, "超期诉求扣分", "2 × 0.50 = −1.00（上限0.80）", -0.8) in detail
    total = next(row for row in detail if row[0] == "城市管理局" and row[2] == "合计")
    assert total[3].endswith("− 1.00 + 0.50 = 49.70") and total[4] == 49.7

    docx = client.get("/evaluation/monthly/", {"month": "2025-03", "format": "docx"})
    document = Document(BytesIO(docx.content))
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("城市管理局：49.70分") for t in texts)
    header_cells = [c.text for c in document.tables[0].rows[0].cells]
    assert header_cells[-2:] == ["考核得分", "月末超期"]


def test_api_scores_and_schemes(scheme, march, supervisor, handler, clerk):
    def api(user):
        return ApiClient(ApiToken.issue(user=user, name="t")[1])

    unit = api(handler).get("/api/v1/appraisal/units/urban", month="2025-03")
    assert unit.status_code == 200
    assert unit.json()["total"] == "49.70" and unit.json()["lines"][4]["capped"] is True
    rows = api(handler).get("/api/v1/appraisal/units/urban/lines/5", month="2025-03")
    assert len(rows.json()["rows"]) == 2
    assert api(handler).get("/api/v1/appraisal/scores", month="2025-03").status_code == 403
    table = api(clerk).get("/api/v1/appraisal/scores", month="2025-03")
    assert [u["unit"]["code"] for u in table.json()["units"]] == ["east-street", "urban", "market"]

    bad = api(supervisor).post(
        "/api/v1/appraisal/schemes",
        {
            "name": "坏方案",
            "valid_from": "2025-07",
            "lines": [{"kind": "base", "points": 50}, {"kind": "overdue_case", "points": "x"}],
        },
    )
    assert bad.status_code == 422
    assert "Line 2 (Deduction per overdue case)" in bad.json()["detail"][0]["msg"]
    assert not Scheme.objects.filter(name="坏方案").exists()
    good = api(supervisor).post(
        "/api/v1/appraisal/schemes",
        {"name": "好方案", "valid_from": "2025-07", "lines": [{"kind": "base", "points": 50}]},
    )
    assert good.status_code == 201 and good.json()["lines"][0]["points"] == "50.00"
    assert (
        api(clerk)
        .post(
            "/api/v1/appraisal/schemes",
            {"name": "x", "valid_from": "2025-07", "lines": [{"kind": "base", "points": 1}]},
        )
        .status_code
        == 403
    )

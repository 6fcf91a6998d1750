"""Who sees the rates table, a handler's own unit, and the XLSX export."""

import re
from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook

from civicdesk.conftest import login
from civicdesk.evaluation import rates
from civicdesk.evaluation.models import FollowUpStatus
from civicdesk.evaluation.tests.conftest import at
from civicdesk.evaluation.tests.test_rates import followup
from civicdesk.evaluation.views import RATE_LABELS

pytestmark = pytest.mark.django_db

MARCH = {"since": "2025-03-01", "until": "2025-03-31"}


@pytest.mark.parametrize("persona", ["clerk", "supervisor", "leader", "admin_user"])
def test_table_readers(request, persona, units):
    response = login(request.getfixturevalue(persona)).get("/evaluation/", MARCH)
    assert response.status_code == 200
    assert {r["unit"].code for r in response.context["rows"]} == {
        "urban",
        "east-street",
        "market",
    }


def test_handlers_get_no_table_and_visitors_must_log_in(handler, citizen):
    assert login(handler).get("/evaluation/").status_code == 404
    assert login(handler).get("/evaluation/export.xlsx").status_code == 404
    assert citizen.get("/evaluation/").status_code == 302


def test_handler_sees_only_their_own_unit(handler, other_handler, supervisor, case_at, units):
    case_at(units["urban"], received=at(3, 2), response_due=at(3, 5), responded=at(3, 3))
    case_at(units["market"], received=at(3, 2), response_due=at(3, 5), responded=at(3, 9))

    mine = login(handler).get("/evaluation/my-unit/", MARCH)
    theirs = login(other_handler).get("/evaluation/my-unit/", MARCH)

    assert mine.status_code == 200 and mine.context["row"].unit == units["urban"]
    assert 'data-rate="response"><th>Response rate</th><td>100.0%' in mine.content.decode()
    assert theirs.context["row"].unit == units["market"]
    assert "市场监管局" not in mine.content.decode()
    assert login(supervisor).get("/evaluation/my-unit/").status_code == 404


@pytest.mark.parametrize(
    "period, message",
    [
        ({"since": "2025-03-31", "until": "2025-03-01"}, "end on or after"),
        ({"since": "2024-01-01", "until": "2025-03-01"}, "at most one year"),
        ({"since": "nonsense", "until": "2025-03-01"}, "Enter a valid date"),
    ],
)
def test_bad_periods_are_refused(supervisor, units, period, message):
    response = login(supervisor).get("/evaluation/", period)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_default_period_is_this_month(supervisor, units):
    response = login(supervisor).get("/evaluation/")
    assert response.status_code == 200 and response.context["rows"]


def test_export_is_formula_safe(supervisor, units, case_at):
    units["market"].name = '=HYPERLINK("http://x")'
    units["market"].save()
    case_at(units["market"], received=at(3, 2), response_due=at(3, 5), responded=at(3, 3))

    response = login(supervisor).get("/evaluation/export.xlsx", MARCH)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Rank", "Unit", "Cases received", "Response rate")
    market = next(r for r in rows if str(r[1]).endswith('"http://x")'))
    assert market[1].startswith("'=")
    assert market[2:6] == (1, 1, 1, 1)


@pytest.fixture
def rectifications(units, rating_at):
    """Two bad ratings of the urban window in March 2025: one rectified in time, one late."""
    window = units["urban-window"]
    rating_at(window, 1, made=at(3, 2), due=at(3, 20), answered=at(3, 10))
    rating_at(window, 2, made=at(3, 3), due=at(3, 20), answered=at(3, 25))
    return units


def test_table_and_export_show_the_rectification_rate(supervisor, rectifications):
    client = login(supervisor)

    page = client.get("/evaluation/", MARCH)

    # Without the column names the cells carry for a phone ({% datatable %}).
    body = re.sub(r' data-label="[^"]*"', "", page.content.decode())
    assert "<th>Bad-rating rectification rate</th>" in body
    urban_row = body.split('data-unit="urban"')[1].split("</tr>")[0]
    assert urban_row.count("<td") == 3 + len(RATE_LABELS)
    # The rectification rate, then the last column: answered at first contact (none here).
    assert urban_row.rstrip().endswith(
        '<td>50.0% <span class="muted">(1/2)</span></td>'
        '<td>0.0% <span class="muted">(0/2)</span></td>'
    )
    market_row = body.split('data-unit="market"')[1].split("</tr>")[0]
    assert market_row.rstrip().endswith(
        '<td>— <span class="muted">(0/0)</span></td><td>— <span class="muted">(0/0)</span></td>'
    )

    export = client.get("/evaluation/export.xlsx", MARCH)

    header, *rows = load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True)
    assert header[-6:-3] == (
        "Bad-rating rectification rate",
        "Bad-rating rectification rate: counted",
        "Bad-rating rectification rate: of",
    )
    urban = next(r for r in rows if r[1] == "城市管理局")
    assert urban[-6:] == (0.5, 1, 2, 0, 0, 2)
    market = next(r for r in rows if r[1] == "市场监管局")
    assert market[-6:] == (None, 0, 0, None, 0, 0)


def test_my_unit_shows_the_rectification_rate(handler, other_handler, rectifications):
    mine = login(handler).get("/evaluation/my-unit/", MARCH).content.decode()
    theirs = login(other_handler).get("/evaluation/my-unit/", MARCH).content.decode()

    row = '<tr data-rate="rectification"><th>Bad-rating rectification rate</th><td>{}</td></tr>'
    assert row.format('50.0% <span class="muted">(1/2)</span>') in mine
    assert row.format('— <span class="muted">(0/0)</span>') in theirs


@pytest.mark.parametrize(
    ("language", "label"), [("zh-hans", "差评整改率"), ("zh-hant", "差評整改率")]
)
def test_rectification_rate_is_translated(language, label):
    with translation.override(language):
        assert str(RATE_LABELS[rates.RECTIFICATION]) == label


def test_follow_ups_without_an_answer_are_shown_beside_the_resolution_rate(
    supervisor, handler, units, case_at
):
    """Issue 13, item 1: the table, a unit's own page and the export show the resolution rate
    over the follow-ups that got an answer, and beside it those that got none."""
    solved = case_at(units["urban"], received=at(3, 2), answered=at(3, 5))
    followup(solved, responded=at(3, 6), solved=True, level=5)
    for day in (6, 7, 8):
        unanswered = case_at(units["urban"], received=at(3, 2), answered=at(3, day))
        followup(unanswered, status=FollowUpStatus.NO_ANSWER)
    client = login(supervisor)

    table = client.get("/evaluation/", MARCH).content.decode()
    mine = login(handler).get("/evaluation/my-unit/", MARCH).content.decode()
    export = client.get("/evaluation/export.xlsx", MARCH)

    urban_row = table.split('data-unit="urban"')[1].split("</tr>")[0]
    assert '100.0% <span class="muted">(1/1)</span><br>' in urban_row
    assert 'data-aside="no_answer"' in urban_row
    assert "Follow-ups without an answer: 3</span>" in urban_row
    resolution = mine.split('<tr data-rate="resolution">')[1].split("</tr>")[0]
    assert "100.0%" in resolution and "Follow-ups without an answer: 3" in resolution
    header, *rows = load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True)
    column = header.index("Resolution rate: follow-ups without an answer")
    assert header[column - 3 : column] == (
        "Resolution rate",
        "Resolution rate: counted",
        "Resolution rate: of",
    )
    urban = next(r for r in rows if r[1] == "城市管理局")
    assert urban[column - 3 : column + 1] == (1, 1, 1, 3)

"""Training records: sessions and their sign-in sheets (all or nothing, errors naming the row),
reading with reflections, contests with their ranking, hours per person and unit, and the
appraisal line that is the only way training changes a score."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from civicdesk.accounts.models import ApiToken, Role, User
from civicdesk.api.tests.conftest import ApiClient
from civicdesk.appraisal import scores
from civicdesk.appraisal.schemes import scheme_create
from civicdesk.conftest import PASSWORD, login
from civicdesk.training import figures, services
from civicdesk.training.models import (
    Attendance,
    Contest,
    Session,
    SessionKind,
    StudyAssignment,
)

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def colleague(units) -> User:
    """A second handler of the urban department, with a name someone else shares."""
    return User.objects.create_user(
        username="zhang-wei",
        password=PASSWORD,
        role=Role.HANDLER,
        unit=units["urban"],
        display_name="张伟",
    )


@pytest.fixture
def namesake(units) -> User:
    return User.objects.create_user(
        username="zhang-wei-2",
        password=PASSWORD,
        role=Role.HANDLER,
        unit=units["market"],
        display_name="张伟",
    )


@pytest.fixture
def lecture(units, supervisor) -> Session:
    return Session.objects.create(
        kind=SessionKind.LECTURE,
        date=date(2025, 3, 12),
        topic="接诉即办工作规范",
        speaker="区政务服务管理局 李明",
        hours=Decimal("2.5"),
        unit=units["district"],
        created_by=supervisor,
    )


def _import(client, session, content: bytes, **headers):
    upload = SimpleUploadedFile("签到表.xlsx", content)
    return client.post(f"/staff/training/sessions/{session.pk}/", {"sheet-file": upload}, **headers)


def test_a_supervisor_adds_a_lecture_and_handlers_may_not(supervisor, handler, units):
    data = {
        "kind": "lecture",
        "date": "2025-03-20",
        "topic": "哈南大讲堂：优化营商环境",
        "speaker": "王教授",
        "hours": "2",
        "unit": units["district"].pk,
    }
    assert login(handler).post("/staff/training/sessions/new/", data).status_code == 404
    refused = login(supervisor).post("/staff/training/sessions/new/", {**data, "hours": "0"})
    assert refused.status_code == 400 and not Session.objects.exists()
    assert login(supervisor).post("/staff/training/sessions/new/", data).status_code == 302
    assert Session.objects.get().topic == "哈南大讲堂：优化营商环境"


def test_a_sign_in_sheet_is_imported_whole(supervisor, lecture, handler, colleague):
    sheet = xlsx([["序号", "用户名", "单位"], [1, "handler", "城管"], [2, "zhang-wei", ""], [None]])
    response = _import(login(supervisor), lecture, sheet)
    assert response.status_code == 302
    assert set(lecture.attendances.values_list("person__username", flat=True)) == {
        "handler",
        "zhang-wei",
    }
    # The same sheet again adds nobody twice.
    assert _import(login(supervisor), lecture, sheet).status_code == 302
    assert lecture.attendances.count() == 2


def test_a_row_naming_unknown_staff_saves_nothing_and_is_named(
    supervisor, lecture, handler, colleague, namesake
):
    sheet = xlsx(
        [
            ["姓名", "用户名"],
            ["", "handler"],
            ["王五", "wang-wu"],
            ["张伟", ""],
            ["", ""],
            ["赵六", ""],
        ]
    )
    response = _import(login(supervisor), lecture, sheet)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Row 3: no active staff member has the user name “wang-wu”." in body
    assert "Row 4: 2 staff members are called “张伟”; add the column 用户名 to say which." in body
    assert "Row 6: no active staff member is called “赵六”." in body
    assert not Attendance.objects.exists()


def test_the_row_error_is_translated(supervisor, lecture):
    response = _import(
        login(supervisor), lecture, xlsx([["用户名"], ["nobody"]]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "第2行：没有用户名为“nobody”的在岗工作人员。" in response.content.decode()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a workbook", "The file is not an Excel workbook (.xlsx)."),
        (xlsx([["单位"], ["城管"]]), "The first row must name a column 用户名"),
        (xlsx([["用户名"]]), "The sheet lists nobody."),
    ],
)
def test_unreadable_sheets_are_refused(supervisor, lecture, content, message):
    response = _import(login(supervisor), lecture, content)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Attendance.objects.exists()


def test_staff_record_their_reading_with_a_reflection(handler, other_handler, units, supervisor):
    reading = StudyAssignment.objects.create(
        title="《12345热线工作规范》",
        assigned_on=date(2025, 3, 1),
        hours=Decimal("3"),
        unit=units["urban"],
        created_by=supervisor,
    )
    client = login(handler)
    empty = client.post(
        f"/staff/training/readings/{reading.pk}/", {"finished_on": "2025-03-10", "reflection": " "}
    )
    assert empty.status_code == 400 and not reading.records.exists()
    done = client.post(
        f"/staff/training/readings/{reading.pk}/",
        {"finished_on": "2025-03-10", "reflection": "办理时限要按工作日计算。"},
    )
    assert done.status_code == 302 and reading.records.get().person == handler
    # Assigned to urban's staff only: the market handler has nothing to record.
    page = login(other_handler).get(f"/staff/training/readings/{reading.pk}/")
    assert page.status_code == 200 and page.context["form"] is None
    with pytest.raises(services.TrainingError):
        services.study_record(assignment=reading, person=other_handler, reflection="读了")


def test_contest_ranking_shares_ties(units, supervisor, handler, other_handler, clerk):
    contest = Contest.objects.create(
        title="业务技能大比武", date=date(2025, 3, 25), hours=Decimal("4"), unit=units["district"]
    )
    client = login(supervisor)
    for person, score in (
        (handler, "92"),
        (other_handler, "88"),
        (clerk, "92"),
        (supervisor, "75"),
    ):
        client.post(
            f"/staff/training/contests/{contest.pk}/", {"person": person.pk, "score": score}
        )
    too_high = client.post(
        f"/staff/training/contests/{contest.pk}/", {"person": handler.pk, "score": "101"}
    )
    assert too_high.status_code == 400
    ranking = [(row.rank, row.entry.person.username) for row in services.ranking(contest)]
    assert ranking == [(1, "clerk"), (1, "handler"), (3, "other-handler"), (4, "supervisor")]


def test_hours_per_person_and_unit_by_hand(units, lecture, handler, colleague, other_handler):
    services.attendance_add(session=lecture, people=[handler, colleague], actor=None)
    reading = StudyAssignment.objects.create(
        title="《信访工作条例》",
        assigned_on=date(2025, 3, 1),
        hours=Decimal("3"),
        unit=units["district"],
    )
    services.study_record(
        assignment=reading, person=handler, reflection="学了", finished_on=date(2025, 3, 5)
    )
    contest = Contest.objects.create(
        title="比武", date=date(2025, 4, 2), hours=Decimal("4"), unit=units["district"]
    )
    services.contest_score(contest=contest, person=colleague, score=Decimal("80"))
    services.contest_score(contest=contest, person=other_handler, score=Decimal("70"))
    last_year = Session.objects.create(
        kind=SessionKind.SEMINAR,
        date=date(2024, 12, 30),
        topic="旧",
        speaker="x",
        hours=Decimal("9"),
        unit=units["district"],
    )
    services.attendance_add(session=last_year, people=[handler], actor=None)

    people = figures.person_hours(figures.staff_of(units["urban"]), *figures.year_bounds(2025))
    # handler: 2.5 (lecture) + 3 (reading) = 5.5; zhang-wei: 2.5 + 4 (contest) = 6.5.
    assert [(r.person.username, r.total) for r in people] == [
        ("zhang-wei", Decimal("6.5")),
        ("handler", Decimal("5.5")),
    ]
    urban = figures.unit_figures(units["urban"], *figures.year_bounds(2025))
    assert (urban.hours, urban.people, urban.staff, urban.per_person) == (
        Decimal("12.0"),
        2,
        2,
        Decimal("6.0"),
    )
    march = figures.unit_figures(units["urban"], date(2025, 3, 1), date(2025, 4, 1))
    assert march.hours == Decimal("8.0")  # the contest was in April

    page = login(handler).get("/staff/training/hours/", {"year": "2025", "unit": "urban"})
    assert page.status_code == 200 and page.context["chosen"] == units["urban"]
    assert login(handler).get("/staff/training/hours/", {"unit": "market"}).status_code == 404


def test_the_training_page_lists_the_year_and_my_hours(units, lecture, handler):
    services.attendance_add(session=lecture, people=[handler], actor=None)
    page = login(handler).get("/staff/training/", {"year": "2025"})
    assert page.status_code == 200
    assert list(page.context["sessions"]) == [lecture]
    assert page.context["mine"].total == Decimal("2.5")
    assert login(handler).get("/staff/training/", {"year": "2024"}).context["mine"].total == 0


def test_training_changes_a_score_only_through_a_scheme_line(
    units, lecture, handler, colleague, supervisor
):
    services.attendance_add(session=lecture, people=[handler, colleague], actor=None)
    march = date(2025, 3, 1)
    plain = scheme_create(
        name="无培训项", valid_from=march, rows=[{"kind": "base", "points": "90"}], actor=supervisor
    )
    assert scores.unit_score(units["urban"], march, scheme=plain).total == Decimal("90.00")
    with_training = scheme_create(
        name="含培训项",
        valid_from=march,
        rows=[
            {"kind": "base", "points": "90"},
            {"kind": "training_hours", "points": "2", "cap": "3"},
        ],
        actor=supervisor,
    )
    score = scores.unit_score(units["urban"], march, scheme=with_training)
    # 5 h for 2 staff: 2.5 h per person × 2 = 5, at most 3.
    assert score.lines[1].formula == (
        "2.5 h per person (5.0 h, 2 staff) × 2.00 = +5.00 (at most 3.00)"
    )
    assert score.total == Decimal("93.00")


def test_api_sessions_import_and_hours(units, supervisor, handler, colleague, lecture):
    def api(user):
        return ApiClient(ApiToken.issue(user=user, name="t")[1])

    created = api(supervisor).post(
        "/api/v1/training/sessions",
        {
            "kind": "seminar",
            "date": "2025-03-21",
            "topic": "作风建设研讨",
            "speaker": "区纪委",
            "hours": "1.5",
            "unit": "district",
        },
    )
    assert created.status_code == 201
    assert api(handler).post("/api/v1/training/sessions", {}).status_code in (403, 422)
    added = api(supervisor).post(
        f"/api/v1/training/sessions/{lecture.pk}/attendees", {"usernames": ["handler", "nobody"]}
    )
    assert added.status_code == 422 and "nobody" in added.json()["detail"][0]["msg"]
    assert not lecture.attendances.exists()
    upload = SimpleUploadedFile("s.xlsx", xlsx([["用户名"], ["handler"], ["ghost"]]))
    refused = api(supervisor).upload(
        f"/api/v1/training/sessions/{lecture.pk}/attendance-import", {"file": upload}
    )
    assert refused.status_code == 422
    assert "Row 3" in refused.json()["detail"][0]["msg"] and not lecture.attendances.exists()
    upload = SimpleUploadedFile("s.xlsx", xlsx([["用户名"], ["handler"], ["zhang-wei"]]))
    imported = api(supervisor).upload(
        f"/api/v1/training/sessions/{lecture.pk}/attendance-import", {"file": upload}
    )
    assert imported.status_code == 200 and imported.json() == {"added": 2, "already": 0}
    hours = api(handler).get("/api/v1/training/hours/urban", year=2025)
    assert hours.status_code == 200 and hours.json()["unit"]["hours"] == "5.0"
    assert api(handler).get("/api/v1/training/hours/market", year=2025).status_code == 404

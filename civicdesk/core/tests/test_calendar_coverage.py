"""The holiday calendar's years: 2027 shipped provisional, warnings before the confirmed part
runs out (staff banner, `civicdesk check`), and loading the official arrangement."""

import json
from datetime import date
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.utils import translation

from civicdesk.conftest import login
from civicdesk.core import deadlines
from civicdesk.core.checks import CALENDAR_RUNS_OUT
from civicdesk.core.workdays import DEFAULT_CALENDAR_PATH, load_calendar

# The statutory holidays of 《全国年节及纪念日放假办法》 (2024) in 2027: 除夕 is 5 February,
# 端午 (五月初五) 9 June, 中秋 (八月十五) 15 September, 清明 5 April.
STATUTORY_2027 = {
    date(2027, 1, 1),
    *(date(2027, 2, day) for day in (5, 6, 7, 8)),
    date(2027, 4, 5),
    date(2027, 5, 1),
    date(2027, 5, 2),
    date(2027, 6, 9),
    date(2027, 9, 15),
    *(date(2027, 10, day) for day in (1, 2, 3)),
}

# A made-up "official" 2027 arrangement in holiday-cn's format: only to test loading.
HOLIDAY_CN_2027 = {
    "year": 2027,
    "papers": ["https://example.org/notice-2027"],
    "days": [
        {"name": "春节", "date": "2027-02-05", "isOffDay": True},
        {"name": "春节", "date": "2027-02-09", "isOffDay": True},
        {"name": "春节", "date": "2027-02-20", "isOffDay": False},
    ],
}

# holiday-cn's iCalendar lines for the 2026 Spring Festival (as published).
ICS_2026 = """BEGIN:VCALENDAR\r
VERSION:2.0\r
X-WR-CALDESC:中国法定节假日数据，自动每日抓取国务院公\r
 告。\r
BEGIN:VEVENT\r
SUMMARY:上班(补春节假期)\r
DTSTART;VALUE=DATE:20260214\r
DTEND;VALUE=DATE:20260215\r
END:VEVENT\r
BEGIN:VEVENT\r
SUMMARY:春节假期\r
DTSTART;VALUE=DATE:20260215\r
DTEND;VALUE=DATE:20260224\r
END:VEVENT\r
BEGIN:VEVENT\r
SUMMARY:上班(补春节假期)\r
DTSTART;VALUE=DATE:20260228\r
DTEND;VALUE=DATE:20260301\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def on(day: date):
    return mock.patch.object(deadlines, "local_today", return_value=day)


def test_2027_ships_with_its_statutory_holidays_marked_provisional() -> None:
    data = json.loads(DEFAULT_CALENDAR_PATH.read_text(encoding="utf-8"))
    assert data["years"]["2027"]["status"] == "provisional"
    assert data["years"]["2026"]["status"] == data["years"]["2025"]["status"] == "official"
    calendar = load_calendar(DEFAULT_CALENDAR_PATH)
    assert {d for d in calendar.holidays if d.year == 2027} == STATUTORY_2027
    # No make-up working day is guessed before the notice says which.
    assert not {d for d in calendar.workdays if d.year == 2027}
    assert not calendar.is_working_day(date(2027, 2, 8))  # 正月初三, a Monday
    assert calendar.confirmed_until() == date(2026, 12, 31)
    assert calendar.covered_until() == date(2027, 12, 31)


def test_no_warning_while_more_than_60_days_are_confirmed(data_dir) -> None:
    assert deadlines.calendar_warning(date(2026, 11, 1)) is None


def test_warning_names_the_provisional_year_within_60_days(data_dir) -> None:
    warning = deadlines.calendar_warning(date(2026, 11, 2))
    assert "2026-12-31" in warning and "2027" in warning
    assert "provisional" in warning and "civicdesk load_holidays" in warning


def test_warning_when_the_calendar_ends(settings, data_dir) -> None:
    calendar = data_dir / "short.json"
    calendar.write_text(
        json.dumps({"years": {"2026": {"status": "official"}}, "holidays": ["2026-10-01"]})
    )
    settings.CIVICDESK_HOLIDAY_CALENDAR = str(calendar)
    warning = deadlines.calendar_warning(date(2026, 12, 7))
    assert "ends on 2026-12-31" in warning and "provisional" not in warning


def test_staff_pages_show_the_banner_and_public_pages_do_not(clerk, citizen, data_dir) -> None:
    with on(date(2026, 12, 7)):
        staff_page = login(clerk).get("/staff/", follow=True)
        public_page = citizen.get("/track/")
    assert 'id="calendar-warning"' in staff_page.content.decode()
    assert "2027" in staff_page.content.decode()
    assert 'id="calendar-warning"' not in public_page.content.decode()
    with on(date(2026, 6, 1)):
        assert (
            'id="calendar-warning"' not in login(clerk).get("/staff/", follow=True).content.decode()
        )


def test_the_check_command_warns(data_dir) -> None:
    with on(date(2026, 12, 7)):
        assert CALENDAR_RUNS_OUT in {message.id for message in run_checks()}
        out = StringIO()
        call_command("check", stdout=out, stderr=out)
    assert CALENDAR_RUNS_OUT in out.getvalue()
    with on(date(2026, 6, 1)):
        assert CALENDAR_RUNS_OUT not in {message.id for message in run_checks()}


def _load(tmp_path: Path, name: str, content: str, *args: str) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    out = StringIO()
    call_command("load_holidays", str(path), *args, stdout=out)
    return out.getvalue()


def test_loading_the_official_arrangement_replaces_the_provisional_year(data_dir) -> None:
    output = _load(data_dir, "2027.json", json.dumps(HOLIDAY_CN_2027))
    assert "2027" in output and "confirmed until 2027-12-31" in output
    calendar = deadlines.work_calendar()
    assert calendar.confirmed_until() == date(2027, 12, 31)
    # The year is the notice's now: the statutory guesses are gone, its days are in.
    assert {d for d in calendar.holidays if d.year == 2027} == {date(2027, 2, 5), date(2027, 2, 9)}
    assert calendar.is_working_day(date(2027, 2, 20))  # a make-up Saturday
    assert calendar.is_working_day(date(2027, 10, 1))  # not in this (made-up) notice
    assert date(2026, 10, 1) in calendar.holidays  # other years stay
    with on(date(2026, 12, 7)):
        assert deadlines.calendar_warning() is None


def test_loading_an_ics_file(data_dir) -> None:
    _load(data_dir, "2026.ics", ICS_2026, "--source", "国务院办公厅通知")
    override = json.loads((data_dir / deadlines.OVERRIDE_FILE_NAME).read_text())
    assert override["years"]["2026"] == {"status": "official", "source": "国务院办公厅通知"}
    assert override["workdays"] == ["2026-02-14", "2026-02-28"]
    assert override["holidays"] == [f"2026-02-{day}" for day in range(15, 24)]


def test_a_provisional_load_keeps_the_warning(data_dir) -> None:
    _load(data_dir, "2027.json", json.dumps(HOLIDAY_CN_2027), "--provisional")
    assert "provisional" in deadlines.calendar_warning(date(2026, 12, 7))


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "neither an iCalendar file nor valid JSON"),
        (json.dumps({"year": 2027, "papers": [], "days": []}), "lists no days for 2027"),
        (
            json.dumps({"year": 2027, "days": [{"date": "2027-02-10", "isOffDay": False}]}),
            "2027-02-10 is given as a make-up working day but is a weekday",
        ),
        (
            json.dumps({"year": 2027, "days": [{"date": "2027-13-01", "isOffDay": True}]}),
            "“2027-13-01” is not a date",
        ),
        (json.dumps({"rows": []}), "not a holiday arrangement"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(data_dir, content, fragment) -> None:
    with pytest.raises(CommandError) as refused:
        _load(data_dir, "bad.json", content)
    assert fragment in str(refused.value) and "bad.json" in str(refused.value)
    assert not (data_dir / deadlines.OVERRIDE_FILE_NAME).exists()

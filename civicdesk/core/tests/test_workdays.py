"""Working-day calendar: official schedule, deadlines, time zones, file errors."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicdesk.core.workdays import (
    DEFAULT_CALENDAR_PATH,
    CalendarError,
    WorkCalendar,
    load_calendar,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
CN = load_calendar(DEFAULT_CALENDAR_PATH)


def at(y: int, m: int, d: int, h: int = 10, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=tz)


def end_of(y: int, m: int, d: int, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(date(y, m, d), time.max, tzinfo=tz)


def test_data_file_has_source_note_and_its_years() -> None:
    data = json.loads(DEFAULT_CALENDAR_PATH.read_text(encoding="utf-8"))
    assert "State Council" in data["source"]
    assert {d[:4] for d in data["holidays"]} == set(data["years"]) == {"2025", "2026", "2027"}
    assert all(year["source"] for year in data["years"].values())
    assert data["weekend"] == [5, 6]


def test_all_makeup_workdays_fall_on_weekends() -> None:
    assert CN.workdays
    assert all(d.weekday() >= 5 for d in CN.workdays)


def test_is_working_day_rules() -> None:
    assert CN.is_working_day(date(2026, 3, 2))  # ordinary Monday
    assert not CN.is_working_day(date(2026, 3, 7))  # ordinary Saturday
    assert CN.is_working_day(date(2026, 2, 14))  # make-up Saturday
    assert CN.is_working_day(date(2025, 1, 26))  # make-up Sunday
    assert not CN.is_working_day(date(2026, 2, 16))  # Spring Festival Monday
    assert not CN.is_working_day(date(2026, 10, 1))  # National Day Thursday


def test_holiday_overrides_makeup_workday() -> None:
    cal = WorkCalendar(holidays=frozenset({date(2026, 3, 7)}), workdays=frozenset())
    assert not cal.is_working_day(date(2026, 3, 7))
    both = WorkCalendar(
        holidays=frozenset({date(2026, 3, 7)}), workdays=frozenset({date(2026, 3, 7)})
    )
    assert not both.is_working_day(date(2026, 3, 7))


def test_friday_to_monday() -> None:
    assert CN.add_working_days(at(2026, 3, 6), 1) == end_of(2026, 3, 9)


def test_days_zero_is_end_of_start_day_even_on_a_holiday() -> None:
    assert CN.add_working_days(at(2026, 3, 6), 0) == end_of(2026, 3, 6)
    assert CN.add_working_days(at(2026, 10, 2), 0) == end_of(2026, 10, 2)


def test_result_is_end_of_day() -> None:
    due = CN.add_working_days(at(2026, 3, 2, h=23), 2)
    assert (due.hour, due.minute, due.second, due.microsecond) == (23, 59, 59, 999999)
    assert due.tzinfo is SHANGHAI


def test_spring_festival_2026() -> None:
    # Friday 13 Feb; Sat 14 Feb is a make-up working day; 15-23 Feb are holidays.
    start = at(2026, 2, 13)
    assert CN.add_working_days(start, 1) == end_of(2026, 2, 14)
    assert CN.add_working_days(start, 2) == end_of(2026, 2, 24)
    # 24, 25, 26, 27 Feb and make-up Saturday 28 Feb.
    assert CN.add_working_days(start, 6) == end_of(2026, 2, 28)
    assert CN.add_working_days(start, 7) == end_of(2026, 3, 2)


def test_national_day_2026() -> None:
    # Tue 29 Sep -> Wed 30 Sep, then 1-7 Oct off, Thu 8, Fri 9, Sat 10 (make-up), Mon 12.
    start = at(2026, 9, 29)
    assert CN.add_working_days(start, 1) == end_of(2026, 9, 30)
    assert CN.add_working_days(start, 2) == end_of(2026, 10, 8)
    assert CN.add_working_days(start, 4) == end_of(2026, 10, 10)
    assert CN.add_working_days(start, 5) == end_of(2026, 10, 12)
    # Mid-Autumn 25-27 Sep and make-up Sunday 20 Sep.
    assert CN.add_working_days(at(2026, 9, 18), 1) == end_of(2026, 9, 20)
    assert CN.add_working_days(at(2026, 9, 24), 1) == end_of(2026, 9, 28)


def test_local_date_of_start_is_used() -> None:
    # 2026-03-06 20:00 UTC is already Saturday 7 March in Shanghai.
    start = datetime(2026, 3, 6, 20, 0, tzinfo=UTC).astimezone(SHANGHAI)
    assert CN.add_working_days(start, 1) == end_of(2026, 3, 9)
    # Same instant in UTC: Friday, so due end of Monday UTC.
    utc = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
    assert CN.add_working_days(utc, 1) == datetime.combine(date(2026, 3, 9), time.max, tzinfo=UTC)


def test_dst_zone_gets_local_offset_of_due_date() -> None:
    cal = WorkCalendar()
    # Berlin switches to summer time on Sunday 29 March 2026 (UTC+1 -> UTC+2).
    start = datetime(2026, 3, 27, 9, 0, tzinfo=BERLIN)
    assert start.utcoffset() == timedelta(hours=1)
    due = cal.add_working_days(start, 1)
    assert due == datetime(2026, 3, 30, 23, 59, 59, 999999, tzinfo=BERLIN)
    assert due.utcoffset() == timedelta(hours=2)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 21, 59, 59, 999999, tzinfo=UTC)
    # And back to winter time on 25 October 2026.
    autumn = cal.add_working_days(datetime(2026, 10, 23, 9, 0, tzinfo=BERLIN), 1)
    assert autumn.utcoffset() == timedelta(hours=1)


def test_naive_and_negative_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CN.add_working_days(datetime(2026, 3, 6, 10, 0), 1)
    with pytest.raises(ValueError, match=">= 0"):
        CN.add_working_days(at(2026, 3, 6), -1)


def test_next_working_day() -> None:
    assert CN.next_working_day(date(2026, 3, 6)) == date(2026, 3, 9)
    assert CN.next_working_day(date(2026, 2, 13)) == date(2026, 2, 14)
    assert CN.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)


def test_working_days_between() -> None:
    assert CN.working_days_between(date(2026, 3, 6), date(2026, 3, 6)) == 0
    assert CN.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1
    assert CN.working_days_between(date(2026, 2, 13), date(2026, 3, 2)) == 7
    assert CN.working_days_between(date(2026, 3, 9), date(2026, 3, 6)) == -1


def test_calendar_without_working_days_does_not_loop() -> None:
    cal = WorkCalendar(weekend=frozenset(range(7)))
    with pytest.raises(ValueError, match="no working day"):
        cal.add_working_days(at(2026, 3, 6), 1)


def test_weekend_out_of_range_refused() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(weekend=frozenset({7}))


def _write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "cal.json"
    path.write_text(content, encoding="utf-8")
    return path


def test_load_is_cached(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"weekend": [6], "holidays": ["2026-01-01"], "workdays": []}')
    first = load_calendar(path)
    assert load_calendar(str(path)) is first
    assert first.weekend == frozenset({6})
    assert first.holidays == frozenset({date(2026, 1, 1)})


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "malformed JSON"),
        ("[1, 2]", "top level"),
        ('{"holidays": ["2026-13-01"]}', "holidays[0] = '2026-13-01'"),
        ('{"holidays": ["2026-01-01", "1 May"]}', "holidays[1] = '1 May'"),
        ('{"workdays": [20260101]}', "workdays[0] = 20260101"),
        ('{"holidays": "2026-01-01"}', "'holidays' must be a list"),
        ('{"weekend": [5, 7]}', "weekend[1] = 7"),
        (
            '{"holidays": ["2026-02-14"], "workdays": ["2026-02-14"]}',
            "2026-02-14 listed both as holiday and as workday",
        ),
        ('{"years": {"2026": {"status": "maybe"}}}', "years['2026'].status must be"),
        ('{"years": {"26": {"status": "official"}}}', "years: '26' is not a year"),
        (
            '{"years": {"2026": {"status": "official"}}, "holidays": ["2027-01-01"]}',
            "dates of 2027 are listed but the year is missing from 'years'",
        ),
    ],
)
def test_malformed_files(tmp_path: Path, content: str, fragment: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(CalendarError) as info:
        load_calendar(path)
    assert fragment in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="cannot be read"):
        load_calendar(tmp_path / "nope.json")


starts = st.datetimes(
    min_value=datetime(2024, 12, 1),
    max_value=datetime(2026, 12, 31),
    timezones=st.sampled_from([SHANGHAI, BERLIN, ZoneInfo("America/New_York"), UTC]),
)


@given(start=starts, days=st.integers(min_value=0, max_value=60))
def test_property_result_is_working_day_and_counts_match(start: datetime, days: int) -> None:
    due = CN.add_working_days(start, days)
    assert due.tzinfo is start.tzinfo
    assert due.time() == time.max
    if days > 0:
        assert CN.is_working_day(due.date())
        assert due.date() > start.date()
    else:
        assert due.date() == start.date()
    assert CN.working_days_between(start.date(), due.date()) == days


@given(start=starts, days=st.integers(min_value=0, max_value=60))
def test_property_monotonic(start: datetime, days: int) -> None:
    assert CN.add_working_days(start, days) < CN.add_working_days(start, days + 1)

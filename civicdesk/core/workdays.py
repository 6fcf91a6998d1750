"""Working-day calendar for service-level deadlines.

Deadlines promised to citizens ("answered within 5 working days") must follow the official
holiday schedule, including the make-up working days that fall on weekends, and must be
computed in the office's own time zone. The schedule is data (``data/calendar-cn.json``)
because it is announced yearly; nothing here is hard-coded to a year.

Each year of a calendar file is *official* (the State Council's notice, make-up working days
included) or *provisional* (only the statutory holidays, shipped before the notice is out).
An operator loads the official arrangement into an override file in the data directory
(``civicdesk load_holidays``), whose years replace the shipped ones; see ``calendar_files``.

This module is pure Python so that it can be tested and reused without Django.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_CALENDAR_PATH",
    "OFFICIAL",
    "PROVISIONAL",
    "CalendarError",
    "WorkCalendar",
    "load_calendar",
    "parse_calendar",
]

DEFAULT_CALENDAR_PATH = Path(__file__).resolve().parent / "data" / "calendar-cn.json"

# A calendar with no working day for this long is broken; stop instead of looping forever.
_MAX_GAP_DAYS = 366

# How far a year's arrangement can be trusted: published by the State Council, or only the
# statutory holidays (no make-up working days, no days off moved next to a weekend).
OFFICIAL = "official"
PROVISIONAL = "provisional"
_STATUSES = (OFFICIAL, PROVISIONAL)


class CalendarError(ValueError):
    """A calendar file is missing or malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class WorkCalendar:
    """Which dates are working days: weekdays minus holidays, plus make-up working days.

    ``weekend`` holds ``date.weekday()`` numbers (Monday = 0). ``workdays`` are make-up
    working days that fall on a weekend; ``holidays`` win over everything else.
    """

    weekend: frozenset[int] = frozenset({5, 6})
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    # The years the file covers, and which of them are provisional (not yet the notice's).
    years: frozenset[int] = frozenset()
    provisional_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        bad = sorted(d for d in self.weekend if not 0 <= d <= 6)
        if bad:
            raise ValueError(f"weekend days must be 0..6 (Monday = 0), got {bad}")

    def covered_until(self) -> date | None:
        """The last day the calendar knows holidays for (provisional years included)."""
        return date(max(self.years), 12, 31) if self.years else None

    def confirmed_until(self) -> date | None:
        """The last day of the official years that follow each other up to the first
        provisional or missing year: after it, deadlines may be wrong."""
        official = sorted(self.years - self.provisional_years)
        if not official:
            return None
        last = official[0]
        while last + 1 in official:
            last += 1
        return date(last, 12, 31)

    def is_working_day(self, d: date) -> bool:
        """True if ``d`` is a working day (holiday > make-up workday > weekend rule)."""
        if d in self.holidays:
            return False
        if d in self.workdays:
            return True
        return d.weekday() not in self.weekend

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        current = d
        for _ in range(_MAX_GAP_DAYS):
            current += timedelta(days=1)
            if self.is_working_day(current):
                return current
        raise ValueError(f"no working day within {_MAX_GAP_DAYS} days after {d.isoformat()}")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """End (23:59:59.999999 local time) of the ``days``-th working day after ``start``'s date.

        Counting starts on the day after the local date of ``start``, so an item received on
        a Friday with ``days=1`` is due at the end of Monday (if Monday is a working day).
        ``days=0`` means the end of the start day itself. ``start`` must be timezone-aware so
        that the deadline is unambiguous; the result keeps ``start``'s tzinfo.
        """
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("start must be a timezone-aware datetime")
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        current = start.date()
        for _ in range(days):
            current = self.next_working_day(current)
        return _end_of_day(current, start)

    def with_years(self, other: WorkCalendar) -> WorkCalendar:
        """This calendar with each year ``other`` covers replaced by ``other``'s version of
        it (an operator's override of shipped years); the weekend rule stays this one's."""
        replaced = other.years

        def keep(days: frozenset[date]) -> frozenset[date]:
            return frozenset(d for d in days if d.year not in replaced)

        holidays = keep(self.holidays) | other.holidays
        return WorkCalendar(
            weekend=self.weekend,
            holidays=holidays,
            workdays=(keep(self.workdays) | other.workdays) - holidays,
            years=self.years | replaced,
            provisional_years=(self.provisional_years - replaced) | other.provisional_years,
        )

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days in the half-open range (start, end].

        Negative when ``end`` is before ``start`` (e.g. working days still left before a
        deadline), so that ``working_days_between(a, b) == -working_days_between(b, a)``.
        """
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


def _end_of_day(d: date, like: datetime) -> datetime:
    """Last microsecond of local date ``d`` in the time zone of ``like``.

    zoneinfo (and fixed offsets) compute the UTC offset from the wall-clock time, so
    ``combine`` is correct across DST changes. pytz-style zones need ``localize`` instead.
    """
    tz = like.tzinfo
    localize = getattr(tz, "localize", None)
    if callable(localize):
        result: datetime = localize(datetime.combine(d, time.max))
        return result
    return datetime.combine(d, time.max, tzinfo=tz)


def load_calendar(
    path: str | Path = DEFAULT_CALENDAR_PATH, override: str | Path | None = None
) -> WorkCalendar:
    """Read a calendar JSON file, with the years of ``override`` (when that file exists)
    replacing its own. Cached per file and modification time, so a process sees an override
    loaded after it started without a restart."""
    base = str(Path(path).resolve())
    extra = str(Path(override).resolve()) if override is not None else ""
    return _load_calendar_cached(base, _mtime(base), extra, _mtime(extra) if extra else None)


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


@lru_cache(maxsize=16)
def _load_calendar_cached(
    path: str, _mtime_ns: int | None, override: str, _override_mtime_ns: int | None
) -> WorkCalendar:
    calendar = parse_calendar(_read_json(path), path)
    if override and _override_mtime_ns is not None:
        calendar = calendar.with_years(parse_calendar(_read_json(override), override))
    return calendar


def _read_json(path: str) -> Any:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarError(f"calendar file {path}: cannot be read ({exc})") from exc
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CalendarError(f"calendar file {path}: malformed JSON ({exc})") from exc


def parse_calendar(data: Any, path: str) -> WorkCalendar:
    """The calendar a file's JSON describes; ``path`` names the file in every error."""
    if not isinstance(data, dict):
        raise CalendarError(f"calendar file {path}: top level must be a JSON object")

    weekend_raw = data.get("weekend", [5, 6])
    if not isinstance(weekend_raw, list):
        raise CalendarError(f"calendar file {path}: 'weekend' must be a list of 0..6")
    weekend: set[int] = set()
    for i, item in enumerate(weekend_raw):
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 6:
            raise CalendarError(
                f"calendar file {path}: weekend[{i}] = {item!r} is not a weekday number 0..6"
            )
        weekend.add(item)

    holidays = _parse_dates(data, "holidays", path)
    workdays = _parse_dates(data, "workdays", path)
    both = sorted(holidays & workdays)
    if both:
        listed = ", ".join(d.isoformat() for d in both)
        raise CalendarError(f"calendar file {path}: {listed} listed both as holiday and as workday")
    years, provisional = _parse_years(data, path, {d.year for d in holidays | workdays})
    return WorkCalendar(
        weekend=frozenset(weekend),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        years=frozenset(years),
        provisional_years=frozenset(provisional),
    )


def _parse_years(data: dict[str, Any], path: str, listed: set[int]) -> tuple[set[int], set[int]]:
    """(years covered, provisional years). A file without "years" covers the years it lists
    dates in, all official (the format before years had a status)."""
    if "years" not in data:
        return set(listed), set()
    raw = data["years"]
    if not isinstance(raw, dict):
        raise CalendarError(
            f"calendar file {path}: 'years' must map each year to its status and source"
        )
    years: set[int] = set()
    provisional: set[int] = set()
    for key, info in raw.items():
        if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
            raise CalendarError(f"calendar file {path}: years: {key!r} is not a year")
        status = info.get("status") if isinstance(info, dict) else None
        if status not in _STATUSES:
            raise CalendarError(
                f"calendar file {path}: years[{key!r}].status must be "
                f"{' or '.join(map(repr, _STATUSES))}, got {status!r}"
            )
        years.add(int(key))
        if status == PROVISIONAL:
            provisional.add(int(key))
    unlisted = sorted(listed - years)
    if unlisted:
        raise CalendarError(
            f"calendar file {path}: dates of {', '.join(map(str, unlisted))} are listed "
            "but the year is missing from 'years'"
        )
    return years, provisional


def _parse_dates(data: dict[str, Any], key: str, path: str) -> set[date]:
    items = data.get(key, [])
    if not isinstance(items, list):
        raise CalendarError(f"calendar file {path}: {key!r} must be a list of YYYY-MM-DD dates")
    result: set[date] = set()
    for i, item in enumerate(items):
        try:
            if not isinstance(item, str) or len(item) != 10:
                raise ValueError
            result.add(date.fromisoformat(item))
        except ValueError:
            raise CalendarError(
                f"calendar file {path}: {key}[{i}] = {item!r} is not a YYYY-MM-DD date"
            ) from None
    return result

"""The deadline clock of a suspended case (挂起), in working days.

A suspension stops the clock for the working days it lasts and the deadline moves by exactly
those days once the case is resumed. A suspension is the half-open range of local dates
[first day suspended, day resumed): the day a case is suspended is lost to the unit, the day
it is resumed is worked again, so a case suspended and resumed on the same day loses nothing.
Overlapping ranges count their common days once (one day cannot be suspended twice).

Pure Python, like ``core.workdays``, so that the rules can be checked by property tests
without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from civicdesk.core.workdays import WorkCalendar

__all__ = ["merged_periods", "shift_deadline", "suspended_working_days"]


def merged_periods(periods: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """The union of half-open date ranges as disjoint ranges in order; empty ranges (end not
    after start) are dropped."""
    merged: list[tuple[date, date]] = []
    for start, end in sorted(p for p in periods if p[1] > p[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def suspended_working_days(calendar: WorkCalendar, periods: Iterable[tuple[date, date]]) -> int:
    """Working days in the union of the half-open ranges [start, end)."""
    count = 0
    for start, end in merged_periods(periods):
        # working_days_between counts (a, b]; [start, end) is (start - 1 day, end - 1 day].
        count += calendar.working_days_between(start - timedelta(days=1), end - timedelta(days=1))
    return count


def shift_deadline(calendar: WorkCalendar, due: datetime, days: int) -> datetime:
    """``due`` moved ``days`` working days later, at the same local time of day: on the
    ``days``-th working day after its date (0: unchanged)."""
    if days < 0:
        raise ValueError(f"a deadline is never moved back, got {days} days")
    if days == 0:
        return due
    if due.tzinfo is None or due.utcoffset() is None:
        raise ValueError("due must be a timezone-aware datetime")
    day = due.date()
    for _ in range(days):
        day = calendar.next_working_day(day)
    shifted = datetime.combine(day, due.timetz())
    localize = getattr(due.tzinfo, "localize", None)
    if callable(localize):  # pytz-style zones compute the offset this way only
        return localize(datetime.combine(day, due.time()))
    return shifted

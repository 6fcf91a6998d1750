"""Loading a year's official holiday arrangement into the calendar override file.

The shipped calendar (``data/calendar-cn.json``) can only hold the years whose State Council
notice was out when civicdesk was released; the next year ships *provisional* (its statutory
holidays only). When the notice is published, an operator loads it with
``civicdesk load_holidays FILE``: its years go into ``calendar-override.json`` in the data
directory, which replaces those years of the shipped file (``workdays.load_calendar``).

Accepted files:

- the yearly JSON of the holiday-cn data set (``{"year", "papers", "days": [{"date",
  "isOffDay", "name"}]}``);
- iCalendar (``.ics``) files with all-day events, such as holiday-cn's: an event whose summary
  says 上班 or 补班 is a make-up working day, every other event a holiday;
- a calendar file in civicdesk's own format (``holidays``, ``workdays``, ``years``).

Every problem is refused with a translated message naming the file and what is wrong, and
the override file is written whole (a temporary file renamed over it) or not at all.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.utils.translation import gettext as _

from civicdesk.core.workdays import OFFICIAL, PROVISIONAL, CalendarError, parse_calendar

# Years outside this range are a typo, not a holiday arrangement.
_YEARS = range(2000, 2101)
# An all-day event longer than this is not a holiday (a whole-year event, a broken file).
_MAX_EVENT_DAYS = 31
_WORKDAY_WORDS = ("上班", "补班")


class ArrangementError(ValueError):
    """A file that cannot be loaded; the message is translated and names the file."""


@dataclass
class YearArrangement:
    """One year's days off and make-up working days, and where they come from."""

    year: int
    status: str
    source: str
    holidays: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)


def read_arrangements(
    content: bytes, file_name: str, *, status: str = OFFICIAL, source: str = ""
) -> list[YearArrangement]:
    """The years a file holds, checked; ``status`` and ``source`` apply to every year (a
    civicdesk calendar file keeps the status and source it gives each year)."""
    if status not in (OFFICIAL, PROVISIONAL):
        raise ValueError(status)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArrangementError(
            _("%(file)s: the file is not UTF-8 text; save it as UTF-8 and load it again.")
            % {"file": file_name}
        ) from None
    if text.lstrip().startswith("BEGIN:VCALENDAR"):
        years = _from_ics(text, file_name, status, source or file_name)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ArrangementError(
                _(
                    "%(file)s: neither an iCalendar file nor valid JSON (line %(line)d, "
                    "column %(column)d: %(reason)s)."
                )
                % {
                    "file": file_name,
                    "line": error.lineno,
                    "column": error.colno,
                    "reason": error.msg,
                }
            ) from None
        if isinstance(data, dict) and "days" in data:
            years = [_from_holiday_cn(data, file_name, status, source)]
        elif isinstance(data, dict) and ("holidays" in data or "workdays" in data):
            years = _from_calendar(data, file_name, status, source)
        else:
            raise ArrangementError(
                _(
                    "%(file)s: not a holiday arrangement: expected holiday-cn's yearly JSON "
                    '("year", "days"), an iCalendar file or a civicdesk calendar file '
                    '("holidays", "workdays").'
                )
                % {"file": file_name}
            )
    for year in years:
        _check(year, file_name)
    return years


def _from_holiday_cn(data: dict, file_name: str, status: str, source: str) -> YearArrangement:
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or year not in _YEARS:
        raise ArrangementError(
            _("%(file)s: “year” must be a year such as 2027, not %(value)s.")
            % {"file": file_name, "value": json.dumps(year, ensure_ascii=False)}
        )
    days = data.get("days")
    if not isinstance(days, list) or not days:
        raise ArrangementError(
            _(
                "%(file)s: it lists no days for %(year)d: the State Council's notice for that "
                "year is not in it yet."
            )
            % {"file": file_name, "year": year}
        )
    papers = data.get("papers") if isinstance(data.get("papers"), list) else []
    arrangement = YearArrangement(
        year=year,
        status=status,
        source=source or ", ".join(str(paper) for paper in papers) or file_name,
    )
    for index, day in enumerate(days, start=1):
        if not isinstance(day, dict) or not isinstance(day.get("isOffDay"), bool):
            raise ArrangementError(
                _("%(file)s: day %(index)d needs “date” and a true or false “isOffDay”.")
                % {"file": file_name, "index": index}
            )
        when = _date(day.get("date"), file_name, _("day %(index)d") % {"index": index})
        (arrangement.holidays if day["isOffDay"] else arrangement.workdays).add(when)
    return arrangement


def _from_calendar(data: dict, file_name: str, status: str, source: str) -> list[YearArrangement]:
    try:
        calendar = parse_calendar(data, file_name)
    except CalendarError as error:
        raise ArrangementError(str(error)) from None
    given = data.get("years") if isinstance(data.get("years"), dict) else {}
    arrangements = []
    for year in sorted(calendar.years):
        info = given.get(str(year), {})
        arrangements.append(
            YearArrangement(
                year=year,
                status=info.get("status", status) if "years" in data else status,
                source=source or info.get("source", "") or file_name,
                holidays={d for d in calendar.holidays if d.year == year},
                workdays={d for d in calendar.workdays if d.year == year},
            )
        )
    if not arrangements:
        raise ArrangementError(_("%(file)s: it lists no days.") % {"file": file_name})
    return arrangements


def _unfolded_lines(text: str) -> list[str]:
    # RFC 5545: a line starting with a space or tab continues the one before it.
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def _from_ics(text: str, file_name: str, status: str, source: str) -> list[YearArrangement]:
    by_year: dict[int, YearArrangement] = {}
    event: dict[str, str] | None = None
    number = 0
    for line in _unfolded_lines(text):
        if line == "BEGIN:VEVENT":
            event, number = {}, number + 1
        elif line == "END:VEVENT" and event is not None:
            _add_event(event, number, file_name, status, source, by_year)
            event = None
        elif event is not None and ":" in line:
            name, value = line.split(":", 1)
            event[name.split(";", 1)[0].upper()] = value.strip()
    if not by_year:
        raise ArrangementError(_("%(file)s: the calendar has no events.") % {"file": file_name})
    return [by_year[year] for year in sorted(by_year)]


def _ics_date(value: str, file_name: str, where: str) -> date:
    if not re.fullmatch(r"\d{8}", value or ""):
        raise ArrangementError(
            _("%(file)s, %(where)s: expected an all-day date such as 20270101, not “%(value)s”.")
            % {"file": file_name, "where": where, "value": value}
        )
    return _date(f"{value[:4]}-{value[4:6]}-{value[6:]}", file_name, where)


def _add_event(
    event: dict[str, str],
    number: int,
    file_name: str,
    status: str,
    source: str,
    by_year: dict[int, YearArrangement],
) -> None:
    where = _("event %(number)d") % {"number": number}
    start = _ics_date(event.get("DTSTART", ""), file_name, where)
    # DTEND of an all-day event is the day after its last day; without one it lasts a day.
    end = _ics_date(event["DTEND"], file_name, where) if "DTEND" in event else start
    if end == start:
        end = start + timedelta(days=1)
    if not start < end <= start + timedelta(days=_MAX_EVENT_DAYS):
        raise ArrangementError(
            _("%(file)s, %(where)s: an event lasts from one to %(max)d days.")
            % {"file": file_name, "where": where, "max": _MAX_EVENT_DAYS}
        )
    is_workday = any(word in event.get("SUMMARY", "") for word in _WORKDAY_WORDS)
    day = start
    while day < end:
        year = by_year.setdefault(
            day.year, YearArrangement(year=day.year, status=status, source=source)
        )
        (year.workdays if is_workday else year.holidays).add(day)
        day += timedelta(days=1)


def _date(value: object, file_name: str, where: str) -> date:
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        result = date.fromisoformat(value)
    except ValueError:
        raise ArrangementError(
            _("%(file)s, %(where)s: “%(value)s” is not a date such as 2027-01-01.")
            % {"file": file_name, "where": where, "value": value}
        ) from None
    if result.year not in _YEARS:
        raise ArrangementError(
            _("%(file)s, %(where)s: %(date)s is not a year holidays can be loaded for.")
            % {"file": file_name, "where": where, "date": result.isoformat()}
        )
    return result


def _check(year: YearArrangement, file_name: str) -> None:
    both = sorted(year.holidays & year.workdays)
    if both:
        raise ArrangementError(
            _("%(file)s: %(dates)s is both a day off and a working day.")
            % {"file": file_name, "dates": ", ".join(d.isoformat() for d in both)}
        )
    # The notices only ever move work onto a Saturday or Sunday; a make-up working day in the
    # week means the file was read wrongly (or is not a Chinese holiday calendar).
    weekdays = sorted(d for d in year.workdays if d.weekday() < 5)
    if weekdays:
        raise ArrangementError(
            _(
                "%(file)s: %(dates)s is given as a make-up working day but is a weekday "
                "already; make-up working days fall on Saturdays or Sundays."
            )
            % {"file": file_name, "dates": ", ".join(d.isoformat() for d in weekdays)}
        )


def write_override(path: Path, arrangements: list[YearArrangement]) -> None:
    """Put these years into the override file (keeping its other years), all or nothing."""
    current: dict = {"years": {}, "holidays": [], "workdays": []}
    if path.exists():
        try:
            current = json.loads(path.read_text(encoding="utf-8"))
            parse_calendar(current, str(path))
        except (OSError, ValueError) as error:
            raise ArrangementError(
                _("The override file %(path)s cannot be read (%(reason)s); move it away first.")
                % {"path": path, "reason": error}
            ) from None
    replaced = {arrangement.year for arrangement in arrangements}
    years = {
        key: value for key, value in current.get("years", {}).items() if int(key) not in replaced
    }
    holidays = {d for d in current.get("holidays", []) if int(d[:4]) not in replaced}
    workdays = {d for d in current.get("workdays", []) if int(d[:4]) not in replaced}
    for arrangement in arrangements:
        years[str(arrangement.year)] = {"status": arrangement.status, "source": arrangement.source}
        holidays |= {d.isoformat() for d in arrangement.holidays}
        workdays |= {d.isoformat() for d in arrangement.workdays}
    content = {
        "name": "Holiday arrangements loaded with civicdesk load_holidays",
        "years": dict(sorted(years.items())),
        "holidays": sorted(holidays),
        "workdays": sorted(workdays),
    }
    parse_calendar(content, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".calendar-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(content, out, ensure_ascii=False, indent=2)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

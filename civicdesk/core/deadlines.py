"""Stage deadlines from settings and the holiday calendar (the calendar itself is pure)."""

from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.core.workdays import WorkCalendar, load_calendar

# Where `civicdesk load_holidays` puts the arrangements it loads, in the data directory: they
# replace the same years of CIVICDESK_HOLIDAY_CALENDAR.
OVERRIDE_FILE_NAME = "calendar-override.json"
# Staff and `civicdesk check` are warned this long before the confirmed calendar runs out:
# the State Council publishes the next year's arrangement in November or December.
WARN_DAYS_BEFORE_END = 60


class StageDeadlines(NamedTuple):
    assign: datetime
    response: datetime
    answer: datetime


def calendar_override_path() -> Path:
    return Path(settings.DATA_DIR) / OVERRIDE_FILE_NAME


def work_calendar() -> WorkCalendar:
    return load_calendar(settings.CIVICDESK_HOLIDAY_CALENDAR, calendar_override_path())


def local_today() -> date:
    """Today in the office's time zone (one place, so tests can set the date)."""
    return timezone.localdate()


def calendar_warning(today: date | None = None, *, for_administrator: bool = True) -> str | None:
    """What staff must be told when the confirmed calendar ends within WARN_DAYS_BEFORE_END
    days of ``today`` (deadlines past that end would be counted wrongly); None otherwise.
    An administrator is told the command that loads the calendar; other staff, whom to ask."""
    calendar = work_calendar()
    today = today or local_today()
    confirmed = calendar.confirmed_until()
    if confirmed is not None and (confirmed - today).days >= WARN_DAYS_BEFORE_END:
        return None
    after = confirmed.year if confirmed is not None else 0
    provisional = sorted(year for year in calendar.provisional_years if year > after)
    if for_administrator:
        load = _("Load the State Council's arrangement with “civicdesk load_holidays FILE”.")
    else:
        load = _("Ask the system administrator to load the State Council's arrangement.")
    if provisional:
        warning = _(
            "The holiday calendar is confirmed until %(date)s only. %(years)s is provisional: "
            "it has the statutory holidays but not the State Council's make-up working days "
            "and extra days off, so deadlines in it may be wrong."
        ) % {
            "date": confirmed.isoformat() if confirmed else "—",
            "years": "、".join(str(year) for year in provisional),
        }
        return f"{warning} {load}"
    end = calendar.covered_until()
    warning = _(
        "The holiday calendar ends on %(date)s: after it, deadlines count every weekday as a "
        "working day and ignore public holidays."
    ) % {"date": end.isoformat() if end else "—"}
    return f"{warning} {load}"


def stage_deadlines(received_at: datetime) -> StageDeadlines:
    calendar = work_calendar()
    local = timezone.localtime(received_at)
    return StageDeadlines(
        assign=calendar.add_working_days(local, settings.CIVICDESK_DEADLINE_ASSIGN_DAYS),
        response=calendar.add_working_days(local, settings.CIVICDESK_DEADLINE_RESPONSE_DAYS),
        answer=calendar.add_working_days(local, settings.CIVICDESK_DEADLINE_ANSWER_DAYS),
    )

"""Stage deadlines from settings and the holiday calendar (the calendar itself is pure)."""

from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone

from civicdesk.core.workdays import WorkCalendar, load_calendar


class StageDeadlines(NamedTuple):
    assign: datetime
    response: datetime
    answer: datetime


def work_calendar() -> WorkCalendar:
    return load_calendar(settings.CIVICDESK_HOLIDAY_CALENDAR)


def stage_deadlines(received_at: datetime) -> StageDeadlines:
    calendar = work_calendar()
    local = timezone.localtime(received_at)
    return StageDeadlines(
        assign=calendar.add_working_days(local, settings.CIVICDESK_DEADLINE_ASSIGN_DAYS),
        response=calendar.add_working_days(local, settings.CIVICDESK_DEADLINE_RESPONSE_DAYS),
        answer=calendar.add_working_days(local, settings.CIVICDESK_DEADLINE_ANSWER_DAYS),
    )

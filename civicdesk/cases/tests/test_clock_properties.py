"""Deadlines with suspensions, as properties (hypothesis): on the shipped holiday calendar
and on random ones, suspending and resuming never shortens a deadline, a suspension of k
working days moves it by exactly k working days, overlapping suspensions count their common
days once, and empty ones change nothing. The last test drives the real services (suspend,
resume) at random moments and checks the case's deadline against the same rules."""

from datetime import UTC, date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicdesk.cases import extensions
from civicdesk.cases.clock import merged_periods, shift_deadline, suspended_working_days
from civicdesk.cases.models import Case
from civicdesk.cases.services import case_assign
from civicdesk.core.deadlines import work_calendar
from civicdesk.core.workdays import DEFAULT_CALENDAR_PATH, WorkCalendar, load_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHIPPED = load_calendar(DEFAULT_CALENDAR_PATH)
START, END = date(2025, 1, 1), date(2027, 12, 31)

days = st.dates(min_value=START, max_value=END)


@st.composite
def calendars(draw) -> WorkCalendar:
    """The shipped calendar, or a random one: any weekend, random holidays and make-up days
    (never a whole year off: a deadline must be reachable)."""
    if draw(st.booleans()):
        return SHIPPED
    weekend = frozenset(draw(st.sets(st.integers(0, 6), max_size=3)))
    holidays = frozenset(draw(st.sets(days, max_size=40)))
    workdays = frozenset(draw(st.sets(days, max_size=10))) - holidays
    return WorkCalendar(weekend=weekend, holidays=holidays, workdays=workdays)


@st.composite
def deadlines(draw) -> datetime:
    day = draw(st.dates(min_value=START, max_value=date(2027, 6, 30)))
    moment = draw(st.sampled_from([time.max, time(9, 30), time(0, 0)]))
    return datetime.combine(day, moment, tzinfo=SHANGHAI)


@st.composite
def periods(draw) -> tuple[date, date]:
    """[start, end): possibly empty (end == start) or reversed (end before start)."""
    start = draw(st.dates(min_value=START, max_value=date(2027, 6, 30)))
    length = draw(st.integers(min_value=-3, max_value=60))
    return start, start + timedelta(days=length)


@given(calendars(), deadlines(), st.integers(min_value=0, max_value=40))
def test_a_shift_never_shortens_and_moves_by_exactly_k_working_days(calendar, due, k):
    shifted = shift_deadline(calendar, due, k)
    assert shifted >= due
    assert calendar.working_days_between(due.date(), shifted.date()) == k
    assert shifted.timetz() == due.timetz()  # the same time of day, in the same zone
    if k:
        assert calendar.is_working_day(shifted.date())


@given(calendars(), deadlines(), st.integers(0, 20), st.integers(0, 20))
def test_two_shifts_are_one_shift_of_their_sum(calendar, due, a, b):
    assert shift_deadline(calendar, shift_deadline(calendar, due, a), b) == shift_deadline(
        calendar, due, a + b
    )


@given(calendars(), st.lists(periods(), max_size=6))
def test_overlapping_suspensions_count_common_days_once(calendar, spans):
    counted = suspended_working_days(calendar, spans)
    # The same periods twice, or merged first, count the same days.
    assert suspended_working_days(calendar, spans + spans) == counted
    assert suspended_working_days(calendar, merged_periods(spans)) == counted
    # Never more working days than the union's calendar days.
    union_days = sum((end - start).days for start, end in merged_periods(spans))
    assert 0 <= counted <= union_days
    # Day by day: a working day is counted when some period covers it.
    covered = {
        start + timedelta(days=i) for start, end in spans for i in range(max(0, (end - start).days))
    }
    assert counted == sum(1 for day in covered if calendar.is_working_day(day))


@given(calendars(), st.dates(min_value=START, max_value=END), deadlines())
def test_a_zero_length_suspension_changes_nothing(calendar, day, due):
    assert suspended_working_days(calendar, [(day, day)]) == 0
    assert shift_deadline(calendar, due, 0) == due


@given(calendars(), st.lists(periods(), max_size=4), periods())
def test_more_suspension_never_means_an_earlier_deadline(calendar, spans, extra):
    due = datetime.combine(date(2026, 3, 2), time.max, tzinfo=SHANGHAI)
    before = shift_deadline(calendar, due, suspended_working_days(calendar, spans))
    after = shift_deadline(calendar, due, suspended_working_days(calendar, [*spans, extra]))
    assert after >= before


def test_a_deadline_is_never_moved_back():
    with pytest.raises(ValueError):
        shift_deadline(SHIPPED, datetime(2026, 3, 2, tzinfo=SHANGHAI), -1)


def test_a_week_over_national_day_2026():
    """Suspended Monday 28 September, resumed Monday 12 October 2026: 28–30 September are
    working days, 1–8 October the National Day holiday, 9 October a Friday; the make-up
    working day of Saturday 10 October counts too (calendar-cn.json)."""
    suspended = suspended_working_days(SHIPPED, [(date(2026, 9, 28), date(2026, 10, 12))])
    expected = [
        d
        for d in (date(2026, 9, 28) + timedelta(days=i) for i in range(14))
        if SHIPPED.is_working_day(d)
    ]
    assert suspended == len(expected)
    assert date(2026, 10, 2) not in expected  # a holiday is no suspended working day


# --- Through the services --------------------------------------------------------------------


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    suspended_on=st.integers(min_value=0, max_value=10),
    length=st.integers(min_value=0, max_value=25),
)
def test_suspending_and_resuming_a_case_moves_its_deadline_by_the_working_days(
    suspended_on, length, make_case, units, supervisor, handler
):
    """A case received on 1 December 2026, suspended `suspended_on` days later and resumed
    `length` days after that: its answer deadline moves by exactly the working days between,
    the response deadline too while there was no response, and never earlier."""
    received = _at(date(2026, 12, 1))
    with mock.patch("django.utils.timezone.now", return_value=received):
        case = case_assign(case=make_case(), unit=units["urban"], actor=supervisor)
    due_before = case.answer_due_at
    suspend_day = date(2026, 12, 1) + timedelta(days=suspended_on)
    resume_day = suspend_day + timedelta(days=length)
    with mock.patch("django.utils.timezone.now", return_value=_at(suspend_day)):
        extensions.request_suspension(
            case=case,
            actor=handler,
            ground="survey",
            reason="等待第三方检测结果",
            new_date=suspend_day + timedelta(days=30),
        )
        extensions.decide_request(case=case, actor=supervisor, approve=True)
    assert Case.objects.get(pk=case.pk).is_suspended
    with mock.patch("django.utils.timezone.now", return_value=_at(resume_day, 15)):
        extensions.resume(case=case, actor=handler)
    case.refresh_from_db()
    calendar = work_calendar()
    k = suspended_working_days(calendar, [(suspend_day, resume_day)])
    due_after = timezone.localtime(case.answer_due_at)
    assert not case.is_suspended
    assert due_after >= timezone.localtime(due_before)
    assert (
        calendar.working_days_between(timezone.localtime(due_before).date(), due_after.date()) == k
    )
    assert case.clock_requests.get().suspended_days == k

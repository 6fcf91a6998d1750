"""Fault: the server clock jumps across a deadline, forward and back (an NTP correction, a VM
restored from a snapshot). Escalation happens once; a jump back undoes nothing and a jump
forward again adds nothing; the dashboard's figures follow the clock."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from civicdesk.cases import services
from civicdesk.cases.models import Case
from civicdesk.cases.tasks import escalate_overdue_cases
from civicdesk.cases.workflow import Action
from civicdesk.commitments import services as commitments
from civicdesk.dashboard.figures import NOT_YET_DUE, OVERDUE, Scope
from civicdesk.dashboard.figures import commitments as measure_chart
from civicdesk.problems.models import Problem

pytestmark = pytest.mark.django_db


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    # timezone.localdate() reads timezone.now() too, so days follow the jump as well.
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def escalations(case: Case) -> int:
    return case.events.filter(action=Action.ESCALATE).count()


def test_escalation_across_clock_jumps(make_case, supervisor, units):
    case = services.case_assign(case=make_case(), unit=units["urban"], actor=supervisor)
    due = case.response_due_at
    before, after = due - timedelta(hours=1), due + timedelta(days=1)

    with clock_at(before):
        assert not Case.objects.overdue().filter(pk=case.pk).exists()
        assert escalate_overdue_cases.call() == 0

    with clock_at(after):  # the jump forward, past the deadline
        assert Case.objects.overdue().filter(pk=case.pk).exists()
        assert escalate_overdue_cases.call() == 1
        assert escalate_overdue_cases.call() == 0
    case.refresh_from_db()
    assert case.escalated_at == after
    assert escalations(case) == 1

    with clock_at(before):  # and back
        assert not Case.objects.overdue().filter(pk=case.pk).exists()
        assert escalate_overdue_cases.call() == 0
    case.refresh_from_db()
    assert case.escalated_at == after  # not un-escalated
    assert escalations(case) == 1

    with clock_at(after + timedelta(hours=1)):  # forward once more
        assert escalate_overdue_cases.call() == 0
    assert escalations(case) == 1


def test_dashboard_commitments_follow_the_clock(make_case, supervisor, units):
    problem = Problem.objects.create(
        title="路灯", description="", lead_unit=units["urban"], created_by=supervisor
    )
    problem.cases.add(make_case())
    today = timezone.localdate()
    commitments.measure_create(
        problem=problem,
        data=commitments.NewMeasure(
            title="Repair", unit=units["urban"], start_date=today, deadline=today + timedelta(1)
        ),
        actor=supervisor,
    )
    scope = Scope(since=today - timedelta(days=30), end=today + timedelta(days=30))
    now = timezone.now()

    chart = [measure_chart(scope)]
    with clock_at(now + timedelta(days=3)):
        chart.append(measure_chart(scope))
    with clock_at(now):
        chart.append(measure_chart(scope))

    assert [(c[NOT_YET_DUE], c[OVERDUE]) for c in chart] == [(1, 0), (0, 1), (1, 0)]

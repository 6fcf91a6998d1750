"""Subjects to supervise: a case, a prominent problem and one of its measures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.services import case_assign
from civicdesk.commitments import services as commitments
from civicdesk.problems.models import Problem


@pytest.fixture
def case(make_case, units, supervisor):
    return case_assign(case=make_case(), unit=units["urban"], actor=supervisor)


@pytest.fixture
def problem(units, supervisor):
    problem = Problem.objects.create(
        title="东苑路灯长期不亮", lead_unit=units["urban"], created_by=supervisor
    )
    problem.co_units.add(units["east-street"])
    return problem


@pytest.fixture
def measure(problem, units, supervisor):
    today = timezone.localdate()
    data = commitments.NewMeasure(
        title="更换东苑路全部路灯",
        unit=units["east-street"],
        start_date=today - timedelta(days=5),
        deadline=today + timedelta(days=30),
    )
    return commitments.measure_create(problem=problem, data=data, actor=supervisor)


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()

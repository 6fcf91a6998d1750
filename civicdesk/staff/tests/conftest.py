"""Cases in a known place for the staff pages' tests."""

import pytest

from civicdesk.cases.models import Case, CaseEvent, ReturnReason
from civicdesk.cases.services import case_answer, case_assign


@pytest.fixture
def assigned(units, supervisor, make_case):
    """assigned("urban", **fields) → a new case routed to that unit by the supervisor."""

    def make(unit_code: str, **fields):
        case = make_case(**fields)
        return case_assign(case=case, unit=units[unit_code], actor=supervisor)

    return make


def case_url(case, action: str = "") -> str:
    return f"/staff/cases/{case.pk}/{action + '/' if action else ''}"


@pytest.fixture
def answered(assigned, handler):
    def make(**fields) -> Case:
        return case_answer(case=assigned("urban", **fields), actor=handler, text="已修复")

    return make


def snapshot(case: Case) -> dict:
    """Everything an action may change, to check that a refused one changed nothing."""
    fresh = Case.objects.get(pk=case.pk)
    fields = [
        "status",
        "unit_id",
        "category_id",
        "merged_into_id",
        "answer",
        "reopen_count",
        "assigned_at",
        "first_responded_at",
        "answered_at",
        "closed_at",
        "escalated_at",
    ]
    return {name: getattr(fresh, name) for name in fields} | {"events": fresh.events.count()}


def last_event(case: Case) -> CaseEvent:
    return case.events.order_by("-id").first()


def errors_of(response, action: str) -> str:
    form = response.context["forms"][action]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def other_reason() -> int:
    """The return reason "Other (explain)", which needs words."""
    return ReturnReason.objects.get(code="other").pk

"""Cases in a known place for the staff pages' tests."""

import pytest

from civicdesk.cases.services import case_assign


@pytest.fixture
def assigned(units, supervisor, make_case):
    """assigned("urban", **fields) → a new case routed to that unit by the supervisor."""

    def make(unit_code: str, **fields):
        case = make_case(**fields)
        return case_assign(case=case, unit=units[unit_code], actor=supervisor)

    return make


def case_url(case, action: str = "") -> str:
    return f"/staff/cases/{case.pk}/{action + '/' if action else ''}"

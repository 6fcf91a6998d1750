from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status

TZ = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 12) -> datetime:
    """A moment in 2025, in the district's time zone."""
    return datetime(2025, month, day, hour, tzinfo=TZ)


MARCH = (at(3, 1, 0), at(4, 1, 0))


@pytest.fixture
def case_at(make_case):
    """A case of `unit` with its timestamps set directly (hand-computed rate fixtures)."""

    def make(
        unit,
        *,
        received,
        response_due=None,
        responded=None,
        answered=None,
        answer_due=None,
        reopen_count=0,
        status=None,
        **submission,
    ) -> Case:
        case = make_case(**submission)
        fields = {
            "unit": unit,
            "received_at": received,
            "response_due_at": response_due or received,
            "first_responded_at": responded,
            "answered_at": answered,
            "answer_due_at": answer_due or received,
            "reopen_count": reopen_count,
            "status": status or (Status.ANSWERED if answered else Status.ASSIGNED),
        }
        Case.objects.filter(pk=case.pk).update(**fields)
        case.refresh_from_db()
        return case

    return make

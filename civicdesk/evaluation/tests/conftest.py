from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status
from civicdesk.ratings.models import Rating, Source
from civicdesk.ratings.services import invitation_create, rating_submit

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


@pytest.fixture
def rating_at(db):
    """A citizen's rating of a visit to `window`, made through the ratings service at `made`;
    a bad one opens its rectification case. `due` replaces the rectification deadline, and
    `answered` marks the rectification case answered then (hand-computed rate fixtures)."""

    def make(window, level, *, made, due=None, answered=None) -> Rating:
        invitation = invitation_create(window=window, actor=None, source=Source.WINDOW_LINK)
        with mock.patch("civicdesk.ratings.services._now", return_value=made):
            rating = rating_submit(invitation=invitation, level=level)
        if due is not None:
            Rating.objects.filter(pk=rating.pk).update(due_at=due)
        if answered is not None:
            Case.objects.filter(pk=rating.case_id).update(
                answered_at=answered, status=Status.ANSWERED
            )
        return Rating.objects.select_related("case").get(pk=rating.pk)

    return make

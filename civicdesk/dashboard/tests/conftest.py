from datetime import date

import pytest

from civicdesk.evaluation.models import FollowUp, FollowUpStatus
from civicdesk.evaluation.tests.conftest import at, case_at, rating_at  # noqa: F401 - fixtures

MARCH_DAYS = (date(2025, 3, 1), date(2025, 4, 1))
# "Now" for every refresh in these tests: after March's deadlines, long before today.
NOW = at(4, 10)


def answered_followup(case, *, solved, level, responded):
    return FollowUp.objects.create(
        case=case,
        answer_of=case.answered_at,
        token=f"t{case.pk}-{case.answered_at:%m%d%H}",
        created_at=case.answered_at,
        due_at=case.answered_at,
        status=FollowUpStatus.ANSWERED,
        responded_at=responded,
        solved=solved,
        satisfaction=level,
    )


@pytest.fixture
def march(units, case_at, rating_at):  # noqa: F811 - fixtures imported above
    """A March with something in every figure, across three units' subtrees, plus cases
    just outside the month that must not count."""
    urban, community, market = units["urban"], units["east-community"], units["market"]
    cases = [
        # Responded in time, answered in time, solved and very satisfied.
        case_at(
            urban,
            received=at(3, 2),
            response_due=at(3, 5),
            responded=at(3, 3),
            answered=at(3, 10),
            answer_due=at(3, 20),
        ),
        # Responded late, answered late, reopened.
        case_at(
            urban,
            received=at(3, 3),
            response_due=at(3, 4),
            responded=at(3, 6),
            answered=at(3, 28),
            answer_due=at(3, 20),
            reopen_count=1,
        ),
        # Never responded, deadline passed: in the response denominator only.
        case_at(community, received=at(3, 4), response_due=at(3, 7)),
        # Still within its response deadline as of NOW: in neither.
        case_at(community, received=at(3, 31, 20), response_due=at(4, 15)),
        # Merged duplicate: volume yes, rates no.
        case_at(
            market, received=at(3, 5), response_due=at(3, 8), responded=at(3, 6), status="merged"
        ),
        case_at(
            market,
            received=at(3, 6),
            response_due=at(3, 9),
            responded=at(3, 7),
            answered=at(3, 12),
            answer_due=at(3, 25),
            channel="phone",
        ),
        # Outside the month on both sides.
        case_at(
            urban,
            received=at(2, 28, 23),
            response_due=at(3, 2),
            responded=at(3, 1),
            answered=at(3, 3),
            answer_due=at(3, 10),
        ),
        case_at(urban, received=at(4, 1, 0), response_due=at(4, 3)),
    ]
    answered_followup(cases[0], solved=True, level=5, responded=at(3, 11))
    answered_followup(cases[1], solved=False, level=2, responded=at(3, 29))
    answered_followup(cases[5], solved=True, level=4, responded=at(4, 2))
    answered_followup(cases[6], solved=True, level=3, responded=at(3, 4))
    window = units["urban-window"]
    rectified = rating_at(window, 1, made=at(3, 2), due=at(3, 20), answered=at(3, 10))
    # Its follow-up closed with no answer: beside the resolution rate, in neither count.
    FollowUp.objects.create(
        case=rectified.case,
        answer_of=rectified.case.answered_at,
        token="t-no-answer",
        created_at=at(3, 10),
        due_at=at(3, 17),
        status=FollowUpStatus.NO_ANSWER,
    )
    rating_at(window, 2, made=at(3, 3), due=at(3, 20))
    rating_at(window, 5, made=at(3, 4))
    rating_at(window, 4, made=at(3, 4))
    return cases

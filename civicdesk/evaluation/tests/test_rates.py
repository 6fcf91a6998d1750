"""Each rate's numerator and denominator, computed by hand on a few cases."""

import pytest

from civicdesk.cases.workflow import Status
from civicdesk.conftest import login
from civicdesk.evaluation import rates
from civicdesk.evaluation.models import FollowUp, FollowUpStatus, Satisfaction
from civicdesk.evaluation.tests.conftest import MARCH, at

pytestmark = pytest.mark.django_db

_tokens = iter(range(10_000))


def followup(case, *, answer_of=None, responded=None, solved=None, level=None, status=None):
    return FollowUp.objects.create(
        case=case,
        answer_of=answer_of or case.answered_at or case.received_at,
        token=f"t{next(_tokens)}",
        created_at=case.received_at,
        due_at=case.received_at,
        status=status or (FollowUpStatus.ANSWERED if responded else FollowUpStatus.PENDING),
        responded_at=responded,
        solved=solved,
        satisfaction=level,
    )


def test_response_rate(units, case_at):
    urban = units["urban"]
    # On time: counted and in the denominator.
    case_at(urban, received=at(3, 2), response_due=at(3, 5), responded=at(3, 4))
    # Late: denominator only.
    case_at(urban, received=at(3, 3), response_due=at(3, 6), responded=at(3, 8))
    # Deadline passed without a response: denominator only.
    case_at(urban, received=at(3, 4), response_due=at(3, 7))
    # Still within its deadline (now is 10 April), not responded: in neither.
    case_at(urban, received=at(3, 30), response_due=at(4, 20))
    # Received before the period, another unit, or merged: not this unit's period.
    case_at(urban, received=at(2, 20), response_due=at(2, 22), responded=at(2, 21))
    case_at(units["market"], received=at(3, 5), response_due=at(3, 8), responded=at(3, 6))
    case_at(urban, received=at(3, 5), response_due=at(3, 8), status=Status.MERGED)
    # A unit below urban counts for urban.
    case_at(units["urban-window"], received=at(3, 10), response_due=at(3, 13), responded=at(3, 12))

    row = rates.unit_rates(urban, *MARCH, now=at(4, 10))

    assert row.figures[rates.RESPONSE] == rates.Figure(2, 4)
    assert row.figures[rates.RESPONSE].rate == 0.5
    assert row.case_count == 5  # received in March (window included, merged left out)
    window = rates.unit_rates(units["urban-window"], *MARCH, now=at(4, 10))
    assert window.figures[rates.RESPONSE] == rates.Figure(1, 1)


def test_resolution_on_time_and_reopen_rates(units, case_at):
    urban = units["urban"]
    solved = case_at(urban, received=at(3, 1), answered=at(3, 10), answer_due=at(3, 20))
    followup(solved, responded=at(3, 11), solved=True, level=5)
    late_unsolved = case_at(
        urban, received=at(3, 1), answered=at(3, 15), answer_due=at(3, 12), reopen_count=1
    )
    followup(late_unsolved, responded=at(3, 16), solved=False, level=2)
    case_at(urban, received=at(3, 2), answered=at(3, 20), answer_due=at(3, 25))  # not asked yet
    # Re-answered after a reopening: the "solved" was about the earlier answer, not this one.
    reanswered = case_at(
        urban, received=at(2, 1), answered=at(3, 25), answer_due=at(3, 30), reopen_count=1
    )
    followup(reanswered, answer_of=at(3, 1), responded=at(3, 2), solved=True, level=4)
    # Answered after the period: not counted.
    case_at(urban, received=at(3, 3), answered=at(4, 2), answer_due=at(4, 5))

    row = rates.unit_rates(urban, *MARCH, now=at(4, 10))

    assert row.figures[rates.RESOLUTION] == rates.Figure(1, 4)
    assert row.figures[rates.ON_TIME] == rates.Figure(3, 4)
    assert row.figures[rates.REOPEN] == rates.Figure(2, 4)


def test_satisfaction_rate_counts_answers_only(units, case_at):
    urban = units["urban"]

    def answered_case(unit=urban):
        return case_at(unit, received=at(2, 1), answered=at(2, 10))

    for level in (5, 4, 3, 1):
        followup(answered_case(), responded=at(3, 5), solved=True, level=level)
    # A staff verification has no level; an expired follow-up is "no answer", never satisfied.
    followup(answered_case(), responded=at(3, 5), solved=True, level=None)
    followup(answered_case(), status=FollowUpStatus.NO_ANSWER)
    # Answered after the period, or for another unit: not counted.
    followup(answered_case(), responded=at(4, 3), solved=True, level=5)
    followup(answered_case(units["market"]), responded=at(3, 5), solved=True, level=5)

    row = rates.unit_rates(urban, *MARCH, now=at(4, 10))

    assert row.figures[rates.SATISFACTION] == rates.Figure(2, 4)
    assert Satisfaction.SATISFIED.label == "Satisfied"


def test_minimum_case_count_keeps_one_fast_case_off_the_top(units, case_at, settings):
    settings.CIVICDESK_RANKING_MIN_CASES = 3
    # urban: one case, responded on time (100%).
    case_at(units["urban"], received=at(3, 2), response_due=at(3, 5), responded=at(3, 3))
    # market: three cases, two on time (67%); east-street: three cases, one on time (33%).
    for unit, on_time in ((units["market"], 2), (units["east-street"], 1)):
        for i in range(3):
            responded = at(3, 4) if i < on_time else at(3, 9)
            case_at(unit, received=at(3, 2), response_due=at(3, 5), responded=responded)

    ranking = rates.rank_units(rates.appraised_units(), *MARCH, now=at(4, 10))

    assert [(r.unit.code, r.rank) for r in ranking.ranked] == [("market", 1), ("east-street", 2)]
    assert [r.unit.code for r in ranking.too_few] == ["urban"]
    assert ranking.too_few[0].figures[rates.RESPONSE] == rates.Figure(1, 1)
    assert ranking.too_few[0].rank is None


def test_ranking_page_lists_small_units_apart(units, case_at, supervisor, settings):
    settings.CIVICDESK_RANKING_MIN_CASES = 2
    case_at(units["urban"], received=at(3, 2), response_due=at(3, 5), responded=at(3, 3))
    case_at(units["market"], received=at(3, 2), response_due=at(3, 5), responded=at(3, 3))
    case_at(units["market"], received=at(3, 2), response_due=at(3, 5), responded=at(3, 9))

    response = login(supervisor).get("/evaluation/", {"since": "2025-03-01", "until": "2025-03-31"})

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["unit"].code, r["rank"]) for r in rows] == [
        ("market", 1),
        ("east-street", None),
        ("urban", None),
    ]
    body = response.content.decode()
    assert "too few cases to rank" in body
    assert "(1/2)" in body  # market's response rate, counted/of

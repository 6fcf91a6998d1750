"""Each rate's numerator and denominator, computed by hand on a few cases."""

from unittest import mock

import pytest

from civicdesk.accounts.models import Unit, UnitKind
from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status
from civicdesk.conftest import login
from civicdesk.evaluation import rates
from civicdesk.evaluation.models import FollowUp, FollowUpStatus, Satisfaction
from civicdesk.evaluation.tests.conftest import MARCH, at
from civicdesk.ratings.models import Rating
from civicdesk.ratings.services import rating_appeal, rating_decide_appeal, rating_rerate

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
    """Resolution as 12345 centres count it (issue 13, item 1): solved over solved plus not
    solved, among the follow-ups of the answer in force that got an answer; a follow-up
    nobody answered is in neither count and shown beside the rate."""
    urban = units["urban"]
    # Solved: the reporter online, and a staff verification (which has no level).
    solved = case_at(urban, received=at(3, 1), answered=at(3, 10), answer_due=at(3, 20))
    followup(solved, responded=at(3, 11), solved=True, level=5)
    verified = case_at(urban, received=at(3, 1), answered=at(3, 5), answer_due=at(3, 20))
    followup(verified, responded=at(3, 6), solved=True, level=None)
    late_unsolved = case_at(
        urban, received=at(3, 1), answered=at(3, 15), answer_due=at(3, 12), reopen_count=1
    )
    followup(late_unsolved, responded=at(3, 16), solved=False, level=2)
    # Nobody answered its follow-up: neither solved nor not solved.
    unanswered = case_at(urban, received=at(3, 2), answered=at(3, 12), answer_due=at(3, 20))
    followup(unanswered, status=FollowUpStatus.NO_ANSWER)
    # Still waiting, or not asked yet: can still go either way.
    waiting = case_at(urban, received=at(3, 2), answered=at(3, 28), answer_due=at(3, 30))
    followup(waiting)
    case_at(urban, received=at(3, 2), answered=at(3, 20), answer_due=at(3, 25))
    # Re-answered after a reopening: the "solved" was about the earlier answer, not this one.
    reanswered = case_at(
        urban, received=at(2, 1), answered=at(3, 25), answer_due=at(3, 30), reopen_count=1
    )
    followup(reanswered, answer_of=at(3, 1), responded=at(3, 2), solved=True, level=4)
    # Answered after the period: not counted; nor is its expired follow-up.
    after = case_at(urban, received=at(3, 3), answered=at(4, 2), answer_due=at(4, 5))
    followup(after, status=FollowUpStatus.NO_ANSWER)

    row = rates.unit_rates(urban, *MARCH, now=at(4, 10))

    assert row.figures[rates.RESOLUTION] == rates.Figure(2, 3)
    assert row.figures[rates.NO_ANSWER] == rates.Figure(1, 7)
    assert row.aside(rates.RESOLUTION) == rates.Figure(1, 7)
    assert row.aside(rates.RESPONSE) is None
    assert row.figures[rates.ON_TIME] == rates.Figure(6, 7)
    assert row.figures[rates.REOPEN] == rates.Figure(2, 7)


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


def test_rectification_rate(units, rating_at, handler, supervisor):
    window = units["urban-window"]
    market_window = Unit.objects.create(
        code="market-window", name="市场监管窗口", kind=UnitKind.WINDOW, parent=units["market"]
    )
    # Rectified before its deadline, and exactly at it: counted and in the denominator.
    rating_at(window, 1, made=at(3, 2), due=at(3, 20), answered=at(3, 10))
    rating_at(window, 2, made=at(3, 3), due=at(3, 21), answered=at(3, 21))
    # Rectified after its deadline: denominator only.
    rating_at(window, 2, made=at(3, 3), due=at(3, 20), answered=at(3, 25))
    # Open past its deadline (now is 10 April): denominator only.
    rating_at(window, 1, made=at(3, 4), due=at(3, 24))
    # Still open within its deadline: in neither; it can still go either way.
    rating_at(window, 1, made=at(3, 30), due=at(4, 20))
    # Appealed: upheld, the rating is excluded (neither); rejected, it still counts (denominator).
    for uphold in (True, False):
        appealed = rating_at(window, 1, made=at(3, 5), due=at(3, 24))
        rating_appeal(rating=appealed, actor=handler, reason="恶意差评")
        rating_decide_appeal(rating=appealed, actor=supervisor, uphold=uphold, reason="核实")
    # Rectified in time, then rated again: the rectification still counts (both counts); the
    # re-rating, bad or good, opens no rectification case of its own and is in neither count.
    rerated = []
    for level in (1, 5):
        previous = rating_at(window, 2, made=at(3, 6), due=at(3, 25), answered=at(3, 8))
        with mock.patch("civicdesk.ratings.services._now", return_value=at(3, 9)):
            rerated.append(rating_rerate(previous=previous, level=level))
    assert [r.case for r in rerated] == [None, None] and rerated[0].is_bad
    # Not bad ("basically satisfied" is the lowest good level): no case, in neither.
    rating_at(window, 3, made=at(3, 7))
    # Another unit's window, and ratings made outside the (half-open) period: not counted.
    rating_at(market_window, 1, made=at(3, 5), due=at(3, 20), answered=at(3, 10))
    rating_at(window, 1, made=at(2, 25), due=at(3, 15), answered=at(3, 10))
    rating_at(window, 1, made=at(4, 1, 0), due=at(4, 3))
    assert Rating.objects.bad().filter(case__isnull=False).count() == 12

    def rectification(unit, now=None) -> rates.Figure:
        row = rates.unit_rates(unit, *MARCH, now=now or at(4, 10))
        return row.figures[rates.RECTIFICATION]

    assert rectification(units["urban"]) == rates.Figure(4, 7)
    assert rectification(units["urban"]).rate == 4 / 7
    # The window itself, the district above everything, another unit's subtree, none.
    assert rectification(window) == rates.Figure(4, 7)
    assert rectification(units["district"]) == rates.Figure(5, 8)
    assert rectification(units["market"]) == rates.Figure(1, 1)
    assert rectification(units["east-street"]) == rates.Figure(0, 0)
    assert rectification(units["east-street"]).rate is None
    # Once the open rating's deadline has passed, it joins the denominator.
    assert rectification(units["urban"], now=at(4, 21)) == rates.Figure(4, 8)
    # A merged rectification case (a duplicate) leaves the rate like any merged case.
    late = Rating.objects.get(window=window, level=2, case__answered_at=at(3, 25))
    Case.objects.filter(pk=late.case_id).update(status=Status.MERGED)
    assert rectification(units["urban"]) == rates.Figure(4, 6)


def test_rectification_rate_is_not_ranked_on(units, rating_at):
    rating = rating_at(units["urban-window"], 1, made=at(3, 2), due=at(3, 20))
    # The rectification case is a case of the window like any other; responded to at once.
    Case.objects.filter(pk=rating.case_id).update(first_responded_at=at(3, 2))

    ranking = rates.rank_units(rates.appraised_units(), *MARCH, now=at(4, 10), minimum=1)

    [urban] = ranking.ranked
    assert urban.case_count == 1
    assert urban.figures[rates.RECTIFICATION] == rates.Figure(0, 1)
    assert urban.figures[rates.RESPONSE] == rates.Figure(1, 1)
    assert urban.score == 1.0  # the response rate alone: no rectification in the score
    assert set(urban.figures) == set(rates.ALL_FIGURES)

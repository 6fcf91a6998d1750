from datetime import date, timedelta

import pytest

from civicdesk.accounts.models import Unit
from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.workflow import Action, Status
from civicdesk.dashboard import aggregate, figures
from civicdesk.dashboard.models import RateStat, RatingStat, Refresh, VolumeStat
from civicdesk.dashboard.tests.conftest import MARCH_DAYS, NOW, at
from civicdesk.evaluation import rates


def scope(unit=None, days=MARCH_DAYS) -> figures.Scope:
    return figures.Scope(since=days[0], end=days[1], unit=unit)


def test_day_ranges_split_runs_and_long_months():
    days = [date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 5)]
    days += [date(2025, 1, 1) + timedelta(days=n) for n in range(40)]
    assert list(aggregate.day_ranges(days)) == [
        (date(2025, 1, 1), date(2025, 2, 1)),
        (date(2025, 2, 1), date(2025, 2, 10)),
        (date(2025, 3, 1), date(2025, 3, 3)),
        (date(2025, 3, 5), date(2025, 3, 6)),
    ]
    assert list(aggregate.day_ranges([])) == []


def test_pre_aggregated_rates_equal_the_live_rates_for_every_unit(march):
    aggregate.refresh(now=NOW)

    for unit in Unit.objects.all():
        live = rates.unit_rates(unit, *(aggregate.local_midnight(d) for d in MARCH_DAYS), now=NOW)
        total, _ranking = figures.unit_table(scope(unit))
        assert total.figures == live.figures, unit.code
        assert total.case_count == live.case_count, unit.code


def test_hand_counted_figures(march, units):
    aggregate.refresh(now=NOW)

    total, ranking = figures.unit_table(scope())
    # Six received in March, one of them merged, plus the two bad ratings' rectification cases.
    assert total.case_count == 7
    assert total.figures[rates.RESPONSE] == rates.Figure(2, 6)
    # Answered in March: three of March's, February's last, one rectification case; the
    # resolution rate counts the four whose follow-up got an answer (issue 13, item 1), and
    # the rectification case's follow-up that got none is shown beside it.
    assert total.figures[rates.RESOLUTION] == rates.Figure(3, 4)
    assert total.figures[rates.NO_ANSWER] == rates.Figure(1, 5)
    assert total.figures[rates.SATISFACTION] == rates.Figure(1, 3)
    assert total.figures[rates.ON_TIME] == rates.Figure(4, 5)
    assert total.figures[rates.REOPEN] == rates.Figure(1, 5)
    assert total.figures[rates.RECTIFICATION] == rates.Figure(1, 2)
    # Ten cases are needed to be ranked; no unit has them.
    assert ranking.ranked == []
    assert {r.unit.code for r in ranking.too_few} == {"urban", "east-street", "market"}

    volume = figures.volume(scope(), uncategorised="-")
    assert volume.total == 8
    assert sorted(s.count for s in volume.by_channel) == [1, 2, 5]
    assert [s.count for s in volume.by_day][:7] == [0, 2, 2, 1, 1, 1, 0]
    assert sum(s.count for s in volume.by_day) == 8
    assert len(volume.by_day) == 31
    assert figures.rating_levels(scope()) == {5: 1, 4: 1, 3: 0, 2: 1, 1: 1}
    assert figures.rating_levels(scope(units["market"])) == {5: 0, 4: 0, 3: 0, 2: 0, 1: 0}


def test_unit_scope_counts_its_subtree_only(march, units):
    aggregate.refresh(now=NOW)

    street, _ranking = figures.unit_table(scope(units["east-street"]))
    assert street.case_count == 2
    assert street.figures[rates.RESPONSE] == rates.Figure(0, 1)
    assert figures.volume(scope(units["urban"]), uncategorised="-").total == 4


def _rows() -> list[tuple]:
    return sorted(
        [
            *VolumeStat.objects.values_list(
                "day", "unit_id", "channel_id", "category_id", "received", "counted"
            ),
            *RateStat.objects.values_list("day", "unit_id", "rate", "numerator", "denominator"),
            *RatingStat.objects.values_list("day", "unit_id", "level", "count"),
        ],
        key=repr,
    )


def test_refresh_is_idempotent(march):
    aggregate.refresh(now=NOW)
    first = _rows()
    aggregate.refresh(now=NOW)
    aggregate.refresh(full=True, now=NOW)
    assert _rows() == first
    assert Refresh.objects.count() == 3
    assert [r.full for r in Refresh.objects.order_by("id")] == [True, False, True]


def test_incremental_refresh_rebuilds_old_days_that_changed(march, units, settings):
    """A case answered on 10 March and answered again on 20 March, both far outside the
    recent days that every refresh rebuilds: the 10th loses it, the 20th gains it."""
    settings.CIVICDESK_DASHBOARD_RECENT_DAYS = 1
    case = march[0]
    CaseEvent.objects.create(case=case, action=Action.ANSWER, created_at=at(3, 10))
    aggregate.refresh(now=NOW)
    on_time = RateStat.objects.filter(rate=rates.ON_TIME, unit_id=case.unit_id)
    assert on_time.filter(day=date(2025, 3, 10)).get().denominator == 1

    Case.objects.filter(pk=case.pk).update(answered_at=at(3, 20), reopen_count=1)
    CaseEvent.objects.create(case=case, action=Action.ANSWER)  # now: a change to pick up
    done = aggregate.refresh()

    assert not done.full
    assert not on_time.filter(day=date(2025, 3, 10)).exists()
    assert on_time.filter(day=date(2025, 3, 20)).get().denominator == 1
    total, _ = figures.unit_table(scope())
    assert total.figures[rates.REOPEN] == rates.Figure(2, 5)


def test_merging_a_case_later_takes_it_out_of_the_rates(march, settings):
    settings.CIVICDESK_DASHBOARD_RECENT_DAYS = 1
    aggregate.refresh(now=NOW)
    case = march[1]
    Case.objects.filter(pk=case.pk).update(status=Status.MERGED)
    CaseEvent.objects.create(case=case, action=Action.MERGE)
    aggregate.refresh()

    total, _ = figures.unit_table(scope())
    assert total.case_count == 6
    assert figures.volume(scope(), uncategorised="-").total == 8


@pytest.mark.django_db
def test_refresh_of_an_empty_district_writes_nothing():
    done = aggregate.refresh()
    assert done.full and done.days == 0
    assert _rows() == []


def test_incremental_refresh_counts_opinions_stored_later_than_heard(march, settings, make_case):
    """An opinion typed in or imported today but heard in March: its "create" event is dated
    in March too, so only the time it was stored tells the refresh that March changed."""
    settings.CIVICDESK_DASHBOARD_RECENT_DAYS = 1
    aggregate.refresh(now=NOW)
    make_case(received_at=at(3, 15))
    aggregate.refresh()

    assert figures.volume(scope(), uncategorised="-").total == 9

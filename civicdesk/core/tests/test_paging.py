"""CappedPaginator: exact below the cap, "more than" above it, and every row on one page."""

import pytest
from django.core.paginator import PageNotAnInteger

from civicdesk.cases.models import Case
from civicdesk.core.paging import CappedPaginator


@pytest.mark.parametrize("rows", [0, 1, 9, 10, 11, 12, 30])
def test_pages_hold_every_row_once_in_order(rows):
    paginator = CappedPaginator(list(range(rows)), 3, cap=10)
    seen, number = [], 1
    while True:
        page = paginator.page(number)
        seen.extend(page)
        assert page.start_index() == (0 if rows == 0 else (number - 1) * 3 + 1)
        assert page.end_index() == (number - 1) * 3 + len(page)
        if not page.has_next():
            break
        number += 1
    assert seen == list(range(rows))
    assert paginator.capped == (rows > 10)
    assert paginator.count == min(rows, 11)


def test_bad_and_missing_page_numbers():
    capped = CappedPaginator(list(range(30)), 3, cap=10)
    assert capped.get_page("abc").number == 1
    assert capped.get_page(99).number == 1  # the last page of a capped list is not known
    assert capped.get_page(0).number == 1
    with pytest.raises(PageNotAnInteger):
        capped.page("2.5")
    exact = CappedPaginator(list(range(7)), 3, cap=10)
    assert exact.get_page(99).number == 3


@pytest.mark.django_db
def test_a_queryset_is_counted_with_a_limit(make_case, django_assert_num_queries):
    for _ in range(4):
        make_case()
    paginator = CappedPaginator(Case.objects.order_by("pk"), 2, cap=3)
    with django_assert_num_queries(1) as captured:
        assert paginator.count == 4 and paginator.capped
    sql = captured.captured_queries[0]["sql"]
    assert "LIMIT 4" in sql and "ORDER BY" not in sql

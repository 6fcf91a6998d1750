"""The busiest pages run a fixed number of queries, however many rows they show."""

import pytest

from civicdesk.cases.services import case_answer, case_assign
from civicdesk.conftest import login


@pytest.mark.parametrize("rows", [3, 25])
def test_inbox_queries_do_not_grow_with_rows(
    rows, supervisor, make_case, django_assert_max_num_queries
):
    for _ in range(rows):
        make_case(contact_name="王小明")
    client = login(supervisor)
    with django_assert_max_num_queries(8):
        assert client.get("/staff/", {"status": "default"}).status_code == 200


@pytest.mark.parametrize("rows", [3, 20])
def test_published_answers_queries_do_not_grow_with_rows(
    rows, citizen, supervisor, handler, units, make_case, django_assert_max_num_queries
):
    for _ in range(rows):
        case = case_assign(
            case=make_case(consent_publish=True), unit=units["urban"], actor=supervisor
        )
        case_answer(case=case, actor=handler, text="已处理")
    with django_assert_max_num_queries(4):
        assert citizen.get("/answered/").status_code == 200

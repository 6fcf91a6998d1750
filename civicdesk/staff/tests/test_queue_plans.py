"""The work queues at city scale: each queue's first page and count are read from an index
rather than by sorting or testing every open case (bench/staff_pages.py measures it with
100,000 open cases), and the queue pages run a fixed number of queries."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from civicdesk.cases import models as case_models
from civicdesk.cases.models import Case, stage_due
from civicdesk.conftest import login
from civicdesk.staff import queues

pytestmark = pytest.mark.django_db


# The plans are PostgreSQL's, the database a district of this size runs on (SQLite uses a
# partial index only where the query spells its condition out with literal values, which
# Django's bound parameters never are). Run with DATABASE_URL=postgres://….
postgresql_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="query plans of PostgreSQL",
)


def reads_in_order_from(queryset, index: str) -> bool:
    """Whether PostgreSQL can read the query's rows from `index`, in the query's order. It is
    told to avoid sequential scans and sorts, so that on a test's few rows its plan shows what
    it would do with many."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return index in plan and "Sort" not in plan


def first_page(user, slug: str):
    return queues.queue_cases(user, queues.QUEUES[slug], timezone.now())[:26]


@postgresql_only
@pytest.mark.parametrize("slug", ["open", "due-soon", "overdue"])
def test_queues_by_stage_deadline_read_the_index_of_open_cases(slug, supervisor, make_case):
    make_case()
    assert reads_in_order_from(first_page(supervisor, slug), "case_open_stage_due")


@postgresql_only
def test_the_routing_queue_reads_the_index_of_unrouted_cases(clerk, make_case):
    make_case()
    assert reads_in_order_from(first_page(clerk, "to-route"), "case_unrouted_assign_due")


@postgresql_only
def test_the_follow_up_queue_reads_the_index_of_answered_cases(clerk, make_case):
    make_case()
    assert reads_in_order_from(first_page(clerk, "follow-up"), "case_answered_at")


def test_the_stage_deadline_is_the_same_sql_in_every_process(monkeypatch):
    """A set's order changes with the interpreter's hash seed; an index on an expression serves
    only queries whose expression is the same, word for word."""

    def sql(unrouted: list[str]) -> str:
        monkeypatch.setattr(case_models, "UNROUTED_STATUSES", unrouted)
        return str(Case.objects.annotate(key=stage_due()).values("key").query)

    assert sql(["received", "returned"]) == sql(["returned", "received"])


@pytest.mark.parametrize("rows", [2, 30])
def test_queue_pages_and_counts_run_a_fixed_number_of_queries(
    rows, supervisor, make_case, django_assert_max_num_queries
):
    late = timezone.now() - timedelta(hours=1)
    for _ in range(rows):
        case = make_case(contact_name="王小明")
        Case.objects.filter(pk=case.pk).update(assign_due_at=late)
    client = login(supervisor)
    with django_assert_max_num_queries(12):
        response = client.get("/staff/queues/overdue/")
    assert response.status_code == 200
    assert response.content.decode().count('class="case-link"') == min(rows, 25)
    # One count per queue of the supervisor's, plus the session and the user.
    with django_assert_max_num_queries(len(queues.queues_for(supervisor)) + 3):
        assert client.get("/staff/queues/counts/").status_code == 200

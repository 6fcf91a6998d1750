"""Integers past the database's range are refused as bad input (422 naming the field), on every
operation: a huge id reached the database and answered 500 (SQLite's OverflowError)."""

import pytest
from django.utils import timezone

from civicdesk.api.api import api
from civicdesk.api.bounds import BIGINT_MAX, BIGINT_MIN, input_models
from civicdesk.problems.models import ClusterRun, ProblemCluster, RunStatus

pytestmark = pytest.mark.django_db

TOO_BIG = [2**63, 10**30, BIGINT_MIN - 1]


@pytest.fixture
def run(clerk, make_case):
    """A finished run with two clusters (made directly: the clustering is not under test)."""
    today = timezone.localdate()
    run = ClusterRun.objects.create(
        created_by=clerk, period_start=today, period_end=today, status=RunStatus.DONE
    )
    for title in ["路灯不亮", "工地噪音"]:
        cluster = ProblemCluster.objects.create(run=run, title=title, size=1)
        cluster.cases.add(make_case(description=title))
    return run


@pytest.mark.parametrize("number", TOO_BIG)
def test_merging_clusters_with_a_huge_id_is_a_422(api_as, clerk, run, number):
    cluster = run.clusters.first()
    response = api_as(clerk).post(
        f"/api/v1/triage/runs/{run.pk}/merge", {"clusters": [cluster.pk, number]}
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["msg"].startswith("clusters.1: ")


@pytest.mark.parametrize("number", TOO_BIG)
@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("get", "/api/v1/cases/{n}", "case_id"),
        ("post", "/api/v1/cases/{n}/note", "case_id"),
        ("get", "/api/v1/measures/{n}", "measure_id"),
        ("get", "/api/v1/measures?problem={n}", "problem"),
        ("get", "/api/v1/triage/clusters/{n}", "cluster_id"),
        ("get", "/api/v1/ledgers/promises/{n}", "item_id"),
        ("get", "/api/v1/questionnaires/1/results?version={n}", "version"),
        ("get", "/api/v1/cases?offset={n}", "offset"),
    ],
)
def test_a_huge_number_anywhere_is_a_422_naming_it(api_as, admin_user, method, path, field, number):
    client = api_as(admin_user)
    url = path.format(n=number)
    response = client.get(url) if method == "get" else client.post(url, {"text": "备注"})
    assert response.status_code == 422, response.content
    assert any(error["msg"].startswith(f"{field}: ") for error in response.json()["detail"])


def test_the_largest_id_the_database_holds_is_still_looked_up(api_as, clerk, run):
    client = api_as(clerk)
    assert client.get(f"/api/v1/cases/{BIGINT_MAX}").status_code == 404
    cluster = run.clusters.first()
    response = client.post(
        f"/api/v1/triage/runs/{run.pk}/merge", {"clusters": [cluster.pk, BIGINT_MAX]}
    )
    assert response.status_code == 422
    assert str(BIGINT_MAX) in response.json()["detail"][0]["msg"]  # "no cluster …", not a 500


def _int_schemas(schema):
    if isinstance(schema, list):
        for item in schema:
            yield from _int_schemas(item)
    elif isinstance(schema, dict):
        if schema.get("type") == "int":
            yield schema
        for value in schema.values():
            yield from _int_schemas(value)


def test_every_integer_of_every_operation_is_bounded():
    checked = 0
    for model in input_models(api):
        for number in _int_schemas(model.__pydantic_core_schema__):
            checked += 1
            low = number.get("ge", number.get("gt"))
            high = number.get("le", number.get("lt"))
            assert low is not None and low >= BIGINT_MIN, (model, number)
            assert high is not None and high <= BIGINT_MAX, (model, number)
    assert checked > 100

"""A token's last use is recorded at most once a minute: keyed reads are not writes (issue 13).

The concurrent-writer test on a SQLite file is core/tests/test_sqlite_concurrency.py.
"""

from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicdesk.accounts.models import ApiToken

CASES = "/api/v1/cases"
OPEN311 = "/open311/v2/requests.json"


def token_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("UPDATE") and "accounts_apitoken" in query["sql"]
    ]


@pytest.fixture
def issued(supervisor) -> tuple[ApiToken, str]:
    return ApiToken.issue(user=supervisor, name="phone")


def test_only_the_first_keyed_read_in_a_minute_writes(client, issued):
    token, raw = issued
    headers = {"Authorization": f"Bearer {raw}"}

    with CaptureQueriesContext(connection) as first:
        assert client.get(CASES, headers=headers).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(CASES, headers=headers).status_code == 200
        assert client.get(OPEN311, {"api_key": raw}).status_code == 200

    assert len(token_writes(first)) == 1
    assert token_writes(second) == []
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_use_a_minute_later_is_recorded_again(client, issued):
    token, raw = issued
    earlier = timezone.now() - timedelta(seconds=61)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)

    assert client.get(CASES, headers={"Authorization": f"Bearer {raw}"}).status_code == 200

    token.refresh_from_db()
    assert token.last_used_at > earlier + timedelta(seconds=60)


def test_record_use_writes_once_even_from_a_stale_copy(issued, django_assert_num_queries):
    token, _raw = issued
    stale_copy = ApiToken.objects.get(pk=token.pk)

    assert token.record_use() is True
    with django_assert_num_queries(0):
        assert token.record_use() is False  # this copy knows: not even a query
    # Another request loaded the token before the first use was written: the conditional
    # update finds the row already recent and changes nothing.
    assert stale_copy.last_used_at is None
    assert stale_copy.record_use() is False


# Requests run outside any transaction, and so does this test: inside one, the error must
# reach the caller, whose transaction it broke.
@pytest.mark.django_db(transaction=True)
def test_a_busy_database_does_not_fail_the_keyed_request(client, issued, monkeypatch):
    _token, raw = issued
    real_update = QuerySet.update

    def locked(self, **values):
        if self.model is ApiToken:
            raise OperationalError("database is locked")
        return real_update(self, **values)

    monkeypatch.setattr(QuerySet, "update", locked)

    response = client.get(CASES, headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 200

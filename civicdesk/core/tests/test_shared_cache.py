"""CIVICDESK_CACHE_URL: rate-limit counters shared through Redis, and what happens without it."""

import logging
import socket

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from civicdesk import settings as civicdesk_settings
from civicdesk.intake.models import Submission

URL = "/api/v1/submissions"
REDIS = "redis://127.0.0.1:6379/15"
NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def redis_is_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def test_cache_url_chooses_the_backend() -> None:
    assert civicdesk_settings._cache("")["BACKEND"].endswith("LocMemCache")
    redis = civicdesk_settings._cache("redis://cache.internal:6379/1")
    assert redis == {
        "BACKEND": "civicdesk.core.cache.ReusedClientRedisCache",
        "LOCATION": "redis://cache.internal:6379/1",
    }
    with pytest.raises(ImproperlyConfigured, match="CIVICDESK_CACHE_URL"):
        civicdesk_settings._cache("memcached://127.0.0.1:11211")


@pytest.mark.django_db
@pytest.mark.skipif(not redis_is_up(), reason="no Redis on 127.0.0.1:6379")
def test_workers_share_one_count_through_redis(settings) -> None:
    settings.CACHES = {"default": civicdesk_settings._cache(REDIS)}
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "2/h"
    caches["default"].clear()
    try:
        # Two clients stand for two web workers: each process has its own memory, but the
        # count lives in Redis, so the third report from one address is refused all the same.
        first, second = Client(), Client()
        codes = [
            first.post(URL, {"description": "一"}, content_type="application/json").status_code,
            second.post(URL, {"description": "二"}, content_type="application/json").status_code,
            first.post(URL, {"description": "三"}, content_type="application/json").status_code,
        ]
    finally:
        caches["default"].clear()

    assert codes == [201, 201, 429]
    assert Submission.objects.count() == 2


@pytest.mark.skipif(not redis_is_up(), reason="no Redis on 127.0.0.1:6379")
def test_the_redis_cache_builds_one_client_and_shares_it_between_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from civicdesk.core.cache import ReusedClientRedisCache

    # Its own Redis database: the other test here clears db 15, maybe at the same time.
    cache = ReusedClientRedisCache("redis://127.0.0.1:6379/14", {})
    cache.clear()
    try:
        assert cache._cache.get_client() is cache._cache.get_client(write=True)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: cache.set(f"k{n}", n), range(64)))
            incremented = list(pool.map(lambda n: cache.incr(f"k{n}", 1000), range(64)))
        assert incremented == [n + 1000 for n in range(64)]
        assert cache.add("k1", "taken") is False and cache.get("k1") == 1001
    finally:
        cache.clear()


@pytest.mark.django_db
def test_reports_are_still_taken_when_the_cache_is_down(settings, caplog) -> None:
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "1/h"

    # override_settings rather than the settings fixture: the cache must work again before
    # the test's own clean-up clears it.
    with (
        override_settings(CACHES={"default": civicdesk_settings._cache(NOWHERE)}),
        caplog.at_level(logging.WARNING, logger="civicdesk.core.ratelimit"),
    ):
        codes = [
            Client().post(URL, {"description": f"第{n}条"}, content_type="application/json")
            for n in range(2)
        ]

    assert [response.status_code for response in codes] == [201, 201]
    assert Submission.objects.count() == 2
    assert "cannot be reached" in caplog.text
    assert "127.0.0.1" not in caplog.text  # no client address in the log

"""Fixed-window rate limits in the cache, keyed by client."""

import hashlib
import logging
import math
import re
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

T = TypeVar("T")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(spec: str) -> tuple[int, int]:
    """ "20/h" → (20, 3600). "0" or "" turns the limit off."""
    if spec in {"", "0"}:
        return 0, 1
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*", spec)
    if not match:
        raise ImproperlyConfigured(f"A rate limit looks like 20/h or 5/10m, not {spec!r}")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNITS[unit]


def client_address(request: HttpRequest) -> str:
    proxies = settings.CIVICDESK_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _key(request: HttpRequest, scope: str, window: int, key: str | None) -> str:
    # Hash the address (or the caller's key, e.g. a user name): the cache holds no personal
    # data in clear.
    client = hashlib.sha256((client_address(request) if key is None else key).encode())
    return f"rl:{scope}:{client.hexdigest()[:24]}:{int(time.time() // window)}"


def over_limit(request: HttpRequest, scope: str, spec: str, *, key: str | None = None) -> bool:
    """Count one hit for this client (or for `key`) and say whether it went over the limit."""
    limit, window = parse_rate(spec)
    if limit == 0:
        return False
    cache_key = _key(request, scope, window, key)
    try:
        if cache.add(cache_key, 1, timeout=window + 5):
            return False
        try:
            return cache.incr(cache_key) > limit
        except ValueError:
            cache.set(cache_key, 1, timeout=window + 5)
            return False
    except Exception:
        # The shared cache (Redis) is down. Refusing everyone would stop the reports coming
        # in; a few minutes without limits is the smaller harm, and the log says so.
        logger.warning("rate limit %s not applied: the cache cannot be reached", scope)
        return False


def limit_reached(request: HttpRequest, scope: str, spec: str, *, key: str | None = None) -> bool:
    """Whether this client (or `key`) has used up its hits, without counting one."""
    limit, window = parse_rate(spec)
    if limit == 0:
        return False
    try:
        return (cache.get(_key(request, scope, window, key)) or 0) >= limit
    except Exception:
        logger.warning("rate limit %s not checked: the cache cannot be reached", scope)
        return False


def seconds_left(spec: str) -> int:
    """Seconds until the current window of ``spec`` ends (windows are fixed, so a refused
    client may come back then)."""
    _count, window = parse_rate(spec)
    return max(1, math.ceil(window - time.time() % window))


class LimitReached(Exception):
    """A client used up its misses of a secret look-up (or its hits of a limit);
    ``retry_after`` is in seconds: when the limit's window ends."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        """The headers of every refusal (pages, API, Open311): when to come back."""
        return {"Retry-After": str(self.retry_after)}


def refused_page(
    request: HttpRequest, template: str, reached: LimitReached, context: dict | None = None
) -> HttpResponse:
    """The 429 page of a refused client, telling it when the window ends."""
    response = render(request, template, context or {}, status=429)
    for name, value in reached.headers.items():
        response[name] = value
    return response


def guarded_lookup(
    request: HttpRequest | None, scope: str, spec: str, find: Callable[[], T | None]
) -> T | None:
    """What ``find`` returns for a secret the client sent (a tracking code, a link's token),
    with the client's misses counted in ``scope``.

    Once the client has used up its misses, every look-up is refused with LimitReached until
    the window ends, before ``find`` is even called: a right secret and a wrong one then get
    the same answer, so the limit slows guessing instead of telling hits from misses. Other
    clients are not affected, and a hit never counts. Without a request nothing is counted.
    """
    if request is not None and limit_reached(request, scope, spec):
        raise LimitReached(seconds_left(spec))
    found = find()
    if found is None and request is not None and over_limit(request, scope, spec):
        raise LimitReached(seconds_left(spec))
    return found

"""Public links whose token is the only secret: rating and re-rating links, unsubscribe links,
commitment subscription links, follow-up answer links.

Wrong tokens are counted per client, in one budget for all these links (scope "token-miss",
CIVICDESK_TOKEN_MISS_RATE_LIMIT). Once a client used it up, every token look-up from it is
refused until the window ends, right token or wrong, so a hit cannot be told apart from a
miss. Other clients are not affected, and a right token never counts.
"""

import math
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from civicdesk.core.ratelimit import limit_reached, over_limit, parse_rate

SCOPE = "token-miss"

T = TypeVar("T")


class TokenThrottled(Exception):
    """Too many wrong links from one client: someone may be guessing tokens."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def token_miss_rate_limit() -> str:
    return getattr(settings, "CIVICDESK_TOKEN_MISS_RATE_LIMIT", "20/h")


def _throttled(spec: str) -> TokenThrottled:
    # Windows are fixed, so the client may come back when the current one ends.
    _count, window = parse_rate(spec)
    return TokenThrottled(max(1, math.ceil(window - time.time() % window)))


def find_by_token(
    request: HttpRequest | None, find: Callable[[], T | None], *, what: str = "Not found"
) -> T:
    """What `find` returns for the link's token; Http404 (`what`) when it finds nothing, which
    counts one miss for the client of `request`. TokenThrottled when that client is over the
    limit, before `find` is even called. Without a request (no client), nothing is counted."""
    spec = token_miss_rate_limit()
    if request is not None and limit_reached(request, SCOPE, spec):
        raise _throttled(spec)
    found = find()
    if found is None:
        if request is not None and over_limit(request, SCOPE, spec):
            raise _throttled(spec)
        raise Http404(what)
    return found


def too_many_attempts(
    request: HttpRequest, throttled: TokenThrottled, message: str = ""
) -> HttpResponse:
    """The 429 page of a refused link, telling the client when to come back; ``message``
    replaces the general explanation."""
    response = render(request, "civicdesk/too_many_attempts.html", {"message": message}, status=429)
    response["Retry-After"] = str(throttled.retry_after)
    return response

"""Public links whose token is the only secret: rating and re-rating links, unsubscribe links,
commitment subscription links, follow-up answer links.

Wrong tokens are counted per client, in one budget for all these links (scope "token-miss",
CIVICDESK_TOKEN_MISS_RATE_LIMIT). Once a client used it up, every token look-up from it is
refused until the window ends, right token or wrong, so a hit cannot be told apart from a
miss. Other clients are not affected, and a right token never counts.
"""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from civicdesk.core.ratelimit import LimitReached, guarded_lookup, refused_page

SCOPE = "token-miss"

T = TypeVar("T")


class TokenThrottled(LimitReached):
    """Too many wrong links from one client: someone may be guessing tokens."""


def token_miss_rate_limit() -> str:
    return getattr(settings, "CIVICDESK_TOKEN_MISS_RATE_LIMIT", "20/h")


def find_by_token(
    request: HttpRequest | None, find: Callable[[], T | None], *, what: str = "Not found"
) -> T:
    """What `find` returns for the link's token; Http404 (`what`) when it finds nothing, which
    counts one miss for the client of `request`. TokenThrottled when that client is over the
    limit, before `find` is even called. Without a request (no client), nothing is counted."""
    try:
        found = guarded_lookup(request, SCOPE, token_miss_rate_limit(), find)
    except LimitReached as reached:
        raise TokenThrottled(reached.retry_after) from None
    if found is None:
        raise Http404(what)
    return found


def too_many_attempts(
    request: HttpRequest, throttled: TokenThrottled, message: str = ""
) -> HttpResponse:
    """The 429 page of a refused link, telling the client when to come back; ``message``
    replaces the general explanation."""
    return refused_page(
        request, "civicdesk/too_many_attempts.html", throttled, {"message": message}
    )

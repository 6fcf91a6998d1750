"""A strict Content-Security-Policy on every response.

Scripts only come from our own static files (no inline code, no event-handler attributes,
no eval), so an injected `<script>` or `onerror=` in user text cannot run even if escaping
were ever missed somewhere.
"""

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse

from civicdesk.core.maps import tile_provider

HEADER = "Content-Security-Policy"


@cache
def build_policy(tile_hosts: tuple[str, ...] = ()) -> str:
    """The policy; images may also come from `tile_hosts`, the map tiles' origins
    (civicdesk.core.maps: exactly the configured provider's hosts, nothing wider)."""
    images = ["'self'", "data:", "blob:", *tile_hosts]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Leaflet and ECharts position their elements with style attributes, and a few of
        # our templates use one (white-space on user text): styles cannot run code, so
        # inline styles are allowed while inline scripts are not.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            provider = tile_provider()
            response[HEADER] = build_policy(provider.hosts() if provider else ())
        return response

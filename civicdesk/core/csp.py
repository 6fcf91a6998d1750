"""A strict Content-Security-Policy on every response.

Scripts only come from our own static files (no inline code, no event-handler attributes,
no eval), so an injected `<script>` or `onerror=` in user text cannot run even if escaping
were ever missed somewhere.
"""

from collections.abc import Callable
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def tile_origin(tile_url: str) -> str:
    """The origin map tiles come from, as a CSP source ("" when there are no remote tiles).

    Leaflet URL templates may put a subdomain placeholder in the host
    ("https://{s}.tile.example.org/..."): that becomes a wildcard label."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ""  # a relative URL: the tiles are served by us, covered by 'self'
    host = parts.netloc.rsplit("@", 1)[-1]
    labels = ["*" if "{" in label else label for label in host.split(".")]
    return f"{parts.scheme}://{'.'.join(labels)}"


@cache
def build_policy(tile_url: str) -> str:
    images = ["'self'", "data:", "blob:"]
    tiles = tile_origin(tile_url)
    if tiles:
        images.append(tiles)
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
            response[HEADER] = build_policy(getattr(settings, "CIVICDESK_MAP_TILE_URL", ""))
        return response

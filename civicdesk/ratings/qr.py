"""QR codes as inline SVG, so posters need no image files and print sharply."""

import segno
from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe


def absolute_url(request: HttpRequest, path: str) -> str:
    site = settings.CIVICDESK_SITE_URL.rstrip("/")
    return f"{site}{path}" if site else request.build_absolute_uri(path)


def qr_svg(url: str, *, scale: int = 6) -> SafeString:
    # segno writes the SVG itself from a URL we built; nothing user-typed goes into markup.
    svg = segno.make(url, error="m").svg_inline(scale=scale, title=url)
    return mark_safe(svg)  # noqa: S308

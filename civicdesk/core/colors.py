"""Colours and their contrast (WCAG 2.x), for the district's brand colour and the tests that
keep the stylesheet's tokens readable."""

import re

from django.utils.translation import gettext as _

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")

# WCAG AA: normal text needs 4.5:1 against its background.
AA_TEXT = 4.5

# The brand colour is the buttons' background under white text and the brand's own text on
# the page's surfaces (white cards, the light grey page).
WHITE = "#ffffff"
PAGE_BACKGROUND = "#f6f7f9"


def parse_hex(value: str) -> tuple[int, int, int]:
    """#rgb or #rrggbb as (r, g, b) in 0-255; ValueError for anything else."""
    if not HEX_COLOR.match(value):
        raise ValueError(value)
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def relative_luminance(value: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in parse_hex(value))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def brand_color_problem(value: str) -> str | None:
    """Why this brand colour cannot be used (translated, for the system check), or None."""
    try:
        parse_hex(value)
    except ValueError:
        return _("CIVICDESK_BRAND_COLOR must be a hex colour such as #b3261e, not “%(value)s”.") % {
            "value": value
        }
    worst = min(contrast_ratio(value, WHITE), contrast_ratio(value, PAGE_BACKGROUND))
    if worst < AA_TEXT:
        return _(
            "CIVICDESK_BRAND_COLOR %(value)s has a contrast of %(ratio).2f:1 with white text and "
            "the page background; WCAG AA needs %(needed).1f:1. Choose a darker shade."
        ) % {"value": value, "ratio": worst, "needed": AA_TEXT}
    return None

"""Template helpers of the hall: durations, averages and shares as people read them."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Seconds as days, hours or minutes with one decimal; an em dash when there are none."""
    if seconds is None or seconds == "":
        return "—"
    seconds = float(seconds)
    if seconds >= 86400:
        return _("%(value).1f d") % {"value": seconds / 86400}
    if seconds >= 3600:
        return _("%(value).1f h") % {"value": seconds / 3600}
    return _("%(value)d min") % {"value": round(seconds / 60)}


@register.filter
def decimal(value, places: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:.{int(places)}f}"


@register.filter
def share(value) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None

from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """A share (0–1) as a percentage with one decimal; an em dash when there is none."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def average(value) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}"

"""Template helpers shared by the public and staff pages."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from civicdesk.core.redaction import address_politely
from civicdesk.core.redaction import redact as redact_text
from civicdesk.core.textnorm import to_simplified, to_traditional

register = template.Library()


@register.filter
def script(value: str) -> str:
    """Show stored Chinese names (units, categories) in the script of the active language."""
    if not value:
        return value
    language = (get_language() or "").lower()
    if language == "zh-hant":
        return to_traditional(str(value))
    if language == "zh-hans":
        return to_simplified(str(value))
    return value


@register.filter
def redact(value: str, names: list[str] | str = ()) -> str:
    """Hide personal data; `names` are details known to belong to the reporter."""
    if isinstance(names, str):
        names = [names] if names else []
    return redact_text(value or "", names)


@register.filter
def public_text(value: str, case) -> str:
    """A text of `case` as the public may read it (Case.public_text: the personal data known
    anywhere in the case hidden), the one way public pages show a case's texts."""
    return case.public_text(value or "")


@register.filter
def addressed(value: str) -> str:
    """A public text shown to the reporter on their own page: a greeting to them reads
    "先生，您好", not "＊＊＊先生，您好" (core.redaction.address_politely)."""
    return address_politely(value or "")


@register.filter
def isolate(value) -> SafeString:
    """User text in <bdi>: bidi controls typed into it (U+202E…) and right-to-left letters end
    with it, so they cannot reorder what the page prints after it (coordinates, dates).

    Text that people typed goes through this filter wherever it shares a line with anything
    else (a list cell, a fact, a link); a block of its own (a description's paragraph, an
    answer, a note) is already a bidi paragraph of its own and needs no wrapper."""
    if value is None or value == "":
        return SafeString("")
    return format_html("<bdi>{}</bdi>", value)


@register.simple_tag(takes_context=True)
def url_with(context, **changes) -> str:
    """The current query string with some parameters changed (for filters and pagination)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def local_name(obj) -> str:
    """A unit's, category's or channel's name in the active language."""
    if obj is None:
        return ""
    language = (get_language() or "").lower()
    if language.startswith("en") and getattr(obj, "name_en", ""):
        return obj.name_en
    return script(obj.name)

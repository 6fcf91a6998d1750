"""pydantic's validation messages in the request's language.

pydantic writes its messages in English only, while the rest of the API speaks the language of
``Accept-Language``. Each error type a request can meet gets its sentence here, filled from the
error's context (the limit, the allowed values); a type not listed keeps pydantic's words, and
errors raised by our own checks arrive translated already.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _choices(context: dict) -> str:
    # pydantic lists allowed values as "'a', 'b' or 'c'"; the English "or" goes.
    return str(context["expected"]).replace("' or '", "', '")


def _count(context: dict, key: str) -> int:
    return int(context[key])


_MESSAGES: dict[str, Callable[[dict], str]] = {
    "missing": lambda c: _("Field required"),
    "extra_forbidden": lambda c: _("Extra inputs are not permitted"),
    "json_invalid": lambda c: _("Invalid JSON"),
    "recursion_loop": lambda c: _("Nested too deeply"),
    "recursion_depth_exceeded": lambda c: _("Nested too deeply"),
    "model_type": lambda c: _("Input should be an object"),
    "model_attributes_type": lambda c: _("Input should be an object"),
    "dict_type": lambda c: _("Input should be an object"),
    "list_type": lambda c: _("Input should be a list"),
    "tuple_type": lambda c: _("Input should be a list"),
    "set_type": lambda c: _("Input should be a list"),
    "frozen_set_type": lambda c: _("Input should be a list"),
    "iterable_type": lambda c: _("Input should be a list"),
    "too_short": lambda c: (
        ngettext(
            "Should have at least %(count)d item", "Should have at least %(count)d items", c["n"]
        )
        % {"count": c["n"]}
    ),
    "too_long": lambda c: (
        ngettext(
            "Should have at most %(count)d item", "Should have at most %(count)d items", c["n"]
        )
        % {"count": c["n"]}
    ),
    "string_type": lambda c: _("Input should be a valid string"),
    "string_unicode": lambda c: _("Input should be a valid string"),
    "string_too_short": lambda c: (
        ngettext(
            "String should have at least %(count)d character",
            "String should have at least %(count)d characters",
            c["n"],
        )
        % {"count": c["n"]}
    ),
    "string_too_long": lambda c: (
        ngettext(
            "String should have at most %(count)d character",
            "String should have at most %(count)d characters",
            c["n"],
        )
        % {"count": c["n"]}
    ),
    "string_pattern_mismatch": lambda c: (
        _("String should match the pattern %(pattern)s") % {"pattern": c["pattern"]}
    ),
    "string_not_ascii": lambda c: _("String should contain only ASCII characters"),
    "enum": lambda c: _("Input should be one of %(choices)s") % {"choices": _choices(c)},
    "literal_error": lambda c: _("Input should be one of %(choices)s") % {"choices": _choices(c)},
    "bool_type": lambda c: _("Input should be a valid boolean (true or false)"),
    "bool_parsing": lambda c: _("Input should be a valid boolean (true or false)"),
    "int_type": lambda c: _("Input should be a valid integer"),
    "int_parsing": lambda c: _("Input should be a valid integer"),
    "int_parsing_size": lambda c: _("Input should be a valid integer"),
    "int_from_float": lambda c: _(
        "Input should be a valid integer, got a number with a fractional part"
    ),
    "float_type": lambda c: _("Input should be a valid number"),
    "float_parsing": lambda c: _("Input should be a valid number"),
    "finite_number": lambda c: _("Input should be a finite number"),
    "greater_than": lambda c: _("Input should be greater than %(limit)s") % {"limit": c["gt"]},
    "greater_than_equal": lambda c: (
        _("Input should be greater than or equal to %(limit)s") % {"limit": c["ge"]}
    ),
    "less_than": lambda c: _("Input should be less than %(limit)s") % {"limit": c["lt"]},
    "less_than_equal": lambda c: (
        _("Input should be less than or equal to %(limit)s") % {"limit": c["le"]}
    ),
    "multiple_of": lambda c: (
        _("Input should be a multiple of %(number)s") % {"number": c["multiple_of"]}
    ),
    "date_type": lambda c: _("Input should be a valid date, such as 2026-01-31"),
    "date_parsing": lambda c: _("Input should be a valid date, such as 2026-01-31"),
    "date_from_datetime_parsing": lambda c: _("Input should be a valid date, such as 2026-01-31"),
    "date_from_datetime_inexact": lambda c: _("Input should be a date without a time of day"),
    "date_past": lambda c: _("Date should be in the past"),
    "date_future": lambda c: _("Date should be in the future"),
    "time_type": lambda c: _("Input should be a valid time, such as 09:30"),
    "time_parsing": lambda c: _("Input should be a valid time, such as 09:30"),
    "datetime_type": lambda c: _(
        "Input should be a valid date and time, such as 2026-01-31T09:30:00+08:00"
    ),
    "datetime_parsing": lambda c: _(
        "Input should be a valid date and time, such as 2026-01-31T09:30:00+08:00"
    ),
    "datetime_from_date_parsing": lambda c: _(
        "Input should be a valid date and time, such as 2026-01-31T09:30:00+08:00"
    ),
    "datetime_object_invalid": lambda c: _(
        "Input should be a valid date and time, such as 2026-01-31T09:30:00+08:00"
    ),
    "datetime_past": lambda c: _("Input should be in the past"),
    "datetime_future": lambda c: _("Input should be in the future"),
    "timezone_naive": lambda c: _("Input should not have a time zone"),
    "timezone_aware": lambda c: _("Input should have a time zone, such as +08:00"),
    "uuid_type": lambda c: _("Input should be a valid UUID"),
    "uuid_parsing": lambda c: _("Input should be a valid UUID"),
    "decimal_type": lambda c: _("Input should be a valid decimal number"),
    "decimal_parsing": lambda c: _("Input should be a valid decimal number"),
    "decimal_max_digits": lambda c: (
        ngettext(
            "Decimal input should have no more than %(count)d digit in total",
            "Decimal input should have no more than %(count)d digits in total",
            c["n"],
        )
        % {"count": c["n"]}
    ),
    "decimal_max_places": lambda c: (
        ngettext(
            "Decimal input should have no more than %(count)d decimal place",
            "Decimal input should have no more than %(count)d decimal places",
            c["n"],
        )
        % {"count": c["n"]}
    ),
    "decimal_whole_digits": lambda c: (
        ngettext(
            "Decimal input should have no more than %(count)d digit before the decimal point",
            "Decimal input should have no more than %(count)d digits before the decimal point",
            c["n"],
        )
        % {"count": c["n"]}
    ),
    "url_type": lambda c: _("Input should be a valid URL"),
    "url_parsing": lambda c: _("Input should be a valid URL"),
    "url_syntax_violation": lambda c: _("Input should be a valid URL"),
    "url_too_long": lambda c: (
        ngettext(
            "URL should have at most %(count)d character",
            "URL should have at most %(count)d characters",
            c["n"],
        )
        % {"count": c["n"]}
    ),
    "url_scheme": lambda c: (
        _("URL scheme should be %(schemes)s") % {"schemes": c["expected_schemes"]}
    ),
    "none_required": lambda c: _("Input should be null"),
    # A ValueError of a validator: its own text, which our validators write translated.
    "value_error": lambda c: str(c["error"]),
    "assertion_error": lambda c: str(c["error"]),
}

# The context key that holds each counted type's number.
_COUNTS = {
    "too_short": "min_length",
    "too_long": "max_length",
    "string_too_short": "min_length",
    "string_too_long": "max_length",
    "decimal_max_digits": "max_digits",
    "decimal_max_places": "decimal_places",
    "decimal_whole_digits": "whole_digits",
    "url_too_long": "max_length",
}

TRANSLATED_TYPES = frozenset(_MESSAGES)


def translated_message(error: dict[str, Any]) -> str:
    """The message of one pydantic error (ninja's dict of type, loc, msg, ctx) in the active
    language; pydantic's own text where the type or its context is not one we know."""
    kind = str(error.get("type", ""))
    make = _MESSAGES.get(kind)
    fallback = str(error.get("msg", ""))
    if make is None:
        return fallback
    context = dict(error.get("ctx") or {})
    try:
        if kind in _COUNTS:
            context["n"] = _count(context, _COUNTS[kind])
        return str(make(context))
    except (KeyError, TypeError, ValueError):
        return fallback

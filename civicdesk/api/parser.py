"""Reading request data: JSON bodies that say what is wrong with them, and no text that the
database cannot store."""

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from civicdesk.api.errors import ApiError, field_error

NUL = "\x00"
# Far deeper than any body of this API (a questionnaire is 5 levels); deeper nesting is an
# attack on the parser and the validators, which recurse.
MAX_JSON_DEPTH = 32


def _json_problem(error: json.JSONDecodeError) -> str:
    """The decoder's complaint, in the request's language where it is a known one."""
    problems = {
        "Expecting value": _("a value was expected"),
        "Expecting property name enclosed in double quotes": _(
            "a property name in double quotes was expected"
        ),
        "Expecting ',' delimiter": _("a comma was expected"),
        "Expecting ':' delimiter": _("a colon was expected"),
        "Unterminated string starting at": _("a string is not closed"),
        "Invalid control character at": _("a string holds a control character"),
        "Invalid \\escape": _("a string holds an invalid escape"),
        "Invalid \\uXXXX escape": _("a string holds an invalid Unicode escape"),
        "Extra data": _("more follows the JSON value"),
    }
    return problems.get(error.msg, error.msg)


def _wrong_content_type(request: HttpRequest) -> bool:
    content_type = (request.content_type or "").lower()
    return content_type != "application/json" and not content_type.endswith("+json")


def _unreadable(request: HttpRequest, error: Exception) -> ApiError:
    if _wrong_content_type(request):
        return ApiError(
            400,
            _(
                "The body could not be read as JSON: send it with Content-Type: "
                "application/json, not “%(type)s”, or a multipart form where the operation "
                "takes files."
            )
            % {"type": request.content_type or _("no content type")},
        )
    if isinstance(error, json.JSONDecodeError):
        return ApiError(
            400,
            _("The body is not valid JSON: %(problem)s at line %(line)d, column %(column)d.")
            % {"problem": _json_problem(error), "line": error.lineno, "column": error.colno},
        )
    return ApiError(400, _("The body is not valid JSON: it is not UTF-8 text."))


def _too_deep() -> ApiError:
    return ApiError(
        400,
        _("The JSON body is nested too deeply: at most %(depth)d levels are accepted.")
        % {"depth": MAX_JSON_DEPTH},
    )


def _checked(value: Any) -> list[tuple]:
    """Where in a decoded JSON value a string (or an object key) holds a NUL character, in
    document order; raises when the value is nested too deeply. Walks with its own stack, not
    by recursion, so that depth cannot exhaust Python's."""
    found: list[tuple] = []
    # (path, value); an object's key is checked as a string at its value's path, just before
    # that value (a stack pops what was pushed last).
    stack: list[tuple[tuple, Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if len(path) > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(item, str):
            if NUL in item:
                found.append(path)
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                stack.append(((*path, key), child))
                stack.append(((*path, key), key))
        elif isinstance(item, list):
            stack.extend(
                ((*path, index), child) for index, child in reversed(list(enumerate(item)))
            )
    return found


def _refuse(source: str, paths: list[tuple]) -> None:
    if not paths:
        return
    # PostgreSQL text cannot hold NUL (a 500 before); no person types one, so refuse it.
    message = _("must not contain the NUL character (U+0000).")
    names = [".".join(str(part).replace(NUL, "\\x00") for part in path) for path in paths]
    raise NinjaValidationError([field_error(source, name, message) for name in names])


class CivicdeskParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        # ninja turns any error raised here into a 400 with this error as its cause, which
        # errors.on_http_error answers with our message.
        try:
            data = json.loads(request.body)
        except RecursionError:
            raise _too_deep() from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise _unreadable(request, error) from None
        _refuse("body", _checked(data))
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        source = "query" if data is request.GET else "form"
        paths = [
            (key,)
            for key, values in data.lists()
            if NUL in key or any(isinstance(v, str) and NUL in v for v in values)
        ]
        _refuse(source, paths)
        return super().parse_querydict(data, list_fields, request)

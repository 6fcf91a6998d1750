"""Reading request data: ninja's parser, refusing text that the database cannot store."""

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from civicdesk.api.errors import field_error

NUL = "\x00"


def _nul_paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Where in a decoded JSON value a string (or an object key) holds a NUL character."""
    if isinstance(value, str):
        return [path] if NUL in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if isinstance(key, str) and NUL in key:
                found.append((*path, key))
            found.extend(_nul_paths(item, (*path, key)))
        return found
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _nul_paths(item, (*path, index))]
    return []


def _refuse(source: str, paths: list[tuple]) -> None:
    if not paths:
        return
    # PostgreSQL text cannot hold NUL (a 500 before); no person types one, so refuse it.
    message = _("must not contain the NUL character (U+0000).")
    names = [".".join(str(part).replace(NUL, "\\x00") for part in path) for path in paths]
    raise NinjaValidationError([field_error(source, name, message) for name in names])


class CivicdeskParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        _refuse("body", _nul_paths(data))
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

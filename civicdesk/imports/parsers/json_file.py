"""JSON exports of portals and self-media: a list of objects, or JSON Lines (one per line).

Platforms wrap the list in an envelope ({"code": 0, "data": [...]}) and nest fields
({"user": {"name": …}}); the one list inside an envelope is used, and nested fields become
columns named by their path ("user.name").
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.utils.translation import gettext as _

from civicdesk.imports.parsers.base import (
    INVISIBLE,
    FileFormat,
    ImportFileError,
    NumberKind,
    ParsedFile,
    SourceRow,
    check_row_count,
    decode_text,
)

# Deeper nesting is kept as JSON text in one column rather than exploded into many.
_MAX_DEPTH = 3


def parse(content: bytes, *, limit: int | None = None) -> ParsedFile:
    text = decode_text(content).lstrip(INVISIBLE + " \t\r\n")
    if text.startswith("["):
        return _table(enumerate(_load(text), start=1), NumberKind.ITEM, limit)
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        first_line = text.split("\n", 1)[0]
        if not _is_json(first_line):
            _load(text)  # one document, broken somewhere: name the line where it breaks
        return _table(_json_lines(text), NumberKind.LINE, limit)
    except RecursionError:
        raise ImportFileError(_("The JSON is nested too deeply to be read.")) from None
    if isinstance(document, dict):
        items = _envelope_list(document)
        if items is None:
            items = [document]
        return _table(enumerate(items, start=1), NumberKind.ITEM, limit)
    raise ImportFileError(_("The JSON file must hold a list of objects, or one object per line."))


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def _load(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            _("Line %(line)d, column %(column)d: this is not valid JSON (%(problem)s).")
            % {"line": error.lineno, "column": error.colno, "problem": error.msg}
        ) from None
    except RecursionError:
        raise ImportFileError(_("The JSON is nested too deeply to be read.")) from None


def _envelope_list(document: dict) -> list | None:
    """The one list of objects inside {"data": [...]} or {"data": {"list": [...]}}."""
    for _level in range(2):
        lists = [
            value
            for value in document.values()
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
        ]
        if len(lists) == 1:
            return lists[0]
        objects = [value for value in document.values() if isinstance(value, dict)]
        if lists or len(objects) != 1:
            return None
        document = objects[0]
    return None


def _json_lines(text: str) -> Iterable[tuple[int, object]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            raise ImportFileError(
                _(
                    "Line %(line)d, column %(column)d: this is not valid JSON (%(problem)s). "
                    "A JSON file holds one list of objects, or one object per line."
                )
                % {"line": number, "column": error.colno, "problem": error.msg}
            ) from None
        except RecursionError:
            raise ImportFileError(
                _("Line %(line)d: the JSON is nested too deeply to be read.") % {"line": number}
            ) from None


def _table(items: Iterable[tuple[int, object]], kind: str, limit: int | None) -> ParsedFile:
    columns: dict[str, None] = {}
    rows: list[SourceRow] = []
    complete = True
    for number, item in items:
        if not isinstance(item, dict):
            message = (
                _("Line %(number)d is not an object with named fields (it is %(found)s).")
                if kind == NumberKind.LINE
                else _(
                    "Item %(number)d of the list is not an object with named fields (it is "
                    "%(found)s)."
                )
            )
            raise ImportFileError(message % {"number": number, "found": _kind_of(item)})
        if limit is not None and len(rows) >= limit:
            complete = False
            break
        values: dict[str, str] = {}
        _flatten(item, "", values, 1)
        if not any(value.strip() for value in values.values()):
            continue
        columns.update(dict.fromkeys(values))
        rows.append(SourceRow(number=number, values=values))
        check_row_count(len(rows))
    if not rows:
        raise ImportFileError(_("The JSON file holds no messages."))
    names = list(columns)
    for row in rows:
        for name in names:
            row.values.setdefault(name, "")
    return ParsedFile(
        format=FileFormat.JSON, columns=names, rows=rows, number_kind=kind, complete=complete
    )


def _flatten(item: dict, prefix: str, into: dict[str, str], depth: int) -> None:
    for key, value in item.items():
        name = f"{prefix}{key}".strip()
        if isinstance(value, dict) and depth < _MAX_DEPTH:
            _flatten(value, f"{name}.", into, depth + 1)
        else:
            into[name] = _text(value)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _kind_of(value: object) -> str:
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, str):
        return _("text")
    if value is None:
        return "null"
    return _("a number or true/false")

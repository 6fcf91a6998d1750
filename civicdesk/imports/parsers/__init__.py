"""Reading exports from other channels into rows of one shape, one small module per format.

`detect_format` guesses the format from the name and the content; `parse` reads a file of a
known format. Every problem that makes the whole file unusable is an ImportFileError with a
translated message that says where (row, line, column) and what.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from django.utils.translation import gettext as _

from civicdesk.imports.parsers import csv_file, json_file, qq, wechat, xlsx_file
from civicdesk.imports.parsers.base import (
    CHAT_FORMATS,
    INVISIBLE,
    FileFormat,
    ImportFileError,
    NumberKind,
    ParsedFile,
    SourceRow,
    decode_text,
)

__all__ = [
    "CHAT_FORMATS",
    "FileFormat",
    "ImportFileError",
    "NumberKind",
    "ParsedFile",
    "SourceRow",
    "detect_format",
    "parse",
]

_PARSERS: dict[str, Callable[..., ParsedFile]] = {
    FileFormat.CSV: csv_file.parse,
    FileFormat.XLSX: xlsx_file.parse,
    FileFormat.JSON: json_file.parse,
    FileFormat.WECHAT: wechat.parse,
    FileFormat.QQ: qq.parse,
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) and other OLE files
_SNIFF_LINES = 200


def parse(content: bytes, file_format: str, *, limit: int | None = None) -> ParsedFile:
    """The rows of `content` read as `file_format`; with `limit`, only the first rows."""
    return _PARSERS[file_format](content, limit=limit)


def detect_format(file_name: str, content: bytes) -> str:
    """The format of an upload, from its content first and its name second."""
    suffix = PurePath(file_name).suffix.lower()
    if content.startswith(b"PK\x03\x04"):
        return FileFormat.XLSX
    if content.startswith(_OLE_MAGIC):
        raise ImportFileError(
            _(
                "Old Excel 97-2003 workbooks (.xls) cannot be read: save it as .xlsx and upload "
                "it again."
            )
        )
    if suffix in {".xlsx", ".xlsm"}:
        raise ImportFileError(
            _(
                "The file is called .xlsx but is not an Excel workbook: it may be damaged, or "
                "renamed from another kind of file."
            )
        )
    text = decode_text(content)
    start = text.lstrip(INVISIBLE + " \t\r\n")
    if start[:200].lower().startswith(("<!doctype html", "<html", "<table", "<?xml")):
        # Many portals export a web page and call it .xls.
        raise ImportFileError(
            _(
                "This is a web page (HTML or XML), not a spreadsheet: open it in Excel and save "
                "it as .xlsx."
            )
        )
    if suffix in {".json", ".jsonl", ".ndjson"} or start.startswith(("[", "{")):
        return FileFormat.JSON
    lines = [line.strip("\ufeff\u200b") for line in text.splitlines()[: _SNIFF_LINES * 4]]
    lines = [line for line in lines if line.strip()][:_SNIFF_LINES]
    qq_headers = sum(1 for line in lines if qq.HEADER.match(line))
    wechat_headers = sum(1 for line in lines if wechat.HEADER.match(line))
    # Every QQ header is also a WeChat header (a nickname may end in brackets): QQ when the
    # bracketed numbers are the rule, not the exception.
    if qq_headers and qq_headers * 2 >= wechat_headers:
        return FileFormat.QQ
    if wechat_headers:
        return FileFormat.WECHAT
    return FileFormat.CSV

"""Rows of a sheet (CSV or XLSX) whose first row names the columns."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from civicdesk.imports.parsers.base import (
    ImportFileError,
    ParsedFile,
    SourceRow,
    check_row_count,
)
from civicdesk.triage.io import clean_header


def column_names(header: list[str]) -> list[str]:
    """One distinct name per column, the same whatever the language of the page.

    Unnamed columns are called "#3" (their position) and a repeated name gets its position
    ("内容 #5"): mappings refer to columns by these names, so they must not depend on a
    translation.
    """
    names: list[str] = []
    for position, raw in enumerate(header, start=1):
        name = clean_header(raw)
        if not name:
            name = f"#{position}"
        elif name in names:
            name = f"{name} #{position}"
        names.append(name)
    return names


def build_table(
    file_format: str,
    header: list[str],
    records: Iterable[tuple[int, list[str]]],
    *,
    limit: int | None,
) -> ParsedFile:
    """Keyed rows from (row number, cells) records; blank rows are left out but keep their
    numbers, so that every error points at the row a spreadsheet program shows."""
    if not any(cell.strip() for cell in header):
        raise ImportFileError(_("Row 1 must hold the column names, but it is empty."))
    # Trailing empty header cells are just the sheet's width, not columns.
    while header and not header[-1].strip():
        header = header[:-1]
    names = column_names(header)
    rows: list[SourceRow] = []
    complete = True
    for number, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        width = max(i for i, cell in enumerate(cells) if cell.strip()) + 1
        if width > len(names):
            # Usually a wrong delimiter or an unquoted comma: the cells no longer line up with
            # the header, and guessing which belongs where would silently misread messages.
            raise ImportFileError(
                _(
                    "Row %(row)d has %(cells)d cells but row 1 names only %(columns)d columns "
                    "(an unquoted comma inside a cell?)."
                )
                % {"row": number, "cells": width, "columns": len(names)}
            )
        if limit is not None and len(rows) >= limit:
            complete = False
            break
        rows.append(
            SourceRow(
                number=number,
                values={name: (cells[i] if i < len(cells) else "") for i, name in enumerate(names)},
            )
        )
        check_row_count(len(rows))
    if not rows:
        raise ImportFileError(_("The file has a header row but no data rows."))
    return ParsedFile(format=file_format, columns=names, rows=rows, complete=complete)

"""The rejected rows of an import, as a workbook and a CSV file the uploader can fix.

One line per rejected row: where it is, which column(s), why, then the row's original cells
under the file's own column names, so that the corrected report can be imported again with
the same mapping (rows already imported are recognised and skipped). Every cell goes through
`safe_cell`: citizens' texts starting with = + - @ are never run as formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from civicdesk.imports.checks import Rejection
from civicdesk.imports.parsers import NumberKind
from civicdesk.ledgers.spreadsheets import safe_cell, workbook_bytes


def _header(columns: list[str], number_kind: str) -> list[str]:
    return [str(NumberKind(number_kind).label), _("Column"), _("Reason"), *columns]


def _lines(rejections: Iterable[Rejection], columns: list[str]) -> Iterable[list[object]]:
    for rejection in rejections:
        yield [
            rejection.number,
            "; ".join(dict.fromkeys(column for column, _reason in rejection.problems)),
            " ".join(reason for _column, reason in rejection.problems),
            *(rejection.values.get(column, "") for column in columns),
        ]


def report_xlsx(rejections: list[Rejection], columns: list[str], number_kind: str) -> bytes:
    return workbook_bytes(
        _("Rejected rows"), _header(columns, number_kind), _lines(rejections, columns)
    )


def report_csv(rejections: list[Rejection], columns: list[str], number_kind: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for line in [_header(columns, number_kind), *_lines(rejections, columns)]:
        writer.writerow([str(safe_cell(value)) for value in line])
    # UTF-8 with a BOM: without it Excel reads the file in the local code page and garbles
    # Chinese.
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")

"""CSV and tab-separated text, in whichever encoding Excel or a portal saved it."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from civicdesk.imports.parsers.base import FileFormat, ImportFileError, ParsedFile, decode_text
from civicdesk.imports.parsers.tabular import build_table
from civicdesk.triage.io import clean_cell, sniff_delimiter


def parse(content: bytes, *, limit: int | None = None) -> ParsedFile:
    text = decode_text(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        header = [clean_cell(cell) for cell in next(reader)]
    except (StopIteration, csv.Error) as error:
        raise ImportFileError(
            _("Row 1 cannot be read as CSV (%(error)s).") % {"error": error}
        ) from None

    def records():
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):
                yield number, [clean_cell(cell) for cell in cells]
        except csv.Error as error:
            raise ImportFileError(
                _("Row %(row)d cannot be read as CSV (%(error)s).")
                % {"row": number + 1, "error": error}
            ) from None

    return build_table(FileFormat.CSV, header, records(), limit=limit)

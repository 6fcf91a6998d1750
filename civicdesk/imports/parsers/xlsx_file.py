"""Excel workbooks (.xlsx): the first sheet, whose first row names the columns."""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _

from civicdesk.imports.parsers.base import FileFormat, ImportFileError, ParsedFile
from civicdesk.imports.parsers.tabular import build_table
from civicdesk.triage.io import xlsx_value


def parse(content: bytes, *, limit: int | None = None) -> ParsedFile:
    # Imported here so that reading CSV does not pay for openpyxl's import.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not content:
        raise ImportFileError(_("The file is empty."))
    try:
        # read_only streams rows (a preview reads only the first ones); data_only gives the
        # values formulas last computed, never the formulas themselves.
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise ImportFileError(
            _(
                "The file is not an Excel workbook (.xlsx). Save it as .xlsx or CSV and upload it "
                "again; old .xls workbooks cannot be read."
            )
        ) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no sheets."))
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise ImportFileError(_("The first sheet is empty."))
        header = [xlsx_value(value) for value in first]
        records = (
            (number, [xlsx_value(value) for value in values])
            for number, values in enumerate(rows, start=2)
        )
        return build_table(FileFormat.XLSX, header, records, limit=limit)
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds of errors on damaged files
        raise ImportFileError(
            _("The Excel workbook is damaged and cannot be read (%(error)s).") % {"error": error}
        ) from None
    finally:
        # read_only workbooks keep the zip file open until closed.
        workbook.close()

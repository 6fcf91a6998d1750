"""Reading analysts' spreadsheets and writing results they can open in Excel.

Input comes from whatever the analyst had at hand: CSV saved by Excel in one of several
encodings, Excel's "Unicode text" (UTF-16, tab separated) or an XLSX workbook. Every problem
is reported as a TriageError that names the file, and the row and column where it can, because
the person reading it has to find the cell and fix it.

Output is CSV in UTF-8 with a BOM (without the BOM Excel reads UTF-8 as the local ANSI code
page and garbles Chinese), written to a temporary file and renamed into place so that a failed
run never leaves a half-written result behind.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import difflib
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicdesk.triage.errors import TriageError

__all__ = ["Table", "atomic_output", "clean_cell", "read_table", "stage_csv", "write_csv_atomic"]

TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})

# Excel stores control characters in XLSX cells as _xHHHH_ escapes, and openpyxl hands them
# through; CSV files exported from such workbooks carry them too.
_EXCEL_ESCAPE = re.compile(r"_x000([dDaA9])_(\r?\n)?")
_EXCEL_ESCAPED = {"d": "\n", "a": "\n", "9": "\t"}
_NEWLINES = re.compile(r"\r\n?")
# Characters Excel and editors leave around header names that a person cannot see.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


@dataclass
class Table:
    """The data rows of one sheet, keyed by (stripped) column name.

    `row_numbers[i]` is the row a person sees in a spreadsheet program for `rows[i]`: the header
    is row 1, and a cell spanning several lines still counts as one row. Blank rows are left out
    but keep their numbers, so errors point at the right row.
    """

    file: str
    columns: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


def read_table(
    path: str | os.PathLike[str],
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> Table:
    """Read the first sheet of a CSV or XLSX file whose first row names the columns.

    Every `required` column must be present (matched exactly after stripping whitespace and
    byte-order marks). `optional` columns that are missing read as "" in every row, so callers
    can index rows uniformly; `Table.columns` lists only the columns the file really has.
    """
    file = str(path)
    p = Path(path)
    if not p.exists():
        raise TriageError("file not found", file=file)
    if not p.is_file():
        raise TriageError("not a file", file=file)
    suffix = p.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        header, records = _read_xlsx(p, file)
    elif suffix in TEXT_SUFFIXES:
        header, records = _read_delimited(p, file)
    elif suffix == ".xls":
        raise TriageError(
            "old Excel 97-2003 workbooks (.xls) are not supported: save it as .xlsx or CSV",
            file=file,
        )
    else:
        raise TriageError(
            f"unsupported file type {suffix or '(no extension)'!r}: use CSV (.csv, .tsv, .txt) "
            "or an Excel workbook (.xlsx)",
            file=file,
        )
    return _build_table(file, header, records, required, optional)


def _build_table(
    file: str,
    header: list[str],
    records: Iterable[tuple[int, list[str]]],
    required: Sequence[str],
    optional: Sequence[str],
) -> Table:
    names = [clean_header(name) for name in header]
    if not any(names):
        raise TriageError("the first row must hold the column names, but it is empty", file=file)
    wanted = list(dict.fromkeys([*required, *optional]))
    for name in wanted:
        if names.count(name) > 1:
            raise TriageError(
                f"column {name!r} appears {names.count(name)} times in the header row; "
                "rename one of them",
                file=file,
                row=1,
            )
    columns = [name for name in dict.fromkeys(names) if name]
    for name in required:
        if name not in columns:
            raise TriageError(_missing_column_message(name, columns), file=file, column=name)

    # The first occurrence of a name wins; unnamed columns are kept out of the rows.
    positions = {name: names.index(name) for name in columns}
    missing_optional = [name for name in optional if name not in positions]
    table = Table(file=file, columns=columns)
    for number, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        width = max(i for i, cell in enumerate(cells) if cell.strip()) + 1
        if width > len(names):
            # Usually a wrong delimiter or an unquoted comma: the cells no longer line up with
            # the header, and guessing which cell belongs where would silently misread data.
            raise TriageError(
                f"the row has {width} cells but the header has only {len(names)} columns "
                "(an unquoted separator inside a cell?)",
                file=file,
                row=number,
            )
        row = {name: (cells[i] if i < len(cells) else "") for name, i in positions.items()}
        for name in missing_optional:
            row[name] = ""
        table.rows.append(row)
        table.row_numbers.append(number)
    if not table.rows:
        raise TriageError("the file has a header row but no data rows", file=file)
    return table


def clean_header(name: str) -> str:
    return clean_cell(name).strip().strip(_INVISIBLE).strip()


def clean_cell(value: str) -> str:
    """Undo Excel's _x000D_ escapes and use \\n for every line break inside a cell."""
    if "_x" in value:
        value = _EXCEL_ESCAPE.sub(lambda m: _EXCEL_ESCAPED[m.group(1).lower()], value)
    if "\r" in value:
        value = _NEWLINES.sub("\n", value)
    return value


def _missing_column_message(name: str, columns: list[str]) -> str:
    message = f"no column named {name!r}"
    by_folded = {column.casefold(): column for column in columns}
    close = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=0.6)
    if close:
        message += f"; did you mean {by_folded[close[0]]!r}?"
    available = ", ".join(repr(column) for column in columns)
    return f"{message} (the columns are: {available})"


# --- CSV and other delimited text ---------------------------------------------------------

_ENCODINGS = ("utf-8-sig", "utf-16", "gb18030")


def decode(data: bytes, file: str) -> str:
    """Decode with the first encoding that reads the whole file strictly.

    UTF-8 first: random non-ASCII bytes are almost never valid UTF-8, so a strict success is
    trustworthy. UTF-16 only with a BOM (Excel's "Unicode text" always writes one); without a
    BOM nearly any even-length file would "decode". GB18030 last: it is a superset of GBK and
    GB2312 and accepts most byte soup, so the NUL check below catches binary files it lets by.
    """
    for encoding in _ENCODINGS:
        if encoding == "utf-16" and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise TriageError(
        "cannot read the file as text: it is not UTF-8, UTF-16 with a byte-order mark, or "
        "GBK/GB18030 (is it a binary file? an Excel workbook should end in .xlsx)",
        file=file,
    )


def sniff_delimiter(text: str) -> str:
    # The header line decides: csv.Sniffer guesses badly on Chinese text and quoted cells,
    # while a header of column names almost never contains the other separator.
    first_line = text.split("\n", 1)[0]
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


def _read_delimited(p: Path, file: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise TriageError(f"cannot read the file: {exc.strerror or exc}", file=file) from exc
    if data.startswith(b"PK\x03\x04"):
        raise TriageError(
            "this is a zip archive, probably an Excel workbook: give it the .xlsx extension",
            file=file,
        )
    text = decode(data, file)
    if not text.strip(_INVISIBLE + " \t\r\n"):
        raise TriageError("the file is empty", file=file)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    records: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            records.append((number, [clean_cell(cell) for cell in cells]))
    except csv.Error as exc:
        raise TriageError(f"cannot parse the CSV: {exc}", file=file, row=number + 1) from exc
    if not records:
        raise TriageError("the file is empty", file=file)
    return records[0][1], records[1:]


# --- XLSX ---------------------------------------------------------------------------------


def _read_xlsx(p: Path, file: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    # Imported here so that reading CSV does not pay for openpyxl's import.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # read_only streams rows instead of building the whole sheet in memory; data_only gives
        # the cached results of formulas rather than the formulas themselves.
        workbook = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise TriageError(
            f"cannot open the file as an Excel workbook (.xlsx): {exc}", file=file
        ) from exc
    try:
        if not workbook.worksheets:
            raise TriageError("the workbook has no sheets", file=file)
        sheet = workbook.worksheets[0]
        records = [
            (number, [xlsx_value(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    except TriageError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise TriageError(f"cannot read the Excel workbook: {exc}", file=file) from exc
    finally:
        # read_only workbooks keep the zip file open until closed.
        workbook.close()
    if not records or not any(any(cell.strip() for cell in cells) for _, cells in records):
        raise TriageError("the first sheet is empty", file=file)
    return records[0][1], records[1:]


def xlsx_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_cell(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        timespec = "seconds" if value.microsecond == 0 else "auto"
        return value.isoformat(sep=" ", timespec=timespec)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        # Excel stores every number as a float; 12.0 typed as 12 should read back as "12".
        return str(int(value))
    return str(value)


# --- Writing ------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _safe_cell(value: object) -> str:
    """A cell's text, with formula injection neutralised.

    A cell starting with = + - @ (or a tab or carriage return) is run as a formula by Excel and
    LibreOffice, and citizens' texts reach these files verbatim, so such text gets a leading
    apostrophe, which spreadsheet programs show as plain text. Plain numbers such as -0.5 are
    left alone: they are harmless and a prefix would turn them into text.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _file_mode() -> int:
    # mkstemp creates files readable by the owner only; results should get the usual
    # permissions (0o666 less the umask), like any file the user creates. Reading the umask
    # means setting it; this is a command-line tool, so no other thread is creating files.
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def stage_csv(
    path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Path:
    """Write the CSV to a temporary file beside `path` and return the temporary path.

    The caller renames it into place with os.replace (or deletes it). Splitting the two steps
    lets a command write several outputs and rename them only once all have been written.
    If writing fails, the temporary file is removed and the error propagates.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise TriageError(f"the folder {str(folder)!r} does not exist", file=str(path))
    try:
        fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise TriageError(f"cannot write here: {exc.strerror or exc}", file=str(path)) from exc
    temp = Path(temp_name)
    try:
        with open(fd, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([_safe_cell(name) for name in header])
            for row in rows:
                writer.writerow([_safe_cell(value) for value in row])
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, _file_mode())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            # A full disk or a vanished folder is something the person can fix.
            raise TriageError(f"cannot write: {exc.strerror or exc}", file=str(path)) from exc
        raise
    return temp


def write_csv_atomic(
    path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """Write a CSV (UTF-8 with BOM) so that `path` is either fully written or untouched."""
    temp = stage_csv(path, header, rows)
    try:
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise TriageError(f"cannot write: {exc.strerror or exc}", file=str(path)) from exc
        raise


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside `path` that is renamed onto `path` when the block succeeds.

    For outputs written by other code (a model's own save method): if the block raises, the
    temporary file is deleted and `path` is left as it was. `suffix` ends the temporary name,
    for writers that look at the extension.
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise TriageError(f"the folder {str(target.parent)!r} does not exist", file=str(path))
    try:
        fd, temp_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=f".tmp{suffix}"
        )
    except OSError as exc:
        raise TriageError(f"cannot write here: {exc.strerror or exc}", file=str(path)) from exc
    os.close(fd)
    temp = Path(temp_name)
    try:
        yield temp
        os.chmod(temp, _file_mode())
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise TriageError(f"cannot write: {exc.strerror or exc}", file=str(path)) from exc
        raise

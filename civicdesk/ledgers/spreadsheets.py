"""Reading ledger workbooks people fill in by hand, and writing workbooks that are safe to open.

Column headers may be Chinese (Simplified or Traditional) or English; each column has one
canonical header (the first one listed), which is also what the exports use, so an export can
be edited and imported again. Every problem names the row a person sees in Excel (the header
is row 1) and the column.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicdesk.accounts.models import Unit

MAX_ROWS = 5000


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]  # the first is canonical
    label: Promise | str
    required: bool = True

    @property
    def header(self) -> str:
        return self.headers[0]


PROMISE_COLUMNS = (
    Column("enterprise_name", ("企业名称", "企業名稱", "enterprise name", "enterprise"),
           gettext_lazy("enterprise name")),
    Column("credit_code", ("统一社会信用代码", "統一社會信用代碼", "unified social credit code",
                           "credit code"), gettext_lazy("unified social credit code")),
    Column("promise", ("承诺事项", "承諾事項", "promise", "what was promised"),
           gettext_lazy("what was promised")),
    Column("promised_on", ("承诺日期", "承諾日期", "promised on", "promise date"),
           gettext_lazy("promised on")),
    Column("document", ("文件", "document"), gettext_lazy("document"), required=False),
    Column("amount_owed", ("欠款金额", "欠款金額", "amount owed", "amount"),
           gettext_lazy("amount owed"), required=False),
    Column("unit", ("责任单位", "責任單位", "responsible unit", "unit"),
           gettext_lazy("responsible unit")),
    Column("deadline", ("期限", "deadline"), gettext_lazy("deadline")),
)  # fmt: skip

BACKLOG_COLUMNS = (
    Column("case_number", ("案号", "案號", "case number"), gettext_lazy("case number")),
    Column("court_or_agency", ("法院或机关", "法院或機關", "court or agency", "court"),
           gettext_lazy("court or agency")),
    Column("enterprise_name", ("企业名称", "企業名稱", "enterprise name", "enterprise"),
           gettext_lazy("enterprise name")),
    Column("credit_code", ("统一社会信用代码", "統一社會信用代碼", "unified social credit code",
                           "credit code"), gettext_lazy("unified social credit code"),
           required=False),
    Column("filed_on", ("立案日期", "filing date", "filed on"), gettext_lazy("filing date")),
    Column("stage", ("阶段", "階段", "stage"), gettext_lazy("stage")),
    Column("target_close_on", ("目标结案日期", "目標結案日期", "target closing date"),
           gettext_lazy("target closing date"), required=False),
    Column("closed_on", ("结案日期", "結案日期", "closed on"), gettext_lazy("closed on"),
           required=False),
    Column("unit", ("责任单位", "責任單位", "responsible unit", "unit"),
           gettext_lazy("responsible unit"), required=False),
)  # fmt: skip


UTILITY_COLUMNS = (
    Column("utility", ("公用事业单位", "公用事業單位", "utility", "utility name", "utility id",
                       "名称", "名稱", "name"), gettext_lazy("utility (name or number)")),
    Column("service_standards", ("服务标准", "服務標準", "service standards"),
           gettext_lazy("service standards")),
    Column("procedures", ("办事流程", "辦事流程", "办事程序", "辦事程序", "procedures"),
           gettext_lazy("procedures")),
    Column("fees", ("收费标准", "收費標準", "收费", "收費", "fees"), gettext_lazy("fees")),
    Column("legal_conditions", ("法定条件", "法定條件", "法律条件", "法律條件", "legal conditions"),
           gettext_lazy("legal conditions")),
)  # fmt: skip


class SheetError(Exception):
    """The workbook as a whole cannot be read (not XLSX, missing column, no rows…)."""


def _fold(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().strip("\ufeff\u200b")).strip().casefold()


@dataclass
class Sheet:
    header: list[str]  # the file's own header cells, for the rejected-rows report
    rows: list[tuple[int, list[object], dict[str, object]]]  # (row number, raw cells, by key)


def read_sheet(content: bytes, columns: Sequence[Column]) -> Sheet:
    """The first sheet's rows keyed by column key; a SheetError if the file cannot be used."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise SheetError(
            _("The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again.")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        records = list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    if not records or not any(cell not in (None, "") for cell in records[0]):
        raise SheetError(_("Row 1 must hold the column names, but it is empty."))
    header = ["" if cell is None else str(cell) for cell in records[0]]
    folded = [_fold(name) for name in header]
    positions: dict[str, int] = {}
    missing = []
    for column in columns:
        found = [i for i, name in enumerate(folded) if name in {_fold(h) for h in column.headers}]
        if len(found) > 1:
            raise SheetError(
                _("Row 1: the column “%(column)s” appears %(count)d times; keep one.")
                % {"column": column.header, "count": len(found)}
            )
        if found:
            positions[column.key] = found[0]
        elif column.required:
            missing.append(column)
    if missing:
        raise SheetError(
            _("Row 1: the required column %(columns)s is missing. The columns are: %(found)s.")
            % {
                "columns": ", ".join(f"“{c.header}” ({c.label})" for c in missing),
                "found": ", ".join(f"“{name}”" for name in header if name) or "—",
            }
        )
    rows = []
    for number, cells in enumerate(records[1:], start=2):
        cells = list(cells)
        if not any(cell not in (None, "") and str(cell).strip() for cell in cells):
            continue
        values = {key: cells[i] if i < len(cells) else None for key, i in positions.items()}
        for column in columns:
            values.setdefault(column.key, None)
        rows.append((number, cells, values))
    if not rows:
        raise SheetError(_("The workbook has a header row but no data rows."))
    if len(rows) > MAX_ROWS:
        raise SheetError(
            _("The workbook has %(count)d rows; import at most %(max)d at a time.")
            % {"count": len(rows), "max": MAX_ROWS}
        )
    return Sheet(header=header, rows=rows)


class CellError(ValueError):
    pass


def text_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def date_cell(value: object) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = text_cell(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a date; write it like 2025-03-31.") % {"value": text})


def amount_cell(value: object) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = text_cell(value) if not isinstance(value, float) else repr(value)
    cleaned = re.sub(r"[,，\s¥￥元]", "", text)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not an amount of money.") % {"value": text}) from None
    if not amount.is_finite():
        raise CellError(_("“%(value)s” is not an amount of money.") % {"value": text})
    if amount < 0:
        raise CellError(_("The amount cannot be negative (%(value)s).") % {"value": text})
    amount = amount.quantize(Decimal("0.01"))
    if amount >= Decimal("1e14"):
        raise CellError(_("The amount %(value)s is too large.") % {"value": text})
    return amount


# --- writing -------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A value for a cell that a spreadsheet program will never run as a formula.

    Text starting with = + - @ (or a tab or carriage return) gets a leading apostrophe, so
    Excel and LibreOffice show it as text; dates and numbers stay typed values.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal | dt.date | dt.datetime):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def workbook_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Units:
    """Units a workbook names by code or by name (active units only), read once per import."""

    def __init__(self) -> None:
        self.by_code = {u.code.casefold(): u for u in Unit.objects.active()}
        self.by_name: dict[str, list[Unit]] = {}
        for unit in self.by_code.values():
            self.by_name.setdefault(unit.name.strip(), []).append(unit)

    def find(self, raw: object) -> Unit | None:
        """The unit a cell names; None for an empty cell."""
        text = text_cell(raw)
        if not text:
            return None
        unit = self.by_code.get(text.casefold())
        if unit is not None:
            return unit
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0]
        if named:
            raise CellError(
                _("several units are called “%(name)s”; use the unit's code.") % {"name": text}
            )
        raise CellError(_("no active unit has the code or name “%(name)s”.") % {"name": text})


class Row:
    """The cleaned values of one row and its errors, each naming the row and the column."""

    def __init__(self, number: int, values: dict, columns: tuple[Column, ...]) -> None:
        self.number, self.values = number, values
        self.columns = {c.key: c for c in columns}
        self.errors: list[str] = []
        self.clean: dict = {}
        # Why a good row is not loaded (it is in the ledger already), for the uploader.
        self.skipped: str | None = None

    def skip(self, message: str) -> None:
        self.skipped = _("Row %(row)d: %(message)s") % {"row": self.number, "message": message}

    def error(self, key: str, message: str) -> None:
        column = self.columns[key]
        self.errors.append(
            _("Row %(row)d, column “%(column)s” (%(label)s): %(message)s")
            % {
                "row": self.number,
                "column": column.header,
                "label": column.label,
                "message": message,
            }
        )

    def take(self, key: str, parse, *, required: bool) -> None:
        """Parse one cell into ``clean``, or record why it cannot be taken."""
        try:
            value = parse(self.values.get(key))
        except (CellError, ValidationError) as exc:
            self.error(key, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            return
        if required and value in (None, ""):
            self.error(key, _("this cell is empty."))
            return
        self.clean[key] = value

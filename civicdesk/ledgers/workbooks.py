"""Ledger workbooks: XLSX imports that load every row or none (the rejected rows come back as
a report with an error column), and the ledgers' XLSX exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from civicdesk.accounts.models import User
from civicdesk.intake.validation import clean_credit_code
from civicdesk.ledgers import spreadsheets as sheets
from civicdesk.ledgers.access import ledger_rows_for_user
from civicdesk.ledgers.models import (
    BacklogCase,
    ImportReport,
    PromiseItem,
    Section,
    Stage,
    Utility,
    promise_row_key,
)
from civicdesk.ledgers.services import (
    BACKLOG,
    PROMISES,
    UTILITIES,
    LedgerError,
    backlog_create,
    disclosure_publish,
    promise_create,
)

# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    created: int = 0
    errors: list[str] = field(default_factory=list)
    report: ImportReport | None = None
    # Rows recognised as already in the ledger (or twice in the file), not loaded again.
    skipped: list[str] = field(default_factory=list)


_STAGE_WORDS = {
    Stage.FILED: ("立案", "filed"),
    Stage.HEARING: ("审理", "審理", "hearing"),
    Stage.JUDGMENT: ("判决", "判決", "judgment", "judgement"),
    Stage.ENFORCEMENT: ("执行", "執行", "enforcement"),
    Stage.CLOSED: ("结案", "結案", "closed"),
}


def _stage(text: str) -> str:
    folded = text.strip().casefold()
    for stage, words in _STAGE_WORDS.items():
        if folded in words or folded == str(stage.label).casefold():
            return stage
    raise sheets.CellError(
        _("“%(value)s” is not a stage; use one of: %(stages)s.")
        % {"value": text, "stages": ", ".join(words[0] for words in _STAGE_WORDS.values())}
    )


def _credit(raw: object) -> str:
    text = sheets.text_cell(raw)
    return clean_credit_code(text) if text else ""


def _promise_rows(sheet: sheets.Sheet) -> list[sheets.Row]:
    units = sheets.Units()
    rows = []
    for number, _cells, values in sheet.rows:
        row = sheets.Row(number, values, sheets.PROMISE_COLUMNS)
        row.take("enterprise_name", sheets.text_cell, required=True)
        row.take("credit_code", _credit, required=True)
        row.take("promise", sheets.text_cell, required=True)
        row.take("promised_on", sheets.date_cell, required=True)
        row.take("document", sheets.text_cell, required=False)
        row.take("amount_owed", sheets.amount_cell, required=False)
        row.take("unit", units.find, required=True)
        row.take("deadline", sheets.date_cell, required=True)
        c = row.clean
        if "deadline" in c and "promised_on" in c and c["deadline"] < c["promised_on"]:
            row.error("deadline", _("the deadline is before the day of the promise."))
        rows.append(row)
    _skip_known_promises(rows)
    return rows


# The columns a promise already in the ledger is compared on, to say what the workbook changes.
_PROMISE_DETAILS = ("enterprise_name", "document", "amount_owed", "unit", "deadline")


def _skip_known_promises(rows: list[sheets.Row]) -> None:
    """Rows of promises already in the ledger, or already on an earlier row, are not loaded
    again (the same enterprise, day and words: `promise_row_key`), as message imports skip
    messages already stored; each says why, and which of its details differ."""
    keys: dict[int, str] = {}
    for row in rows:
        c = row.clean
        if not row.errors and {"credit_code", "promised_on", "promise"} <= c.keys():
            keys[row.number] = promise_row_key(
                credit_code=c["credit_code"], promised_on=c["promised_on"], promise=c["promise"]
            )
    known = {
        item.row_key: item
        for item in PromiseItem.objects.filter(row_key__in=set(keys.values())).select_related(
            "enterprise"
        )
    }
    first_row: dict[str, int] = {}
    for row in rows:
        key = keys.get(row.number)
        if key is None:
            continue
        if key in known:
            item = known[key]
            message = _("this promise is already in the ledger as no. %(number)d.") % {
                "number": item.pk
            }
            ledger_values = {
                "enterprise_name": item.enterprise.name,
                "document": item.document,
                "amount_owed": item.amount_owed,
                "unit": item.unit,
                "deadline": item.deadline,
            }
            differ = [
                str(row.columns[name].label)
                for name in _PROMISE_DETAILS
                if (row.clean.get(name) or None) != (ledger_values[name] or None)
            ]
            if differ:
                message += " " + _(
                    "Its %(columns)s differ from the ledger's, which were kept as they are."
                ) % {"columns": pgettext("list separator", ", ").join(differ)}
            row.skip(message)
        elif key in first_row:
            row.skip(_("the same promise as row %(row)d; loaded once.") % {"row": first_row[key]})
        else:
            first_row[key] = row.number


def _backlog_rows(sheet: sheets.Sheet) -> list[sheets.Row]:
    units = sheets.Units()
    existing = set(BacklogCase.objects.values_list("case_number", flat=True))
    seen: dict[str, int] = {}
    rows = []
    for number, _cells, values in sheet.rows:
        row = sheets.Row(number, values, sheets.BACKLOG_COLUMNS)
        row.take("case_number", sheets.text_cell, required=True)
        row.take("court_or_agency", sheets.text_cell, required=True)
        row.take("enterprise_name", sheets.text_cell, required=True)
        row.take("credit_code", _credit, required=False)
        row.take("filed_on", sheets.date_cell, required=True)
        row.take("stage", lambda v: _stage(sheets.text_cell(v)) if v else None, required=True)
        row.take("target_close_on", sheets.date_cell, required=False)
        row.take("closed_on", sheets.date_cell, required=False)
        row.take("unit", units.find, required=False)
        c = row.clean
        number_ = c.get("case_number")
        if number_ in existing:
            row.error("case_number", _("this case number is already in the ledger."))
        elif number_ and number_ in seen:
            row.error("case_number", _("the same case number is on row %(row)d.")
                      % {"row": seen[number_]})  # fmt: skip
        elif number_:
            seen[number_] = number
        if c.get("filed_on"):
            filed = c["filed_on"]
            if c.get("target_close_on") and c["target_close_on"] < filed:
                row.error(
                    "target_close_on", _("the target closing date is before the filing date.")
                )
            if c.get("stage") == Stage.CLOSED and not c.get("closed_on"):
                row.error("closed_on", _("a closed case needs the date it was closed."))
            if c.get("closed_on") and c.get("stage") and c["stage"] != Stage.CLOSED:
                row.error("closed_on", _("only a closed case has a closing date."))
            if c.get("closed_on") and c["closed_on"] < filed:
                row.error("closed_on", _("the case cannot be closed before it was filed."))
        rows.append(row)
    return rows


class _Utilities:
    """The utilities a workbook may name, by number (their id) or by name."""

    def __init__(self, actor: User) -> None:
        rows = list(ledger_rows_for_user(actor, Utility, write=True).order_by("pk"))
        self.by_pk = {utility.pk: utility for utility in rows}
        self.by_name: dict[str, list[Utility]] = {}
        for utility in rows:
            self.by_name.setdefault(utility.name.strip().casefold(), []).append(utility)

    def find(self, value: object) -> Utility | None:
        text = sheets.text_cell(value)
        if not text:
            return None
        named = self.by_name.get(text.casefold(), [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise sheets.CellError(
                _("several utilities are called “%(name)s”; write its number (%(numbers)s).")
                % {"name": text, "numbers": ", ".join(str(u.pk) for u in named)}
            )
        if text.isdigit() and int(text) in self.by_pk:
            return self.by_pk[int(text)]
        raise sheets.CellError(
            _("no utility has the name or number “%(name)s”; add it on the utilities page first.")
            % {"name": text}
        )


def _utility_rows(sheet: sheets.Sheet, actor: User) -> list[sheets.Row]:
    utilities = _Utilities(actor)
    seen: dict[int, int] = {}
    rows = []
    for number, _cells, values in sheet.rows:
        row = sheets.Row(number, values, sheets.UTILITY_COLUMNS)
        row.take("utility", utilities.find, required=True)
        for section in Section:
            row.take(section.value, sheets.text_cell, required=True)
        utility = row.clean.get("utility")
        if utility is not None and utility.pk in seen:
            row.error("utility", _("the same utility is on row %(row)d; publish one version per "
                                   "utility at a time.") % {"row": seen[utility.pk]})  # fmt: skip
        elif utility is not None:
            seen[utility.pk] = number
        rows.append(row)
    return rows


@dataclass(frozen=True)
class _LedgerImport:
    columns: tuple[sheets.Column, ...]
    check: Callable[[sheets.Sheet, User], list[sheets.Row]]  # cleans and checks every row
    create: Callable[..., Model]  # the service that records one clean row


LEDGER_IMPORTS = {
    PROMISES: _LedgerImport(
        sheets.PROMISE_COLUMNS, lambda sheet, _actor: _promise_rows(sheet), promise_create
    ),
    BACKLOG: _LedgerImport(
        sheets.BACKLOG_COLUMNS, lambda sheet, _actor: _backlog_rows(sheet), backlog_create
    ),
    # Each row publishes a new version of that utility's disclosure; old versions stay.
    UTILITIES: _LedgerImport(sheets.UTILITY_COLUMNS, _utility_rows, disclosure_publish),
}


def _rejected_report(
    *, ledger: str, file_name: str, sheet: sheets.Sheet, rows: list[sheets.Row], actor: User
) -> ImportReport:
    rejected = {row.number: row for row in rows if row.errors}
    body = [
        [number, *cells, "\n".join(rejected[number].errors)]
        for number, cells, _values in sheet.rows
        if number in rejected
    ]
    content = sheets.workbook_bytes(
        _("Rejected rows"), [_("Row"), *sheet.header, _("Errors")], body
    )
    stem = file_name.rsplit(".", 1)[0] or ledger
    return ImportReport.objects.create(
        ledger=ledger, created_by=actor, file_name=f"{stem}-rejected.xlsx", content=content
    )


def ledger_import(*, ledger: str, file_name: str, content: bytes, actor: User) -> ImportOutcome:
    """Load every row of the workbook, or none: any bad row rejects the whole file, and the
    rejected rows come back as a report with an error column. Rows already in the ledger
    are skipped and listed, so importing a workbook twice loads it once."""
    spec = LEDGER_IMPORTS[ledger]
    try:
        sheet = sheets.read_sheet(content, spec.columns)
    except sheets.SheetError as exc:
        return ImportOutcome(errors=[str(exc)])
    rows = spec.check(sheet, actor)
    errors = [message for row in rows for message in row.errors]
    if errors:
        report = _rejected_report(
            ledger=ledger, file_name=file_name, sheet=sheet, rows=rows, actor=actor
        )
        return ImportOutcome(errors=errors, report=report)
    loaded = [row for row in rows if row.skipped is None]
    try:
        with transaction.atomic():
            for row in loaded:
                try:
                    spec.create(**row.clean, actor=actor)
                except LedgerError as error:  # e.g. the same promise loaded meanwhile
                    raise LedgerError(
                        _("Row %(row)d: %(message)s") % {"row": row.number, "message": error}
                    ) from error
    except LedgerError as error:
        return ImportOutcome(errors=[str(error)])
    return ImportOutcome(
        created=len(loaded), skipped=[row.skipped for row in rows if row.skipped is not None]
    )


# --- export ---------------------------------------------------------------------------------


def promises_workbook(items) -> bytes:
    header = [c.header for c in sheets.PROMISE_COLUMNS] + [
        "状态", "解决情况", "解决日期", "企业确认", "确认日期"
    ]  # fmt: skip
    today = timezone.localdate()
    rows = (
        [
            item.enterprise.name, item.enterprise.credit_code, item.promise, item.promised_on,
            item.document, item.amount_owed, item.unit.code, item.deadline,
            item.get_status_display() + (f" ({_('overdue')})" if item.is_overdue(today) else ""),
            item.resolution, item.resolved_on, item.enterprise_confirmed, item.confirmed_on,
        ]
        for item in items.select_related("enterprise", "unit")
    )  # fmt: skip
    return sheets.workbook_bytes(_("Broken promises"), header, rows)


def backlog_workbook(cases) -> bytes:
    header = [c.header for c in sheets.BACKLOG_COLUMNS] + ["案龄（天）"]
    rows = (
        [
            case.case_number, case.court_or_agency, case.enterprise_name,
            case.enterprise.credit_code if case.enterprise else "", case.filed_on,
            case.get_stage_display(), case.target_close_on, case.closed_on,
            case.unit.code if case.unit else "", case.age_days(),
        ]
        for case in cases.select_related("enterprise", "unit")
    )  # fmt: skip
    return sheets.workbook_bytes(_("Case backlog"), header, rows)


def utilities_workbook(utilities) -> bytes:
    # The importable columns keep their canonical headers, so an edited export can be
    # imported again (each row then publishes a new version); the number names the utility
    # where two share a name.
    c = {column.key: column.header for column in sheets.UTILITY_COLUMNS}
    header = [c["utility"], "类别", "单位", "版本", c["service_standards"], c["procedures"],
              c["fees"], c["legal_conditions"], "发布时间", "编号"]  # fmt: skip
    rows = []
    for utility in utilities.select_related("unit"):
        latest = utility.latest_disclosure()
        rows.append(
            [utility.name, utility.get_kind_display(), utility.unit.code]
            + (
                [latest.version, latest.service_standards, latest.procedures, latest.fees,
                 latest.legal_conditions, timezone.localtime(latest.published_at)]
                if latest else [None] * 6
            )
            + [utility.pk]
        )  # fmt: skip
    return sheets.workbook_bytes(_("Utilities"), header, rows)

"""Changes to the ledgers. Each one is atomic and appends a hash-chained LedgerEvent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import Unit, User
from civicdesk.cases.models import Case
from civicdesk.cases.services import case_assign
from civicdesk.intake.models import Channel
from civicdesk.intake.services import NewSubmission, submission_create
from civicdesk.intake.validation import clean_credit_code
from civicdesk.ledgers import spreadsheets as sheets
from civicdesk.ledgers.access import ledger_rows_for_user
from civicdesk.ledgers.models import (
    BacklogCase,
    Disclosure,
    Enterprise,
    ImportReport,
    LedgerEvent,
    PromiseItem,
    PromiseStatus,
    Section,
    Stage,
    Utility,
)

DEVIATION_CHANNEL = "utility_deviation"

PROMISES, BACKLOG, UTILITIES = "promises", "backlog", "utilities"


class LedgerError(Exception):
    """A change the ledger's rules do not allow; the message is translated."""


def _plain(value: object) -> object:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _record(chain: str, obj: Model, action: str, changes: dict, actor: User | None) -> LedgerEvent:
    return LedgerEvent.append(
        chain=chain,
        entity_type=obj._meta.model_name,
        entity_id=obj.pk,
        action=action,
        changes={k: [_plain(before), _plain(after)] for k, (before, after) in changes.items()},
        actor=actor,
    )


def _created(obj: Model, names: list[str]) -> dict:
    return {name: (None, getattr(obj, name)) for name in names}


def _apply(obj: Model, values: dict) -> dict:
    """Set the values that differ and return {field: (before, after)} for them."""
    changes = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changes[name] = (before, value)
            setattr(obj, name, value)
    return changes


def enterprise_for(
    *, name: str, credit_code: str, actor: User | None, chain: str = PROMISES
) -> Enterprise:
    """The enterprise with this (already checked) code, created on first use."""
    enterprise = Enterprise.objects.filter(credit_code=credit_code).first()
    if enterprise is None:
        enterprise = Enterprise.objects.create(name=name.strip(), credit_code=credit_code)
        _record(chain, enterprise, "create", _created(enterprise, ["name", "credit_code"]), actor)
    return enterprise


# --- broken promises ------------------------------------------------------------------------

PROMISE_FIELDS = ["enterprise", "promise", "promised_on", "document", "amount_owed", "unit",
                  "deadline"]  # fmt: skip


@transaction.atomic
def promise_create(
    *,
    enterprise_name: str,
    credit_code: str,
    promise: str,
    promised_on: dt.date,
    document: str = "",
    amount_owed: Decimal | None = None,
    unit: Unit,
    deadline: dt.date,
    actor: User | None,
) -> PromiseItem:
    if amount_owed is not None and amount_owed < 0:
        raise LedgerError(_("The amount owed cannot be negative."))
    if deadline < promised_on:
        raise LedgerError(_("The deadline cannot be before the day of the promise."))
    enterprise = enterprise_for(name=enterprise_name, credit_code=credit_code, actor=actor)
    item = PromiseItem.objects.create(
        enterprise=enterprise,
        promise=promise.strip(),
        promised_on=promised_on,
        document=document.strip(),
        amount_owed=amount_owed,
        unit=unit,
        deadline=deadline,
    )
    _record(PROMISES, item, "create", _created(item, PROMISE_FIELDS), actor)
    return item


def _lock_promise(item: PromiseItem) -> PromiseItem:
    return PromiseItem.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def promise_resolve(
    *, item: PromiseItem, resolution: str, resolved_on: dt.date, actor: User
) -> PromiseItem:
    item = _lock_promise(item)
    if item.status == PromiseStatus.RESOLVED:
        raise LedgerError(_("This promise is already recorded as resolved."))
    if resolved_on < item.promised_on:
        raise LedgerError(_("It cannot be resolved before the day of the promise."))
    changes = _apply(
        item,
        {"status": PromiseStatus.RESOLVED, "resolution": resolution.strip(),
         "resolved_on": resolved_on},
    )  # fmt: skip
    item.save(update_fields=list(changes))
    _record(PROMISES, item, "resolve", changes, actor)
    return item


@transaction.atomic
def promise_confirm(*, item: PromiseItem, confirmed_on: dt.date, actor: User) -> PromiseItem:
    """Record that the enterprise confirmed the resolution."""
    item = _lock_promise(item)
    if item.status != PromiseStatus.RESOLVED:
        raise LedgerError(_("Record the resolution before the enterprise's confirmation."))
    if item.enterprise_confirmed:
        raise LedgerError(_("The enterprise's confirmation is already recorded."))
    if confirmed_on < item.resolved_on:
        raise LedgerError(_("The enterprise cannot confirm before the promise was resolved."))
    changes = _apply(item, {"enterprise_confirmed": True, "confirmed_on": confirmed_on})
    item.save(update_fields=list(changes))
    _record(PROMISES, item, "confirm", changes, actor)
    return item


# --- backlog --------------------------------------------------------------------------------

BACKLOG_FIELDS = ["case_number", "court_or_agency", "enterprise", "enterprise_name", "filed_on",
                  "stage", "target_close_on", "closed_on", "unit"]  # fmt: skip


def _check_backlog_dates(
    filed_on: dt.date, stage: str, target: dt.date | None, closed_on: dt.date | None
) -> None:
    if target is not None and target < filed_on:
        raise LedgerError(_("The target closing date cannot be before the filing date."))
    if stage == Stage.CLOSED and closed_on is None:
        raise LedgerError(_("A closed case needs the date it was closed."))
    if stage != Stage.CLOSED and closed_on is not None:
        raise LedgerError(_("Only a closed case has a closing date."))
    if closed_on is not None and closed_on < filed_on:
        raise LedgerError(_("A case cannot be closed before it was filed."))


@transaction.atomic
def backlog_create(
    *,
    case_number: str,
    court_or_agency: str,
    enterprise_name: str,
    credit_code: str = "",
    filed_on: dt.date,
    stage: str = Stage.FILED,
    target_close_on: dt.date | None = None,
    closed_on: dt.date | None = None,
    unit: Unit | None = None,
    actor: User | None,
) -> BacklogCase:
    case_number = case_number.strip()
    if BacklogCase.objects.filter(case_number=case_number).exists():
        raise LedgerError(_("The case number %(number)s is already in the ledger.")
                          % {"number": case_number})  # fmt: skip
    _check_backlog_dates(filed_on, stage, target_close_on, closed_on)
    enterprise = (
        enterprise_for(name=enterprise_name, credit_code=credit_code, actor=actor, chain=BACKLOG)
        if credit_code
        else None
    )
    case = BacklogCase.objects.create(
        case_number=case_number,
        court_or_agency=court_or_agency.strip(),
        enterprise=enterprise,
        enterprise_name=enterprise_name.strip(),
        filed_on=filed_on,
        stage=stage,
        target_close_on=target_close_on,
        closed_on=closed_on,
        unit=unit,
    )
    _record(BACKLOG, case, "create", _created(case, BACKLOG_FIELDS), actor)
    return case


@transaction.atomic
def backlog_update(
    *,
    case: BacklogCase,
    stage: str,
    target_close_on: dt.date | None,
    closed_on: dt.date | None,
    actor: User,
) -> BacklogCase:
    case = BacklogCase.objects.select_for_update().get(pk=case.pk)
    _check_backlog_dates(case.filed_on, stage, target_close_on, closed_on)
    changes = _apply(
        case, {"stage": stage, "target_close_on": target_close_on, "closed_on": closed_on}
    )
    if not changes:
        raise LedgerError(_("Nothing was changed."))
    case.save(update_fields=list(changes))
    _record(BACKLOG, case, "update", changes, actor)
    return case


# --- utilities ------------------------------------------------------------------------------


@transaction.atomic
def utility_create(*, name: str, kind: str, unit: Unit, actor: User) -> Utility:
    utility = Utility.objects.create(name=name.strip(), kind=kind, unit=unit)
    _record(UTILITIES, utility, "create", _created(utility, ["name", "kind", "unit"]), actor)
    return utility


@transaction.atomic
def disclosure_publish(
    *,
    utility: Utility,
    service_standards: str,
    procedures: str,
    fees: str,
    legal_conditions: str,
    actor: User,
) -> Disclosure:
    """Publish a new version; earlier versions stay as they were published."""
    utility = Utility.objects.select_for_update().get(pk=utility.pk)
    latest = utility.disclosures.aggregate(n=Max("version"))["n"] or 0
    disclosure = Disclosure.objects.create(
        utility=utility,
        version=latest + 1,
        service_standards=service_standards.strip(),
        procedures=procedures.strip(),
        fees=fees.strip(),
        legal_conditions=legal_conditions.strip(),
        published_by=actor,
    )
    _record(
        UTILITIES,
        utility,
        "publish",
        {
            "version": (latest or None, disclosure.version),
            **{s.value: (None, getattr(disclosure, s.value)) for s in Section},
        },
        actor,
    )
    return disclosure


@transaction.atomic
def deviation_report(
    *,
    utility: Utility,
    disclosure: Disclosure | None,
    section: str,
    description: str,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    language: str = "",
) -> Case:
    """A citizen's report that a utility deviates from its published standard: a case routed
    to the utility's unit at once."""
    where = disclosure and _("version %(version)d") % {"version": disclosure.version}
    section_label = Section(section).label if section in Section.values else ""
    reference = " · ".join(str(part) for part in [utility.name, where, section_label] if part)
    data = NewSubmission(
        channel=Channel.objects.get(code=DEVIATION_CHANNEL),
        description=f"【{reference}】\n{description.strip()}",
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        language=language,
        source_details={
            "utility": utility.pk,
            "disclosure_version": disclosure.version if disclosure else None,
            "section": section,
        },
    )
    _submission, case, _is_new = submission_create(data=data)
    return case_assign(case=case, unit=utility.unit, actor=None)


# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    created: int = 0
    errors: list[str] = field(default_factory=list)
    report: ImportReport | None = None


class _Units:
    """Responsible units named by code or by name in a workbook."""

    def __init__(self) -> None:
        self.by_code = {u.code.casefold(): u for u in Unit.objects.active()}
        self.by_name: dict[str, list[Unit]] = {}
        for unit in self.by_code.values():
            self.by_name.setdefault(unit.name.strip(), []).append(unit)

    def find(self, text: str) -> Unit:
        unit = self.by_code.get(text.casefold())
        if unit is not None:
            return unit
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise sheets.CellError(
                _("several units are called “%(name)s”; use the unit's code.") % {"name": text}
            )
        raise sheets.CellError(_("no active unit has the code or name “%(name)s”.")
                               % {"name": text})  # fmt: skip


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


class _Row:
    """Collects the cleaned values of one row and its errors, each naming row and column."""

    def __init__(self, number: int, values: dict, columns: tuple[sheets.Column, ...]):
        self.number, self.values = number, values
        self.columns = {c.key: c for c in columns}
        self.errors: list[str] = []
        self.clean: dict = {}

    def error(self, key: str, message: str) -> None:
        column = self.columns[key]
        self.errors.append(
            _("Row %(row)d, column “%(column)s” (%(label)s): %(message)s")
            % {"row": self.number, "column": column.header, "label": column.label,
               "message": message}
        )  # fmt: skip

    def take(self, key: str, parse, *, required: bool) -> None:
        raw = self.values.get(key)
        try:
            value = parse(raw)
        except (sheets.CellError, ValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            self.error(key, message)
            return
        if required and value in (None, ""):
            self.error(key, _("this cell is empty."))
            return
        self.clean[key] = value


def _credit(raw: object) -> str:
    text = sheets.text_cell(raw)
    return clean_credit_code(text) if text else ""


def _promise_rows(sheet: sheets.Sheet) -> list[_Row]:
    units = _Units()
    rows = []
    for number, _cells, values in sheet.rows:
        row = _Row(number, values, sheets.PROMISE_COLUMNS)
        row.take("enterprise_name", sheets.text_cell, required=True)
        row.take("credit_code", _credit, required=True)
        row.take("promise", sheets.text_cell, required=True)
        row.take("promised_on", sheets.date_cell, required=True)
        row.take("document", sheets.text_cell, required=False)
        row.take("amount_owed", sheets.amount_cell, required=False)
        row.take("unit", lambda v: units.find(sheets.text_cell(v)) if v else None, required=True)
        row.take("deadline", sheets.date_cell, required=True)
        c = row.clean
        if "deadline" in c and "promised_on" in c and c["deadline"] < c["promised_on"]:
            row.error("deadline", _("the deadline is before the day of the promise."))
        rows.append(row)
    return rows


def _backlog_rows(sheet: sheets.Sheet) -> list[_Row]:
    units = _Units()
    existing = set(BacklogCase.objects.values_list("case_number", flat=True))
    seen: dict[str, int] = {}
    rows = []
    for number, _cells, values in sheet.rows:
        row = _Row(number, values, sheets.BACKLOG_COLUMNS)
        row.take("case_number", sheets.text_cell, required=True)
        row.take("court_or_agency", sheets.text_cell, required=True)
        row.take("enterprise_name", sheets.text_cell, required=True)
        row.take("credit_code", _credit, required=False)
        row.take("filed_on", sheets.date_cell, required=True)
        row.take("stage", lambda v: _stage(sheets.text_cell(v)) if v else None, required=True)
        row.take("target_close_on", sheets.date_cell, required=False)
        row.take("closed_on", sheets.date_cell, required=False)
        row.take("unit", lambda v: units.find(sheets.text_cell(v)) if v else None, required=False)
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


def _utility_rows(sheet: sheets.Sheet, actor: User) -> list[_Row]:
    utilities = _Utilities(actor)
    seen: dict[int, int] = {}
    rows = []
    for number, _cells, values in sheet.rows:
        row = _Row(number, values, sheets.UTILITY_COLUMNS)
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
    check: Callable[[sheets.Sheet, User], list[_Row]]  # cleans and checks every row
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
    *, ledger: str, file_name: str, sheet: sheets.Sheet, rows: list[_Row], actor: User
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
    rejected rows come back as a report with an error column."""
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
    with transaction.atomic():
        for row in rows:
            spec.create(**row.clean, actor=actor)
    return ImportOutcome(created=len(rows))


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

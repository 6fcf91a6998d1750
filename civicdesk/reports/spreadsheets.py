"""Confidential reports to and from workbooks: import of reports taken on paper or by phone,
and export of the reports a user may see.

Reading, the date and text cells and the formula-safe writing are the ledgers' generic helpers
(``civicdesk.ledgers.spreadsheets``); what is particular to these two ledgers is here: their
columns, the check of every row, the all-or-nothing load through ``services.report_file`` (so
each imported report gets its chained "create" event), and the rejected-rows workbook, kept in
this app so that confidential text never lands in another app's table.

Access is not decided here: callers pass the reports ``access.reports_visible_to`` gave them,
and only the ledger's audience reaches the import.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicdesk.accounts.models import User
from civicdesk.ledgers.spreadsheets import (
    CellError,
    Column,
    Row,
    Sheet,
    SheetError,
    Units,
    date_cell,
    read_sheet,
    text_cell,
    workbook_bytes,
)
from civicdesk.public.forms import phone_validator
from civicdesk.reports.models import ImportRejection, Report, Setting, Source
from civicdesk.reports.services import NewReport, ReportActionError, report_file
from civicdesk.reports.workflow import Ledger

# --- columns --------------------------------------------------------------------------------

UNIT = Column(
    "reported_unit",
    ("被反映单位", "被反映單位", "reported unit", "unit", "unit code", "单位", "單位"),
    gettext_lazy("reported unit (code or name)"),
)
OFFICIAL_NAME = Column(
    "official_name",
    ("人员姓名", "人員姓名", "official's name", "official name", "official"),
    gettext_lazy("official's name"),
    required=False,
)
OFFICIAL_POSITION = Column(
    "official_position",
    ("职务", "職務", "official's position", "position"),
    gettext_lazy("official's position"),
    required=False,
)
SETTING = Column("setting", ("环节", "環節", "setting", "where"), gettext_lazy("where it happened"))
INTERMEDIARY = Column(
    "intermediary",
    ("中介名称", "中介名稱", "intermediary", "intermediary name"),
    gettext_lazy("intermediary (person or company)"),
    required=False,
)
DESCRIPTION = Column(
    "description",
    ("事情经过", "事情經過", "what happened", "description"),
    gettext_lazy("what happened"),
)
OCCURRED_ON = Column(
    "occurred_on",
    ("发生日期", "發生日期", "date", "occurred on", "when"),
    gettext_lazy("date it happened"),
    required=False,
)
PLACE = Column("place", ("地点", "地點", "place"), gettext_lazy("place"), required=False)
EVIDENCE = Column(
    "evidence", ("证据", "證據", "evidence"), gettext_lazy("evidence"), required=False
)
CONTACT_NAME = Column(
    "contact_name",
    ("联系人", "聯繫人", "聯絡人", "contact name", "contact"),
    gettext_lazy("reporter's name"),
    required=False,
)
CONTACT_PHONE = Column(
    "contact_phone",
    ("联系电话", "聯繫電話", "聯絡電話", "contact phone", "phone"),
    gettext_lazy("reporter's phone"),
    required=False,
)
CONTACT_EMAIL = Column(
    "contact_email",
    ("电子邮箱", "電子郵箱", "contact email", "email"),
    gettext_lazy("reporter's email"),
    required=False,
)

_CONTACT = (CONTACT_NAME, CONTACT_PHONE, CONTACT_EMAIL)
_DETAILS = (DESCRIPTION, OCCURRED_ON, PLACE, EVIDENCE)

COLUMNS: dict[str, tuple[Column, ...]] = {
    Ledger.INACTION: (UNIT, OFFICIAL_NAME, OFFICIAL_POSITION, *_DETAILS, *_CONTACT),
    Ledger.INTERMEDIARY: (
        SETTING,
        replace(UNIT, required=False),
        OFFICIAL_NAME,
        OFFICIAL_POSITION,
        INTERMEDIARY,
        *_DETAILS,
        *_CONTACT,
    ),
}

# The words a workbook may use for each setting; the first is what the export writes.
SETTING_WORDS: dict[str, tuple[str, ...]] = {
    Setting.APPROVAL: ("行政审批", "行政審批", "审批", "審批", "approval"),
    Setting.ACCEPTANCE: ("验收", "驗收", "acceptance"),
    Setting.SERVICE_HALL: ("办事大厅", "辦事大廳", "政务服务大厅", "政務服務大廳", "service_hall"),
    Setting.WINDOW: ("窗口", "服务窗口", "服務窗口", "window"),
    Setting.OTHER: ("其他", "other"),
}

# Text columns and the longest value each field takes.
_MAX_LENGTHS = {
    name: Report._meta.get_field(name).max_length
    for name in (
        "official_name",
        "official_position",
        "intermediary",
        "place",
        "contact_name",
        "contact_phone",
    )
} | {"description": 10000, "evidence": 10000}


def setting_choices() -> list[tuple[str, str, tuple[str, ...]]]:
    """(value, label, accepted words) for the import page."""
    return [(s.value, s.label, SETTING_WORDS[s.value]) for s in Setting]


# --- reading --------------------------------------------------------------------------------


def _setting(raw: object) -> str:
    text = text_cell(raw)
    if not text:
        return ""
    folded = text.casefold()
    for setting in Setting:
        words = SETTING_WORDS[setting.value]
        if folded in {w.casefold() for w in words} or folded == str(setting.label).casefold():
            return setting.value
    raise CellError(
        _("“%(value)s” is not an allowed setting; use one of: %(settings)s.")
        % {"value": text, "settings": ", ".join(words[0] for words in SETTING_WORDS.values())}
    )


def _past_date(raw: object):
    value = date_cell(raw)
    if value is not None and value > timezone.localdate():
        raise CellError(_("the date cannot be in the future."))
    return value


def _text(key: str):
    def parse(raw: object) -> str:
        value = text_cell(raw)
        limit = _MAX_LENGTHS.get(key)
        if limit and len(value) > limit:
            raise CellError(
                _("at most %(max)d characters, this cell has %(count)d.")
                % {"max": limit, "count": len(value)}
            )
        return value

    return parse


def _phone(raw: object) -> str:
    value = _text("contact_phone")(raw)
    if value:
        phone_validator(value)
    return value


def _email(raw: object) -> str:
    value = text_cell(raw)
    if value:
        validate_email(value)
    return value


_PARSERS = {
    "official_name": _text("official_name"),
    "official_position": _text("official_position"),
    "intermediary": _text("intermediary"),
    "description": _text("description"),
    "occurred_on": _past_date,
    "place": _text("place"),
    "evidence": _text("evidence"),
    "contact_name": _text("contact_name"),
    "contact_phone": _phone,
    "contact_email": _email,
    "setting": _setting,
}


def _check(ledger: str, sheet: Sheet) -> list[Row]:
    columns = COLUMNS[ledger]
    units = Units()
    rows = []
    for number, _cells, values in sheet.rows:
        row = Row(number, values, columns)
        for column in columns:
            parse = units.find if column.key == UNIT.key else _PARSERS[column.key]
            # A report needs what the forms require: its unit (inaction), where it happened
            # (intermediary) and always what happened.
            row.take(column.key, parse, required=column.required)
        rows.append(row)
    return rows


# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    reports: list[Report] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rejection: ImportRejection | None = None


def _reject(
    *, ledger: str, file_name: str, sheet: Sheet, rows: list[Row], actor: User
) -> ImportRejection:
    rejected = {row.number: row for row in rows if row.errors}
    body = [
        [number, *cells, "\n".join(rejected[number].errors)]
        for number, cells, _values in sheet.rows
        if number in rejected
    ]
    content = workbook_bytes(_("Rejected rows"), [_("Row"), *sheet.header, _("Errors")], body)
    stem = file_name.rsplit(".", 1)[0][:150] or ledger
    return ImportRejection.objects.create(
        ledger=ledger, created_by=actor, file_name=f"{stem}-rejected.xlsx", content=content
    )


class _RowFailed(Exception):
    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row, self.message = row, message


def report_import(*, ledger: str, file_name: str, content: bytes, actor: User) -> ImportOutcome:
    """File every row of the workbook as a report, or none of them.

    Each row goes through ``services.report_file`` (source "import", filed by ``actor``), so
    it gets the same checks and its own chained "create" event; intermediary reports
    imported this way get no follow-up code. A file with any bad row loads nothing and leaves
    a rejected-rows workbook for the uploader.
    """
    try:
        sheet = read_sheet(content, COLUMNS[ledger])
    except SheetError as exc:
        return ImportOutcome(errors=[str(exc)])
    rows = _check(ledger, sheet)
    errors = [message for row in rows for message in row.errors]
    if errors:
        rejection = _reject(ledger=ledger, file_name=file_name, sheet=sheet, rows=rows, actor=actor)
        return ImportOutcome(errors=errors, rejection=rejection)
    reports = []
    try:
        with transaction.atomic():
            for row in rows:
                data = NewReport(
                    **{k: v for k, v in row.clean.items() if k in NewReport.__dataclass_fields__}
                )
                try:
                    report, _code = report_file(
                        ledger=ledger, data=data, filed_by=actor, source=Source.IMPORT
                    )
                except ReportActionError as exc:
                    raise _RowFailed(row.number, str(exc)) from None
                reports.append(report)
    except _RowFailed as failed:
        return ImportOutcome(
            errors=[_("Row %(row)d: %(message)s") % {"row": failed.row, "message": failed.message}]
        )
    return ImportOutcome(reports=reports)


# --- export ---------------------------------------------------------------------------------


def export_header(ledger: str) -> list[str]:
    """The import columns (canonical headers, so an export can be edited and imported again),
    then what only the ledger knows."""
    return [
        "编号",
        *(column.header for column in COLUMNS[ledger]),
        "状态",
        "接收时间",
        "来源",
        "录入人",
    ]


def _export_value(report: Report, key: str) -> object:
    if key == UNIT.key:
        return report.reported_unit.code if report.reported_unit else ""
    if key == SETTING.key:
        return SETTING_WORDS[report.setting][0] if report.setting else ""
    return getattr(report, key)


def reports_workbook(ledger: str, reports) -> bytes:
    """The reports as a workbook; every text cell is made formula-safe.

    The contact columns are there because both ledgers' audiences see the reporter's contact
    on the report page; follow-up code digests and form tokens are never written.
    """
    columns = COLUMNS[ledger]
    rows = (
        [
            report.pk,
            *(_export_value(report, column.key) for column in columns),
            report.get_status_display(),
            timezone.localtime(report.received_at),
            report.get_source_display(),
            report.filed_by.get_username() if report.filed_by else "",
        ]
        for report in reports
    )
    return workbook_bytes(str(Ledger(ledger).label), export_header(ledger), rows)

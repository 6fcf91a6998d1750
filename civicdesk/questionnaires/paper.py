"""Paper questionnaires typed into XLSX: the template to type them into, and the import.

One row per paper form, one column per question (header: the question's code, its text, or
both, as in the template); an enterprise identity question takes two columns, the
enterprise's name and its credit code. An import loads every row or none: any problem
rejects the whole file, and the uploader gets a report naming file, row, column and reason.
The reading, the cell helpers and the formula-safe writing are the ledgers' (all or nothing
there too).
"""

import io
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicdesk.accounts.models import User
from civicdesk.ledgers.spreadsheets import (
    CellError,
    Column,
    Sheet,
    SheetError,
    date_cell,
    read_sheet,
    safe_cell,
    text_cell,
)
from civicdesk.questionnaires.models import (
    EventAction,
    Option,
    PaperImportReport,
    Question,
    QuestionKind,
    Questionnaire,
    ResponseChannel,
)
from civicdesk.questionnaires.responses import (
    AnswerValue,
    ResponseRejected,
    already_answered_problem,
    check_answers,
    enterprise_has_answered,
    enterprise_of,
    response_create,
    version_questions,
)
from civicdesk.questionnaires.services import record_event

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# An XLSX is a ZIP: a small upload can unpack to gigabytes. Refuse before unpacking.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
ERRORS_SHOWN = 50

ENTERPRISE_NAME_HEADERS = ("企业名称", "企業名稱", "enterprise name", "enterprise")
CREDIT_CODE_HEADERS = (
    "统一社会信用代码",
    "統一社會信用代碼",
    "unified social credit code",
    "credit code",
)
EXTRA_COLUMNS = (
    Column("paper_number", ("问卷编号", "問卷編號", "form number", "paper number"),
           gettext_lazy("form number"), required=False),
    Column("filled_on", ("填写日期", "填寫日期", "filled in on", "date"),
           gettext_lazy("filled in on"), required=False),
    Column("contact_name", ("联系人", "聯絡人", "聯繫人", "contact name", "contact"),
           gettext_lazy("contact name"), required=False),
    Column("contact_phone", ("联系电话", "聯絡電話", "聯繫電話", "contact phone", "phone"),
           gettext_lazy("contact phone"), required=False),
)  # fmt: skip
EXTRA_LIMITS = {"paper_number": 60, "contact_name": 80, "contact_phone": 40}
_SEPARATORS = re.compile(r"[,，、;；/\n]+")


def _fold(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip()).strip().casefold()


@dataclass(frozen=True)
class PaperColumn:
    column: Column
    question: Question | None = None
    part: str = ""  # "name" or "code" for the two columns of an enterprise identity question


def paper_columns(questions: Sequence[Question]) -> list[PaperColumn]:
    """The template's columns in order: the questions, then the form's own details."""
    texts = Counter(_fold(question.text) for question in questions)
    columns = []
    for question in questions:
        code, text = question.code, question.text
        if question.kind == QuestionKind.ENTERPRISE:
            for part, headers in (("name", ENTERPRISE_NAME_HEADERS), ("code", CREDIT_CODE_HEADERS)):
                names = tuple(f"{code} {header}" for header in headers) + headers
                column = Column(f"{question.pk}:{part}", names, headers[0], question.required)
                columns.append(PaperColumn(column, question, part))
            continue
        headers = (f"{code} {text}", f"{code}. {text}", f"{code}.{text}", f"{code}、{text}", code)
        if texts[_fold(text)] == 1:
            headers += (text,)
        columns.append(
            PaperColumn(Column(str(question.pk), headers, text, question.required), question)
        )
    columns.extend(PaperColumn(column) for column in EXTRA_COLUMNS)
    return columns


# --- the template ---------------------------------------------------------------------------


def _how_to_fill(question: Question) -> str:
    if question.is_choice:
        options = "; ".join(
            f"{_letter(i)}. {option.label}" for i, option in enumerate(question.options.all())
        )
        if question.kind == QuestionKind.SINGLE:
            return _("One option: its text, number or letter. %(options)s") % {"options": options}
        return _(
            "One or more options, separated by 、 or commas: their text, numbers or "
            "letters. %(options)s"
        ) % {"options": options}
    if question.kind == QuestionKind.SCALE:
        ends = ""
        if question.scale_min_label or question.scale_max_label:
            ends = (
                f" ({question.scale_min} = {question.scale_min_label}, "
                f"{question.scale_max} = {question.scale_max_label})"
            )
        return _("A whole number from %(min)d to %(max)d%(ends)s.") % {
            "min": question.scale_min,
            "max": question.scale_max,
            "ends": ends,
        }
    if question.kind == QuestionKind.TEXT:
        return _("Text, as written on the form.")
    return _("The enterprise's name, and its 18-character unified social credit code.")


def template_workbook(questionnaire: Questionnaire) -> bytes:
    """An empty workbook to type paper forms into, with a second sheet saying how."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    version = questionnaire.current_version
    questions = version_questions(version)
    columns = paper_columns(questions)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Paper forms")[:31]
    sheet.append([safe_cell(c.column.header) for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = 18 if column.question is None else 24
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(_("How to fill in")[:31])
    guide.append([safe_cell(f"{questionnaire.title} · v{version.number}")])
    guide.append(
        [
            _(
                "One row per paper form; row 1 names the columns. Leave a cell empty when "
                "the form leaves the question unanswered."
            )
        ]
    )
    guide.append([])
    guide.append([_("Column"), _("Required"), _("How to fill it in")])
    for column in columns:
        question = column.question
        if question is None:
            how = _("Optional: %(what)s.") % {"what": column.column.label}
        elif column.part == "name":
            how = _("The enterprise's name.")
        elif column.part == "code":
            how = _("The enterprise's 18-character unified social credit code.")
        else:
            how = _how_to_fill(question)
        guide.append(
            [
                safe_cell(column.column.header),
                _("yes") if column.column.required else _("no"),
                safe_cell(how),
            ]
        )
    for letter, width in (("A", 36), ("B", 10), ("C", 90)):
        guide.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading --------------------------------------------------------------------------------


def _looks_like_text(content: bytes) -> bool:
    sample = content[:4096]
    if sample.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return b"\x00" not in sample
    return False


def read_paper_sheet(content: bytes, columns: Sequence[Column]) -> Sheet:
    """The first sheet of an XLSX workbook, or a SheetError saying in words what is wrong."""
    if not content:
        raise SheetError(_("The file is empty."))
    if len(content) > MAX_UPLOAD_BYTES:
        raise SheetError(_("The file is larger than 10 MB; split it into smaller workbooks."))
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError(
            _(
                "This is an old Excel 97–2003 workbook (.xls). Open it in Excel or "
                "WPS and save it as an Excel workbook (.xlsx)."
            )
        )
    if not content.startswith(b"PK"):
        if _looks_like_text(content):
            raise SheetError(
                _(
                    "This is a text file (such as CSV), not an Excel workbook. Open "
                    "it in Excel or WPS and save it as an Excel workbook (.xlsx)."
                )
            )
        raise SheetError(
            _("The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again.")
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            unpacked = sum(member.file_size for member in members)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetError(
            _("The workbook is damaged or incomplete; save it again in Excel and upload it again.")
        ) from None
    if "xl/workbook.xml" not in names:
        raise SheetError(
            _(
                "The file is a ZIP archive or another Office document, not an Excel "
                "workbook (.xlsx)."
            )
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise SheetError(
            _("The workbook is too large once unpacked; split it into smaller workbooks.")
        )
    try:
        return read_sheet(content, columns)
    except SheetError:
        raise
    except Exception:  # any parser failure on an uploaded file means "damaged"
        raise SheetError(
            _(
                "The workbook is damaged and cannot be read; save it again in Excel "
                "and upload it again."
            )
        ) from None


def _letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def _option(question: Question, options: list[Option], token: str) -> Option:
    folded = _fold(token)
    for option in options:
        if _fold(option.label) == folded:
            return option
    if folded.isdigit() and 1 <= int(folded) <= len(options):
        return options[int(folded) - 1]
    if len(folded) == 1 and "a" <= folded <= "z":
        index = ord(folded) - ord("a")
        if index < len(options):
            return options[index]
    raise CellError(
        _("“%(value)s” is not one of the options: %(options)s.")
        % {
            "value": token,
            "options": "; ".join(f"{_letter(i)}. {o.label}" for i, o in enumerate(options)),
        }
    )


def _choice_cell(question: Question, value: object) -> list[Option]:
    text = text_cell(value)
    if not text:
        return []
    options = list(question.options.all())
    whole = [option for option in options if _fold(option.label) == _fold(text)]
    if whole or question.kind == QuestionKind.SINGLE:
        return whole or [_option(question, options, text)]
    chosen: list[Option] = []
    for token in _SEPARATORS.split(text):
        if token.strip():
            option = _option(question, options, token.strip())
            if option not in chosen:
                chosen.append(option)
    return chosen


def _scale_cell(question: Question, value: object) -> int | None:
    if isinstance(value, float) and not value.is_integer():
        raise CellError(
            _("“%(value)s” is not a whole number from %(min)d to %(max)d.")
            % {"value": value, "min": question.scale_min, "max": question.scale_max}
        )
    text = text_cell(value).removesuffix("分").strip()
    if not text:
        return None
    if not re.fullmatch(r"-?\d{1,3}", text):
        raise CellError(
            _("“%(value)s” is not a whole number from %(min)d to %(max)d.")
            % {"value": text, "min": question.scale_min, "max": question.scale_max}
        )
    return int(text)


# --- importing ------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class _PaperRow:
    number: int
    cells: list
    answers: dict[int, AnswerValue] = field(default_factory=dict)
    extras: dict[str, object] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportOutcome:
    created: int = 0
    cases: int = 0
    to_confirm: int = 0
    errors: list[str] = field(default_factory=list)
    more_errors: int = 0
    report: PaperImportReport | None = None


def _headers_in_file(sheet: Sheet, columns: list[PaperColumn]) -> dict[str, str]:
    """The file's own header of each column it has, to name columns as the uploader sees them."""
    folded = [_fold(name) for name in sheet.header]
    found = {}
    for column in columns:
        names = {_fold(h) for h in column.column.headers}
        for index, name in enumerate(folded):
            if name in names:
                found[column.column.key] = sheet.header[index]
                break
    return found


def _parse_row(number, cells, values, columns: list[PaperColumn], headers) -> _PaperRow:
    row = _PaperRow(number, cells)
    for paper_column in columns:
        key = paper_column.column.key
        raw = values.get(key)
        question = paper_column.question
        try:
            if question is None:
                if key == "filled_on":
                    row.extras[key] = date_cell(raw)
                    continue
                text = text_cell(raw)
                if len(text) > EXTRA_LIMITS[key]:
                    raise CellError(
                        _("write at most %(max)d characters.") % {"max": EXTRA_LIMITS[key]}
                    )
                row.extras[key] = text
                continue
            value = row.answers.setdefault(question.pk, AnswerValue())
            if paper_column.part == "name":
                value.enterprise_name = text_cell(raw)
            elif paper_column.part == "code":
                value.credit_code = text_cell(raw).upper()
            elif question.is_choice:
                value.options = _choice_cell(question, raw)
            elif question.kind == QuestionKind.SCALE:
                value.number = _scale_cell(question, raw)
            else:
                value.text = text_cell(raw)
        except CellError as error:
            row.errors.append(
                RowError(
                    number, headers.get(key, paper_column.column.header), text_cell(raw), str(error)
                )
            )
    return row


def _column_of(columns: list[PaperColumn], headers, problem) -> str:
    if problem.question is None:
        key = "paper_number" if problem.part == "paper_number" else None
        if key is None:
            identity = [c for c in columns if c.part == "code"]
            key = identity[0].column.key if identity else ""
        return headers.get(key, key)
    for column in columns:
        same = column.question is not None and column.question.pk == problem.question.pk
        if same and column.part in ("", problem.part or "code"):
            return headers.get(column.column.key, column.column.header)
    return problem.question.code


def _check_rows(
    questionnaire: Questionnaire, rows: list[_PaperRow], questions, columns, headers
) -> None:
    seen_codes: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    code_column = next((c for c in columns if c.part == "code"), None)
    code_header = headers.get(code_column.column.key, "") if code_column else ""
    number_header = headers.get("paper_number", "问卷编号")
    for row in rows:
        if row.errors:
            continue
        answers = {pk: value for pk, value in row.answers.items() if not value.is_empty()}
        for problem in check_answers(questions, answers):
            row.errors.append(
                RowError(
                    row.number,
                    _column_of(columns, headers, problem),
                    _cell_text(row, problem, columns),
                    problem.message,
                )
            )
        _name, code = enterprise_of(questions, answers)
        if questionnaire.one_response_per_enterprise and code and not row.errors:
            if code in seen_codes:
                row.errors.append(
                    RowError(
                        row.number,
                        code_header,
                        code,
                        _("the same enterprise is on row %(row)d.") % {"row": seen_codes[code]},
                    )
                )
            elif enterprise_has_answered(questionnaire, code):
                problem = already_answered_problem(questionnaire, code)
                row.errors.append(RowError(row.number, code_header, code, problem.message))
            seen_codes.setdefault(code, row.number)
        number = row.extras.get("paper_number") or ""
        if number:
            if number in seen_numbers:
                row.errors.append(
                    RowError(
                        row.number,
                        number_header,
                        number,
                        _("the same form number is on row %(row)d.")
                        % {"row": seen_numbers[number]},
                    )
                )
            elif questionnaire.responses.filter(paper_number=number).exists():
                row.errors.append(
                    RowError(
                        row.number,
                        number_header,
                        number,
                        _("this form number was already imported."),
                    )
                )
            seen_numbers.setdefault(number, row.number)


def _cell_text(row: _PaperRow, problem, columns: list[PaperColumn]) -> str:
    if problem.question is None:
        return ""
    value = row.answers.get(problem.question.pk)
    if value is None:
        return ""
    if problem.question.kind == QuestionKind.ENTERPRISE:
        return value.enterprise_name if problem.part == "name" else value.credit_code
    if problem.question.is_choice:
        return "、".join(option.label for option in value.options)
    return value.text if value.number is None else str(value.number)


def _format(file_name: str, error: RowError) -> str:
    return _("%(file)s, row %(row)d, column “%(column)s”: %(reason)s") % {
        "file": file_name,
        "row": error.row,
        "column": error.column,
        "reason": error.reason,
    }


def _report(
    *, questionnaire, file_name: str, sheet: Sheet, rows: list[_PaperRow], actor: User
) -> PaperImportReport:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    errors = workbook.create_sheet(_("Errors")[:31])
    errors.append([_("File"), _("Row"), _("Column"), _("Value"), _("Reason")])
    rejected = [row for row in rows if row.errors]
    for row in rejected:
        for error in row.errors:
            errors.append(
                [
                    safe_cell(v)
                    for v in (file_name, error.row, error.column, error.value, error.reason)
                ]
            )
    copy = workbook.create_sheet(_("Rejected rows")[:31])
    copy.append([safe_cell(v) for v in (_("Row"), *sheet.header, _("Errors"))])
    for row in rejected:
        reasons = "\n".join(f"{e.column}: {e.reason}" for e in row.errors)
        copy.append([safe_cell(v) for v in (row.number, *row.cells, reasons)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    stem = file_name.rsplit(".", 1)[0] or "paper"
    return PaperImportReport.objects.create(
        questionnaire=questionnaire,
        created_by=actor,
        file_name=f"{stem}-rejected.xlsx"[:200],
        content=buffer.getvalue(),
    )


def paper_import(
    *, questionnaire: Questionnaire, file_name: str, content: bytes, actor: User
) -> ImportOutcome:
    """Record every paper form of the workbook as a response to the current version, or
    none of them; a form that raises concerns becomes one case on the paper channel."""
    version = questionnaire.current_version
    if version is None:
        return ImportOutcome(errors=[_("Publish the questionnaire before importing paper forms.")])
    questions = version_questions(version)
    columns = paper_columns(questions)
    try:
        sheet = read_paper_sheet(content, [c.column for c in columns])
    except SheetError as error:
        return ImportOutcome(errors=[f"{file_name}: {error}"])
    headers = _headers_in_file(sheet, columns)
    rows = [
        _parse_row(number, cells, values, columns, headers) for number, cells, values in sheet.rows
    ]
    _check_rows(questionnaire, rows, questions, columns, headers)
    errors = [error for row in rows for error in row.errors]
    if errors:
        report = _report(
            questionnaire=questionnaire, file_name=file_name, sheet=sheet, rows=rows, actor=actor
        )
        return ImportOutcome(
            errors=[_format(file_name, e) for e in errors[:ERRORS_SHOWN]],
            more_errors=max(0, len(errors) - ERRORS_SHOWN),
            report=report,
        )
    cases = to_confirm = 0
    row = None
    try:
        with transaction.atomic():
            for row in rows:
                _response, passed = response_create(
                    version=version,
                    answers=row.answers,
                    channel=ResponseChannel.PAPER,
                    contact_name=row.extras.get("contact_name") or "",
                    contact_phone=row.extras.get("contact_phone") or "",
                    entered_by=actor,
                    paper_number=row.extras.get("paper_number") or "",
                    filled_on=row.extras.get("filled_on"),
                    source_file=file_name,
                    source_row=row.number,
                    questions=questions,
                )
                cases += passed.case is not None
                to_confirm += passed.to_confirm > 0
            record_event(
                questionnaire,
                EventAction.IMPORT,
                actor,
                version,
                file=file_name,
                rows=len(rows),
                cases=cases,
            )
    except ResponseRejected as rejected:
        # Only a race with another upload gets here: the checks above passed a moment ago.
        where = _("%(file)s, row %(row)d") % {"file": file_name, "row": row.number if row else 0}
        return ImportOutcome(errors=[f"{where}: {p.message}" for p in rejected.problems])
    return ImportOutcome(created=len(rows), cases=cases, to_confirm=to_confirm)

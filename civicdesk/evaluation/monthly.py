"""The monthly appraisal report (月度考评通报) per unit, as XLSX and DOCX, in Chinese like the
bulletins. It includes each unit's appraisal score with its arithmetic (civicdesk/appraisal)
and its training hours beside it.

For each unit: the six rates of RATES.md with numerator and denominator for the month (the
resolution rate with its follow-ups that got no answer beside it), the ranking position
among the units directly below the district (or "too few cases to rank"), the same rates for
the month before and the change in percentage points, and the unit's overdue cases at month
end.

"Overdue at month end" counts the unit's (subtree's) cases received before the month ended,
merged duplicates left out, that at the end of the month were past the deadline of their
stage: not yet responded to with the response deadline passed, or not yet answered with the
answer deadline passed. A case answered or first responded to after the month end counts as
not answered (not responded to) at month end; a case open now counts by its stage deadlines.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from io import BytesIO

from django.db.models import Q
from django.utils import timezone, translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from civicdesk.accounts.models import Unit
from civicdesk.appraisal import report as appraisal_report
from civicdesk.appraisal import scores as appraisal_scores
from civicdesk.bulletins.writers import DOCX_CONTENT_TYPE, XLSX_CONTENT_TYPE, docx_table
from civicdesk.cases.workflow import OPEN_STATUSES, UNROUTED_STATUSES
from civicdesk.evaluation import rates
from civicdesk.ledgers.spreadsheets import safe_cell
from civicdesk.training import figures as training_figures

__all__ = ["DOCX_CONTENT_TYPE", "XLSX_CONTENT_TYPE", "build", "to_docx", "to_xlsx"]

RATE_NAMES = {
    rates.RESPONSE: "响应率",
    rates.RESOLUTION: "解决率",
    rates.SATISFACTION: "满意率",
    rates.ON_TIME: "按时办结率",
    rates.REOPEN: "重办率",
    rates.RECTIFICATION: "差评整改率",
    rates.FIRST_CONTACT: "知识库一次性告知办结率",
}
# Beside the resolution rate: its follow-ups that closed without an answer (see rates.ASIDES).
NO_ANSWER = "回访无应答"
TOO_FEW = "受理量不足{n}件，不参与排名"
NOT_APPRAISED = "非区属一级单位，不参与排名"


def month_start(month: date) -> datetime:
    return timezone.make_aware(datetime.combine(month.replace(day=1), time.min))


def next_month(month: date) -> date:
    month = month.replace(day=1)
    return (
        month.replace(year=month.year + 1, month=1)
        if month.month == 12
        else month.replace(month=month.month + 1)
    )


def previous_month(month: date) -> date:
    month = month.replace(day=1)
    return (
        month.replace(year=month.year - 1, month=12)
        if month.month == 1
        else month.replace(month=month.month - 1)
    )


@dataclass
class UnitMonth:
    unit: Unit
    current: rates.UnitRates
    previous: rates.UnitRates
    overdue: int
    # False for a unit that is not directly below the district (a handler's window): no rank.
    appraised: bool = True
    # The appraisal score of the month (civicdesk/appraisal), with its training figures
    # beside it (they change the score only through a line of the scheme).
    score: appraisal_scores.UnitScore | None = None
    training: training_figures.TrainingFigures | None = None

    def rate(self, name: str) -> float | None:
        return self.current.figures[name].rate

    def previous_rate(self, name: str) -> float | None:
        return self.previous.figures[name].rate

    def change(self, name: str) -> float | None:
        """Change from the month before in percentage points, None if either has no rate."""
        now, before = self.rate(name), self.previous_rate(name)
        if now is None or before is None:
            return None
        return round((now - before) * 100, 1)


@dataclass
class MonthlyReport:
    month: date
    min_cases: int
    rows: list[UnitMonth] = field(default_factory=list)
    generated_on: date | None = None

    def rank_text(self, row: UnitMonth, *, previous: bool = False) -> str | int:
        if not row.appraised:
            return NOT_APPRAISED
        found = (row.previous if previous else row.current).rank
        return found if found is not None else TOO_FEW.format(n=self.min_cases)


def overdue_at(unit: Unit, end: datetime) -> int:
    """Cases of the unit's subtree overdue at `end` (see the module docstring)."""
    not_responded = Q(first_responded_at__isnull=True) | Q(first_responded_at__gte=end)
    not_answered = Q(answered_at__isnull=True) | Q(answered_at__gte=end)
    open_then = Q(status__in=OPEN_STATUSES) | Q(answered_at__gte=end)
    late = (
        Q(status__in=UNROUTED_STATUSES, assign_due_at__lt=end)
        | (open_then & not_responded & Q(response_due_at__lt=end))
        | (open_then & not_answered & Q(answer_due_at__lt=end))
    )
    return rates.counted_cases(unit).filter(received_at__lt=end).filter(late).count()


def _by_unit(units: list[Unit], start: datetime, end: datetime) -> tuple[dict, int]:
    ranking = rates.rank_units(units, start, end)
    return {row.unit.pk: row for row in [*ranking.ranked, *ranking.too_few]}, ranking.min_cases


def build(month: date, units: list[Unit] | None = None) -> MonthlyReport:
    """The report for `month` on `units` (default: all units directly below the district);
    rank positions are always among all of those."""
    appraised = list(rates.appraised_units())
    start, end = month_start(month), month_start(next_month(month))
    before = month_start(previous_month(month))
    current, minimum = _by_unit(appraised, start, end)
    previous, _ = _by_unit(appraised, before, start)
    # Scores are ranked among the units below the district, like the rates; their labels
    # and arithmetic are written in Chinese, like the rest of the report.
    with translation.override("zh-hans"):
        scored = {s.unit.pk: s for s in appraisal_scores.month_scores(month, appraised)}
        extra = {
            unit.pk: appraisal_scores.unit_score(unit, month)
            for unit in (units or [])
            if unit.pk not in scored
        }
    report = MonthlyReport(
        month=month.replace(day=1), min_cases=minimum, generated_on=timezone.localdate()
    )
    for unit in appraised if units is None else units:
        known = unit.pk in current
        report.rows.append(
            UnitMonth(
                unit=unit,
                current=current[unit.pk] if known else rates.unit_rates(unit, start, end),
                previous=previous[unit.pk] if known else rates.unit_rates(unit, before, start),
                overdue=overdue_at(unit, end),
                appraised=known,
                score=scored.get(unit.pk) or extra.get(unit.pk),
                training=training_figures.unit_figures(unit, start, end),
            )
        )
    report.rows.sort(key=lambda r: (r.current.rank is None, r.current.rank or 0, r.unit.name))
    return report


def title(report: MonthlyReport) -> str:
    return f"{report.month.year}年{report.month.month}月单位考评情况通报"


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _change_text(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}个百分点"


# --- XLSX ---------------------------------------------------------------------------------


def xlsx_header() -> list[str]:
    header = ["排名", "单位", "单位代码", "受理诉求（件）"]
    for name, label in RATE_NAMES.items():
        header += [
            f"{label}（%）",
            f"{label}分子",
            f"{label}分母",
            f"上月{label}（%）",
            f"{label}变化（百分点）",
        ]
        if name in rates.ASIDES:
            header.append(f"{label}{NO_ANSWER}（件）")
    return [*header, "上月排名", "月末超期诉求（件）", *appraisal_report.XLSX_COLUMNS]


def to_xlsx(report: MonthlyReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{report.month:%Y-%m}考评"
    sheet.append([safe_cell(h) for h in xlsx_header()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in report.rows:
        values = [
            report.rank_text(row),
            row.unit.name,
            row.unit.code,
            row.current.case_count,
        ]
        for name in RATE_NAMES:
            figure = row.current.figures[name]
            values += [
                _percent(figure.rate),
                figure.numerator,
                figure.denominator,
                _percent(row.previous_rate(name)),
                row.change(name),
            ]
            if name in rates.ASIDES:
                values.append(row.current.aside(name).numerator)
        values += [report.rank_text(row, previous=True), row.overdue]
        values += appraisal_report.score_cells(row.score, row.training)
        sheet.append([safe_cell(v) for v in values])
    sheet.freeze_panes = "A2"
    appraisal_report.add_detail_sheet(workbook, [(row.unit.name, row.score) for row in report.rows])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- DOCX ---------------------------------------------------------------------------------


def intro_text(report: MonthlyReport) -> str:
    month = f"{report.month.year}年{report.month.month}月"
    ranked = sum(1 for row in report.rows if row.current.rank is not None)
    return (
        f"现将{month}各单位接诉即办考评情况通报如下。本通报共涉及{len(report.rows)}个单位，"
        f"其中{ranked}个单位参与排名。排名依据响应率、解决率、满意率三项指标的平均值；"
        f"当月受理诉求不足{report.min_cases}件的单位不参与排名。"
        "各项指标后括号内为分子/分母，变化为与上月相比的百分点差；"
        "解决率按已回访答复（群众网上评价、电话回访或工作人员核实）的诉求计算，"
        "回访无应答的不计入，另列件数；"
        "重办率越低越好。知识库一次性告知办结率为当月答复的诉求中，首次答复即引用知识库条目"
        "一次性告知、且未被重办的比例。差评整改率为当月窗口差评中整改已答复或已过整改时限的，"
        "在整改时限内答复的比例；申诉成立和已被重新评价取代的差评不计入。"
        "月末超期诉求为月末仍超过当前环节办理时限的诉求。"
    )


def docx_header() -> list[str]:
    return ["排名", "单位", "受理诉求", *RATE_NAMES.values(), "考核得分", "月末超期"]


def to_docx(report: MonthlyReport) -> bytes:
    document = Document()
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title(report))
    run.bold = True
    run.font.size = Pt(18)
    document.add_paragraph(intro_text(report))
    rows = []
    for row in report.rows:
        values = [report.rank_text(row), row.unit.name, f"{row.current.case_count}件"]
        for name in RATE_NAMES:
            figure = row.current.figures[name]
            aside = row.current.aside(name)
            before = (
                f"上月{_percent_text(row.previous_rate(name))}，{_change_text(row.change(name))}"
            )
            values.append(
                f"{_percent_text(figure.rate)}（{figure.numerator}/{figure.denominator}）"
                + (f"，{NO_ANSWER}{aside.numerator}件" if aside is not None else "")
                + f"\n{before}"
            )
        score = row.score.total if row.score is not None else None
        values.append("—" if score is None else f"{score}分")
        values.append(f"{row.overdue}件")
        rows.append(values)
    docx_table(document, docx_header(), rows)
    if not report.rows:
        document.add_paragraph("本月暂无参与考评的单位。")
    else:
        appraisal_report.add_docx_section(
            document, [(row.unit.name, row.score) for row in report.rows]
        )
    if report.generated_on:
        day = report.generated_on
        document.add_paragraph(f"{day.year}年{day.month}月{day.day}日生成")
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()

"""The appraisal score in the monthly appraisal report (evaluation/monthly.py): per unit the
score and rank with its training figures beside it, and a detail sheet (XLSX) or section
(DOCX) with each unit's lines and their arithmetic. The report is in Chinese like the
bulletins, whatever the reader's language."""

from __future__ import annotations

from django.utils import translation
from docx.document import Document
from openpyxl import Workbook
from openpyxl.styles import Font

from civicdesk.appraisal.scores import UnitScore
from civicdesk.ledgers.spreadsheets import safe_cell

NO_SCHEME = "本月无适用的考核方案"
XLSX_COLUMNS = ["考核得分", "考核排名", "培训学时", "人均培训学时"]
DETAIL_HEADER = ["单位", "序号", "考核项", "计算过程", "得分"]


def score_cells(score: UnitScore | None, training) -> list:
    """The unit's cells of the main sheet (XLSX_COLUMNS)."""
    total = float(score.total) if score is not None and score.total is not None else NO_SCHEME
    rank = score.rank if score is not None and score.rank is not None else "—"
    hours = float(training.hours) if training is not None else None
    per_person = (
        float(training.per_person)
        if training is not None and training.per_person is not None
        else None
    )
    return [total, rank, hours, per_person]


def add_detail_sheet(workbook: Workbook, rows: list[tuple[str, UnitScore | None]]) -> None:
    with translation.override("zh-hans"):
        sheet = workbook.create_sheet("考核得分明细")
        sheet.append(DETAIL_HEADER)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for name, score in rows:
            if score is None or score.scheme is None:
                sheet.append([safe_cell(name), "", NO_SCHEME, "", ""])
                continue
            for line in score.lines:
                sheet.append(
                    [
                        safe_cell(name),
                        line.position,
                        safe_cell(str(line.label)),
                        safe_cell(line.formula),
                        float(line.result),
                    ]
                )
            sheet.append(
                [safe_cell(name), "", "合计", safe_cell(score.sum_formula), float(score.total)]
            )
        sheet.freeze_panes = "A2"


def add_docx_section(document: Document, rows: list[tuple[str, UnitScore | None]]) -> None:
    with translation.override("zh-hans"):
        heading = document.add_paragraph()
        heading.add_run("考核得分明细").bold = True
        scheme = next((s.scheme for _n, s in rows if s is not None and s.scheme), None)
        if scheme is None:
            document.add_paragraph(NO_SCHEME + "。")
            return
        document.add_paragraph(
            f"依据《{scheme.name}》（{scheme.valid_from.year}年{scheme.valid_from.month}月起施行）"
            "逐项计分：指标得分为分值乘以当月指标值（重办率按1减重办率计），无可统计记录的得满分；"
            "扣分项、加分项按件数乘以分值计，不超过上限。培训学时单列，方案未设培训项的不计入得分。"
        )
        for name, score in rows:
            if score is None or score.scheme is None:
                continue
            document.add_paragraph(f"{name}：{score.total}分（{score.sum_formula}）")
            for line in score.lines:
                document.add_paragraph(
                    f"（{line.position}）{line.label}，{line.formula}，计{line.result}分。"
                )

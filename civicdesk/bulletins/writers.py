"""Bulletin documents: XLSX (openpyxl) and DOCX (python-docx), in Chinese, the district's
working language for official documents."""

from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from civicdesk.bulletins.build import BASIS_MEASURES, PROGRESS, BulletinData, ProblemRow

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

FORMULA_STARTS = ("=", "+", "-", "@")
NUMERALS = "一二三四五六七八九十"


def title(data: BulletinData) -> str:
    if data.kind == PROGRESS:
        return "关于全区突出问题整改进展情况的通报"
    return "关于全区突出问题清单的通报"


def period_text(data: BulletinData) -> str:
    return f"{_date(data.period_start)}至{_date(data.period_end)}"


def basis_text(data: BulletinData) -> str:
    if data.basis == BASIS_MEASURES:
        return (
            "整改进展按各问题整改措施的完成进度加权计算；"
            "尚未制定整改措施的问题按关联诉求办结比例计算。"
        )
    return "整改措施功能尚未启用，整改进展按关联诉求办结比例计算。"


def _date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    if n < 20:
        return "十" + NUMERALS[n - 11]
    if n < 100:
        return NUMERALS[n // 10 - 1] + "十" + (NUMERALS[n % 10 - 1] if n % 10 else "")
    return str(n)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def _channels(row: ProblemRow) -> str:
    return "、".join(f"{name}{count}件" for name, count in row.cases_by_channel.items()) or "—"


def _basis_label(row: ProblemRow) -> str:
    return "整改措施" if row.basis == BASIS_MEASURES else "诉求办结"


def safe_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --- XLSX ---------------------------------------------------------------------------------


def _sheet(workbook: Workbook, name: str, header: list[str], rows: list[list], first=False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = name
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    return sheet


def to_xlsx(data: BulletinData) -> bytes:
    progress = data.kind == PROGRESS
    workbook = Workbook()

    header = ["序号", "方面", "类别", "问题"]
    header += [f"{name}（件）" for name in data.channels]
    header += [
        "关联诉求合计",
        "本期办结",
        "超期",
        "牵头单位",
        "配合单位",
        "责任人",
        "专项行动",
    ]
    if progress:
        header += ["整改进展（%）", "进展依据", "整改措施数", "超期措施数"]
    rows = []
    for row in data.problems:
        values = [row.number, row.aspect, row.category, row.title]
        values += [row.cases_by_channel.get(name, 0) for name in data.channels]
        values += [
            row.n_cases,
            row.n_answered,
            row.n_overdue,
            row.lead_unit,
            "、".join(row.co_units),
            row.official,
            "、".join(row.campaigns),
        ]
        if progress:
            values += [
                None if row.progress is None else round(row.progress, 1),
                _basis_label(row),
                row.n_measures,
                row.n_overdue_measures,
            ]
        rows.append(values)
    sheet = _sheet(workbook, "整改进展" if progress else "问题清单", header, rows, first=True)
    sheet.append([])
    sheet.append([f"{title(data)}（{period_text(data)}）"])
    if progress:
        sheet.append([basis_text(data)])

    unit_header = ["单位", "牵头问题数", "配合问题数", "关联诉求", "本期办结", "超期"]
    if progress:
        unit_header += ["平均整改进展（%）", "超期措施数"]
    unit_rows = []
    for unit in data.units:
        values = [unit.name, unit.n_led, unit.n_co, unit.n_cases, unit.n_answered, unit.n_overdue]
        if progress:
            values += [
                None if unit.progress is None else round(unit.progress, 1),
                unit.n_overdue_measures,
            ]
        unit_rows.append(values)
    _sheet(workbook, "单位汇总", unit_header, unit_rows)

    campaign_header = ["专项行动", "问题数", "关联诉求", "本期办结", "超期"]
    if progress:
        campaign_header += ["平均整改进展（%）", "超期措施数"]
    campaign_rows = []
    for campaign in data.campaigns:
        values = [
            campaign.name,
            campaign.n_problems,
            campaign.n_cases,
            campaign.n_answered,
            campaign.n_overdue,
        ]
        if progress:
            values += [
                None if campaign.progress is None else round(campaign.progress, 1),
                campaign.n_overdue_measures,
            ]
        campaign_rows.append(values)
    _sheet(workbook, "专项汇总", campaign_header, campaign_rows)

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- DOCX ---------------------------------------------------------------------------------


def docx_table(document, header: list[str], rows: list[list]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = "" if value is None else str(value)


def intro_text(data: BulletinData) -> str:
    text = (
        f"{period_text(data)}，全区突出问题清单共列入问题{data.n_problems}个，"
        f"涉及{len(data.aspects)}个方面，关联群众诉求{data.n_cases}件，"
        f"其中本期办结{data.n_answered}件，超期未办结{data.n_overdue}件。"
    )
    if data.kind == PROGRESS:
        text += basis_text(data)
        if data.basis == BASIS_MEASURES:
            text += f"目前共有超期整改措施{data.n_overdue_measures}项。"
    return text + "现将有关情况通报如下。"


def to_docx(data: BulletinData) -> bytes:
    progress = data.kind == PROGRESS
    document = Document()
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title(data))
    run.bold = True
    run.font.size = Pt(18)
    period = document.add_paragraph(f"（{period_text(data)}）")
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(intro_text(data))

    section = 0
    header = ["序号", "问题", "关联诉求（按渠道）", "牵头单位", "配合单位", "责任人", "专项行动"]
    if progress:
        header += ["整改进展", "超期措施"]
    for group in data.aspects:
        section += 1
        document.add_heading(f"{_numeral(section)}、{group.name}（{len(group.problems)}个）", 2)
        rows = []
        for row in group.problems:
            values = [
                row.number,
                row.title,
                f"{row.n_cases}件：{_channels(row)}" if row.n_cases else "0件",
                row.lead_unit or "—",
                "、".join(row.co_units) or "—",
                row.official or "—",
                "、".join(row.campaigns) or "—",
            ]
            if progress:
                values += [
                    f"{_percent(row.progress)}（{_basis_label(row)}）",
                    row.n_overdue_measures if row.basis == BASIS_MEASURES else "—",
                ]
            rows.append(values)
        docx_table(document, header, rows)
    if not data.aspects:
        document.add_paragraph("本期清单中暂无问题。")

    section += 1
    document.add_heading(f"{_numeral(section)}、各单位情况", 2)
    unit_header = ["单位", "牵头问题", "配合问题", "关联诉求", "本期办结", "超期"]
    if progress:
        unit_header.append("平均整改进展")
    unit_rows = []
    for unit in data.units:
        values = [unit.name, unit.n_led, unit.n_co, unit.n_cases, unit.n_answered, unit.n_overdue]
        if progress:
            values.append(_percent(unit.progress))
        unit_rows.append(values)
    docx_table(document, unit_header, unit_rows)

    section += 1
    document.add_heading(f"{_numeral(section)}、各专项行动情况", 2)
    campaign_header = ["专项行动", "问题数", "关联诉求", "本期办结", "超期"]
    if progress:
        campaign_header.append("平均整改进展")
    campaign_rows = []
    for campaign in data.campaigns:
        values = [
            campaign.name,
            campaign.n_problems,
            campaign.n_cases,
            campaign.n_answered,
            campaign.n_overdue,
        ]
        if progress:
            values.append(_percent(campaign.progress))
        campaign_rows.append(values)
    docx_table(document, campaign_header, campaign_rows)

    document.add_paragraph(f"{_date(data.generated_on)}生成")
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()

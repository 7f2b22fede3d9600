"""The official score sheet (评分表) as an Excel worksheet, laid out like the source sheet.

Title, the 城市/周期/得分 line, then 序号 项目 类别 分值 评分标准 实际得分 得/扣分原因 备注 with the
section and item cells merged over their criteria; A4 landscape, fitted to width, ready to print.
"""
from __future__ import annotations

from pathlib import Path

from .. import i18n
from ..rubric.engine import Scorecard
from .atomic import write_atomic
from .cellsafe import set_text

COLUMNS = ("seq", "section", "item", "max", "criterion", "score", "reason", "note")
WIDTHS = (6, 14, 16, 7, 48, 9, 52, 12)


def fill_scoresheet(ws, card: Scorecard, lang: str = "zh") -> None:
    """Write one scorecard onto an empty openpyxl worksheet."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    center = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ncol = len(COLUMNS)

    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    set_text(ws.cell(1, 1), card.rubric.title)
    ws.cell(1, 1).font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = center
    ws.row_dimensions[1].height = 30
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
    line = i18n.text("sheet.header_line", lang, city=card.city, period=card.period, total=card.total,
                     max=card.max, percent=card.percent)
    set_text(ws.cell(2, 1), line)
    ws.cell(2, 1).font = Font(bold=True, size=12)
    ws.row_dimensions[2].height = 22
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    for j, key in enumerate(COLUMNS, start=1):
        cell = ws.cell(3, j, i18n.text(f"sheet.col.{key}", lang))
        cell.font = Font(bold=True)
        cell.alignment = center
        cell.fill = head_fill
        cell.border = border
        ws.column_dimensions[cell.column_letter].width = WIDTHS[j - 1]

    row = 4
    section_scores = {s["title"]: s for s in card.sections}
    for s in card.rubric.sections:
        section_start = row
        for item in s.items:
            item_start = row
            for c in item.criteria:
                r = card.item(c.id)
                values = (r.id, f"{s.title}\n({s.max}分)", item.title, r.max, c.text, r.score,
                          "\n".join(r.reasons), "")
                for j, v in enumerate(values, start=1):
                    cell = ws.cell(row, j)
                    set_text(cell, v)
                    cell.border = border
                    cell.alignment = center if j in (1, 2, 3, 4, 6) else wrap
                lines = max(len(c.text) // 24 + 1, sum(len(x) // 26 + 1 for x in r.reasons), 1)
                ws.row_dimensions[row].height = min(15 * lines + 4, 160)
                row += 1
            if row - item_start > 1:
                ws.merge_cells(start_row=item_start, start_column=3, end_row=row - 1, end_column=3)
        if row - section_start > 1:
            ws.merge_cells(start_row=section_start, start_column=2, end_row=row - 1, end_column=2)
        sub = section_scores[s.title]
        set_text(ws.cell(row, 2), i18n.text("score.subtotal", lang, section=s.title))
        ws.cell(row, 4, sub["max"])
        ws.cell(row, 6, sub["score"])
        for j in range(1, ncol + 1):
            ws.cell(row, j).border = border
            ws.cell(row, j).font = Font(bold=True)
            ws.cell(row, j).alignment = center
        row += 1
    set_text(ws.cell(row, 2), i18n.text("sheet.total", lang))
    ws.cell(row, 4, card.max)
    ws.cell(row, 6, card.total)
    set_text(ws.cell(row, 7), f"{card.percent}%")
    for j in range(1, ncol + 1):
        ws.cell(row, j).border = border
        ws.cell(row, j).font = Font(bold=True)
        ws.cell(row, j).alignment = center
    if card.rubric.name.startswith("恒洁") and card.max == 90:
        set_text(ws.cell(row + 1, 1), i18n.text("sheet.row9_note", lang))
        ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=ncol)
        ws.cell(row + 1, 1).alignment = wrap

    ws.print_title_rows = "3:3"
    ws.freeze_panes = "A4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def write_scoresheet(card: Scorecard, out: Path, lang: str = "zh", inputs=()) -> Path:
    from openpyxl import Workbook

    from ..errors import AftersalesError
    from .atomic import refuse_inputs

    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise AftersalesError("err.output_suffix", out)
    refuse_inputs(out, inputs)
    wb = Workbook()
    ws = wb.active
    ws.title = i18n.text("sheet.title", lang)
    fill_scoresheet(ws, card, lang)
    return write_atomic(out, lambda tmp: wb.save(tmp))

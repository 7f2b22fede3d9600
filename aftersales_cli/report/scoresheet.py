"""The official score sheet (评分表) as an Excel worksheet, laid out like the source sheet.

Title, the 城市/周期/得分 line, then 序号 项目 类别 分值 评分标准 实际得分 得/扣分原因 备注 with the
section and item cells merged over their criteria; A4 landscape, fitted to width, ready to print.
"""
from __future__ import annotations

from pathlib import Path

from .. import i18n
from ..errors import AftersalesError
from ..rubric.engine import Scorecard
from .atomic import refuse_inputs, write_atomic
from .cellsafe import text_units
from .xlsxbook import Looks, SheetCells, close_workbook, new_workbook

COLUMNS = ("seq", "section", "item", "max", "criterion", "score", "reason", "note")
WIDTHS = (6, 14, 16, 7, 48, 9, 52, 12)
HEAD_HEIGHT, SUBTOTAL_HEIGHT = 20, 18      # points: the column heads, a subtotal row


def page_rows_capacity(widths=WIDTHS, margin_lr: float = 0.4) -> float:
    """Points of rows (at 100%) one A4 landscape page holds once the sheet is fitted to its width.

    Page 595 pt high less the default top/bottom margins (0.75 in each); the scale is the printable
    width (842 pt less the side margins) over the columns' width (a width of w characters is
    7·w + 5 pixels, 0.75 pt each). 5% is kept back for the renderer's rounding.
    """
    sheet_pt = sum(7 * w + 5 for w in widths) * 0.75
    scale = min(1.0, (842 - 2 * 72 * margin_lr) / sheet_pt)
    return 0.95 * (595 - 2 * 0.75 * 72) / scale


def fill_scoresheet(sheet: SheetCells, card: Scorecard, lang: str = "zh") -> None:
    """Write one scorecard onto an empty `SheetCells` (report/xlsxbook.py).

    A section that fits on one printed page is never split by a page break (a manual break goes
    before it); under the sheet, the 检查人 / 负责人 / 日期 signature line. A4 landscape, fitted to
    the width, the column heads (row 3) on every printed page."""
    put, ncol = sheet.put, len(COLUMNS)

    sheet.merge(1, 1, 1, ncol)
    put(1, 1, card.rubric.title, "title")
    sheet.heights[1] = 30
    sheet.merge(2, 1, 2, ncol)
    line = i18n.text("sheet.header_line", lang, city=card.city, period=card.period, total=card.total,
                     max=card.max, percent=card.percent)
    put(2, 1, line, "header_line")
    sheet.heights[2] = 22
    for j, key in enumerate(COLUMNS, start=1):
        put(3, j, i18n.text(f"sheet.col.{key}", lang), "column")
        sheet.widths[j] = WIDTHS[j - 1]
    sheet.heights[3] = HEAD_HEIGHT

    capacity = page_rows_capacity()
    used = 30 + 22 + HEAD_HEIGHT               # the first page: title, header line, column heads
    row = 4
    section_scores = {s["title"]: s for s in card.sections}
    for s in card.rubric.sections:
        section_start = row
        section = i18n.text("sheet.section", lang, title=s.title, max=s.max)
        block = SUBTOTAL_HEIGHT
        for item in s.items:
            item_start = row
            for c in item.criteria:
                r = card.item(c.id)
                values = (r.id, section if row == section_start else None,
                          item.title if row == item_start else None, r.max, c.text, r.score,
                          "\n".join(r.reasons), "")
                for j, v in enumerate(values, start=1):
                    put(row, j, v, "cell" if j in (1, 2, 3, 4, 6) else "text")
                lines = max(len(c.text) // 24 + 1, sum(len(x) // 26 + 1 for x in r.reasons), 1)
                sheet.heights[row] = min(15 * lines + 4, 160)
                block += sheet.heights[row]
                row += 1
            if row - item_start > 1:
                sheet.merge(item_start, 3, row - 1, 3)
        if row - section_start > 1:
            sheet.merge(section_start, 2, row - 1, 2)
        if used + block > capacity and HEAD_HEIGHT + block <= capacity:
            sheet.breaks.append(section_start - 1)     # the section starts the next page
            used = HEAD_HEIGHT
        used = (used + block) % capacity
        sub = section_scores[s.title]
        label = i18n.text("score.subtotal", lang, section=s.title)
        # the label spans 项目 and 类别 (「服务基础建设 subtotal」 is wider than 项目), its row as tall as its lines
        sheet.merge(row, 2, row, 3)
        lines = -(-text_units(label) // (WIDTHS[1] + WIDTHS[2] - 2))
        sheet.heights[row] = max(SUBTOTAL_HEIGHT, 15 * lines + 4)
        totals = {2: label, 4: sub["max"], 6: sub["score"]}
        for j in range(1, ncol + 1):
            put(row, j, totals.get(j), "total")
        row += 1
    totals = {2: i18n.text("sheet.total", lang), 4: card.max, 6: card.total, 7: f"{card.percent}%"}
    for j in range(1, ncol + 1):
        put(row, j, totals.get(j), "total")
    if card.rubric.note is not None:
        put(row + 1, 1, card.rubric.note.get(lang), "note")
        sheet.merge(row + 1, 1, row + 1, ncol)
    signatures = row + 3
    put(signatures, 1, i18n.text("sheet.signatures", lang), "header_line")
    sheet.merge(signatures, 1, signatures, ncol)
    sheet.heights[signatures] = 30

    sheet.freeze_row = 3
    sheet.title_rows = (3, 3)
    sheet.footer = i18n.text("sheet.page_footer", lang)
    sheet.centered = True


def write_scoresheet(card: Scorecard, out: Path, lang: str = "zh", inputs=()) -> Path:
    """`score --xlsx OUT.xlsx`: the score sheet (评分表), then the fix list (整改清单), written
    atomically and marked `scorecard`. AftersalesError for an output that is not .xlsx or is an input."""
    from .fixlist import fix_sheet          # fixlist builds on this module's columns

    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise AftersalesError("err.output_suffix", out)
    refuse_inputs(out, inputs)
    score = SheetCells()
    fill_scoresheet(score, card, lang)
    sheets = ((i18n.text("sheet.title", lang), score),
              (i18n.text("fixes.sheet", lang), fix_sheet(card, lang)))   # 评分表, 整改清单 in both languages

    def write(path: Path) -> None:
        wb = new_workbook(path, "scorecard")
        looks = Looks(wb)
        for title, cells in sheets:
            cells.emit(wb.add_worksheet(title), looks)
        close_workbook(wb)

    return write_atomic(out, write)

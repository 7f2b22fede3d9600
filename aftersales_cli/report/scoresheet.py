"""The official score sheet (评分表) as an Excel worksheet, laid out like the source sheet.

Title, the 城市/周期/得分 line, then 序号 项目 类别 分值 评分标准 实际得分 得/扣分原因 备注 with the
section and item cells merged over their criteria; A4 landscape, fitted to width, ready to print.
"""
from __future__ import annotations

from pathlib import Path

from .. import i18n
from ..read.marker import mark
from ..rubric.engine import Scorecard
from .atomic import write_atomic
from .cellsafe import set_text

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


def print_setup(ws, title_rows: str | None, lang: str, margin_lr: float = 0.4) -> None:
    """A4 landscape, fitted to the page width, `title_rows` repeated on every printed page, and the
    page number in the footer (第 1 页，共 3 页) — every sheet the tool writes for paper."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = margin_lr
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = i18n.text("sheet.page_footer", lang)


def _style_kinds():
    """The few looks of a score sheet: name → (font, alignment, fill, border) keyword arguments."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    center = Alignment(wrap_text=True, vertical="center", horizontal="center")
    return {
        "title": {"font": Font(bold=True, size=16), "alignment": center},
        "header_line": {"font": Font(bold=True, size=12)},
        "column": {"font": Font(bold=True), "alignment": center, "fill": PatternFill("solid", fgColor="D9E1F2"),
                   "border": border},
        "cell": {"alignment": center, "border": border},
        "text": {"alignment": wrap, "border": border},
        "total": {"font": Font(bold=True), "alignment": center, "border": border},
        "note": {"alignment": wrap},
    }


class Styles:
    """Each look is applied attribute by attribute once per workbook, then copied cell to cell.

    Setting `cell.font = Font(…)` makes openpyxl look the style up in the workbook's tables (slow
    hashing of style objects); copying a styled cell's `_style` (nine integers) is not. `batch`
    writes 300 score sheets into one workbook and shares one Styles across them.
    """

    def __init__(self) -> None:
        self._kinds = _style_kinds()
        self._done: dict = {}

    def apply(self, cell, kind: str) -> None:
        from copy import copy

        done = self._done.get(kind)
        if done is not None:
            cell._style = copy(done)
            return
        for attr, value in self._kinds[kind].items():
            setattr(cell, attr, value)
        self._done[kind] = copy(cell._style)


def _merge(ws, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Merge a range whose covered cells hold no value but keep their borders.

    `ws.merge_cells` would turn the covered cells into MergedCell objects and restyle the range's
    edges through openpyxl's slow style lookup (~6 ms a range, 13 ranges a sheet, 300 sheets in a
    batch); the cells are already styled here, so recording the range is enough.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.merge import MergedCellRange

    ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}"
    ws.merged_cells.add(MergedCellRange(ws, ref))


def fill_scoresheet(ws, card: Scorecard, lang: str = "zh", styles: Styles | None = None) -> None:
    """Write one scorecard onto an empty openpyxl worksheet (`styles`: shared within one workbook).

    A section that fits on one printed page is never split by a page break (a manual break goes
    before it); under the sheet, the 检查人 / 负责人 / 日期 signature line."""
    from openpyxl.worksheet.pagebreak import Break

    style = (styles or Styles()).apply
    ncol = len(COLUMNS)

    _merge(ws, 1, 1, 1, ncol)
    set_text(ws.cell(1, 1), card.rubric.title)
    style(ws.cell(1, 1), "title")
    ws.row_dimensions[1].height = 30
    _merge(ws, 2, 1, 2, ncol)
    line = i18n.text("sheet.header_line", lang, city=card.city, period=card.period, total=card.total,
                     max=card.max, percent=card.percent)
    set_text(ws.cell(2, 1), line)
    style(ws.cell(2, 1), "header_line")
    ws.row_dimensions[2].height = 22
    for j, key in enumerate(COLUMNS, start=1):
        cell = ws.cell(3, j, i18n.text(f"sheet.col.{key}", lang))
        style(cell, "column")
        ws.column_dimensions[cell.column_letter].width = WIDTHS[j - 1]
    ws.row_dimensions[3].height = HEAD_HEIGHT

    capacity = page_rows_capacity()
    used = 30 + 22 + HEAD_HEIGHT               # the first page: title, header line, column heads
    row = 4
    section_scores = {s["title"]: s for s in card.sections}
    for s in card.rubric.sections:
        section_start = row
        block = SUBTOTAL_HEIGHT
        for item in s.items:
            item_start = row
            for c in item.criteria:
                r = card.item(c.id)
                section = i18n.text("sheet.section", lang, title=s.title, max=s.max)
                values = (r.id, section if row == section_start else None,
                          item.title if row == item_start else None, r.max, c.text, r.score,
                          "\n".join(r.reasons), "")
                for j, v in enumerate(values, start=1):
                    cell = ws.cell(row, j)
                    set_text(cell, v)
                    style(cell, "cell" if j in (1, 2, 3, 4, 6) else "text")
                lines = max(len(c.text) // 24 + 1, sum(len(x) // 26 + 1 for x in r.reasons), 1)
                ws.row_dimensions[row].height = min(15 * lines + 4, 160)
                block += ws.row_dimensions[row].height
                row += 1
            if row - item_start > 1:
                _merge(ws, item_start, 3, row - 1, 3)
        if row - section_start > 1:
            _merge(ws, section_start, 2, row - 1, 2)
        if used + block > capacity and HEAD_HEIGHT + block <= capacity:
            ws.row_breaks.append(Break(id=section_start - 1))     # the section starts the next page
            used = HEAD_HEIGHT
        used = (used + block) % capacity
        ws.row_dimensions[row].height = SUBTOTAL_HEIGHT
        sub = section_scores[s.title]
        set_text(ws.cell(row, 2), i18n.text("score.subtotal", lang, section=s.title))
        ws.cell(row, 4, sub["max"])
        ws.cell(row, 6, sub["score"])
        for j in range(1, ncol + 1):
            style(ws.cell(row, j), "total")
        row += 1
    set_text(ws.cell(row, 2), i18n.text("sheet.total", lang))
    ws.cell(row, 4, card.max)
    ws.cell(row, 6, card.total)
    set_text(ws.cell(row, 7), f"{card.percent}%")
    for j in range(1, ncol + 1):
        style(ws.cell(row, j), "total")
    if card.rubric.note is not None:
        set_text(ws.cell(row + 1, 1), card.rubric.note.get(lang))
        _merge(ws, row + 1, 1, row + 1, ncol)
        style(ws.cell(row + 1, 1), "note")
    signatures = row + 3
    set_text(ws.cell(signatures, 1), i18n.text("sheet.signatures", lang))
    _merge(ws, signatures, 1, signatures, ncol)
    style(ws.cell(signatures, 1), "header_line")
    ws.row_dimensions[signatures].height = 30

    ws.freeze_panes = "A4"
    print_setup(ws, "3:3", lang)
    ws.print_options.horizontalCentered = True


def write_scoresheet(card: Scorecard, out: Path, lang: str = "zh", inputs=()) -> Path:
    from openpyxl import Workbook

    from ..errors import AftersalesError
    from .atomic import refuse_inputs

    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise AftersalesError("err.output_suffix", out)
    refuse_inputs(out, inputs)
    from .fixlist import write_fix_sheet

    wb = Workbook()
    ws = wb.active
    ws.title = i18n.text("sheet.title", lang)
    styles = Styles()
    fill_scoresheet(ws, card, lang, styles)
    write_fix_sheet(wb, card, lang, styles)
    mark(wb, "scorecard")
    return write_atomic(out, lambda tmp: wb.save(tmp))

"""What the workbooks the tool writes new (score sheets, 汇总.xlsx, KPI, trend) share: the XlsxWriter
workbook with its options and output marker, the page setups, the named looks of the score sheet
family, and `SheetCells` — a sheet's content built before its workbook exists.

XlsxWriter writes a worksheet where it is added, so sheets cannot be reordered after the fact; a
`SheetCells` is plain Python (cells, merged ranges, heights, widths, page breaks, print titles) that
can be built in any order — the batch builds each city's score sheet as its row arrives — and
written onto a worksheet later (`emit`), in the order the workbook needs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..read.marker import PROPERTY
from .cellsafe import xml_text


def new_workbook(path: Path, kind: str):
    """An XlsxWriter workbook at `path` that writes strings as strings (never formulas, links or
    numbers), carrying the tool-output marker `kind` (read/marker.py).

    Its parts are assembled in memory (XlsxWriter's `in_memory`), not in one temporary file per
    part in the system's temp folder: 汇总.xlsx of 300 cities 1.07 → 0.88 s here (README "Issue 16 —
    session 6"), and no temp files for a virus scanner to open on the users' Windows PCs."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False, "in_memory": True})
    wb.set_custom_property(PROPERTY, kind)
    return wb


def close_workbook(wb) -> None:
    """Write the workbook's file. A failure of the file system (disk full, permissions) is raised as
    the OSError it is — XlsxWriter wraps it in its own FileCreateError, which the atomic writers
    (report/atomic.py) would not recognise as a failed write."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        wb.close()
    except FileCreateError as exc:
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, OSError):
            raise cause from exc
        raise OSError(str(exc)) from exc


def print_page(ws, footer: str) -> None:
    """A4, narrow margins, fitted to the page width; `footer` on the left, "page / pages" on the right."""
    ws.set_paper(9)            # A4
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.set_footer(f"&L&8{footer}&R&8&P / &N")


def print_setup(ws, title_rows: tuple[int, int] | None, footer: str, margin_lr: float = 0.4) -> None:
    """The paper sheets of a score sheet, its fix list and 汇总.xlsx: A4 landscape, fitted to the page
    width, side margins `margin_lr` inches (top and bottom 1 inch), `title_rows` (first, last; Excel's
    1-based numbers) repeated on every printed page, `footer` (第 &P 页，共 &N 页) centred below."""
    ws.set_paper(9)            # A4
    ws.set_landscape()
    ws.set_margins(left=margin_lr, right=margin_lr, top=1.0, bottom=1.0)
    ws.set_header("", {"margin": 0.5})
    ws.set_footer(f"&C{footer}", {"margin": 0.5})
    ws.fit_to_pages(1, 0)
    if title_rows:
        ws.repeat_rows(title_rows[0] - 1, title_rows[1] - 1)


def column_width(ws, column: int, width: float) -> None:
    """Column `column` (1-based) `width` characters wide as stored in the file (Excel's
    `<col width>`), as openpyxl wrote it: XlsxWriter adds the cell padding to the width it is given
    (w characters are 7·w + 5 pixels), so it is given 5 pixels less."""
    ws.set_column(column - 1, column - 1, max(width - 5 / 7, 0))


#: The looks of the score sheet, its fix list and 汇总.xlsx, as XlsxWriter format properties.
_BORDER = {"border": 1, "border_color": "#808080"}
_CENTER = {"text_wrap": True, "valign": "vcenter", "align": "center"}
LOOKS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 16, **_CENTER},
    "header_line": {"bold": True, "font_size": 12},
    "column": {"bold": True, **_CENTER, "bg_color": "#D9E1F2", **_BORDER},
    "cell": {**_CENTER, **_BORDER},
    "text": {"text_wrap": True, "valign": "vcenter", **_BORDER},
    "total": {"bold": True, **_CENTER, **_BORDER},
    "note": {"text_wrap": True, "valign": "vcenter"},
    "plain": {},
    "top_wrap": {"text_wrap": True, "valign": "top"},
    "sheet_title": {"bold": True, "font_size": 14, "valign": "vcenter"},
}


class Looks:
    """The XlsxWriter formats of one workbook: a named look (`LOOKS`), optionally with more
    properties (`num_format`, `bg_color` …), made once per workbook and reused."""

    def __init__(self, wb) -> None:
        self.wb = wb
        self._made: dict[tuple, Any] = {}

    def __call__(self, name: str | None, **extra: Any):
        if name is None and not extra:
            return None
        key = (name, *sorted(extra.items()))
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self.wb.add_format({**LOOKS[name or "plain"], **extra})
        return made


def write_value(ws, row: int, col: int, value: Any, fmt=None) -> None:
    """One cell (0-based, XlsxWriter's numbering): text always as text (never a formula, control
    characters XML cannot hold dropped), a number as a number, None or "" as a blank that keeps `fmt`."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, xml_text(value), fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    else:
        ws.write_number(row, col, value, fmt)


def merge_value(ws, first_row: int, first_col: int, last_row: int, last_col: int, value: Any, fmt=None) -> None:
    """A merged range (0-based) showing `value` (as `write_value` writes it) in `fmt` over the range."""
    ws.merge_range(first_row, first_col, last_row, last_col, None, fmt)
    write_value(ws, first_row, first_col, value, fmt)


class SheetCells:
    """One worksheet's content before its workbook exists, in Excel's 1-based numbering (A1 is row 1,
    column 1): cell values with their look names, merged ranges, row heights, column widths, manual
    page breaks, the frozen rows, the print titles and footer. Writing a cell twice keeps the last
    value, like a spreadsheet. `emit` writes it all onto an XlsxWriter worksheet.

    A merged range shows its first cell's value and look over the whole range (XlsxWriter styles the
    covered cells with the range's format).
    """

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], tuple[Any, str | None]] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.heights: dict[int, float] = {}
        self.widths: dict[int, float] = {}
        self.breaks: list[int] = []
        self.freeze_row = 0                       # rows above the frozen line
        self.title_rows: tuple[int, int] | None = None
        self.footer = ""
        self.centered = False

    @property
    def max_row(self) -> int:
        """The last row holding a cell (0: none)."""
        return max((row for row, _ in self.cells), default=0)

    def put(self, row: int, col: int, value: Any, look: str | None = None) -> None:
        self.cells[row, col] = (value, look)

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        self.merges.append((first_row, first_col, last_row, last_col))

    def emit(self, ws, looks: Looks) -> None:
        for col, width in self.widths.items():
            column_width(ws, col, width)
        for row, height in self.heights.items():
            ws.set_row(row - 1, height)
        covered: set[tuple[int, int]] = set()
        for r1, c1, r2, c2 in self.merges:
            value, look = self.cells.get((r1, c1), (None, None))
            merge_value(ws, r1 - 1, c1 - 1, r2 - 1, c2 - 1, value, looks(look))
            covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
        for (row, col), (value, look) in self.cells.items():
            if (row, col) not in covered:
                write_value(ws, row - 1, col - 1, value, looks(look))
        if self.breaks:
            ws.set_h_pagebreaks(self.breaks)
        if self.freeze_row:
            ws.freeze_panes(self.freeze_row, 0)
        print_setup(ws, self.title_rows, self.footer)
        if self.centered:
            ws.center_horizontally()

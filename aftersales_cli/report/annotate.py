"""The annotated copy (`validate --annotate OUT.xlsx`): the input with every finding on its cell.

A single `.xlsx`/`.xlsm` input is loaded with openpyxl, so its styles, merged cells and formulas
stay as they are. A `.csv`, `.xls` or `.ods` input, or a submission of several files, is rebuilt
from the raw sheets the reader kept: each value at its original row and column, one sheet per
input sheet. Then every cell with a finding is filled (red for error, yellow for format and
warning) and carries the findings' messages as one comment, and a sheet `问题清单` lists every
finding with a link to its cell. Text taken from the input is always written as text, never as a
formula; the input itself is only read.

The work is linear in cells plus findings: findings are grouped by cell once and each cell is
reached directly, never by scanning rows.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import unicodedata
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .. import i18n
from ..errors import AftersalesError
from ..read.marker import mark
from .atomic import refuse_inputs, write_atomic
from .cellsafe import set_text
from .names import sheet_name

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from ..read.files import RawSheet
    from ..validate.engine import ValidationResult
    from ..core.finding import Finding

#: Fill colours (ARGB): red for errors, yellow for format findings and warnings.
ERROR_FILL = "FFFF9999"
WARNING_FILL = "FFFFFF99"
FILLS = {"error": ERROR_FILL, "format": WARNING_FILL, "warning": WARNING_FILL}
RANK = {"error": 0, "format": 1, "warning": 2, "info": 3}
LINK_COLOR = "FF0563C1"
AUTHOR = "aftersales"
OPENPYXL_SUFFIXES = (".xlsx", ".xlsm")
MAX_CELL_TEXT = 32767            # Excel's limit for the text of one cell
LIST_COLUMNS = ("severity", "code", "file", "sheet", "cell", "header", "value", "message")
LIST_WIDTHS = (8, 8, 22, 14, 9, 14, 22, 70)

Where = dict[tuple[str, str], str]   # (file key, original sheet name) -> sheet title in the copy


def write_annotated(result: "ValidationResult", out: Path, lang: str) -> Path:
    """Write the annotated copy of the validated input to `out` (an .xlsx); return its path."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise AftersalesError("err.output_suffix", out)
    sub = result.submission
    refuse_inputs(out, _input_paths(result))
    wb, where = _copy(sub)
    annotate_cells(wb, where, result.findings, lang)
    add_findings_sheet(wb, where, result.findings, lang)
    mark(wb, "annotated")
    return write_atomic(out, wb.save)


def _input_paths(result: "ValidationResult") -> list[str]:
    """Every file the result was read from, including context datasets given beside the input."""
    sub = result.submission
    paths = {*map(str, sub.files), *(s.file for s in sub.sheets), *(d.file for d in sub.datasets.values())}
    paths.update(c.ds.file for c in result.checked.values())
    return sorted(p for p in paths if p)


def _file_key(path: str | None) -> str:
    return os.path.normcase(os.path.abspath(path)) if path else ""


# --- the copy ----------------------------------------------------------------------------------

def _copy(sub) -> tuple["Workbook", Where]:
    files = [str(f) for f in sub.files]
    if len(files) == 1 and Path(files[0]).suffix.lower() in OPENPYXL_SUFFIXES:
        try:
            wb = _load(Path(files[0]))
        except Exception:  # noqa: BLE001 - openpyxl cannot open every file calamine can: rebuild it
            wb = None
        if wb is not None:
            key = _file_key(files[0])
            return wb, {(key, ws.title): ws.title for ws in wb.worksheets}
    return rebuild(sub.sheets, several=len({s.file for s in sub.sheets}) > 1, datasets=sub.datasets.values())


def _load(path: Path) -> "Workbook":
    import openpyxl

    with warnings.catch_warnings():  # "extension not supported" and the like: not the user's concern
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    # openpyxl keeps formulas but not their cached values: have Excel compute them on opening.
    if wb.calculation is not None:
        wb.calculation.fullCalcOnLoad = True
    return wb


def rebuild(sheets: Iterable["RawSheet"], several: bool = False, datasets: Iterable = ()) -> tuple["Workbook", Where]:
    """A new workbook holding each raw sheet's values at their original positions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    sheets = list(sheets)
    wb = Workbook()
    wb.remove(wb.active)
    where: Where = {}
    headers = {(_file_key(d.file), d.sheet): d.header_row for d in datasets}
    for sheet, title in zip(sheets, sheet_titles(sheets, several)):
        ws = wb.create_sheet(title)
        where[(_file_key(sheet.file), sheet.name)] = title
        for i, row in enumerate(sheet.rows, start=1):
            for j, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                put_value(ws.cell(row=i, column=j), value)
        for (r, c), (_kind, shown) in sheet.bad_cells.items():  # uncached formulas, #REF! …: as text
            cell = ws.cell(row=r + 1, column=c + 1)
            if cell.value is None:
                set_text(cell, shown)
        for (r0, c0), (r1, c1) in sheet.merged or ():
            if (r0, c0) != (r1, c1):
                ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        header_row = headers.get((_file_key(sheet.file), sheet.name))
        if header_row:
            ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
            bold = Font(bold=True)
            for cell in ws[header_row]:
                if cell.value is not None and not _is_merged(cell):
                    cell.font = bold
        _fit_widths(ws, sheet.rows)
        if sheet.hidden:
            ws.sheet_state = "hidden"
    return wb, where


def sheet_titles(sheets: list["RawSheet"], several: bool) -> list[str]:
    """Excel-safe, unique sheet titles; with several files a clashing name gets its file's stem."""
    clean = [sheet_name(s.name, set()) for s in sheets]
    counts: dict[str, int] = {}
    for t in clean:
        counts[t.lower()] = counts.get(t.lower(), 0) + 1
    used: set[str] = set()
    titles = []
    for sheet, title in zip(sheets, clean):
        if several and counts[title.lower()] > 1:
            title = f"{Path(sheet.file).stem}-{sheet.name}"
        titles.append(sheet_name(title, used))
    return titles


def put_value(cell, value: Any) -> None:
    """Write one input value: text as text (never a formula), numbers as numbers, dates as dates."""
    if isinstance(value, str):
        set_text(cell, value[:MAX_CELL_TEXT])
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            set_text(cell, str(value))
        else:
            cell.value = value
    elif isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
        cell.value = value
        cell.number_format = "yyyy-mm-dd hh:mm:ss" if value.time() != dt.time() else "yyyy-mm-dd"
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, dt.time):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = "hh:mm:ss"
    elif isinstance(value, dt.timedelta):
        cell.value = value
        cell.number_format = "[h]:mm:ss"
    else:
        set_text(cell, str(value))


def _fit_widths(ws: "Worksheet", rows: list[list[Any]], sample: int = 200) -> None:
    from openpyxl.utils import get_column_letter

    from ..core.finding import display

    widths: dict[int, int] = {}
    for row in rows[:sample]:
        for j, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            widths[j] = max(widths.get(j, 0), _text_width(display(value)))
    for j, w in widths.items():
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 40)


def _text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text[:60])


def _is_merged(cell) -> bool:
    from openpyxl.cell.cell import MergedCell

    return isinstance(cell, MergedCell)


# --- marking the cells -------------------------------------------------------------------------

def _target(where: Where, f: "Finding") -> str | None:
    if not f.sheet:
        return None
    return where.get((_file_key(f.file), f.sheet))


def annotate_cells(wb: "Workbook", where: Where, findings: Iterable["Finding"], lang: str) -> None:
    """Fill and comment every cell that has a finding (one comment per cell, one line per finding)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    from openpyxl.utils import column_index_from_string

    by_cell: dict[tuple[str, int, int], list] = {}
    for f in findings:
        title = _target(where, f)
        if title is None or not f.row or not f.column:
            continue
        try:
            col = column_index_from_string(f.column)
        except ValueError:
            continue
        ws = wb[title]
        row, col = _anchor(ws, f.row, col)
        by_cell.setdefault((title, row, col), []).append(f)

    fills = {sev: PatternFill(fill_type="solid", start_color=rgb, end_color=rgb) for sev, rgb in FILLS.items()}
    for (title, row, col), found in by_cell.items():
        cell = wb[title].cell(row=row, column=col)
        worst = min((f.severity for f in found), key=RANK.__getitem__)
        if worst in fills:
            cell.fill = fills[worst]
        lines = [comment_line(f, lang) for f in found]
        if cell.comment is not None and cell.comment.text:
            lines = [cell.comment.text.rstrip(), "—" * 8, *lines]
        text = "\n".join(lines)
        longest = max(_text_width(line) for line in lines)
        width = min(max(longest * 6, 180), 420)
        wrapped = sum(max(1, math.ceil(_text_width(line) * 6 / width)) for line in lines)
        cell.comment = Comment(text, AUTHOR, height=min(20 + 16 * wrapped, 400), width=width)


def comment_line(f: "Finding", lang: str) -> str:
    return i18n.text("annotate.comment_line", lang, severity=i18n.text(f"severity.{f.severity}", lang),
                     code=f.code, message=f.message(lang))


def _anchor(ws: "Worksheet", row: int, col: int) -> tuple[int, int]:
    """The top-left cell of the merged range holding (row, col), else the cell itself."""
    cell = ws._cells.get((row, col))  # peek without creating: most cells are not merged
    if cell is None or not _is_merged(cell):
        return row, col
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return rng.min_row, rng.min_col
    return row, col


# --- the findings sheet ------------------------------------------------------------------------

def add_findings_sheet(wb: "Workbook", where: Where, findings: list["Finding"], lang: str) -> "Worksheet":
    """The `问题清单` sheet, first and active: one row per finding, linked to its cell."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import column_index_from_string, get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    used = {ws.title.lower() for ws in wb.worksheets}
    ws = wb.create_sheet(sheet_name(i18n.text("annotate.sheet", lang), used), 0)
    bold = Font(bold=True)
    for j, key in enumerate(LIST_COLUMNS, start=1):
        cell = ws.cell(row=1, column=j)
        set_text(cell, i18n.text(f"col.{key}", lang))
        cell.font = bold
        ws.column_dimensions[get_column_letter(j)].width = LIST_WIDTHS[j - 1]
    fills = {sev: PatternFill(fill_type="solid", start_color=rgb, end_color=rgb) for sev, rgb in FILLS.items()}
    link_font = Font(color=LINK_COLOR, underline="single")
    wrap = Alignment(wrap_text=True, vertical="top")
    cell_col = LIST_COLUMNS.index("cell") + 1
    r = 1
    for f in findings:
        r += 1
        values = (i18n.text(f"severity.{f.severity}", lang), f.code, Path(f.file).name if f.file else "",
                  f.sheet or "", f.cell or "", f.header or "")
        for j, value in enumerate(values, start=1):
            set_text(ws.cell(row=r, column=j), value)
        if f.value is not None and f.value != "":
            put_value(ws.cell(row=r, column=LIST_COLUMNS.index("value") + 1), f.value)
        msg = ws.cell(row=r, column=len(LIST_COLUMNS))
        set_text(msg, f.message(lang))
        msg.alignment = wrap
        if f.severity in fills:
            ws.cell(row=r, column=1).fill = fills[f.severity]
        title = _target(where, f)
        if title is not None:
            ref = f"A{f.row or 1}"
            if f.cell:  # a merged cell: link to the range's top-left cell
                try:
                    row, col = _anchor(wb[title], f.row, column_index_from_string(f.column))
                    ref = f"{get_column_letter(col)}{row}"
                except ValueError:
                    pass
            link = ws.cell(row=r, column=cell_col)
            if not f.cell:
                set_text(link, i18n.text("annotate.goto", lang))
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_title(title)}!{ref}")
            link.font = link_font
    if not findings:
        set_text(ws.cell(row=2, column=1), i18n.text("annotate.none", lang))
    ws.freeze_panes = "A2"
    if findings:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(LIST_COLUMNS))}{r}"
    for other in wb.worksheets:  # only the list is selected, or Excel would group the sheets
        other.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = ws
    return ws


def quote_title(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"

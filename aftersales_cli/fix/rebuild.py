"""The fixed copy of a file that cannot be patched in place (fixes.md §2).

`.xls`, `.xlsb`, `.ods` and packages whose sheet XML cannot be patched become an `.xlsx` holding the
values with every cell in its place, the merged ranges and the column widths (a package's, as
openpyxl reads them; else fitted to the values); a `.csv` is written back as UTF-8 with BOM in the CSV standard forms of formats.md
(dates `YYYY-MM-DD`, numbers as plain digits).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any, Sequence

from ..core.cells import col_letter
from ..report.cellsafe import text_units

DATE_FORMAT = "yyyy-mm-dd"


def csv_text(value: Any) -> str:
    """A standard value in the CSV standard form of formats.md."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(src: Path, dst: Path, edits: dict[tuple[int, int], Any]) -> None:
    """`src` read as the reader reads it (read/files.read_csv), `edits` ((row, col0) → value) applied,
    written to `dst` as UTF-8 with BOM, comma-separated."""
    from ..read.files import read_csv

    rows = [list(r) for r in read_csv(src).rows]
    for (row, col), value in edits.items():
        rows[row - 1][col] = csv_text(value)
    with open(dst, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)


def write_rebuilt(src: Path, dst: Path, edits: dict[str, dict[tuple[int, int], Any]], log_name: str,
                  log_rows: Sequence[Sequence[str]], widths: Sequence[int], limits=None) -> None:
    """`src`'s sheets as values (read/files.open_workbook) in an .xlsx at `dst`, `edits` (sheet →
    {(row, col0): value}) applied, merged ranges and column widths kept, a last sheet `log_name`."""
    from openpyxl import Workbook
    from openpyxl.worksheet.properties import PageSetupProperties

    from ..read.files import open_workbook

    widths_of = _widths(src)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in open_workbook(src, limits):
        ws = wb.create_sheet(sheet.name)
        mine = edits.get(sheet.name, {})
        for r, values in enumerate(sheet.rows, start=1):
            for c, value in enumerate(values):
                value = mine.get((r, c), value)
                if value is None or value == "":
                    continue
                cell = ws.cell(row=r, column=c + 1, value=value)
                if isinstance(value, dt.date):
                    cell.number_format = DATE_FORMAT
        for (r0, c0), (r1, c1) in sheet.merged:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        used = {col_letter(c) for c in range(max((len(r) for r in sheet.rows), default=0))}
        for letter, width in (widths_of.get(sheet.name) or _fitted(sheet.rows, mine)).items():
            if letter in used:
                ws.column_dimensions[letter].width = width
        if sheet.hidden:
            ws.sheet_state = "hidden"
    log = wb.create_sheet(log_name)
    for row in log_rows:
        log.append(list(row))
    for i, w in enumerate(widths):
        log.column_dimensions[col_letter(i)].width = w
    log.freeze_panes = "A2"
    log.page_setup.orientation = "landscape"
    log.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    log.page_setup.fitToWidth, log.page_setup.fitToHeight = 1, 0
    wb.save(dst)


def _fitted(rows: list[list[Any]], edits: dict) -> dict[str, float]:
    """Widths for a sheet whose source gives none (.xls, .ods): each column as wide as its longest
    value (a CJK character counts two), 8 to 40 characters, so no date shows as ###."""
    longest: dict[int, int] = {}
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            value = edits.get((r, c), value)
            if value is None or value == "":
                continue
            text = value.isoformat()[:10] if isinstance(value, dt.date) else str(value)
            n = text_units(text)
            longest[c] = max(longest.get(c, 0), n)
    return {col_letter(c): float(min(40, max(8, n + 2))) for c, n in longest.items()}


_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_UNITS_CM = {"cm": 1.0, "mm": 0.1, "in": 2.54, "pt": 2.54 / 72}
_CM_PER_CHAR = 0.247         # one character of width as LibreOffice converts it (xlsx width 12 ↔ 2.96 cm)


def _ods_widths(src: Path) -> dict[str, dict[str, float]]:
    """Column widths by sheet of an .ods (content.xml: each table-column's style width), in characters."""
    import re
    import zipfile

    from defusedxml.ElementTree import iterparse

    from ..read.ods import _T

    try:
        with zipfile.ZipFile(src) as z:
            content = z.read("content.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return {}
    widths: dict[str, float] = {}
    out: dict[str, dict[str, float]] = {}
    sheet, col = None, 0
    style_name, st = None, f"{{{_STYLE}}}"
    for event, el in iterparse(io.BytesIO(content), events=("start", "end")):
        if event == "start":
            if el.tag == st + "style" and el.get(st + "family") == "table-column":
                style_name = el.get(st + "name")
            elif el.tag == st + "table-column-properties" and style_name:
                m = re.match(r"^([\d.]+)(cm|mm|in|pt)$", el.get(st + "column-width", ""))
                if m:
                    widths[style_name] = float(m.group(1)) * _UNITS_CM[m.group(2)] / _CM_PER_CHAR
            elif el.tag == _T + "table":
                sheet, col = el.get(_T + "name"), 0
                out[sheet] = {}
            elif el.tag == _T + "table-column" and sheet is not None:
                repeat = min(int(el.get(_T + "number-columns-repeated", "1")), 16384)
                width = widths.get(el.get(_T + "style-name", ""))
                for c in range(col, min(col + repeat, 256)):
                    if width:
                        out[sheet][col_letter(c)] = round(width, 2)
                col += repeat
            elif el.tag == _T + "table-row":
                el.clear()
    return out


def _widths(src: Path) -> dict[str, dict[str, float]]:
    """Column widths by sheet where they can be read: an .xlsx package (openpyxl), an .ods
    (content.xml); none otherwise (.xls: calamine does not report them)."""
    if src.suffix.lower() == ".ods":
        return _ods_widths(src)
    if src.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    try:
        from openpyxl import load_workbook
        wb = load_workbook(src, read_only=False)
    except Exception:   # noqa: BLE001 - widths are a nicety: a package openpyxl cannot read keeps none
        return {}
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = {k: d.width for k, d in ws.column_dimensions.items() if d.width and d.customWidth}
    return out

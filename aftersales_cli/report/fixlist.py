"""The fix list (整改清单, fixes.md §1) for people: a terminal table after the scorecard, and rows
on a worksheet — the second sheet of `score --xlsx`, and below each city's score sheet in 汇总.xlsx.

The worksheet layout lies on the score sheet's own column grid (report/scoresheet.py WIDTHS), so
that the list can sit under a score sheet on the same sheet: A 评分项, B 类别, C 失分, D 可挽回,
E 原因 and the findings behind it (every cell), F 可自动修正, G 整改措施, then H 责任人 and I 完成日期
left blank for the manager.
"""
from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from .. import i18n
from .cellsafe import wrapped_lines
from .scoresheet import WIDTHS
from .xlsxbook import SheetCells

COLUMNS = ("id", "title", "lost", "regain", "cause", "fixable", "action", "owner", "due")
EXTRA_WIDTHS = (12,)            # I 完成日期, to the right of the score sheet's eight columns
CELLS_PER_ROW = 90              # a long list of cells continues on the rows below (a row is 409 pt at most)
TERMINAL_CELLS = 8              # cells shown per entry in the terminal (every one in JSON and xlsx)


def findings_text(entry: dict[str, Any], lang: str, limit: int | None = None) -> str:
    """"CE021×10， RR008×3" and the cells grouped by sheet ("维修日报表!F5、 F9"); `limit` cells at
    most, then "…等 n 处". A space follows each separator, so that a wrapped cell or terminal column
    breaks between two codes or cell references, never inside one ("CE023×1" / "0")."""
    f = entry["findings"]
    sep = i18n.text("fixes.codes_separator", lang)
    lines = []
    if f["counts"]:
        lines.append(sep.join(f"{code}×{n}" for code, n in f["counts"].items()))
    cells = f["cells"] if limit is None else f["cells"][:limit]
    by_sheet: dict[str, list[str]] = {}
    for c in cells:
        sheet, _, ref = c.rpartition("!")
        by_sheet.setdefault(sheet, []).append(ref)
    listed = i18n.text("fixes.cells_separator", lang)
    lines += [f"{sheet}!{listed.join(refs)}" for sheet, refs in by_sheet.items()]
    if limit is not None and len(f["cells"]) > limit:
        lines[-1] += i18n.text("fixes.more_cells", lang, n=len(f["cells"]))
    return "\n".join(lines)


def regain_text(entry: dict[str, Any], lang: str) -> str:
    """The regain as shown: the number, or — where no cell edit brings the points back."""
    return i18n.text("fixes.regain_null", lang) if entry["regain"] is None else str(entry["regain"])


def render(fixes, lang: str):
    """The fix list as a rich table (or one line when nothing is lost)."""
    if not fixes:
        return Text(i18n.text("fixes.none", lang), style="green")
    table = Table(title=Text(i18n.text("fixes.title", lang)), show_lines=True, title_justify="left")
    for key, width in (("id", 6), ("lost", 4), ("regain", 6), ("cause", 34), ("action", 34),
                       ("findings", 30), ("fixable", 6)):
        table.add_column(i18n.text(f"fixes.col.{key}", lang), max_width=width, overflow="fold",
                         justify="right" if key in ("lost", "regain", "fixable") else "left")
    for e in fixes:
        style = "dim" if e["regain"] is None else ("bold" if e["regain"] else "")
        table.add_row(Text(e["id"]), str(e["lost"]), Text(regain_text(e, lang), style=style), Text(e["cause"]),
                      Text(e["action"]), Text(findings_text(e, lang, TERMINAL_CELLS)), str(e["fixable"]))
    return table


def fill_fixlist(sheet: SheetCells, fixes, lang: str, start: int = 1, heading: str | None = None) -> int:
    """Write the fix list onto `sheet` from row `start`: a heading line (`heading`, merged over the
    columns), the column heads, one row per entry, and a note on what — means. Sets the widths of
    the columns right of the score sheet's; returns the row after the last one written."""
    put, ncol = sheet.put, len(COLUMNS)
    for j, width in enumerate(EXTRA_WIDTHS, start=len(WIDTHS) + 1):
        sheet.widths[j] = width
    row = start
    if heading is not None:
        sheet.merge(row, 1, row, ncol)
        put(row, 1, heading, "header_line")
        sheet.heights[row] = 24
        row += 1
    for j, key in enumerate(COLUMNS, start=1):
        put(row, j, i18n.text(f"fixes.col.{key}", lang), "column")
    sheet.heights[row] = 20
    row += 1
    if not fixes:
        sheet.merge(row, 1, row, ncol)
        put(row, 1, i18n.text("fixes.none", lang), "text")
        return row + 1
    for e in fixes:
        cells = e["findings"]["cells"]
        chunks = [cells[i:i + CELLS_PER_ROW] for i in range(0, len(cells), CELLS_PER_ROW)] or [[]]
        for k, chunk in enumerate(chunks):
            part = {"findings": {"counts": e["findings"]["counts"] if k == 0 else {}, "cells": chunk}}
            found = findings_text(part, lang)
            if k == 0:
                cause = e["cause"] + ("\n" + i18n.text("fixes.col.findings", lang) + "：" + found if found else "")
                values = (e["id"], e["title"], e["lost"], regain_text(e, lang) if e["regain"] is None else e["regain"],
                          cause, e["fixable"], e["action"], None, None)
            else:           # the rest of a long list of cells, on rows of their own
                cause = found
                values = (None, None, None, None, cause, None, None, None, None)
            for j, v in enumerate(values, start=1):
                put(row, j, v, "text" if COLUMNS[j - 1] in ("cause", "action") else "cell")
            lines = max(wrapped_lines(cause, WIDTHS[4]), wrapped_lines(e["action"], WIDTHS[6]) if k == 0 else 1)
            sheet.heights[row] = min(15 * lines + 6, 409)
            row += 1
    sheet.merge(row, 1, row, ncol)
    put(row, 1, i18n.text("fixes.sheet_note", lang), "note")
    return row + 1


def fix_sheet(card, lang: str) -> SheetCells:
    """The 整改清单 sheet of `score --xlsx`: its own title line, then the list; A4 landscape, the
    column heads (row 2) on every printed page."""
    sheet = SheetCells()
    for j, width in enumerate(WIDTHS, start=1):
        sheet.widths[j] = width
    heading = i18n.text("fixes.sheet_title", lang, city=card.city, period=card.period, total=card.total, max=card.max)
    fill_fixlist(sheet, card.fixes, lang, 1, heading)
    sheet.freeze_row = 2
    sheet.title_rows = (2, 2)
    sheet.footer = i18n.text("sheet.page_footer", lang)
    return sheet


def below_scoresheet(sheet: SheetCells, fixes, lang: str) -> None:
    """A city's fix list under its score sheet (汇总.xlsx): two rows below the signature line,
    starting a printed page of its own; a city with nothing to fix gets one line, no page."""
    start = sheet.max_row + 2
    if not fixes:
        sheet.put(start, 1, i18n.text("fixes.none", lang), "header_line")
        return
    sheet.breaks.append(start - 1)
    fill_fixlist(sheet, fixes, lang, start, i18n.text("fixes.title", lang))

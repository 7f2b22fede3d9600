"""What the XlsxWriter workbooks (KPI, trend) share: the workbook options and marker, and the page setup."""
from __future__ import annotations

from pathlib import Path

from ..read.marker import PROPERTY


def new_workbook(path: Path, kind: str):
    """An XlsxWriter workbook at `path` that writes strings as strings (never formulas, links or
    numbers), carrying the tool-output marker `kind` (read/marker.py)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    wb.set_custom_property(PROPERTY, kind)
    return wb


def print_page(ws, footer: str) -> None:
    """A4, narrow margins, fitted to the page width; `footer` on the left, "page / pages" on the right."""
    ws.set_paper(9)            # A4
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.set_footer(f"&L&8{footer}&R&8&P / &N")

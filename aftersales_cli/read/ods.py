"""What python-calamine does not report from an .ods file: merged ranges, error cells, uncached formulas.

Walks content.xml once with defusedxml's iterparse, counting repeated rows and columns, and
records every cell that spans more than one row or column, every error cell (LibreOffice marks
it `calcext:value-type="error"`; other writers leave the error text as the formula's string
result) and every formula cell without a cached value (realworld.md "Inside the workbook").
A file with none of these (a C-level search of the bytes) is not walked at all.
"""
from __future__ import annotations

import io
import re

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_T = f"{{{TABLE}}}"
_O = f"{{{OFFICE}}}"
_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})

# <table:null-date table:date-value="1904-01-01"/> in table:calculation-settings (any prefix)
_NULL_DATE_1904 = re.compile(rb"""null-date\b[^>]*date-value\s*=\s*["']1904-01-01""")

Merges = dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]
BadCells = dict[str, dict[tuple[int, int], tuple[str, str]]]


def ods_scan(content: bytes) -> tuple[Merges, BadCells]:
    """(sheet → merged ranges, sheet → {(row0, col0): ("error", "#N/A") | ("formula", "=…")})."""
    if b"-spanned" not in content and b"formula" not in content and b'"error"' not in content:
        return {}, {}
    from defusedxml.ElementTree import iterparse

    merges: Merges = {}
    bad: BadCells = {}
    sheet, row, col = None, 0, 0
    for event, el in iterparse(io.BytesIO(content), events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == _T + "table":
                sheet, row = el.get(_T + "name"), 0
                merges.setdefault(sheet, [])
                bad.setdefault(sheet, {})
            elif tag == _T + "table-row":
                col = 0
            continue
        if tag in (_T + "table-cell", _T + "covered-table-cell"):
            repeat = int(el.get(_T + "number-columns-repeated", "1"))
            cols = int(el.get(_T + "number-columns-spanned", "1"))
            rows = int(el.get(_T + "number-rows-spanned", "1"))
            if sheet is not None:
                if cols > 1 or rows > 1:
                    merges[sheet].append(((row, col), (row + rows - 1, col + cols - 1)))
                what = _bad(el)
                if what is not None:
                    for c in range(col, col + min(repeat, 1024)):
                        bad[sheet][(row, c)] = what
            col += repeat
            el.clear()
        elif tag == _T + "table-row":
            row += int(el.get(_T + "number-rows-repeated", "1"))
            el.clear()
    return {k: v for k, v in merges.items() if v}, {k: v for k, v in bad.items() if v}


def is_date1904(content: bytes) -> bool:
    """True when content.xml sets the null date to 1904-01-01 (a 1904-system workbook re-saved
    by LibreOffice keeps it): plain-number serials count from there (realworld.md "1904 dates")."""
    return _NULL_DATE_1904.search(content) is not None


def _bad(el) -> tuple[str, str] | None:
    formula = el.get(_T + "formula")
    kind = el.get(f"{{{CALCEXT}}}value-type")
    typ = el.get(_O + "value-type")
    if kind == "error" or (formula and typ == "string"):
        text = "".join(el.itertext()).strip()
        if kind == "error" or text in _ERRORS or text.startswith("Err:"):
            return ("error", text or "#ERROR")
    if formula and typ is None:
        prefix, sep, rest = formula.partition(":")        # `of:=[.A1]/0`: the namespace of the syntax
        body = rest if sep and prefix.isalpha() else formula
        return ("formula", body if body.startswith("=") else "=" + body)
    return None

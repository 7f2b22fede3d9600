"""Merged ranges of an .ods file, which python-calamine does not report.

Walks content.xml once with defusedxml's iterparse, counting repeated rows and columns, and
records every cell that spans more than one row or column.
"""
from __future__ import annotations

import io

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_T = f"{{{TABLE}}}"


def ods_merges(content: bytes) -> dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]:
    if b"number-columns-spanned" not in content and b"number-rows-spanned" not in content:
        return {}
    from defusedxml.ElementTree import iterparse

    merges: dict[str, list] = {}
    sheet, row, col = None, 0, 0
    for event, el in iterparse(io.BytesIO(content), events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == _T + "table":
                sheet, row = el.get(_T + "name"), 0
                merges.setdefault(sheet, [])
            elif tag == _T + "table-row":
                col = 0
            continue
        if tag in (_T + "table-cell", _T + "covered-table-cell"):
            repeat = int(el.get(_T + "number-columns-repeated", "1"))
            cols = int(el.get(_T + "number-columns-spanned", "1"))
            rows = int(el.get(_T + "number-rows-spanned", "1"))
            if sheet is not None and (cols > 1 or rows > 1):
                merges[sheet].append(((row, col), (row + rows - 1, col + cols - 1)))
            col += repeat
            el.clear()
        elif tag == _T + "table-row":
            row += int(el.get(_T + "number-rows-repeated", "1"))
            el.clear()
    return {k: v for k, v in merges.items() if v}

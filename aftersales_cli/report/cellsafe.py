"""Text taken from an input is written as text, never as a formula.

openpyxl stores any string starting with "=" as a formula; setting the cell's data type to string
after the value keeps it as literal text (`set_text`, for the workbooks the tool edits). The workbooks
it writes new go through XlsxWriter's `write_string` (report/xlsxbook.write_value). CSV outputs get a
leading apostrophe for the same reason (the OWASP advice for =, +, -, @, tab and CR at the start of a field).
"""
from __future__ import annotations

import re
from typing import Any

_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def text_units(text: str) -> int:
    """How wide `text` prints in column-width units: a CJK character takes two, any other one."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def wrapped_lines(text: str, width: float) -> int:
    """Printed lines of a wrapped text in a column `width` characters wide (a CJK character takes
    two), with a little room for the renderer's own breaks: XlsxWriter cannot autofit a row, and
    LibreOffice does not either on opening, so a wrapped cell's row is given this many lines."""
    usable = max(width - 4, 1)
    total = 0
    for line in text.split("\n"):
        chars = text_units(line)
        total += int(chars * 1.25 // usable) + 1
    return total


#: The control characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE).
_NOT_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def xml_text(text: str) -> str:
    """`text` as a cell of an XML workbook holds it: the control characters XML cannot hold dropped
    rather than failing the whole write, and CR LF or a lone CR as LF — what an XML parser makes of
    a raw CR anyway (openpyxl refuses those characters and writes a CR raw; XlsxWriter would write
    both as _xHHHH_ escapes, which Excel turns back into the characters)."""
    return _NOT_XML.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def set_text(cell, value: Any) -> None:
    """Assign `value` to an openpyxl cell; strings are always stored as literal text, without the
    control characters XML cannot hold (`xml_text`)."""
    if isinstance(value, str):
        value = xml_text(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_CSV_TRIGGERS):
        return "'" + value
    return value

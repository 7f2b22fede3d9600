"""Text taken from an input is written as text, never as a formula.

openpyxl stores any string starting with "=" as a formula; setting the cell's data type to string
after the value keeps it as literal text. CSV outputs get a leading apostrophe for the same reason
(the OWASP advice for =, +, -, @, tab and CR at the start of a field).
"""
from __future__ import annotations

from typing import Any

_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def text_units(text: str) -> int:
    """How wide `text` prints in column-width units: a CJK character takes two, any other one."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def set_text(cell, value: Any) -> None:
    """Assign `value` to an openpyxl cell; strings are always stored as literal text.

    Control characters that XML cannot hold are dropped rather than failing the whole write.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_CSV_TRIGGERS):
        return "'" + value
    return value

"""The cell rules shared by every layer: column letters and what counts as a blank cell."""
from __future__ import annotations

import re
from typing import Any

# white space (Unicode \s, the ideographic space) and the invisible characters WPS and web copies
# leave in cells: zero-width space/joiners, direction marks, word joiner, BOM (formats.md 预处理)
_BLANK = re.compile(r"[\s\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]*")


def is_blank(value: Any) -> bool:
    """A blank cell: None, NaN, or text of nothing but white space and invisible characters.

    The one rule for "empty": header detection (read/), required-cell checks (validate/) use it.
    """
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    if not isinstance(value, str):
        return False
    return _BLANK.fullmatch(value) is not None


def col_letter(index0: int) -> str:
    """The spreadsheet column letters of a 0-based column index: 0 → "A", 25 → "Z", 26 → "AA"."""
    s = ""
    n = index0 + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def col_index(letters: str | None) -> int:
    """The 0-based column index of spreadsheet column letters: "A" → 0, "AA" → 26; -1 for none."""
    n = 0
    for ch in letters or "":
        n = n * 26 + ord(ch) - 64
    return n - 1

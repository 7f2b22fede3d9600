"""Sheet and file names made from city names: sanitised, bounded and unique."""
from __future__ import annotations

import re
import unicodedata

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_FILE_BAD = re.compile(r'[<>:"/\\|?*]')


def _no_control(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


def sheet_name(text: str, taken: set[str], limit: int = 31) -> str:
    """Excel sheet names: ≤ 31 characters, none of []:*?/\\, not blank, unique (case-insensitive)."""
    base = _SHEET_BAD.sub("_", _no_control(str(text))).strip("'").strip() or "Sheet"
    base = base[:limit]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"~{n}"
        name = base[:limit - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def file_name(text: str, taken: set[str] | None = None, limit: int = 80) -> str:
    """A file name: no path separators, no '..', no control characters, bounded length."""
    base = _FILE_BAD.sub("_", _no_control(str(text))).replace("..", "_").strip(" .") or "city"
    base = base[:limit]
    if taken is None:
        return base
    name, n = base, 2
    while name.lower() in taken:
        name = f"{base[:limit - 4]}~{n}"
        n += 1
    taken.add(name.lower())
    return name

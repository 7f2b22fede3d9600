"""Sheet and file names made from city names: sanitised, bounded and unique."""
from __future__ import annotations

import re
import unicodedata

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_FILE_BAD = re.compile(r'[<>:"/\\|?*]')


def _no_control(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


_RESERVED = {"history"}      # Excel refuses a sheet named History (its change-tracking sheet)


def _sheet_base(text: str) -> str:
    """Excel refuses a name that begins or ends with an apostrophe: trim them (and blanks) away."""
    return text.strip().strip("'").strip()


def _cut(text: str, limit: int) -> str:
    """The longest start of `text` of at most `limit` UTF-16 code units — how Excel (and XlsxWriter)
    count a sheet name's length: a character beyond the Basic Multilingual Plane (𮇋, an emoji) is two."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return text[:i]
    return text


def sheet_name(text: str, taken: set[str], limit: int = 31) -> str:
    """Excel sheet names: ≤ 31 UTF-16 code units, none of []:*?/\\, not blank, not beginning or
    ending with an apostrophe, not the reserved History, unique (case-insensitive)."""
    base = _sheet_base(_cut(_sheet_base(_SHEET_BAD.sub("_", _no_control(str(text)))), limit)) or "Sheet"
    name, n = base, 2
    while name.lower() in taken or name.lower() in _RESERVED:
        suffix = f"~{n}"
        name = _sheet_base(_cut(base, limit - len(suffix))) + suffix
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

"""Which folder holds a city's month, and which period and city a path names (cli.md)."""
from __future__ import annotations

import re
from pathlib import Path

from .errors import AftersalesError
from .period import Period, is_period_name


def month_folders(path: Path) -> list[Path]:
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if p.is_dir() and is_period_name(p.name))


def period_in_path(path: Path) -> Period | None:
    for part in [path, *path.parents]:
        if is_period_name(part.name):
            return Period.parse(part.name)
    return None


def resolve(path: Path, period: Period | None) -> tuple[Path, Period | None, str]:
    """(folder or file to read, period or None to infer, how the period was chosen).

    A city folder holding YYYY-MM sub-folders: the one --period names, else the latest.
    """
    if not path.exists():
        raise AftersalesError("err.path_missing", path)
    months = month_folders(path)
    if months:
        if period is not None:
            chosen = path / period.label
            if not chosen.is_dir():
                raise AftersalesError("err.no_month", path, period=period.label,
                                      available="、".join(m.name for m in months))
            return chosen, period, "option"
        return months[-1], Period.parse(months[-1].name), "folder"
    if period is not None:
        return path, period, "option"
    found = period_in_path(path.resolve() if not path.is_absolute() else path)
    if found is not None:
        return path, found, "folder"
    return path, None, "rows"


def city_folder(path: Path) -> Path:
    """The city's folder: the folder itself, or its parent when it is named YYYY-MM (a file: its folder's)."""
    p = path.resolve()
    if p.is_file():
        p = p.parent
    if is_period_name(p.name):
        p = p.parent
    return p


def city_name(path: Path) -> str:
    """The folder name, or its parent's when the folder is named YYYY-MM."""
    return readable(city_folder(path).name)


_SURROGATES = re.compile("[\ud800-\udfff]+")


def readable(text: str) -> str:
    """Text that can be written as UTF-8.

    A folder or file name whose bytes are not UTF-8 (a zip made on a Chinese Windows machine keeps
    GBK names) reaches Python as surrogate escapes, which no UTF-8 output can hold. Those bytes are
    read as GB18030 when they are valid GB18030, else shown as U+FFFD.
    """
    def fix(match: re.Match) -> str:
        try:
            return match.group().encode("utf-8", "surrogateescape").decode("gb18030")
        except UnicodeError:
            return "\ufffd"
    return _SURROGATES.sub(fix, text) if _SURROGATES.search(text) else text

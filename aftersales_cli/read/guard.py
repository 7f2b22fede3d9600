"""Checks made before a workbook is handed to a parser: zip bombs, XML entities, encryption.

The declared sizes in a zip's directory can lie, so every member is inflated here while its bytes
are counted; reading stops as soon as a limit is passed. The sheet XML inflated on the way is kept:
it is scanned for what the Rust readers hide (uncached formulas, Excel error cells) and for its
row count, so a 1,048,576-row sheet is refused before any parser allocates it.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..core.cells import col_index
from ..errors import AftersalesError
from ..i18n import both

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"     # a zip with no member at all: only its end record


@dataclass(frozen=True)
class Limits:
    """Safety limits; each can be changed (env AFTERSALES_MAX_MB, AFTERSALES_MAX_ROWS)."""
    max_total_mb: int = 500
    max_member_mb: int = 50
    max_ratio: int = 100
    max_rows: int = 500_000
    max_cells: int = 10_000_000     # rows × columns: the Rust reader allocates the whole rectangle


@dataclass
class ZipScan:
    """What the guard learnt from an OOXML/ODS package while inflating it."""
    members: dict[str, bytes] = field(default_factory=dict)   # kept XML parts (sheets, workbook)


def magic(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(8)


def check_package(path: Path, limits: Limits, keep: "callable") -> ZipScan:
    """Inflate every member counting real bytes; keep the members `keep(name)` asks for."""
    scan = ZipScan()
    total = 0
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if not infos:
                raise AftersalesError("err.not_spreadsheet", path, detail=both("detail.empty_zip"))
            for info in infos:
                if info.is_dir():
                    continue
                data = _inflate(zf, info, path, limits, limits.max_total_mb * 1_000_000 - total)
                total += len(data)
                if keep(info.filename):
                    if _has_entities(data):
                        raise AftersalesError("err.xml_unsafe", path)
                    scan.members[info.filename] = data
    except AftersalesError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise AftersalesError("err.not_spreadsheet", path, detail=_zip_detail(exc)) from exc
    return scan


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, limits: Limits, room: int) -> bytes:
    """A member's bytes, inflated in one call but never past what the limits allow.

    One byte more than allowed is asked for: getting it proves the member too big, whatever its
    directory entry declares, and no more than that is ever held in memory.
    """
    member_cap = max(limits.max_member_mb * 1_000_000, limits.max_ratio * max(info.compress_size, 1))
    cap = min(member_cap, max(room, 0))
    with zf.open(info) as member:
        data = member.read(cap + 1)
    if len(data) > cap:
        if cap == room:
            raise AftersalesError("err.zip_bomb_total", path, limit=limits.max_total_mb)
        raise AftersalesError("err.zip_bomb_ratio", path, member=info.filename, ratio=limits.max_ratio)
    return data


def _zip_detail(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if "password" in text.lower() or "encrypted" in text.lower():
        return both("detail.encrypted_zip")
    return both("detail.damaged_zip", error=text)


def _has_entities(data: bytes) -> bool:
    """Any DTD at all: workbooks never need one, billion-laughs and XXE payloads always do.

    A DTD (the only place entities are declared) can stand only in the prolog, before the root
    element: the prolog is walked past the XML declaration, processing instructions, comments and
    white space, so a 45 MB sheet is not searched end to end. Anything odd there counts as a DTD.
    """
    i = 0
    while True:
        j = data.find(b"<", i)
        if j < 0:
            return False
        if data.startswith(b"<?", j):
            k = data.find(b"?>", j)
        elif data.startswith(b"<!--", j):
            k = data.find(b"-->", j)
        elif data.startswith(b"<!", j):
            return True                       # <!DOCTYPE, <!ENTITY or anything else declared
        else:
            return False                      # the root element: no DTD before it
        if k < 0:
            return True
        i = k + 2


# --- what the Rust readers hide -------------------------------------------------------------

_MARK = re.compile(rb"<f[\s>/]|\st=\"e\"")
_REF = re.compile(rb'\sr="([A-Z]+)([0-9]+)"')
_TYPE = re.compile(rb'\st="([a-zA-Z]+)"')
_FORMULA = re.compile(rb"<f(?:\s[^>]*)?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v(?:\s[^>]*)?>(.*?)</v>", re.S)
_HAS_VALUE = re.compile(rb"<v[\s/>]")
_LAST_ROW = re.compile(rb'<row[^>]*?\sr="([0-9]+)"')


def scan_bad_cells(xml: bytes) -> dict[tuple[int, int], tuple[str, str]]:
    """(row0, col0) → ("formula", text) for formulas with no cached value, ("error", "#REF!")."""
    found: dict[tuple[int, int], tuple[str, str]] = {}
    if b"<f" not in xml and b't="e"' not in xml:
        return found
    seen: set[int] = set()
    for m in _MARK.finditer(xml):
        start = xml.rfind(b"<c ", 0, m.start())
        if start < 0 or start in seen:
            continue
        seen.add(start)
        head_end = xml.find(b">", start)
        if head_end < 0:
            continue
        head = xml[start:head_end + 1]
        if head.endswith(b"/>"):
            continue
        end = xml.find(b"</c>", head_end)
        body = xml[head_end + 1:end if end >= 0 else len(xml)]
        ref = _REF.search(head)
        if not ref:
            continue
        pos = (int(ref.group(2)) - 1, col_index(ref.group(1).decode()))
        typ = _TYPE.search(head)
        value = _VALUE.search(body)
        if typ and typ.group(1) == b"e":
            found[pos] = ("error", _text(value.group(1)) if value else "#ERROR")
            continue
        formula = _FORMULA.search(body)
        if formula and typ and typ.group(1) == b"str" and _HAS_VALUE.search(body):
            continue  # a cached empty text result (=IF(A4="","",…) in a pre-filled template row)
        if formula and (value is None or not value.group(1).strip()):
            found[pos] = ("formula", "=" + _text(formula.group(1) or b""))
    return found


def _text(raw: bytes) -> str:
    import html

    return html.unescape(raw.decode("utf-8", "replace"))


def last_row(xml: bytes) -> int:
    """The last row number a sheet XML declares (0 when it has none)."""
    pos = xml.rfind(b"<row ")
    if pos < 0:
        return 0
    m = _LAST_ROW.match(xml, pos)
    return int(m.group(1)) if m else 0


_TWO_LETTERS = re.compile(rb'r="[A-Z][A-Z][A-Z0-9]')        # any cell beyond column Z
_WIDE = re.compile(rb' r="([A-Z]{3}|Z[A-Z])[0-9]')


def last_column(xml: bytes) -> int:
    """The widest column a sheet XML uses, looked for only from ZA on (0 for a narrower sheet).

    The formats have about twenty columns, so a sheet usually has no cell beyond Z: one quick
    pass (`search` of the simplest pattern) settles that, and only a wider sheet is searched for
    every reference from ZA on.
    """
    if _TWO_LETTERS.search(xml) is None:
        return 0
    return max((col_index(c.decode()) + 1 for c in set(_WIDE.findall(xml))), default=0)

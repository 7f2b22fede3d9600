"""Checks made before a workbook is handed to a parser: zip bombs, XML entities, encryption.

The declared sizes in a zip's directory can lie, so every member is inflated here while its bytes
are counted; reading stops as soon as a limit is passed. The sheet XML inflated on the way is kept:
it is scanned for what the Rust readers hide (uncached formulas, Excel error cells) and for its
row count, so a 1,048,576-row sheet is refused before any parser allocates it.
"""
from __future__ import annotations

import functools
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

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
    methods: dict[str, int] = field(default_factory=dict)     # every member's name → its zipfile.ZIP_* method
    cp437_names: bool = False       # a name not ASCII, without the UTF-8 flag: decoded as cp437 here, not so by all


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as python-calamine reads it: `/` for `\\` (some generators write
    `xl\\workbook.xml`), and a name that is not ASCII, stored without the zip's UTF-8 flag, read
    as UTF-8 when it is UTF-8 (Python's zipfile decodes it as cp437, python-calamine as UTF-8)."""
    name = info.filename
    if not info.flag_bits & 0x800 and not name.isascii():
        try:
            name = name.encode("cp437").decode("utf-8")
        except UnicodeError:
            pass
    return name.replace("\\", "/")


def part_key(name: str) -> str:
    """A package part's name as readers may match it: `/` for `\\`, `./` and `dir/../` resolved,
    any case (python-calamine finds `xl/worksheets/Sheet1.xml` for `sheet1.xml`). Two members of
    one key are ambiguous: each reader may take another (`check_package` refuses them)."""
    return posixpath.normpath(name.replace("\\", "/").lstrip("/")).lower()


def magic(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(8)


#: What Python's zipfile raises for a damaged or unsupported zip: its directory cut off or lying
#: (BadZipFile, EOFError, ValueError), a member deflated wrongly (zlib.error), a version or method
#: it cannot read (NotImplementedError: "zip file version 9.9"), a password (RuntimeError), the disk.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)


def open_package(whole: bytes | None) -> zipfile.ZipFile | None:
    """The zip directory of a file's bytes (files.read_whole), read once for the sniff and the
    guard (`check_package`); None when there are no bytes or they are not a readable zip — each
    then reads, or refuses, the file as it does without one."""
    if whole is None:
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(whole))
    except ZIP_ERRORS:
        return None


def check_package(path: Path, limits: Limits, keep: Callable[[str], bool], whole: bytes | None = None,
                  package: zipfile.ZipFile | None = None) -> ZipScan:
    """Inflate every member counting real bytes; keep the members `keep(name)` asks for.

    `whole`: the file's bytes when the caller has read them (files.read_whole) — the package is
    then read from them, each member inflated in one zlib call (`_inflate_whole`), instead of
    being opened again from disk. `package`: their zip directory when already read
    (`open_package`, with the same `whole`); it is closed here."""
    scan = ZipScan()
    total = 0
    view = memoryview(whole) if whole is not None else None
    try:
        with package if package is not None else zipfile.ZipFile(io.BytesIO(whole) if whole is not None else path) as zf:
            infos = zf.infolist()
            if not infos:
                raise AftersalesError("err.not_spreadsheet", path, detail=both("detail.empty_zip"))
            seen: dict[str, str] = {}
            for info in infos:
                if info.is_dir():
                    continue
                name = member_name(info)
                key = part_key(name)
                if key in seen:
                    raise AftersalesError("err.not_spreadsheet", path,
                                          detail=both("detail.twin_parts", first=seen[key], second=info.filename))
                seen[key] = info.filename
                data = _inflate(zf, info, path, limits, limits.max_total_mb * 1_000_000 - total, view)
                total += len(data)
                scan.methods[name] = info.compress_type
                if not info.flag_bits & 0x800 and not info.orig_filename.isascii():
                    scan.cp437_names = True
                if keep(name):
                    if not name.endswith(".bin") and _has_entities(data):
                        raise AftersalesError("err.xml_unsafe", path)
                    scan.members[name] = data
    except AftersalesError:
        raise
    except RuntimeError as exc:     # zipfile: a member encrypted with a password (ZipCrypto)
        if "encrypted" in str(exc) or "password" in str(exc):
            raise AftersalesError("err.encrypted", path) from exc
        raise AftersalesError("err.not_spreadsheet", path, detail=_zip_detail(exc)) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise AftersalesError("err.not_spreadsheet", path, detail=_zip_detail(exc)) from exc
    return scan


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, limits: Limits, room: int,
             whole: memoryview | None = None) -> bytes:
    """A member's bytes, inflated in one call but never past what the limits allow.

    One byte more than allowed is asked for: getting it proves the member too big, whatever its
    directory entry declares, and no more than that is ever held in memory.
    """
    member_cap = max(limits.max_member_mb * 1_000_000, limits.max_ratio * max(info.compress_size, 1))
    cap = min(member_cap, max(room, 0))
    if whole is not None:
        data = _inflate_whole(whole, info, cap)
        if data is not None:
            return data
    with zf.open(info) as member:
        data = member.read(cap + 1)
    if len(data) > cap:
        if cap == room:
            raise AftersalesError("err.zip_bomb_total", path, limit=limits.max_total_mb)
        raise AftersalesError("err.zip_bomb_ratio", path, member=info.filename, ratio=limits.max_ratio)
    return data


_LOCAL = struct.Struct("<4sHHHHHIIIHH")      # a zip member's local header (APPNOTE 4.3.7)
_ODD_FLAGS = 0x1 | 0x20 | 0x40                 # encrypted, patched data, strong encryption


def _inflate_whole(whole: memoryview, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """The member inflated straight from the file's bytes in one zlib call — what zipfile's
    reader gives, without its per-chunk loop — or None for anything out of the ordinary (a flag or
    compression method other than stored/deflate, a local header that does not match the
    directory, a stream that does not end where it should, more than `cap` bytes, a size or CRC
    other than declared): the zipfile reader then reads, or refuses, the member exactly as before.
    """
    if info.flag_bits & _ODD_FLAGS or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    start = info.header_offset
    if start < 0 or start + _LOCAL.size > len(whole):
        return None
    magic_, _, flags, method, _, _, _, _, _, n, extra = _LOCAL.unpack_from(whole, start)
    begin = start + _LOCAL.size + n + extra
    end = begin + info.compress_size
    if magic_ != ZIP_MAGIC or flags & _ODD_FLAGS or method != info.compress_type or end > len(whole):
        return None
    name = bytes(whole[start + _LOCAL.size:start + _LOCAL.size + n])
    try:
        same = name.decode("utf-8" if info.flag_bits & 0x800 else "cp437") == info.orig_filename
    except UnicodeDecodeError:
        return None
    if not same:
        return None
    raw = whole[begin:end]
    if method == zipfile.ZIP_STORED:
        data = bytes(raw[:cap + 1])
    else:
        inflater = zlib.decompressobj(-15)
        try:
            data = inflater.decompress(raw, cap + 1)
        except zlib.error:
            return None
        if not inflater.eof or inflater.unused_data:
            return None
    if len(data) > cap or len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        return None
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
#
# The scans below never assume a prefix, an `r` attribute or an attribute order (realworld.md
# "Inside the workbook"). The sheet's own prefix and quote character are read from its root
# element (`<x:worksheet xmlns:x='…'>`); C-level searches for the literal tags so spelled find
# whether a sheet holds an error cell or a formula at all, and only such a sheet is walked by a
# real XML parser (defusedxml's iterparse) — unless every formula in it is of a plain cached shape
# and no cell can be an error (`_all_cached`). A clean 45 MB sheet costs two regex searches.

_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
_DATE1904 = re.compile(rb"""date1904\s*=\s*["'](?:1|true)["']""")


def is_date1904(workbook_xml: bytes) -> bool:
    """True when the workbook counts serial dates from 1904 (`<workbookPr date1904="1"/>`)."""
    return _DATE1904.search(workbook_xml) is not None


_ROOT = re.compile(rb"""<([A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*[^>]*?=\s*(["'])""")


def dialect(xml: bytes) -> tuple[bytes, bytes]:
    """(prefix of the root element with its colon or b"", the quote character of its attributes)."""
    i = 0
    while True:                                     # past the XML declaration and comments
        j = xml.find(b"<", i)
        if j < 0 or not xml.startswith((b"<?", b"<!"), j):
            break
        close = b"-->" if xml.startswith(b"<!--", j) else b"?>" if xml.startswith(b"<?", j) else b">"
        i = xml.find(close, j + 2)
        if i < 0:
            break
        i += len(close)
    m = _ROOT.match(xml, max(j, 0))
    if not m:
        return b"", b'"'
    return m.group(1) or b"", m.group(2)


@functools.lru_cache(maxsize=32)
def _literal(needle: bytes) -> re.Pattern[bytes]:
    return re.compile(re.escape(needle))


def holds(xml: bytes, needle: bytes) -> bool:
    """`needle in xml`, asked of the regex engine: for these short needles, whose first byte (`<`,
    `t`) is everywhere in a sheet, CPython's `in` takes 1.3–1.9× as long over a 9 MB sheet
    (README "Issue 16 — read path")."""
    return _literal(needle).search(xml) is not None


def scan_bad_cells(xml: bytes) -> dict[tuple[int, int], tuple[str, str]]:
    """(row0, col0) → ("formula", text) for formulas with no cached value, ("error", "#REF!").

    An uncached shared formula names its master's formula text, or "shared" when the master is
    not in the sheet. Cells without an `r` attribute take their place in the row.
    """
    prefix, quote = dialect(xml)
    if not holds(xml, b"<" + prefix + b"f") and not holds(xml, b"t=" + quote + b"e" + quote):
        return {}
    if _all_cached(xml, prefix):
        return {}
    return _walk(xml)


# The two plain shapes of a formula cell whose value is cached (scan_bad_cells' `_bad_cell` would
# pass it by):
# 1. the formula element (with text, or self-closed as a shared formula's child), then a value
#    element whose text starts with a visible ASCII character other than `&` and `<` (so it is not
#    blank once entities are read), then the cell's end tag — well-formed XML closes the f's and
#    v's parent with it, so the parent is a `c`;
# 2. a cell whose start tag, read attribute by attribute, has t="str" (a text result: cached
#    whatever its value, even empty, as in `=IF(A4="","",…)` or a Chinese VLOOKUP result), the
#    formula, a value element, the end tag.
_VISIBLE = rb"[!-%'-;=-~]"
_ATTR = rb"""\s+[A-Za-z_:][\w:.-]*\s*=\s*(?:"[^"]*"|'[^']*')"""
_ODD_TYPE = re.compile(rb"""t\s*=\s*["'](?:e|&)""")     # t="e", t = 'e', t="&#101;" … and more
_ANY_FORMULA = re.compile(rb"""<(?:[^\s<>/:!?='"]+:)?f(?=[\s/>])""")     # a formula tag, whatever its prefix


@functools.lru_cache(maxsize=8)
def _formula_shapes(prefix: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """(shape 1 from its `<f`, shape 2 from its `<c` with the `<f` as group 1), in the root's spelling."""
    p = re.escape(prefix)
    tag = rb"<" + p + rb"f(?=[\s/>])"
    formula = tag + rb"[^>]*?(?:/>|>[^<]*</" + p + rb"f>)"
    valued = re.compile(formula + rb"\s*<" + p + rb"v>" + _VISIBLE + rb"[^<]*</" + p + rb"v>\s*</" + p + rb"c>")
    text = re.compile(rb"<" + p + rb"c(?:" + _ATTR + rb")*?\s+t\s*=\s*(?:\"str\"|'str')(?:" + _ATTR
                      + rb")*\s*>\s*(" + formula + rb")\s*<" + p + rb"v(?:\s*/>|>[^<]*</" + p + rb"v>)\s*</"
                      + p + rb"c>")
    return valued, text


def _all_cached(xml: bytes, prefix: bytes) -> bool:
    """True when the walk below is sure to find nothing: no attribute `t` anywhere whose value is
    or may read as "e" (an error cell), and every formula element is inside one of the two plain
    cached shapes above.

    A necessary condition checked by C-level regex passes: the formula tags are counted, and the
    places of those inside a cached shape; any other shape, an odd spelling, a comment or CDATA
    leaves a tag uncounted, and the sheet is walked by the XML parser as before. A sheet whose
    every formula has its value cached (a ledger's 结存 column, a fee `=M2*N2`) is no longer
    walked element by element: about 1 s for 10,000 rows (README "Issue 16 — read path").
    """
    if _ODD_TYPE.search(xml) is not None:
        return False
    valued, text = _formula_shapes(prefix)
    # Cells are all before the last "sheetData" (the end tag's name); after it, extLst's `xm:f`
    # of a data validation is no cell. Formula tags are counted under ANY prefix: the walk reads
    # local names, so a cell's `<y:f>` (or `<f>` under an `x:` root) is a formula too.
    end = xml.rfind(b"sheetData")
    end = len(xml) if end < 0 else end
    count = len(_ANY_FORMULA.findall(xml, 0, end))
    found = {m.start() for m in valued.finditer(xml, 0, end)}
    if len(found) < count:
        found.update(m.start(1) for m in text.finditer(xml, 0, end))
    return len(found) == count


def _walk(xml: bytes) -> dict[tuple[int, int], tuple[str, str]]:
    """scan_bad_cells' answer read by a real XML parser (defusedxml's iterparse), cell by cell."""
    from defusedxml.ElementTree import iterparse

    found: dict[tuple[int, int], tuple[str, str]] = {}
    shared: dict[str, str] = {}
    row, col = -1, -1
    for event, el in iterparse(io.BytesIO(xml), events=("start", "end")):
        local = el.tag.rpartition("}")[2]
        if event == "start":
            if local == "row":
                r = el.get("r")
                row, col = (int(r) - 1 if r and r.isdigit() else row + 1), -1
            elif local == "c":
                m = _REF.match(el.get("r") or "")
                if m:
                    row, col = int(m.group(2)) - 1, col_index(m.group(1))
                else:
                    col += 1
            continue
        if local == "c":
            _bad_cell(el, (row, col), found, shared)
            el.clear()
        elif local == "row":
            el.clear()
    return found


def _bad_cell(el, pos: tuple[int, int], found: dict, shared: dict[str, str]) -> None:
    formula = value = None
    for child in el:
        name = child.tag.rpartition("}")[2]
        if name == "f":
            formula = child
        elif name == "v":
            value = child
    typ = el.get("t")
    if typ == "e":
        found[pos] = ("error", (value.text or "").strip() if value is not None and value.text else "#ERROR")
        return
    if formula is None:
        return
    text = (formula.text or "").strip()
    si = formula.get("si")
    if formula.get("t") == "shared" and si is not None:
        if text:
            shared[si] = text
        else:
            text = shared.get(si, "")
    if value is not None and (typ == "str" or (value.text or "").strip()):
        return      # cached, or a cached empty text result (=IF(A4="","",…) in a pre-filled template)
    found[pos] = ("formula", "=" + text if text else "shared")


_ROW_R = re.compile(rb"""\sr\s*=\s*["']([0-9]+)["']""")
# A start tag named row, or v or is, under any prefix (the readers go by local names).
ROW_START = re.compile(rb"<(?:[^\s<>/!?:=]+:)?row(?=[\s>/])")
_VALUE_START = re.compile(rb"<(?:[^\s<>/!?:=]+:)?(?:v|is)(?=[\s>/])")


class Extent(NamedTuple):
    """A sheet's `value_extent` (rows, cols) and `plain_until`: the offset of the start tag of its
    last row holding a value when every cell before it was found to be `<c r="…"` with a
    one-letter column and a row number (`_quick_extent`'s one pass), else -1. Each such cell is
    placed by its own reference wherever it stands, so the sheet's rows may be cut before that
    offset and the pieces read apart (read/repack.py `cut`)."""
    rows: int
    cols: int
    plain_until: int = -1


def value_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) of the rectangle python-calamine allocates for a sheet: the last row and the
    widest column holding a cell with a value (0 when none; columns 0 when no cell is beyond Z).
    Styled emptiness is free (realworld.md "Only cells that hold a value count").

    python-calamine places a cell by its own reference wherever it stands in the file, or by its
    place in the row when it has none, and allocates rows × columns before anything can be
    checked — a 1.5 KB sheet whose first row is row 1,048,576 asked for 550 GB and aborted the
    process (quality.md "bounded memory or a clear refusal"). C-level searches answer for a sheet
    written as every measured writer writes one (`_quick_extent`); any sheet where a cell could
    stand elsewhere — a cell without a reference or under another prefix, a reference past the
    last row with a value, a last row without its number — is walked by the XML parser with
    python-calamine's own rules (`_walked_extent`).
    """
    return sheet_extent(xml)[:2]


def sheet_extent(xml: bytes) -> Extent:
    """`value_extent` with where the sheet may be cut (`Extent.plain_until`)."""
    quick = _quick_extent(xml)
    return quick if quick is not None else Extent(*_walked_extent(xml))


def _quick_extent(xml: bytes) -> Extent | None:
    """value_extent by searches, or None when only a walk can tell.

    Cells are looked for under no prefix and under the root's (`dialect`); a cell under any other
    prefix sends the sheet to the walk, so does the root's prefix itself being unsure (a `:c` the
    root's prefix does not account for). The last row holding a value element (any prefix) is
    found from the end and must carry its number. Then one search per spelling (`_plain`) asks
    whether every cell up to there is `<c r="…"` with a one-letter column and a row number with
    fewer digits than that last row's, or as many and a first digit no greater (so no row stands
    past twice the last one). When one is not: a cell without its reference first, or with digits
    only, is walked; so is a reference past that bound; else the widest column is read from the
    references from AA on.
    """
    prefix, quote = dialect(xml)
    start = xml.find(b"sheetData")
    end = xml.rfind(b"sheetData")
    if start < 0 or end <= start:
        return Extent(0, 0)
    spellings = [b""]
    if _literal(b":c").search(xml, start, end) is not None:     # a cell under a prefix: the root's, counted, or walk
        tags = xml.count(b"<" + prefix + b"c", start, end) + xml.count(b"</" + prefix + b"c", start, end)
        if not prefix or xml.count(b":c", start, end) != tags:
            return None
        spellings.append(prefix)
    row_end, row_start = end, _last_row_start(xml, start, end)
    while row_start >= 0 and _VALUE_START.search(xml, row_start, row_end) is None:
        row_end, row_start = row_start, _last_row_start(xml, start, row_start)
    if row_start < 0:
        return Extent(0, 0)
    m = _ROW_R.search(xml, row_start, xml.find(b">", row_start))
    if not m:
        return None
    last = int(m.group(1))
    if all(_plain(p, quote, last).search(xml, start, row_end) is None for p in spellings):
        return Extent(last, 0, row_start)       # one pass for the usual sheet
    if any(_unplaced(p, quote).search(xml, start, row_end) is not None for p in spellings):
        return None
    if _past(last).search(xml, start, row_end) is not None:
        return None
    return Extent(last, _widest(xml, start, row_end))


def _last_row_start(xml: bytes, lo: int, hi: int) -> int:
    """Where the last row start tag (any prefix) in xml[lo:hi] begins, or -1."""
    at = hi
    while True:
        at = xml.rfind(b"row", lo, at)
        if at < 0:
            return -1
        begin = xml.rfind(b"<", lo, at)
        tag = ROW_START.match(xml, begin) if begin >= 0 else None
        if tag is not None and tag.end() == at + 3:
            return begin


def _above(last: int) -> bytes:
    """A row number with more digits than `last`, or as many with a greater first digit: past
    twice `last` at most (`last` 0: any row)."""
    digits = str(last)
    n, first = len(digits), int(digits[0])
    above = rb"[1-9][0-9]{%d,}" % n
    if first < 9:
        above += rb"|[%d-9][0-9]{%d}" % (first + 1, n - 1)
    return above


@functools.lru_cache(maxsize=64)
def _past(last: int) -> re.Pattern[bytes]:
    """A reference (any letters, either quote, spaces around `=`) to a row `_above` `last`."""
    return re.compile(rb"""r\s*=\s*["'][A-Za-z]*0*(?:""" + _above(last) + rb""")["']""")


@functools.lru_cache(maxsize=64)
def _plain(prefix: bytes, quote: bytes, last: int) -> re.Pattern[bytes]:
    """A cell start tag that is not `<c r="…"` with a reference of one letter (A…Z: from AA on the
    width counts) and a row number not `_above` `last`: the literal start keeps the search at C
    speed (README "Issue 16 — where the targets stand")."""
    digits = str(last)
    n, first = len(digits), digits[0]
    row = rb"[1-%s][0-9]{%d}" % (first.encode(), n - 1)
    if n > 1:
        row = rb"[0-9]{1,%d}|" % (n - 1) + row
    return re.compile(rb"<" + re.escape(prefix) + rb"c(?! r=" + quote + rb"[A-Za-z](?:" + row + rb")" + quote + rb")")


@functools.lru_cache(maxsize=8)
def _unplaced(prefix: bytes, quote: bytes) -> re.Pattern[bytes]:
    """A cell start tag whose reference is not its first attribute or does not begin with a
    letter: python-calamine places such a cell by its position, which only a walk can tell."""
    return re.compile(rb"<" + re.escape(prefix) + rb"c(?! r=" + quote + rb"[A-Za-z])")


_WIDE = re.compile(rb"""r\s*=\s*["']([A-Za-z]{2,})[0-9]+["'][^>]*?(/?)>""")
FROM_AA = 27                # column AA: sheets no wider than Z are not looked at for the cell limit


def _widest(xml: bytes, start: int, end: int) -> int:
    """The widest column from AA on (any case, any number of letters) of a cell that is not
    self-closed (`<c r="XFD1" s="3"/>` holds nothing) in xml[start:end], else 0."""
    wide = {m.group(1).upper() for m in _WIDE.finditer(xml, start, end) if not m.group(2)}
    return max((col_index(c.decode()) + 1 for c in wide), default=0)


def last_row(xml: bytes) -> int:
    """The last row (1-based) holding a cell with a value (0 when none): `value_extent`'s rows."""
    return value_extent(xml)[0]


def last_column(xml: bytes) -> int:
    """The widest column holding a cell that is not empty, looked for only from AA on (else 0):
    `value_extent`'s columns."""
    return value_extent(xml)[1]


_REF_PARTS = re.compile(r"^([A-Za-z]*)([0-9]+)$")


def _walked_extent(xml: bytes) -> tuple[int, int]:
    """value_extent by the XML parser (defusedxml's iterparse, local names), placing each cell as
    python-calamine does: by its `r` (letters and digits, any case), else after the previous cell
    of its row; a row by its `r`, else one past the previous row's end. A cell holding a value
    element (`v`, `is`) counts. Columns are reported only from AA on, as `_quick_extent` does."""
    from defusedxml.ElementTree import iterparse

    row = col = 0
    rows = cols = 0
    here = (0, 0)
    for event, el in iterparse(io.BytesIO(xml), events=("start", "end")):
        local = el.tag.rpartition("}")[2]
        if event == "start":
            if local == "row":
                m = _REF_PARTS.match(el.get("r") or "")
                if m:
                    row = int(m.group(2)) - 1
            elif local == "c":
                m = _REF_PARTS.match(el.get("r") or "")
                if m and m.group(1):
                    here = (int(m.group(2)) - 1, col_index(m.group(1).upper()))
                else:
                    here = (row, col)
                col = here[1] + 1
            continue
        if local == "c":
            if any(child.tag.rpartition("}")[2] in ("v", "is") for child in el):
                rows, cols = max(rows, here[0] + 1), max(cols, here[1] + 1)
            el.clear()
        elif local == "row":
            row, col = row + 1, 0
            el.clear()
    return rows, (cols if cols >= FROM_AA else 0)

"""The package handed to python-calamine for an .xlsx: the parts the guard inflated, stored, with
each sheet's merged ranges moved before its cells.

python-calamine's `get_sheet_by_name` reads a sheet part twice: once for its cells (calamine's
`worksheet_range`), then once more from its start for its merged ranges (`merge_cells_by_sheet_name`
reads XML events until the `<mergeCells>` element, which the schema places after `<sheetData>`, or
to the end of a sheet that has none). The second read was ~43 % of python-calamine's time on a
report of 1,000 or 10,000 rows (README "Issue 16 — session 6"). Handed the same parts with the
`mergeCells` element first — an empty one when the sheet has none — the second read stops at once;
the cells and merged ranges python-calamine gives are the same (tests/test_repack.py reads every
fixture both ways). The parts are the guard's (already inflated and checked), so they are stored,
not deflated again. A sheet of any other shape is handed over as it is.

When the reader may use a second thread (the commands that read one month), a sheet part of
`SPLIT_BYTES` or more is handed over as two packages instead, each with half of its rows
(`halves`), which python-calamine parses at once: validating a 50,000-row report 1.06 → 0.91 s
(README "Issue 16 — session 13").
"""
from __future__ import annotations

import io
import pyexpat
import re
import zipfile
from collections.abc import Callable, Iterable
from typing import NamedTuple

from .guard import ROW_START, ZipScan, dialect

_TAG = b"mergeCells"
_AFTER_NAME = (b" ", b">", b"\t", b"\r", b"\n", b"/")     # what may follow a tag's name (`/`: self-closed)
_MARKUP = re.compile(rb"<[!?]")        # a comment, CDATA section, declaration or processing instruction

#: Sheet parts of fewer bytes (together) are read from the file as they are: below this the second
#: read costs less than writing the package (measured: the package's fixed cost ~0.4 ms, the second
#: read ~5 ms per MB of sheet XML).
WORTH_BYTES = 128 << 10

#: Members python-calamine never opens in an .xlsx (pictures, printer settings, macros, embedded
#: objects, VML drawings): a package without them reads as the file does. Lower-case name endings.
UNREAD = (".bin", ".vml", ".png", ".jpeg", ".jpg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".wdp")


def complete(scan: ZipScan, targets: Iterable[str] = ()) -> bool:
    """True when a package of the guard's kept parts (`scan.members`) reads as the file does:
    every member of the file stored or deflated — the only methods python-calamine reads; the file
    itself is refused for any other —; every member not kept one python-calamine never opens: not
    one of `targets` (the workbook's relationship targets, part names: a sheet part named
    `sheet1.bin` or `media/sheet1.xml` is read from the file), and under xl/media/ or
    xl/embeddings/ or a name ending in `UNREAD` (`sheet1.XML`, `sheet1` are not kept by the guard,
    yet found by python-calamine, which ignores case); and no name the guard decoded as cp437
    (not ASCII, without the UTF-8 flag): python-calamine decodes a UTF-8 one as UTF-8 and finds
    `工作表1.xml`, which the package would name otherwise."""
    wanted = {t.lower() for t in targets}
    return not scan.cp437_names and all(
        method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        and (name in scan.members
             or (name.lower() not in wanted
                 and (name.startswith(("xl/media/", "xl/embeddings/")) or name.lower().endswith(UNREAD))))
        for name, method in scan.methods.items())


def _well_formed(*pieces: bytes | memoryview) -> bool:
    """True when the pieces, one after the other, are a well-formed XML document (expat)."""
    parser = pyexpat.ParserCreate()
    try:
        for i, piece in enumerate(pieces):
            parser.Parse(piece, i == len(pieces) - 1)
    except pyexpat.ExpatError:
        return False
    return True


def merge_cells_first(xml: bytes) -> list[bytes | memoryview]:
    """The sheet part as pieces to be written one after the other (views into `xml`): its
    `mergeCells` element moved (or an empty one put) just before its `sheetData`; `[xml]`
    unchanged for any other shape.

    Changed only in the plain shape: no comment, CDATA section, declaration or processing
    instruction but the XML declaration before `sheetData` or after the cells (the searches below
    would take `<?x <sheetData?>` for the cells); the cells ending at the first `</sheetData>`
    (python-calamine's cell read stops there: a second `sheetData` is read by neither path; an
    end tag inside a comment among the cells leaves the rest not well-formed, see below); "mergeCells" written nowhere in the part
    (inserted: the sheet has no merged range), or exactly twice, as the start and end tags of one
    element after the cells, in the root's prefix, not self-closed (moved); the part without its
    `sheetData` element well-formed XML (expat). python-calamine's second read parses what
    follows the cells up to the merged ranges (or the end); moved first, that is never read, so a
    part damaged there (cut off, bytes not in its encoding) must be handed over as it is, to be
    refused as the file itself is.
    """
    layout = _layout(xml)
    return [xml] if layout is None else _pieces(xml, layout)


class Layout(NamedTuple):
    """A sheet part as `merge_cells_first` writes it: `pieces`, byte ranges of the part (start,
    stop) and the bytes put in, in the order they are written; `cells`, where its rows are: from
    the end of the `sheetData` start tag to the start of its end tag."""
    pieces: list[tuple[int, int] | bytes]
    cells: tuple[int, int]


def _layout(xml: bytes) -> Layout | None:
    """`merge_cells_first`'s pieces as byte ranges of `xml` (and the empty element put in), or None
    when the part is handed over as it is."""
    prefix, _ = dialect(xml)
    data = xml.find(b"<" + prefix + b"sheetData")
    opened = xml.find(b">", data)
    if data < 0 or opened < 0 or xml[data + 10 + len(prefix):data + 11 + len(prefix)] not in _AFTER_NAME:
        return None
    if xml[opened - 1:opened] == b"/":                  # <sheetData/>
        close = opened + 1
        cells_end = opened + 1
    else:                                               # the first end tag: python-calamine stops there
        close = xml.find(b"</" + prefix + b"sheetData", opened)
        cells_end = xml.find(b">", close) + 1 if close >= 0 else 0
    declared = xml.find(b"?>", 0, data) + 2 if xml.startswith((b"<?xml", b"\xef\xbb\xbf<?xml")) else 0
    if cells_end <= 0 or xml.find(b"<!", 0, data) >= 0 or xml.find(b"<?", declared, data) >= 0 \
            or _MARKUP.search(xml, cells_end) is not None:
        return None
    view = memoryview(xml)
    if not _well_formed(view[:data], view[cells_end:]):
        return None
    count = xml.count(_TAG)
    cells = (opened + 1, close)
    if count == 0:
        return Layout([(0, data), b"<" + prefix + _TAG + b"></" + prefix + _TAG + b">", (data, len(xml))], cells)
    start = xml.find(b"<" + prefix + _TAG, cells_end)
    after = start + 1 + len(prefix) + len(_TAG)
    if count != 2 or start < 0 or xml[after:after + 1] not in _AFTER_NAME[:-1]:
        return None
    opened = xml.find(b">", after)
    close = xml.find(b"</" + prefix + _TAG, opened)
    if opened < 0 or xml[opened - 1:opened] == b"/" or close < 0:
        return None
    end = xml.find(b">", close)
    if end < 0 or xml[close + 2 + len(prefix) + len(_TAG):end].strip():
        return None
    end += 1
    return Layout([(0, data), (start, end), (data, start), (end, len(xml))], cells)


def _pieces(xml: bytes, layout: Layout, drop: tuple[int, int] | None = None) -> list[bytes | memoryview]:
    """The part written as `layout` says (views into `xml`, no copies of a sheet of tens of MB),
    without the bytes drop[0]…drop[1]-1 when given."""
    view = memoryview(xml)
    out: list[bytes | memoryview] = []
    for piece in layout.pieces:
        if isinstance(piece, bytes):
            out.append(piece)
            continue
        start, stop = piece
        if drop is None or drop[1] <= start or stop <= drop[0]:
            out.append(view[start:stop])
            continue
        if start < drop[0]:
            out.append(view[start:drop[0]])
        if drop[1] < stop:
            out.append(view[drop[1]:stop])
    return out


def package(parts: dict[str, bytes], sheets: Iterable[str]) -> io.BytesIO:
    """A stored zip of `parts` (name → inflated bytes, the guard's `ZipScan.members`), the parts
    named in `sheets` written as `merge_cells_first` gives them; the parts are removed from `parts`
    as they are written, so the package and the inflated parts are not both held whole."""
    rewrite = set(sheets)
    return _stored(parts, lambda name, data: merge_cells_first(data) if name in rewrite else [data], keep=False)


#: A sheet part of at least this many bytes is read in two halves at once when the reader may
#: use a second thread (`halves`). validate-report on generated reports, halves against whole,
#: medians of 25–60 runs each: 1,000 rows (0.9 MB of XML) 0.033 / 0.031 s, 2,000 (1.8 MB) 0.063 /
#: 0.071 s, 4,000 (3.6 MB) 0.110 / 0.128 s, 10,000 (9 MB) 0.208 / 0.220 s (README "Issue 16 —
#: session 13"): below ~1.5 MB the second package and thread cost what half a parse saves.
SPLIT_BYTES = 3 << 19


def halves(parts: dict[str, bytes], sheets: Iterable[str], big: str,
           until: int) -> tuple[Callable[[], io.BytesIO], Callable[[], io.BytesIO]] | None:
    """Two packages as `package` makes one, each holding half of the rows of the sheet part `big`
    — the first with its rows before a row start tag past the middle, the second with the rows
    from there on (and no other sheet part) —, or None when the part is not of the shape
    `merge_cells_first` rewrites or has no row start where it may be cut. `until`: the guard's
    `Extent.plain_until` (every cell before it is placed by its own reference, so a half's cells
    stand where they stand in the whole). Each half keeps the part's head, merged ranges and end.

    Given as two functions that write them: the second may be written (and read) in another thread
    while the first is written; the first empties `parts` as `package` does, the second holds its
    own references to what it writes.

    python-calamine parses a sheet without holding the GIL, so two threads parse the halves in
    about half the time (README "Issue 16 — session 13"); `files._read_calamine` puts the rows
    together and reads the whole file instead when the halves do not fit (a half that is not
    well-formed: the cut fell inside a comment or CDATA section; rows out of order)."""
    xml = parts[big]
    layout = _layout(xml)
    drops = cut(xml, layout.cells, until) if layout is not None else None
    if drops is None:
        return None
    rewrite = set(sheets)
    mine = {name: data for name, data in parts.items() if name == big or name not in rewrite}

    def first() -> io.BytesIO:
        return _stored(parts, lambda name, data: (
            _pieces(data, layout, drops[0]) if name == big else merge_cells_first(data) if name in rewrite
            else [data]), keep=False)

    def second() -> io.BytesIO:
        return _stored(mine, lambda name, data: _pieces(data, layout, drops[1]) if name == big else [data],
                       keep=False)

    return first, second


def cut(xml: bytes, cells: tuple[int, int], until: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The bytes each half of a sheet part leaves out: ((cut, end of the cells), (start of the
    cells, cut)), `cells` being where the rows are (`Layout.cells`) and `cut` the first row start
    tag (any prefix) from the middle of the rows before `until` up to `until` itself; None when
    there is none."""
    opened, close = cells
    if not opened < until <= close:
        return None
    m = ROW_START.search(xml, (opened + until) // 2, until + 64)
    if m is None or m.start() > until:
        return None
    return (m.start(), close), (opened, m.start())


def _stored(parts: dict[str, bytes], pieces, keep: bool) -> io.BytesIO:
    """A stored zip of `parts`, each written as `pieces(name, data)` gives it; without `keep`, each
    part is removed from `parts` as it is written."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name in list(parts):
            data = parts[name] if keep else parts.pop(name)
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            with zf.open(info, "w") as member:
                for piece in pieces(name, data):
                    member.write(piece)
    out.seek(0)
    return out

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
"""
from __future__ import annotations

import io
import pyexpat
import re
import zipfile
from collections.abc import Iterable

from .guard import ZipScan, dialect

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
    prefix, _ = dialect(xml)
    data = xml.find(b"<" + prefix + b"sheetData")
    opened = xml.find(b">", data)
    if data < 0 or opened < 0 or xml[data + 10 + len(prefix):data + 11 + len(prefix)] not in _AFTER_NAME:
        return [xml]
    if xml[opened - 1:opened] == b"/":                  # <sheetData/>
        cells_end = opened + 1
    else:                                               # the first end tag: python-calamine stops there
        close = xml.find(b"</" + prefix + b"sheetData", opened)
        cells_end = xml.find(b">", close) + 1 if close >= 0 else 0
    declared = xml.find(b"?>", 0, data) + 2 if xml.startswith((b"<?xml", b"\xef\xbb\xbf<?xml")) else 0
    if cells_end <= 0 or xml.find(b"<!", 0, data) >= 0 or xml.find(b"<?", declared, data) >= 0 \
            or _MARKUP.search(xml, cells_end) is not None:
        return [xml]
    view = memoryview(xml)          # pieces without copies of a sheet of tens of MB
    if not _well_formed(view[:data], view[cells_end:]):
        return [xml]
    count = xml.count(_TAG)
    if count == 0:
        return [view[:data], b"<" + prefix + _TAG + b"></" + prefix + _TAG + b">", view[data:]]
    start = xml.find(b"<" + prefix + _TAG, cells_end)
    after = start + 1 + len(prefix) + len(_TAG)
    if count != 2 or start < 0 or xml[after:after + 1] not in _AFTER_NAME[:-1]:
        return [xml]
    opened = xml.find(b">", after)
    close = xml.find(b"</" + prefix + _TAG, opened)
    if opened < 0 or xml[opened - 1:opened] == b"/" or close < 0:
        return [xml]
    end = xml.find(b">", close)
    if end < 0 or xml[close + 2 + len(prefix) + len(_TAG):end].strip():
        return [xml]
    end += 1
    return [view[:data], view[start:end], view[data:start], view[end:]]


def package(parts: dict[str, bytes], sheets: Iterable[str]) -> io.BytesIO:
    """A stored zip of `parts` (name → inflated bytes, the guard's `ZipScan.members`), the parts
    named in `sheets` written as `merge_cells_first` gives them; the parts are removed from `parts`
    as they are written, so the package and the inflated parts are not both held whole."""
    out = io.BytesIO()
    rewrite = set(sheets)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name in list(parts):
            data = parts.pop(name)
            pieces = merge_cells_first(data) if name in rewrite else [data]
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            with zf.open(info, "w") as member:
                for piece in pieces:
                    member.write(piece)
    out.seek(0)
    return out

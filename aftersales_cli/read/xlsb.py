"""Error cells of an .xlsb workbook, which python-calamine returns as empty strings.

An .xlsb sheet is a stream of binary records ([MS-XLSB] 2.1.4): a 1–2 byte type and a 1–4 byte
size, each 7 bits a byte. Only three records matter here: BrtRowHdr (0, the row number),
BrtCellError (3) and BrtFmlaError (11), whose 9th byte is the error code (2.5.97.2 BErr). An
.xlsb formula always stores its result, so there are no uncached formulas to find.
The sheet parts are found through BrtBundleSh (156) records of xl/workbook.bin and its rels; the
date system is bit 0 (f1904) of BrtWbProp (153).
"""
from __future__ import annotations

import posixpath
import struct

_ROW, _CELL_ERROR, _FMLA_ERROR, _WB_PROP, _BUNDLE_SHEET = 0, 3, 11, 153, 156
ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
          0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def records(data: bytes):
    """(type, payload start, payload end) of each record of a binary part."""
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        i += 1
        typ = b & 0x7F
        if b & 0x80 and i < n:
            typ |= (data[i] & 0x7F) << 7
            i += 1
        size, shift = 0, 0
        for _ in range(4):
            if i >= n:
                return
            b = data[i]
            i += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        yield typ, i, i + size
        i += size


def _wide_string(data: bytes, pos: int) -> tuple[str, int]:
    (count,) = struct.unpack_from("<I", data, pos)
    if count == 0xFFFFFFFF:
        return "", pos + 4
    end = pos + 4 + 2 * count
    return data[pos + 4:end].decode("utf-16-le", "replace"), end


def sheet_parts(members: dict[str, bytes]) -> dict[str, bytes]:
    """Sheet name → its binary part, from xl/workbook.bin and xl/_rels/workbook.bin.rels."""
    from defusedxml import ElementTree as ET

    rels_xml = members.get("xl/_rels/workbook.bin.rels")
    targets = {rel.get("Id"): rel.get("Target", "").replace("\\", "/")
               for rel in ET.fromstring(rels_xml)} if rels_xml else {}
    workbook = members.get("xl/workbook.bin", b"")
    out = {}
    for typ, start, end in records(workbook):
        if typ != _BUNDLE_SHEET or end - start < 12:
            continue
        rid, pos = _wide_string(workbook, start + 8)
        name, _ = _wide_string(workbook, pos)
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if part in members:
            out[name] = members[part]
    return out


def is_date1904(workbook: bytes) -> bool:
    """True when xl/workbook.bin's BrtWbProp says the workbook counts dates from 1904."""
    for typ, start, end in records(workbook):
        if typ == _WB_PROP and end - start >= 4:
            return bool(workbook[start] & 1)
    return False


def bad_cells(sheet: bytes) -> dict[tuple[int, int], tuple[str, str]]:
    """(row0, col0) → ("error", "#N/A") for every error cell of one sheet part."""
    found = {}
    row = 0
    for typ, start, end in records(sheet):
        if typ == _ROW and end - start >= 4:
            (row,) = struct.unpack_from("<I", sheet, start)
        elif typ in (_CELL_ERROR, _FMLA_ERROR) and end - start >= 9:
            (col,) = struct.unpack_from("<I", sheet, start)
            found[(row, col)] = ("error", ERRORS.get(sheet[start + 8], "#ERROR"))
    return found

"""Open one file (xlsx, xlsm, xls, ods, csv) into raw sheets, safely.

Reading goes through python-calamine (Rust): it keeps each cell's own type — a number cell stays a
number, a text cell text — which the type rules of formats.md depend on (fastexcel would coerce a
column to one Arrow type). Rows come back absolute (`skip_empty_area=False`): rows[0] is Excel row 1
and column 0 is A, so every finding names the cell Excel shows.
"""
from __future__ import annotations

import csv
import io
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AftersalesError, os_reason
from ..i18n import both
from . import guard
from .guard import Limits

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


@dataclass
class RawSheet:
    """One sheet as read: absolute rows, merged ranges, and the cells the reader could not give."""
    file: str
    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    hidden: bool = False
    is_csv: bool = False
    bad_cells: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    single: bool = False          # the only sheet of its file (file-name matching applies)


def limits_from_env() -> Limits:
    def num(name: str, default: int) -> int:
        try:
            return int(os.environ.get(name, default))
        except ValueError:
            return default
    return Limits(max_total_mb=num("AFTERSALES_MAX_MB", 500), max_rows=num("AFTERSALES_MAX_ROWS", 500_000))


def find_workbooks(path: Path) -> list[Path]:
    """The readable files of a submission: one file, or a folder's files (not recursive)."""
    if not path.exists():
        raise AftersalesError("err.path_missing", path)
    if path.is_file():
        if path.suffix.lower() not in SUFFIXES:
            raise AftersalesError("err.unsupported", path, suffix=path.suffix or "(无)")
        return [path]
    files = sorted(p for p in path.iterdir()
                   if p.is_file() and p.suffix.lower() in SUFFIXES
                   and not p.name.startswith(("~$", ".")))
    if not files:
        raise AftersalesError("err.no_workbooks", path)
    return files


def open_workbook(path: Path, limits: Limits | None = None) -> list[RawSheet]:
    """The sheets of one file; a file whose every sheet is empty is refused (err.empty_workbook)."""
    sheets = _open(path, limits or limits_from_env())
    if not any(_has_content(s) for s in sheets):
        raise AftersalesError("err.empty_workbook", path)
    return sheets


def _has_content(sheet: RawSheet) -> bool:
    return bool(sheet.bad_cells) or any(
        c is not None and not (isinstance(c, str) and not c.strip()) for row in sheet.rows for c in row)


def _open(path: Path, limits: Limits) -> list[RawSheet]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [read_csv(path)]
    try:
        head = guard.magic(path)
    except OSError as exc:
        raise AftersalesError("err.not_spreadsheet", path, detail=os_reason(exc)) from exc
    if not head:
        raise AftersalesError("err.not_spreadsheet", path, detail=both("detail.empty_file"))
    if suffix in (".xlsx", ".xlsm", ".ods"):
        if head.startswith(guard.OLE_MAGIC):
            raise AftersalesError("err.encrypted", path)
        if not head.startswith((guard.ZIP_MAGIC, guard.EMPTY_ZIP_MAGIC)):
            raise AftersalesError("err.not_spreadsheet", path, detail=both("detail.not_zip"))
        return _read_package(path, limits, suffix)
    if suffix == ".xls":
        if not head.startswith(guard.OLE_MAGIC):
            raise AftersalesError("err.not_spreadsheet", path, detail=both("detail.not_xls"))
        return _read_calamine(path, {}, limits)
    raise AftersalesError("err.unsupported", path, suffix=suffix)


def _read_package(path: Path, limits: Limits, suffix: str) -> list[RawSheet]:
    def keep(name: str) -> bool:
        return name.endswith((".xml", ".rels"))
    scan = guard.check_package(path, limits, keep)
    sheet_xml: dict[str, bytes] = {}
    if suffix != ".ods":
        if "xl/workbook.xml" not in scan.members:
            raise AftersalesError("err.not_spreadsheet", path, detail=both("detail.no_workbook_part"))
        sheet_xml = _sheet_parts(path, scan.members)
    elif "content.xml" not in scan.members:
        raise AftersalesError("err.not_spreadsheet", path, detail=both("detail.no_content_part"))
    for name, xml in sheet_xml.items():
        rows = guard.last_row(xml)
        if rows > limits.max_rows:
            raise AftersalesError("err.too_many_rows", path, sheet=name, rows=rows, limit=limits.max_rows)
        cols = guard.last_column(xml)
        if cols and rows * cols > limits.max_cells:
            raise AftersalesError("err.too_many_cells", path, sheet=name, rows=rows, cols=cols,
                                  limit=limits.max_cells)
    bad = {name: guard.scan_bad_cells(xml) for name, xml in sheet_xml.items()}
    merges = {}
    if suffix == ".ods":
        from .ods import ods_merges
        merges = ods_merges(scan.members["content.xml"])
    scan.members.clear()
    sheets = _read_calamine(path, bad, limits)
    for sheet in sheets:
        if not sheet.merged and sheet.name in merges:
            sheet.merged = merges[sheet.name]
    return sheets


def _sheet_parts(path: Path, members: dict[str, bytes]) -> dict[str, bytes]:
    """Sheet name → its XML, following workbook.xml and its relationships (defusedxml)."""
    from defusedxml import ElementTree as ET

    try:
        wb = ET.fromstring(members["xl/workbook.xml"])
        rels_xml = members.get("xl/_rels/workbook.xml.rels")
        rels = ET.fromstring(rels_xml) if rels_xml else None
    except Exception as exc:  # defusedxml raises its own classes for entity tricks
        raise AftersalesError("err.xml_unsafe" if "Forbidden" in type(exc).__name__ else "err.not_spreadsheet",
                              path, detail=str(exc)) from exc
    targets = {}
    if rels is not None:
        for rel in rels:
            targets[rel.get("Id")] = rel.get("Target", "")
    out = {}
    for el in wb.iter():
        if el.tag.endswith("}sheet"):
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            if part in members:
                out[el.get("name")] = members[part]
    return out


def _read_calamine(path: Path, bad: dict[str, dict], limits: Limits) -> list[RawSheet]:
    import python_calamine as pc

    try:
        try:
            str(path).encode("utf-8")
            wb = pc.CalamineWorkbook.from_path(str(path))
        except UnicodeEncodeError:          # a name that is not UTF-8 (e.g. GBK bytes from a zip)
            with open(path, "rb") as fh:
                wb = pc.CalamineWorkbook.from_filelike(fh)
    except pc.PasswordError as exc:
        raise AftersalesError("err.encrypted", path) from exc
    except Exception as exc:  # CalamineError, XmlError, ZipError …: the file is not usable
        raise AftersalesError("err.not_spreadsheet", path, detail=_short(exc)) from exc
    sheets = []
    try:
        metas = wb.sheets_metadata
        worksheets = [m for m in metas if "WorkSheet" in str(m.typ)]
        for meta in worksheets:
            sheet = wb.get_sheet_by_name(meta.name)
            if sheet.height > limits.max_rows:
                raise AftersalesError("err.too_many_rows", path, sheet=meta.name, rows=sheet.height,
                                      limit=limits.max_rows)
            if sheet.height * sheet.width > limits.max_cells:
                raise AftersalesError("err.too_many_cells", path, sheet=meta.name, rows=sheet.height,
                                      cols=sheet.width, limit=limits.max_cells)
            rows = sheet.to_python(skip_empty_area=False)
            bad_cells = bad.get(meta.name, {})
            if bad_cells:   # calamine ends the sheet at its last value: keep rows holding only bad cells
                rows.extend([] for _ in range(max(r for r, _ in bad_cells) + 1 - len(rows)))
            merged = list(sheet.merged_cell_ranges or [])
            sheets.append(RawSheet(file=str(path), name=meta.name, rows=rows, merged=merged,
                                   hidden=meta.visible != pc.SheetVisibleEnum.Visible,
                                   bad_cells=bad_cells,
                                   single=len(worksheets) == 1))
    except AftersalesError:
        raise
    except pc.PasswordError as exc:
        raise AftersalesError("err.encrypted", path) from exc
    except Exception as exc:
        raise AftersalesError("err.not_spreadsheet", path, detail=_short(exc)) from exc
    finally:
        try:
            wb.close()
        except Exception:  # noqa: BLE001 - closing what could not be read: its error is already raised
            pass
    return sheets


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return (text[:160] + "…") if len(text) > 160 else (text or type(exc).__name__)


def read_csv(path: Path) -> RawSheet:
    """A CSV in UTF-8, UTF-8 with BOM or GB18030 (GBK), every cell text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AftersalesError("err.not_spreadsheet", path, detail=os_reason(exc)) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):   # UTF-16/32: not one of the encodings read
        raise AftersalesError("err.csv_encoding", path)
    if b"\x00" in data:
        raise AftersalesError("err.csv_nul", path)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise AftersalesError("err.csv_encoding", path)
    sample = text[:4096]
    delimiter = ","
    counts = {d: sample.count(d) for d in (",", "\t", ";")}
    if counts[","] == 0 and max(counts.values()) > 0:
        delimiter = max(counts, key=counts.get)
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise AftersalesError("err.not_spreadsheet", path, detail=str(exc)) from exc
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return RawSheet(file=str(path), name=path.stem, rows=rows, is_csv=True, single=True)



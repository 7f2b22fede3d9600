"""Open one file (xlsx, xlsm, xls, ods, csv) into raw sheets, safely.

Reading goes through python-calamine (Rust): it keeps each cell's own type — a number cell stays a
number, a text cell text — which the type rules of formats.md depend on (fastexcel would coerce a
column to one Arrow type). Rows come back absolute (`skip_empty_area=False`): rows[0] is Excel row 1
and column 0 is A, so every finding names the cell Excel shows.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import posixpath
import re
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from ..errors import AftersalesError, os_reason
from ..i18n import both
from . import guard, repack
from .guard import Limits
from .marker import read_marker

SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv", ".txt")
TEXT_SUFFIXES = (".csv", ".txt")
# the kinds a workbook name may hold, told apart by content (realworld.md "What a file is")
KIND_SUFFIXES = {"xlsx": (".xlsx", ".xlsm"), "xlsb": (".xlsb",), "ods": (".ods",), "xls": (".xls",)}
EPOCH_1900 = dt.date(1899, 12, 30)     # day 0 of Excel serial dates (Lotus' 1900 leap year folded in)
EPOCH_1904 = dt.date(1904, 1, 1)       # <workbookPr date1904="1"/>: old Mac workbooks (realworld.md)
LOCK_PREFIXES = ("~$", ".~lock", ".")


@dataclass
class RawSheet:
    """One sheet as read: absolute rows, merged ranges, and the cells the reader could not give.

    `kind` is what the file really is (xlsx, xlsb, ods, xls, csv); `date1904` says the workbook
    counts serial dates from 1904-01-01 (realworld.md "Inside the workbook"); `marked` says the
    file is one of the tool's own outputs (report/marker.py).
    """
    file: str
    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    hidden: bool = False
    is_csv: bool = False
    bad_cells: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    single: bool = False          # the only sheet of its file (file-name matching applies)
    kind: str = ""
    date1904: bool = False
    marked: str | None = None
    encoding: str | None = None   # a CSV's encoding as read


def limits_from_env() -> Limits:
    def num(name: str, default: int) -> int:
        try:
            return int(os.environ.get(name, default))
        except ValueError:
            return default
    return Limits(max_total_mb=num("AFTERSALES_MAX_MB", 500), max_rows=num("AFTERSALES_MAX_ROWS", 500_000))


def is_lock_or_hidden(path: Path) -> bool:
    """Office lock files (`~$…`, `.~lock…#`) and hidden files: the only files skipped silently."""
    return path.name.startswith(LOCK_PREFIXES)


def find_workbooks(path: Path) -> list[Path]:
    """The readable files of a submission: one file, or a folder's files (not recursive)."""
    if not path.exists():
        raise AftersalesError("err.path_missing", path)
    if path.is_file():
        if path.suffix.lower() not in SUFFIXES:
            raise AftersalesError("err.unsupported", path, suffix=path.suffix or "(无)", suffixes=" ".join(SUFFIXES))
        return [path]
    files = sorted(p for p in path.iterdir()
                   if p.is_file() and p.suffix.lower() in SUFFIXES and not is_lock_or_hidden(p))
    if not files:
        raise AftersalesError("err.no_workbooks", path, suffixes=" ".join(SUFFIXES))
    return files


def unread_files(folder: Path) -> list[Path]:
    """The files of a submission folder that are not candidates (realworld.md: each gets an info)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() not in SUFFIXES and not is_lock_or_hidden(p))


def open_workbook(path: Path, limits: Limits | None = None, split: bool = False) -> list[RawSheet]:
    """The sheets of one file; a file whose every sheet is empty is refused (err.empty_workbook).
    `split`: this read may use a second thread — an .xlsx sheet of `repack.SPLIT_BYTES` or more is
    then parsed in two halves at once (`repack.halves`); the sheets are the same either way."""
    sheets = _open(path, limits or limits_from_env(), split)
    if not any(_has_content(s) for s in sheets):
        raise AftersalesError("err.empty_workbook", path)
    return sheets


def open_workbooks(paths: list[Path], limits: Limits | None = None,
                   threads: int = 1) -> list[list[RawSheet] | Exception]:
    """`open_workbook` of each path, in the order of `paths`: its sheets, or the exception reading
    it raised (AftersalesError for a file that cannot be read; anything else is a fault). The
    caller goes through them in order and decides what stops it, so which file's error is said
    never depends on which thread read it first.

    `threads` > 1 reads that many files at once: this thread takes the largest file, and it and
    `threads` - 1 helper threads take the others, largest first. python-calamine opens a workbook
    and parses a sheet without holding the GIL (since 0.2.0: "release GIL when calamine is
    working"), so while this thread waits on the parse of a month's repair report a helper guards
    and reads the small workbooks beside it (README decisions, "Reading a month's workbooks two at
    once"). The results are those of reading one by one. Ctrl-C (KeyboardInterrupt, SystemExit of
    a SIGTERM) in this thread is raised at once and the helpers take no further file; they are
    not daemon threads, so the interpreter lets a helper finish the file it is reading before it
    exits — a daemon thread still inside python-calamine at exit crashed the process (SIGSEGV)."""
    limits = limits or limits_from_env()
    if threads <= 1 or len(paths) < 2:
        return [_attempt(path, limits) for path in paths]
    out: list[Any] = [None] * len(paths)
    order = iter(sorted(range(len(paths)), key=lambda i: -_size(paths[i])))
    take = threading.Lock()
    stop: list[BaseException] = []          # what ended this thread, or a helper's own fault

    def next_file() -> int | None:
        with take:
            return None if stop else next(order, None)

    def helper() -> None:
        while (i := next_file()) is not None:
            try:
                out[i] = _attempt(paths[i], limits)
            except BaseException as exc:  # noqa: BLE001 - not an Exception (SystemExit …): raised by the caller
                stop.append(exc)

    first = next_file()                     # the largest file: this thread's
    helpers = [threading.Thread(target=helper, name=f"aftersales-read-{n}")
               for n in range(min(threads, len(paths)) - 1)]
    for thread in helpers:
        thread.start()
    try:
        i = first
        while i is not None:
            out[i] = _attempt(paths[i], limits, split=True)
            i = next_file()
    except BaseException as exc:            # Ctrl-C: raised now, the helpers take no more files
        stop.append(exc)
        raise
    for thread in helpers:
        thread.join()
    if stop:
        raise stop[0]
    return out


def _attempt(path: Path, limits: Limits, split: bool = False) -> list[RawSheet] | Exception:
    """open_workbook's sheets, or the exception it raised (Ctrl-C and exits are not caught)."""
    try:
        return open_workbook(path, limits, split)
    except Exception as exc:  # noqa: BLE001 - handed to the caller, which raises it in file order
        return exc


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _has_content(sheet: RawSheet) -> bool:
    return bool(sheet.bad_cells) or any(
        c is not None and not (isinstance(c, str) and not c.strip()) for row in sheet.rows for c in row)


#: Packages up to this size are read once, whole (`read_whole`): sniffed and guarded from memory.
#: Larger ones are read from disk piece by piece, as a worker's memory should not hold them whole.
WHOLE_BYTES = 32 * 1024 * 1024


def read_whole(path: Path) -> bytes | None:
    """The file's bytes, when it is a regular file of at most WHOLE_BYTES that starts as a zip
    package (xlsx, xlsb, ods: what the guard inflates from them). Else None: the readers open it
    themselves (an .xls or a text file is read by its own reader, not held here for nothing), and
    report what is wrong with it."""
    try:
        if path.stat().st_size > WHOLE_BYTES:
            return None
        with open(path, "rb") as fh:
            if fh.read(len(guard.ZIP_MAGIC)) != guard.ZIP_MAGIC:
                return None
            fh.seek(0)          # read whole from the start: no second copy of the bytes to prepend the magic
            return fh.read()
    except OSError:
        return None


def sniff(path: Path, whole: bytes | None = None, package: zipfile.ZipFile | None = None) -> str:
    """What a file is by its bytes: xlsx, xlsb, ods, xls, encrypted, html, xml2003, zip, ole or text.

    A zip is typed by its workbook part (names with `\\` read as `/`), an OLE2 file by its streams
    (olefile), text by its first tag. `whole`: the file's bytes if already read (`read_whole`);
    `package`: their zip directory if already read (`guard.open_package`).
    Raises AftersalesError (err.not_spreadsheet) for an empty or unreadable file.
    """
    if whole is not None:
        head = whole[:4096]
    else:
        try:
            with open(path, "rb") as fh:
                head = fh.read(4096)
        except OSError as exc:
            raise AftersalesError("err.not_spreadsheet", path, detail=os_reason(exc)) from exc
    if not head:
        raise AftersalesError("err.not_spreadsheet", path, detail=both("detail.empty_file"))
    if head.startswith(guard.ZIP_MAGIC):
        try:
            if package is not None:
                names = {n.replace("\\", "/") for n in package.namelist()}
            else:
                with zipfile.ZipFile(io.BytesIO(whole) if whole is not None else path) as zf:
                    names = {n.replace("\\", "/") for n in zf.namelist()}
        except guard.ZIP_ERRORS:        # a damaged zip: the guard says what is wrong with it
            return "zip"
        for kind, part in (("xlsx", "xl/workbook.xml"), ("xlsb", "xl/workbook.bin"), ("ods", "content.xml")):
            if part in names:
                return kind
        return "zip"
    if head.startswith(guard.EMPTY_ZIP_MAGIC):
        return "zip"
    if head.startswith(guard.OLE_MAGIC):
        import olefile

        try:
            with olefile.OleFileIO(str(path)) as ole:
                streams = {"/".join(s) for s in ole.listdir()}
        except Exception:  # noqa: BLE001 - olefile raises OSError and its own errors for a damaged file
            return "ole"
        if {"EncryptionInfo", "EncryptedPackage"} & streams:
            return "encrypted"
        if {"Workbook", "Book", "WORKBOOK", "BOOK"} & streams:
            return "xls"
        return "ole"
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").replace(b"\x00", b"").lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text or b"progid=\"excel.sheet\"" in text:
        return "xml2003"
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) or b"<html" in text[:1024] \
            or b"<table" in text:
        return "html"
    return "text"


def _open(path: Path, limits: Limits, split: bool = False) -> list[RawSheet]:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return [read_csv(path, limits)]
    whole = read_whole(path)           # one read of the file for the sniff and the guard
    package = guard.open_package(whole)    # and one reading of its zip directory
    try:
        return _open_kind(path, limits, suffix, whole, package, split)
    finally:
        if package is not None:
            package.close()


def _open_kind(path: Path, limits: Limits, suffix: str, whole: bytes | None,
               package: zipfile.ZipFile | None, split: bool = False) -> list[RawSheet]:
    kind = sniff(path, whole, package)
    if kind == "encrypted":
        raise AftersalesError("err.encrypted", path)
    if kind in ("html", "xml2003"):
        raise AftersalesError(f"err.{kind}_as_workbook", path)
    if kind == "text":          # text is read only under .csv/.txt (quality.md)
        detail = "detail.not_xls" if suffix == ".xls" else "detail.not_zip"
        raise AftersalesError("err.not_spreadsheet", path, detail=both(detail))
    if kind == "ole":
        raise AftersalesError("err.not_spreadsheet", path, detail=both("detail.not_xls"))
    if kind == "zip":
        detail = "detail.no_content_part" if suffix == ".ods" else "detail.no_workbook_part"
        if suffix == ".xls":
            detail = "detail.not_xls"
        guard.check_package(path, limits, lambda name: False, whole, package)   # a bomb or a damaged zip is said first
        raise AftersalesError("err.not_spreadsheet", path, detail=both(detail))
    if kind == "xls":
        sheets = _read_xls(path, limits)
    else:
        sheets = _read_package(path, limits, kind, whole, package, split)
    for sheet in sheets:
        sheet.kind = kind
    return sheets


def _read_package(path: Path, limits: Limits, kind: str, whole: bytes | None = None,
                  package: zipfile.ZipFile | None = None, split: bool = False) -> list[RawSheet]:
    parts = (".xml", ".rels", ".bin") if kind == "xlsb" else (".xml", ".rels")

    def keep(name: str) -> bool:       # the parts scanned below; an .xlsb's sheets are binary
        # python-calamine finds a part whatever the case of its name, and with no extension at all
        # (`sheet1.XML`, `sheet1`): those are kept too, so that they are checked like the others
        base = name.rpartition("/")[2].lower()
        return (base.endswith(parts) or "." not in base) and not name.startswith("xl/media/")
    scan = guard.check_package(path, limits, keep, whole, package)
    members = scan.members
    sheet_parts: dict[str, bytes] = {}
    bad: dict[str, dict] = {}
    merges: dict[str, list] = {}
    date1904 = False
    repacked = half = None
    extents: dict[str, guard.Extent] = {}
    if kind == "xlsx":
        kept = {guard.part_key(name): name for name in members}     # one name per key (check_package)
        workbook = _workbook_part(path, members, kept)
        targets, read_parts = _sheet_parts(path, members, kept, workbook, scan.methods,
                                           lambda names: guard.check_package(path, limits, names.__contains__,
                                                                             whole).members)
        sheet_parts = {name: members[part] for name, part in targets.items()}
        date1904 = guard.is_date1904(members[workbook])
        try:
            for name, xml in sheet_parts.items():
                extents[name] = guard.sheet_extent(xml)
                _check_size(path, name, extents[name].rows, extents[name].cols, limits)
            bad = {name: guard.scan_bad_cells(xml) for name, xml in sheet_parts.items()}
        except AftersalesError:
            raise
        except Exception as exc:  # a sheet part that is not well-formed XML (ParseError) or holds an entity trick
            raise _xml_error(path, exc, _short(exc)) from exc
    elif kind == "xlsb":
        from . import xlsb
        try:
            bad = {name: xlsb.bad_cells(data) for name, data in xlsb.sheet_parts(members).items()}
            date1904 = xlsb.is_date1904(members.get("xl/workbook.bin", b""))
        except Exception as exc:  # a damaged rels part or record stream (ParseError, struct.error …)
            raise AftersalesError("err.not_spreadsheet", path, detail=_short(exc)) from exc
    else:
        from .ods import is_date1904, ods_scan
        try:
            merges, bad = ods_scan(members["content.xml"])
            date1904 = is_date1904(members["content.xml"])
        except Exception as exc:  # content.xml not well-formed XML (ParseError) or holding an entity trick
            raise _xml_error(path, exc, _short(exc)) from exc
    marked = read_marker(members.get("docProps/custom.xml"))
    if kind == "xlsx" and sum(map(len, sheet_parts.values())) >= repack.WORTH_BYTES \
            and repack.complete(scan, read_parts):
        big = max(sheet_parts, key=lambda name: len(sheet_parts[name]), default=None)
        cut = None
        if split and big is not None and len(sheet_parts[big]) >= repack.SPLIT_BYTES \
                and extents[big].plain_until > 0 and list(targets.values()).count(targets[big]) == 1:
            # (a part two sheet names share is read whole: the other name would read the first half)
            cut = repack.halves(members, targets.values(), targets[big], extents[big].plain_until)
        sheet_parts.clear()
        if cut is not None:
            half = _Half(path, limits, big, cut[1])     # written and read in its thread meanwhile
            repacked = cut[0]()
        else:
            repacked = repack.package(members, targets.values())     # empties `members` as it goes
    members.clear()
    sheets = _read_calamine(path, bad, limits, kind, repacked, half)
    for sheet in sheets:
        sheet.date1904 = date1904
        sheet.marked = marked
        if not sheet.merged and sheet.name in merges:
            sheet.merged = merges[sheet.name]
    return sheets


def _check_size(path: Path, sheet: str, rows: int, cols: int, limits: Limits) -> None:
    """The row and cell limits, on the rectangle spanned by cells that hold a value."""
    if rows > limits.max_rows:
        raise AftersalesError("err.too_many_rows", path, sheet=sheet, rows=rows, limit=limits.max_rows)
    if cols and rows * cols > limits.max_cells:
        raise AftersalesError("err.too_many_cells", path, sheet=sheet, rows=rows, cols=cols,
                              limit=limits.max_cells)


def _xml_error(path: Path, exc: Exception, detail: str) -> AftersalesError:
    """A part that defusedxml refused: err.xml_unsafe for an entity trick (its Forbidden… classes),
    else err.not_spreadsheet (not well-formed XML)."""
    return AftersalesError("err.xml_unsafe" if "Forbidden" in type(exc).__name__ else "err.not_spreadsheet",
                           path, detail=detail)


def _sheet_parts(path: Path, members: dict[str, bytes], kept: dict[str, str], workbook: str, names: Iterable[str],
                 fetch: Callable[[set[str]], dict[str, bytes]]) -> tuple[dict[str, str], set[str]]:
    """(sheet name → the name of its part in `members`, the part name of every internal target of
    the workbook's relationships — sheets of any part name, shared strings, styles … — but the
    macros: vbaProject.bin, which python-calamine opens only when asked for them), following the
    workbook part and its relationships (defusedxml), each parsed once.

    A sheet's part is found as python-calamine 0.9 finds it: by the last attribute named `id` under
    any prefix or none, whatever the case of the part's name (a target `worksheets/Sheet1.xml`
    reads the member `xl/worksheets/sheet1.xml`; of `sheet1.xml` and `SHEET1.xml`, the one written
    last), the first sheet of a name when two share it. `kept`: `guard.part_key` → the name in
    `members`. A sheet whose part is in the file (`names`: every member's name) but was not kept by
    the guard by its name (`sheet1.dat`, `media/sheet1.xml`) is read by python-calamine too:
    `fetch` inflates it under the same limits and it joins `members` and `kept`, to be checked like
    any other."""
    from defusedxml import ElementTree as ET

    folder = posixpath.dirname(workbook)
    try:
        wb = ET.fromstring(members[workbook])
        rels_name = kept.get(guard.part_key(posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels")))
        rels = ET.fromstring(members[rels_name]) if rels_name else None
    except Exception as exc:  # defusedxml raises its own classes for entity tricks
        raise _xml_error(path, exc, str(exc)) from exc
    targets = {}
    read: set[str] = set()
    for rel in rels if rels is not None else ():
        target = rel.get("Target", "").replace("\\", "/")
        targets[rel.get("Id")] = target
        if rel.get("TargetMode") != "External" and target and not rel.get("Type", "").endswith("/vbaProject"):
            read.add(_part_of(target, folder))
    out: dict[str, str] = {}
    unkept = {key: name for key, name in ((guard.part_key(name), name) for name in names) if key not in kept}
    for el in wb.iter():
        if el.tag.rpartition("}")[2] == "sheet":
            rid = None
            for key, value in el.attrib.items():        # any `id` (r:id, o:id, id): the last one
                if key.rpartition("}")[2] == "id":
                    rid = value
            part = _part_of(targets.get(rid, ""), folder)
            key = guard.part_key(part)
            if key in unkept:
                members.update(fetch({unkept[key]}))
                kept[key] = unkept.pop(key)
            part = kept.get(key, part)
            if part in members:
                out.setdefault(el.get("name"), part)    # two sheets of one name: the first is read
    return out, read


def _part_of(target: str, folder: str = "xl") -> str:
    """The part name a relationship's target names: absolute from the package root
    (`/xl/worksheets/sheet1.xml`), else relative to the folder of the part whose relationships
    name it (`worksheets/sheet1.xml` from xl/workbook.xml)."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def _workbook_part(path: Path, members: dict[str, bytes], kept: dict[str, str]) -> str:
    """The workbook part python-calamine reads: the target of the package's officeDocument
    relationship (`_rels/.rels`), xl/workbook.xml when there is none (`kept`: `guard.part_key` →
    the name in `members`). Raises err.not_spreadsheet
    when that part is not in the package (sniff found an xl/workbook.xml, the relationship names
    another), err.xml_unsafe for an entity trick in the relationships."""
    from defusedxml import ElementTree as ET

    workbook = "xl/workbook.xml"
    rels_xml = members.get(kept.get("_rels/.rels", ""))
    if rels_xml:
        try:
            rels = ET.fromstring(rels_xml)
        except Exception as exc:  # defusedxml raises its own classes for entity tricks
            raise _xml_error(path, exc, str(exc)) from exc
        for rel in rels:
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("Target"):
                workbook = _part_of(rel.get("Target").replace("\\", "/"), "")
                break
    found = kept.get(guard.part_key(workbook))
    if found is None:
        raise AftersalesError("err.not_spreadsheet", path, detail=both("detail.no_workbook_part"))
    return found


def _read_xls(path: Path, limits: Limits) -> list[RawSheet]:
    """A legacy .xls: values by python-calamine, error cells, date system and BIFF version by xlrd.

    BIFF5 (Excel 5.0/95) is refused (err.biff5): its text is in the workbook's code page, which
    the Rust reader does not apply (realworld.md "Legacy .xls").
    """
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())
    except xlrd.biffh.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise AftersalesError("err.encrypted", path) from exc
        raise AftersalesError("err.not_spreadsheet", path, detail=_short(exc)) from exc
    except Exception as exc:  # a damaged stream: struct.error, IndexError … from xlrd's parser
        raise AftersalesError("err.not_spreadsheet", path, detail=_short(exc)) from exc
    try:
        if book.biff_version < 80:
            raise AftersalesError("err.biff5", path, version=book.biff_version / 10)
        bad: dict[str, dict] = {}
        for index, name in enumerate(book.sheet_names()):
            sheet = book.sheet_by_index(index)
            errors = {}
            for r in range(sheet.nrows):
                types = sheet.row_types(r)
                if xlrd.XL_CELL_ERROR in types:
                    values = sheet.row_values(r)
                    for c, t in enumerate(types):
                        if t == xlrd.XL_CELL_ERROR:
                            errors[(r, c)] = ("error", xlrd.error_text_from_code.get(values[c], "#ERROR"))
            bad[name] = errors
            book.unload_sheet(index)
        date1904 = book.datemode == 1
    except AftersalesError:
        raise
    except Exception as exc:
        raise AftersalesError("err.not_spreadsheet", path, detail=_short(exc)) from exc
    finally:
        book.release_resources()
    sheets = _read_calamine(path, bad, limits, "xls")
    for sheet in sheets:
        sheet.date1904 = date1904
    return sheets


def _read_calamine(path: Path, bad: dict[str, dict], limits: Limits, kind: str,
                   package: io.BytesIO | None = None, half: _Half | None = None) -> list[RawSheet]:
    """The sheets of `path` as python-calamine reads them — from `package` when given (an .xlsx's
    parts as `repack.package` hands them over), else from the file.

    `half`: a sheet's second half, being read in a thread of its own (`_Half`); `package` then
    holds that sheet's first half (`repack.halves`), and the rows are put together as
    python-calamine gives the whole sheet. When they do not fit — a half python-calamine refuses,
    rows out of order — the whole file is read instead, so the sheets and errors are those of
    reading it without halves."""
    if half is None:
        return _calamine_sheets(path, bad, limits, kind, package)
    try:
        sheets = _calamine_sheets(path, bad, limits, kind, package, half)
    except Exception:  # noqa: BLE001 - the halves did not fit: the file read whole says what it holds
        half.wait()
        return _calamine_sheets(path, bad, limits, kind)
    half.wait()
    return sheets


class _Half:
    """The rows of the sheet `name`'s second half (`repack.halves`) as python-calamine reads them,
    its package written by `write`, both in a thread started here: python-calamine parses without
    the GIL, so this thread's parse runs beside the first half's. Not a daemon thread
    (`open_workbooks`)."""

    def __init__(self, path: Path, limits: Limits, name: str, write: Callable[[], io.BytesIO]) -> None:
        self.name = name
        self._got: tuple[list[list[Any]], tuple[int, int]] | BaseException | None = None
        self._thread = threading.Thread(target=self._read, args=(path, limits, write), name="aftersales-read-half")
        self._thread.start()

    def _read(self, path: Path, limits: Limits, write: Callable[[], io.BytesIO]) -> None:
        import python_calamine as pc

        try:
            package = write()
            wb = pc.CalamineWorkbook.from_filelike(package)
            package.close()
            try:
                sheet = wb.get_sheet_by_name(self.name)
                _check_size(path, self.name, sheet.height, sheet.width, limits)
                self._got = (sheet.to_python(skip_empty_area=True), tuple(sheet.start or (0, 0)))
            finally:
                wb.close()
        except BaseException as exc:  # noqa: BLE001 - handed to the reading thread (`joined`)
            self._got = exc

    def wait(self) -> None:
        self._thread.join()

    def joined(self, rows: list[list[Any]]) -> list[list[Any]]:
        """`rows` (the first half's, absolute from row 1) followed by the second half's: the rows
        between them empty, every row as wide as the widest, empty cells "" — python-calamine's
        rows of the whole sheet. Raises what reading the second half raised, or ValueError when
        its first row is not below the first half's last (rows out of order in the file) or when
        asked a second time (two sheets of one name: the second half's rows are handed out once)."""
        self.wait()
        if isinstance(self._got, BaseException):
            raise self._got
        if self._got is None:
            raise ValueError("the second half was already joined")
        (more, (top, left)), self._got = self._got, None
        if not more:
            return rows
        if top < len(rows):
            raise ValueError("the halves of the sheet overlap")
        if left:
            more = [[""] * left + row for row in more]
        width = max(map(len, rows[:1] + more[:1]))
        for part in (rows, more):
            for row in part:
                if len(row) < width:
                    row.extend([""] * (width - len(row)))
        rows.extend([""] * width for _ in range(top - len(rows)))
        rows.extend(more)
        return rows


def _calamine_sheets(path: Path, bad: dict[str, dict], limits: Limits, kind: str,
                     package: io.BytesIO | None = None, half: _Half | None = None) -> list[RawSheet]:
    import python_calamine as pc

    try:
        if package is not None:
            wb = pc.CalamineWorkbook.from_filelike(package)
            package.close()             # python-calamine holds its own copy: ours is freed now
        elif path.suffix.lower() in KIND_SUFFIXES[kind]:
            try:
                str(path).encode("utf-8")
                wb = pc.CalamineWorkbook.from_path(str(path))
            except UnicodeEncodeError:          # a name that is not UTF-8 (e.g. GBK bytes from a zip)
                with open(path, "rb") as fh:
                    wb = pc.CalamineWorkbook.from_filelike(fh)
        else:                                   # a lying extension: the reader types the content
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
            if kind == "xlsx" and meta.name not in bad:
                # a sheet python-calamine finds that the guard did not check (its size, its error
                # cells): reading it could allocate without bound, so it is refused, never read
                raise AftersalesError("err.not_spreadsheet", path,
                                      detail=both("detail.sheet_part_unchecked", part=meta.name))
            sheet = wb.get_sheet_by_name(meta.name)
            _check_size(path, meta.name, sheet.height, sheet.width, limits)
            rows = sheet.to_python(skip_empty_area=False)
            if half is not None and meta.name == half.name:
                rows = half.joined(rows)
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


CSV_DELIMITERS = (",", "\t", ";", "|")
_EQ_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)


def read_csv(path: Path, limits: Limits | None = None) -> RawSheet:
    """A CSV or text export, every cell text (realworld.md "CSV and text exports").

    Encodings: UTF-8 with or without BOM, GB18030/GBK, UTF-16 LE/BE with a BOM. The delimiter
    (comma, tab, semicolon, `|`) is the one giving the same number of fields on the header and the
    first rows. `="00123"` is the text `00123`. The size, row and cell limits apply as to a
    workbook. Raises AftersalesError: err.csv_encoding, err.csv_nul, err.csv_too_large,
    err.too_many_rows, err.too_many_cells.
    """
    limits = limits or limits_from_env()
    try:
        if path.stat().st_size > limits.max_total_mb * 1_000_000:
            raise AftersalesError("err.csv_too_large", path, limit=limits.max_total_mb)
        data = path.read_bytes()
    except OSError as exc:
        raise AftersalesError("err.not_spreadsheet", path, detail=os_reason(exc)) from exc
    text, encoding = _decode(path, data)
    delimiter = _delimiter(text)
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise AftersalesError("err.not_spreadsheet", path, detail=str(exc)) from exc
    width = 0
    eq_text = '="' in text
    for r in rows:
        if eq_text:
            r[:] = [_eq_text(cell) for cell in r]
        while r and not r[-1]:          # trailing empty fields are no columns
            r.pop()
        width = max(width, len(r))
    while rows and not rows[-1]:        # nor trailing empty lines rows
        rows.pop()
    _check_size(path, path.stem, len(rows), width, limits)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return RawSheet(file=str(path), name=path.stem, rows=rows, is_csv=True, single=True, kind="csv",
                    encoding=encoding)


def _eq_text(cell: str) -> str:
    m = _EQ_TEXT.match(cell) if cell.startswith("=") else None
    return m.group(1) if m else cell


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """(text, encoding name) in the first accepted encoding that decodes the bytes."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):    # UTF-32: not accepted
        raise AftersalesError("err.csv_encoding", path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise AftersalesError("err.csv_encoding", path) from exc
    if b"\x00" in data:
        raise AftersalesError("err.csv_nul", path)
    for encoding, label in (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030")):
        try:
            return data.decode(encoding), label
        except UnicodeDecodeError:
            continue
    raise AftersalesError("err.csv_encoding", path)


def _delimiter(text: str, lines: int = 20) -> str:
    """The delimiter whose header and first rows have one same field count (realworld.md "CSV"):
    the largest share of the first records agreeing on a count of two or more, then the most such
    records, then the most fields; comma on a tie."""
    sample = text[:65536]
    best, best_score = ",", (0.0, 0, 0)
    for delimiter in CSV_DELIMITERS:
        if delimiter not in sample:
            continue
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            counts = [len(r) for _, r in zip(range(lines), reader) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if len(counts) > 2:
            counts = counts[:-1]        # the sample may end inside the last row
        fields, rows = max(Counter(c for c in counts if c > 1).items(), key=itemgetter(1, 0),
                           default=(0, 0))
        # the share of records that agree first: a wrong delimiter splits a quoted multi-line field
        # into extra records, so counting agreeing rows alone could prefer it (title lines above the
        # header have one field with every delimiter)
        score = (rows / len(counts) if counts else 0.0, rows, fields)
        if score > best_score:
            best, best_score = delimiter, score
    return best



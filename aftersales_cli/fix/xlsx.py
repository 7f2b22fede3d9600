"""Patching an .xlsx/.xlsm package in place: only the changed `<c>` elements of the sheet XML are
rewritten, one date style is added where needed, a 修改记录 sheet is appended (fixes.md §2).

Every other zip member is copied unchanged (formulas with their cached values, validations,
comments, drawings, extension data). The sheet XML is patched as text, element by element: the
`<row>`/`<c>` tags are found whatever their namespace prefix (`x:c`), with or without `r`
attributes (a missing one means "the next row/column"), so nothing outside the changed cells moves.
A package that cannot be patched this way raises NotPatchable, and the caller rebuilds it
(fix/rebuild.py).
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path
from typing import Any, Callable, Sequence

from ..core.cells import col_index, col_letter
from ..read.guard import is_date1904


class NotPatchable(Exception):
    """The package's parts cannot be found or patched as text (odd zip names, encodings, …)."""


@dataclass(frozen=True)
class CellEdit:
    """A cell to write: 1-based row, 0-based column, and the value (date, number or text)."""
    row: int
    col: int
    value: Any


_TAG = re.compile(r"<(/?)((?:[A-Za-z_][\w.-]*:)?)(row|c)(?=[\s/>])([^>]*?)(/?)>")
_ATTR = re.compile(r"([\w.:-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")
_DATE_BUILTIN = set(range(14, 18)) | {22} | set(range(27, 37)) | set(range(50, 59))
REL_WORKSHEET_SUFFIX = "/worksheet"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _attrs(text: str) -> list[tuple[str, str]]:
    return [(k, v[1:-1]) for k, v in _ATTR.findall(text)]


def _attr_text(attrs: list[tuple[str, str]]) -> str:
    return "".join(f' {k}="{v}"' for k, v in attrs)


def _number(value: Any) -> str:
    if isinstance(value, bool):
        raise NotPatchable("bool")
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


class Package:
    """An opened package: its members, the workbook part and each sheet's part by name."""

    def __init__(self, path: Path) -> None:
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise NotPatchable(str(exc)) from exc
        try:
            self._read()
        except BaseException:
            self.zf.close()
            raise

    def _read(self) -> None:
        self.names = self.zf.namelist()
        if any("\\" in n for n in self.names):
            raise NotPatchable("backslash member names")
        self.workbook = self._office_document()
        self.wb_xml = self.part(self.workbook)
        base = posixpath.dirname(self.workbook)
        self.rels_name = posixpath.join(base, "_rels", posixpath.basename(self.workbook) + ".rels")
        self.rels_xml = self.part(self.rels_name)
        self.base = base
        self.sheets = self._sheet_parts()

    def part(self, name: str) -> str:
        if name not in self.names:
            raise NotPatchable(f"missing part {name}")
        data = self.zf.read(name)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotPatchable(f"{name} is not UTF-8") from exc

    def _office_document(self) -> str:
        rels = self.part("_rels/.rels")
        for tag in re.findall(r"<(?:[\w.-]+:)?Relationship\b[^>]*>", rels):
            a = dict(_attrs(tag))
            if a.get("Type", "").endswith("/officeDocument"):
                return a.get("Target", "").lstrip("/")
        raise NotPatchable("no officeDocument relationship")

    def _target(self, target: str) -> str:
        return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(self.base, target))

    def _sheet_parts(self) -> dict[str, str]:
        targets = {}
        for tag in re.findall(r"<(?:[\w.-]+:)?Relationship\b[^>]*>", self.rels_xml):
            a = dict(_attrs(tag))
            targets[a.get("Id")] = (self._target(a.get("Target", "")), a.get("Type", ""))
        self.rel_types = targets
        out = {}
        for tag in re.findall(r"<(?:[\w.-]+:)?sheet\b[^>]*>", self.wb_xml):
            a = _attrs(tag)
            name = unescape(next((v for k, v in a if k == "name"), ""))
            rid = next((v for k, v in a if k.endswith(":id") or k == "id"), None)
            if rid in targets:
                out[name] = targets[rid][0]
        return out

    @property
    def date1904(self) -> bool:
        return is_date1904(self.wb_xml.encode("utf-8"))     # as the reader decides it


def serial(day: dt.date, date1904: bool) -> int:
    """The spreadsheet serial number of a date in the workbook's date system."""
    return (day - (dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30))).days


def patch_sheet(xml: str, edits: dict[tuple[int, int], Any], date_style, date1904: bool = False,
                skipped: set | None = None) -> str:
    """The sheet XML with each (row, col) of `edits` rewritten; `date_style(s)` gives the style index
    for a date written in a cell whose style index is `s`. A cell holding a formula is left as it is
    (the formula is the clerk's) and its (row, col) added to `skipped`. Raises NotPatchable for a
    cell not found."""
    start = re.search(r"<(?:[\w.-]+:)?sheetData\b[^>]*?(/?)>", xml)
    if start is None or start.group(1):
        raise NotPatchable("no sheetData")
    out, last, row, col, found = [], 0, 0, -1, 0
    pos = start.end()
    while True:
        m = _TAG.search(xml, pos)
        if m is None:
            break
        closing, prefix, name, attr_text, self_closing = m.groups()
        pos = m.end()
        if closing:
            if name == "row" and xml.startswith("sheetData", m.end() + 2 + len(prefix)):
                break
            continue
        attrs = _attrs(attr_text)
        ref = next((v for k, v in attrs if k == "r"), None)
        if name == "row":
            row = int(ref) if ref and ref.isdigit() else row + 1
            col = -1
            continue
        cm = _CELL_REF.match(ref or "")
        if cm:
            col, row_of_cell = col_index(cm.group(1)), int(cm.group(2))
            if row_of_cell != row:
                raise NotPatchable("cell outside its row")
        else:
            col += 1
        if (row, col) not in edits:
            continue
        end = m.end()
        if not self_closing:
            close = xml.find(f"</{prefix}c>", m.end())
            if close < 0:
                raise NotPatchable("unclosed cell")
            body = xml[m.end():close]
            end = close + len(f"</{prefix}c>")
            if re.search(rf"<{re.escape(prefix)}f\b", body):
                if skipped is not None:
                    skipped.add((row, col))
                found += 1
                continue
        out.append(xml[last:m.start()])
        out.append(_cell(prefix, attrs, edits[(row, col)], date_style, date1904))
        last, found = end, found + 1
        pos = end
    if found != len(edits):
        raise NotPatchable("cells not found")
    out.append(xml[last:])
    return "".join(out)


def _cell(p: str, attrs: list[tuple[str, str]], value: Any, date_style, date1904: bool) -> str:
    keep = [(k, v) for k, v in attrs if k not in ("t", "s", "cm", "vm", "ph")]
    style = next((v for k, v in attrs if k == "s"), None)
    if isinstance(value, dt.date):
        style_index, number = date_style(int(style) if style and style.isdigit() else 0), serial(value, date1904)
        a = keep + [("s", str(style_index))]
        return f"<{p}c{_attr_text(a)}><{p}v>{number}</{p}v></{p}c>"
    a = keep + ([("s", style)] if style is not None else [])
    if isinstance(value, str):
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return (f'<{p}c{_attr_text(a)} t="inlineStr"><{p}is><{p}t{space}>{escape(value, quote=False)}'
                f"</{p}t></{p}is></{p}c>")
    return f"<{p}c{_attr_text(a)}><{p}v>{_number(value)}</{p}v></{p}c>"


class Styles:
    """styles.xml with date styles added on demand: for a cell of style `s` whose number format is not
    a date, a copy of its `<xf>` with the number format yyyy-mm-dd (one entry per source style)."""

    def __init__(self, xml: str) -> None:
        self.xml = xml
        self.changed = False
        self._made: dict[int, int] = {}
        m = re.search(r"<([\w.-]+:)?cellXfs\b[^>]*>(.*?)</\1?cellXfs>", xml, re.S)
        if m is None:
            raise NotPatchable("no cellXfs")
        self.p = m.group(1) or ""
        self.xfs = re.findall(rf"<{re.escape(self.p)}xf\b[^>]*?(?:/>|>.*?</{re.escape(self.p)}xf>)", m.group(2), re.S)
        self.dates = self._date_formats()

    def _date_formats(self) -> set[int]:
        ids = set(_DATE_BUILTIN)
        for tag in re.findall(r"<(?:[\w.-]+:)?numFmt\b[^>]*>", self.xml):
            a = dict(_attrs(tag))
            code = re.sub(r'"[^"]*"|\[[^\]]*\]', "", unescape(a.get("formatCode", ""))).lower()
            if "y" in code and "d" in code and a.get("numFmtId", "").isdigit():
                ids.add(int(a["numFmtId"]))
        return ids

    @staticmethod
    def _fmt(xf: str) -> int:
        m = re.search(r"\bnumFmtId\s*=\s*[\"'](\d+)[\"']", xf)
        return int(m.group(1)) if m else 0

    def date_style(self, s: int) -> int:
        if 0 <= s < len(self.xfs) and self._fmt(self.xfs[s]) in self.dates:
            return s
        if s in self._made:
            return self._made[s]
        source = self.xfs[s] if 0 <= s < len(self.xfs) else self.xfs[0]
        fmt_id = self._date_numfmt()
        xf = re.sub(r"\bnumFmtId\s*=\s*[\"']\d+[\"']", f'numFmtId="{fmt_id}"', source, count=1)
        if "numFmtId" not in xf:
            xf = xf.replace(f"<{self.p}xf", f'<{self.p}xf numFmtId="{fmt_id}"', 1)
        if "applyNumberFormat" not in xf:
            xf = xf.replace(f"<{self.p}xf", f'<{self.p}xf applyNumberFormat="1"', 1)
        self.xfs.append(xf)
        index = len(self.xfs) - 1
        self.xml = re.sub(rf"</{re.escape(self.p)}cellXfs>", lambda _: xf + f"</{self.p}cellXfs>", self.xml, count=1)
        self.xml = re.sub(rf"(<{re.escape(self.p)}cellXfs\b[^>]*?\bcount\s*=\s*)[\"']\d+[\"']",
                          lambda m: f'{m.group(1)}"{len(self.xfs)}"', self.xml, count=1)
        self._made[s] = index
        self.changed = True
        return index

    def _date_numfmt(self) -> int:
        for tag in re.findall(r"<(?:[\w.-]+:)?numFmt\b[^>]*>", self.xml):
            a = dict(_attrs(tag))
            if unescape(a.get("formatCode", "")).lower() == "yyyy-mm-dd" and a.get("numFmtId", "").isdigit():
                return int(a["numFmtId"])
        ids = [int(i) for i in re.findall(r"<(?:[\w.-]+:)?numFmt\b[^>]*\bnumFmtId\s*=\s*[\"'](\d+)", self.xml)]
        new = max([163, *ids]) + 1
        tag = f'<{self.p}numFmt numFmtId="{new}" formatCode="yyyy-mm-dd"/>'
        m = re.search(r"<([\w.-]+:)?numFmts\b([^>]*?)(/?)>", self.xml)
        if m and not m.group(3):
            self.xml = re.sub(rf"</{re.escape(m.group(1) or '')}numFmts>", lambda _: tag + f"</{m.group(1) or ''}numFmts>",
                              self.xml, count=1)
            self.xml = re.sub(r"(<(?:[\w.-]+:)?numFmts\b[^>]*?\bcount\s*=\s*)[\"']\d+[\"']",
                              lambda mm: f'{mm.group(1)}"{len(ids) + 1}"', self.xml, count=1)
        else:
            if m:   # an empty <numFmts/>
                self.xml = self.xml[:m.start()] + self.xml[m.end():]
            root = re.search(r"<(?:[\w.-]+:)?styleSheet\b[^>]*>", self.xml)
            if root is None:
                raise NotPatchable("no styleSheet")
            self.xml = (self.xml[:root.end()] + f'<{self.p}numFmts count="1">{tag}</{self.p}numFmts>'
                        + self.xml[root.end():])
        self.dates.add(new)
        return new


def log_sheet_xml(main_ns: str, rows: Sequence[Sequence[str]], widths: Sequence[int]) -> str:
    """A worksheet of text cells (inline strings): the 修改记录 sheet, header row frozen, printed
    landscape one page wide."""
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths))
    body = []
    for r, values in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{col_letter(c)}{r}" t="inlineStr"><is><t xml:space="preserve">{escape(str(v), quote=False)}</t></is></c>'
            for c, v in enumerate(values))
        body.append(f'<row r="{r}">{cells}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{main_ns}">'
            f'<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            f'state="frozen"/></sheetView></sheetViews><cols>{cols}</cols><sheetData>{"".join(body)}</sheetData>'
            f'<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            f'<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>')


def patch_package(src: Path, dst: Path, edits: dict[str, dict[tuple[int, int], Any]], log_name: str,
                  log_rows: Callable[[set], Sequence[Sequence[str]]], widths: Sequence[int]) -> set:
    """Write `dst`: `src` with `edits` (sheet name → {(row, col0): value}) and a last sheet `log_name`
    holding `log_rows(skipped)`; the set of (sheet, row, col0) left alone because they hold a formula.

    Raises NotPatchable when the package cannot be patched as text; `dst` is then left unwritten."""
    pkg = Package(src)
    with pkg.zf:
        return _patch(pkg, dst, edits, log_name, log_rows, widths)


def _patch(pkg: Package, dst: Path, edits: dict[str, dict[tuple[int, int], Any]], log_name: str,
           log_rows: Callable[[set], Sequence[Sequence[str]]], widths: Sequence[int]) -> set:
    replaced: dict[str, str] = {}
    styles_name = _styles_part(pkg)
    styles = Styles(pkg.part(styles_name)) if styles_name else None
    date1904 = pkg.date1904

    def date_style(s: int) -> int:
        if styles is None:
            raise NotPatchable("no styles part")
        return styles.date_style(s)

    skipped: set = set()
    for sheet, cells in edits.items():
        part = pkg.sheets.get(sheet)
        if part is None:
            raise NotPatchable(f"sheet {sheet} not found")
        left: set = set()
        replaced[part] = patch_sheet(pkg.part(part), cells, date_style, date1904, left)
        skipped |= {(sheet, r, c) for r, c in left}
    if styles is not None and styles.changed:
        replaced[styles_name] = styles.xml
    new_part, wb_xml, rels_xml, types_xml = _add_sheet(pkg, log_name)
    replaced[pkg.workbook] = wb_xml
    replaced[pkg.rels_name] = rels_xml
    replaced["[Content_Types].xml"] = types_xml
    main_ns = re.search(r"<(?:([\w.-]+):)?workbook\b[^>]*>", pkg.wb_xml)
    ns = _namespace(pkg.wb_xml, main_ns.group(1) if main_ns else None)
    with zipfile.ZipFile(dst, "w") as out:
        for info in pkg.zf.infolist():
            if info.filename in replaced:
                out.writestr(info, replaced[info.filename].encode("utf-8"), compress_type=info.compress_type)
            else:
                out.writestr(info, pkg.zf.read(info.filename), compress_type=info.compress_type)
        out.writestr(new_part, log_sheet_xml(ns, log_rows(skipped), widths).encode("utf-8"),
                     compress_type=zipfile.ZIP_DEFLATED)
    return skipped


def _styles_part(pkg: Package) -> str | None:
    for target, typ in pkg.rel_types.values():
        if typ.endswith("/styles") and target in pkg.names:
            return target
    return None


def _namespace(xml: str, prefix: str | None) -> str:
    attr = f"xmlns:{prefix}" if prefix else "xmlns"
    m = re.search(rf"\b{re.escape(attr)}\s*=\s*[\"']([^\"']+)[\"']", xml)
    if m is None:
        raise NotPatchable("no namespace")
    return m.group(1)


def _add_sheet(pkg: Package, name: str) -> tuple[str, str, str, str]:
    """(new part name, workbook.xml, its .rels, [Content_Types].xml) with one more worksheet."""
    names = set(pkg.sheets)
    base_name, n = name, 2
    while name in names:
        name, n = f"{base_name}({n})", n + 1
    sheet_tags = re.findall(r"<(?:[\w.-]+:)?sheet\b[^>]*>", pkg.wb_xml)
    if not sheet_tags:
        raise NotPatchable("no sheets")
    p = re.match(r"<((?:[\w.-]+:)?)sheet", sheet_tags[0]).group(1)
    id_attr = next((k for k, _ in _attrs(sheet_tags[0]) if k.endswith(":id")), None)
    if id_attr is None:
        raise NotPatchable("sheet without r:id")
    ids = [int(v) for t in sheet_tags for k, v in _attrs(t) if k == "sheetId" and v.isdigit()]
    rids = set(pkg.rel_types)
    rid, k = "rIdFix1", 1
    while rid in rids:
        k += 1
        rid = f"rIdFix{k}"
    folder = posixpath.join(pkg.base, "worksheets")
    i = 1
    while posixpath.join(folder, f"sheet{i}.xml") in pkg.names:
        i += 1
    part = posixpath.join(folder, f"sheet{i}.xml")
    tag = f'<{p}sheet name="{escape(name)}" sheetId="{max(ids, default=0) + 1}" {id_attr}="{rid}"/>'
    close = f"</{p}sheets>"
    if close not in pkg.wb_xml:
        raise NotPatchable("no </sheets>")
    wb_xml = pkg.wb_xml.replace(close, tag + close, 1)
    ws_type = next((t for target, t in pkg.rel_types.values() if t.endswith(REL_WORKSHEET_SUFFIX)), None)
    if ws_type is None:
        raise NotPatchable("no worksheet relationship")
    rel_tag = re.search(r"<((?:[\w.-]+:)?)Relationships\b", pkg.rels_xml)
    rp = rel_tag.group(1) if rel_tag else ""
    rels = pkg.rels_xml.replace(f"</{rp}Relationships>",
                                f'<{rp}Relationship Id="{rid}" Type="{ws_type}" Target="/{part}"/></{rp}Relationships>', 1)
    types = pkg.part("[Content_Types].xml")
    tp = re.search(r"<((?:[\w.-]+:)?)Types\b", types)
    tpp = tp.group(1) if tp else ""
    types = types.replace(f"</{tpp}Types>",
                          f'<{tpp}Override PartName="/{part}" ContentType="{WORKSHEET_TYPE}"/></{tpp}Types>', 1)
    return part, wb_xml, rels, types

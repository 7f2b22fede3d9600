"""Write a city's sample data as workbooks, in the standard layout or with the quirks of real files.

Sheet names and headers come from the format files (`load_formats()`), never from here. Every
workbook is written atomically and byte-for-byte reproducibly (fixed timestamps in the package).

- standard: one workbook per dataset, `<canonical sheet name>.xlsx`, header on row 1 (openpyxl
  write-only mode, so a 10,000-order report stays quick to write);
- quirks: the same data the way a city's clerk keeps it — a merged title row and a 填表单位 line
  above the header, the 服务日期 of a day merged over its rows, a 合计 row and a 制表人 line under
  the data, several datasets in one workbook, sheets named by an alias, a single-sheet file found by
  its file name, headers with ideographic spaces, line breaks, aliases and `*` markers, phone
  numbers and checklist codes typed as numbers, dates in other (still date) number formats.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from ..errors import AftersalesError
from ..formats import DATASETS, DatasetFormat, Formats, load_formats
from ..period import Period
from ..report.atomic import ensure_folder, write_atomic
from .generator import CityData
from .marker import is_sample_output, mark

_STAMP = (2026, 1, 1, 0, 0, 0)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_CODE = re.compile(r"^\d{1,2}\.\d$")
_BAD_NAME = re.compile(r"[\\/:*?\"<>|\x00-\x1f\x7f]")


def check_city_name(city: str) -> None:
    """A city name becomes a folder name: no separators, no `..`, no control characters."""
    if not city or not city.strip() or _BAD_NAME.search(city) or city.strip(". ") != city or len(city) > 64:
        raise AftersalesError("err.bad_city_name", value=city)


class _StableZip(zipfile.ZipFile):
    """A zip whose members carry a fixed timestamp, so the same data gives the same bytes."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_STAMP)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as fh:
            self.writestr(arcname or Path(filename).name, fh.read(), compress_type, compresslevel)


def _save(wb, path: Path) -> None:
    from openpyxl.writer.excel import ExcelWriter

    stamp = dt.datetime(*_STAMP)
    wb.properties.creator = "aftersales sample"
    wb.properties.lastModifiedBy = "aftersales sample"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    mark(wb)
    archive = _StableZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(wb, archive).save()
    finally:
        archive.close()
    os.chmod(path, 0o666 & ~_umask())   # the temporary file is 0600; give it a normal file's mode


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def city_files(city: str, period: Period, layout: str) -> tuple[list[str], list[str]]:
    """(the file names `layout` writes for a city's month, those of the other layouts)."""
    formats = load_formats()
    standard = [f"{formats[name].sheet}.xlsx" for name in DATASETS]
    quirks = [file for file, _ in _quirk_plan(city, period, formats)]
    mine = standard if layout == "standard" else quirks
    return mine, [n for n in dict.fromkeys(standard + quirks) if n not in mine]


def check_targets(folder: Path, city: str, period: Period, layout: str, force: bool) -> None:
    """Refuse (err.output_exists, naming it) a file this city's run would write or remove, unless
    `force`; with `force` only files of an earlier `sample` are removed, so there is nothing to check."""
    if force:
        return
    mine, others = city_files(city, period, layout)
    for name in mine:
        if (folder / name).exists():
            raise AftersalesError("err.output_exists", folder / name)
    for name in others:
        if is_sample_output(folder / name):
            raise AftersalesError("err.output_exists", folder / name)


def write_city(folder: Path, data: CityData, layout: str) -> list[Path]:
    """Write the city's workbooks into `folder`; earlier sample workbooks of the other layout (those
    carrying the sample mark) go, any other file stays."""
    formats = load_formats()
    folder = ensure_folder(Path(folder))
    if layout == "standard":
        written = [_write_standard(folder / f"{formats[name].sheet}.xlsx", formats[name], data.tables[name])
                   for name in DATASETS]
    else:
        written = [_write_quirks(folder / file, sheets, data, formats)
                   for file, sheets in _quirk_plan(data.city, data.period, formats)]
    for name in city_files(data.city, data.period, layout)[1]:
        stale = folder / name
        if is_sample_output(stale):
            try:
                stale.unlink()
            except OSError as exc:
                from ..errors import unwritable
                raise unwritable(stale, exc) from exc
    return written


# --- standard layout ----------------------------------------------------------------------------

def _write_standard(path: Path, fmt: DatasetFormat, rows: list[dict]) -> Path:
    def write(tmp: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(fmt.sheet)
        for j, col in enumerate(fmt.columns, 1):
            ws.column_dimensions[get_column_letter(j)].width = col.width
        ws.freeze_panes = "A2"
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        header = []
        for col in fmt.columns:
            cell = WriteOnlyCell(ws, value=col.header)
            cell.font, cell.fill, cell.alignment = bold, fill, Alignment(horizontal="center")
            header.append(cell)
        ws.append(header)
        keys = [c.key for c in fmt.columns]
        append = ws.append
        for row in rows:
            append([row.get(k) for k in keys])
        _save(wb, tmp)

    return write_atomic(path, write)


# --- quirks layout ------------------------------------------------------------------------------

def _alias(fmt: DatasetFormat, prefer: str) -> str:
    return prefer if prefer in fmt.aliases else (fmt.aliases[-1] if fmt.aliases else fmt.sheet)


def _quirk_plan(city: str, p: Period, formats: Formats) -> list[tuple[str, list[tuple[str, str]]]]:
    """(file name, [(dataset, sheet name)]) for the quirks layout; each dataset in one sheet."""
    f = formats
    inspection_file = _alias(f["inspection"], "现场检查表")
    return [
        (f"{city}{p.year}年{p.month}月维修日报.xlsx", [("repair_report", _alias(f["repair_report"], "维修登记表"))]),
        ("配件管理.xlsx", [("parts_ledger", _alias(f["parts_ledger"], "出入库台账")),
                          ("parts_master", _alias(f["parts_master"], "物料存储卡")),
                          ("stocktake", f["stocktake"].sheet),
                          ("parts_plan", _alias(f["parts_plan"], "配件申请计划表"))]),
        ("人员与培训.xlsx", [("roster", _alias(f["roster"], "花名册")),
                            ("training_log", _alias(f["training_log"], "内训记录"))]),
        (f"{inspection_file}.xlsx", [("inspection", "Sheet1")]),
    ]


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).strip("*")


def _headers(fmt: DatasetFormat) -> list[str]:
    """Header texts as clerks type them; each still matches its own column and no other."""
    out = []
    for i, col in enumerate(fmt.columns):
        others = {_norm(n) for c in fmt.columns if c.key != col.key for n in c.names}
        h = col.header
        style = i % 5
        if style == 1:
            alias = next((a for a in col.aliases if _norm(a) not in others and len(a) > 1), None)
            h = alias or h
        elif style == 2 and len(h) >= 3:
            h = h[:2] + "\u3000" + h[2:]              # an ideographic (full-width) space
        elif style == 3 and len(h) >= 4:
            h = h[:2] + "\n" + h[2:]                  # a line break inside the cell
        if col.required:
            h = h + ("*" if i % 2 == 0 else "＊")      # the required marker, half or full width
        out.append(h)
    return out


_STYLES: dict[str, dict[str, Any]] = {
    # title: a merged title row; unit: a 填表单位 line; blank_top: an empty first row;
    # totals / signoff: rows under the data; merge_dates: merge a day's 服务日期 over its rows;
    # numbers: columns whose digits are typed as numbers; date_format: the dates' number format.
    "repair_report": {"title": True, "unit": True, "totals": True, "signoff": "制表人", "merge_dates": "service_date",
                      "numbers": ("phone",), "date_format": "yyyy/m/d", "first": "order_no", "extra": "备注"},
    "roster": {"title": True, "numbers": ("mobile",), "date_format": 'yyyy"年"m"月"d"日"'},
    "parts_ledger": {"date_format": "yyyy/m/d"},
    "parts_master": {"blank_top": True},
    "stocktake": {"title": True, "signoff": "盘点人签字"},
    "parts_plan": {},
    "training_log": {"date_format": 'yyyy"年"m"月"d"日"'},
    "inspection": {"title": True, "numbers": ("code",)},
}


def _write_quirks(path: Path, sheets: list[tuple[str, str]], data: CityData, formats: Formats) -> Path:
    def write(tmp: Path) -> None:
        from openpyxl import Workbook

        wb = Workbook()
        wb.remove(wb.active)
        for name, sheet in sheets:
            ws = wb.create_sheet(sheet)
            _quirk_sheet(ws, formats[name], data.tables[name], data, _STYLES.get(name, {}))
        _save(wb, tmp)

    return write_atomic(path, write)


def _typed(value: Any, as_number: bool) -> Any:
    if as_number and isinstance(value, str):
        if _MOBILE.match(value):
            return int(value)
        if _CODE.match(value):
            return float(value)
    return value


def _quirk_sheet(ws, fmt: DatasetFormat, rows: list[dict], data: CityData, style: dict[str, Any]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    columns = list(fmt.columns)
    if style.get("first"):
        first = next(c for c in columns if c.key == style["first"])
        columns = [first, *[c for c in columns if c is not first]]
    header = dict(zip([c.key for c in fmt.columns], _headers(fmt)))
    titles = [header[c.key] for c in columns]
    if style.get("extra"):
        titles.append(style["extra"])
    width = len(titles)
    p = data.period
    if style.get("blank_top"):
        ws.append([])
    if style.get("title"):
        ws.append([f"{data.city} {p.year}年{p.month}月 {fmt.sheet}"])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
        cell = ws.cell(row=ws.max_row, column=1)
        cell.font, cell.alignment = Font(bold=True, size=14), Alignment(horizontal="center")
    if style.get("unit"):
        ws.append([f"填表单位：{data.people['own_unit']}", None, None, None, f"报表月份：{p.label}"])
    ws.append(titles)
    header_row = ws.max_row
    for j in range(1, width + 1):
        ws.cell(row=header_row, column=j).font = Font(bold=True)
        ws.cell(row=header_row, column=j).alignment = Alignment(wrap_text=True, horizontal="center")
        ws.column_dimensions[get_column_letter(j)].width = columns[j - 1].width if j <= len(columns) else 10
    ws.freeze_panes = f"A{header_row + 1}"
    numbers = set(style.get("numbers", ()))
    keys = [c.key for c in columns]
    date_cols = [j for j, c in enumerate(columns, 1) if c.type == "date"]
    notes = ("", "", "", "保内", "老客户", "加急", "")
    first_data = header_row + 1
    for n, row in enumerate(rows):
        values = [_typed(row.get(k), k in numbers) for k in keys]
        if style.get("extra"):
            values.append(notes[n % len(notes)] or None)
        ws.append(values)
    last_data = ws.max_row if rows else header_row
    fmt_date = style.get("date_format")
    if fmt_date:
        for r in range(first_data, last_data + 1):
            for j in date_cols:
                cell = ws.cell(row=r, column=j)
                if isinstance(cell.value, dt.date):
                    cell.number_format = fmt_date
    if style.get("merge_dates") and rows:      # one merged 服务日期 cell per run of equal dates
        key = style["merge_dates"]
        j = keys.index(key) + 1
        start = 0
        for k in range(1, len(rows) + 1):
            top = rows[start].get(key)
            if k < len(rows) and isinstance(top, dt.date) and rows[k].get(key) == top:
                continue
            if k - 1 > start and isinstance(top, dt.date):
                ws.merge_cells(start_row=first_data + start, start_column=j, end_row=first_data + k - 1, end_column=j)
            start = k
    if style.get("totals"):
        ws.append([])
        total = sum(r.get("fee") for r in rows if isinstance(r.get("fee"), (int, float)))
        line = [None] * width
        line[0] = "合计"
        if "fee" in keys:
            line[keys.index("fee")] = total
        ws.append(line)
    if style.get("signoff"):
        line = [None] * width
        line[0] = f"{style['signoff']}：{data.people['clerk'] if fmt.name == 'repair_report' else data.people['keeper']}"
        if width > 4:
            line[4] = f"审核人：{data.people['manager']}"
        ws.append(line)

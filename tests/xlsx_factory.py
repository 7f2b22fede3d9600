"""Build real workbooks (openpyxl) and CSVs for the reading and validation tests.

Every helper writes a real file; nothing here mocks a DataFrame. Rows are lists of cell values,
row 1 first, column A first; `None` leaves a cell empty. The valid rows below are valid for the
period 2026-11 and pass every cell and rule check of their dataset on their own.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import openpyxl
from openpyxl.utils import get_column_letter

from aftersales_cli.formats import load_formats

PERIOD = (2026, 11)
DAY = dt.date(2026, 11, 3)


def columns(dataset: str) -> list[str]:
    """The column keys of a dataset, in canonical (formats.md) order."""
    return [c.key for c in load_formats()[dataset].columns]


def headers(dataset: str, keys: Sequence[str] | None = None) -> list[str]:
    """The canonical headers of a dataset (or of `keys`, in that order)."""
    fmt = load_formats()[dataset]
    return [fmt.column(k).header for k in (keys or columns(dataset))]


def keys_with(dataset: str, key: str, at: int = 5) -> list[str]:
    """The canonical column order with `key` moved to position `at` (5 = column F)."""
    keys = [k for k in columns(dataset) if k != key]
    keys.insert(at, key)
    return keys


# --- valid rows ----------------------------------------------------------------------------------

def _valid(dataset: str, n: int) -> dict[str, Any]:
    day = DAY + dt.timedelta(days=(n - 1) % 20)
    if dataset == "repair_report":
        return {
            "service_date": day, "order_no": f"WX20261100{n:02d}", "tech_id": "T001", "tech_name": "王建国",
            "customer_name": f"客户{n}", "phone": f"138{n:08d}", "address": f"杭州市西湖区某路{n}号",
            "product_model": "HCE8042", "service_type": "维修", "fault": "漏水", "action": "更换密封圈",
            "part_code": "P2003", "part_qty": 1, "fee": 30, "status": "已完成", "completion_date": day,
            "satisfaction": "满意", "report_date": day,
        }
    if dataset == "roster":
        ids = ["11010519491231002X", "360426199101010071", "120103198806018241"]
        return {
            "tech_id": f"T{n:03d}", "name": ["王建国", "李明", "赵强"][(n - 1) % 3] + ("" if n <= 3 else str(n)),
            "gender": "男", "id_card": ids[(n - 1) % 3] if n <= 3 else None, "mobile": f"139{n:08d}",
            "category": "自有", "unit": "杭州服务中心", "skill_level": "中级", "hire_date": dt.date(2020, 3, 1),
            "leave_date": None, "status": "在职", "update_date": dt.date(2026, 11, 1),
        }
    if dataset == "stocktake":
        return {"count_date": dt.date(2026, 11, 30), "part_code": f"P{2000 + n}", "part_name": "密封圈",
                "book_qty": 5, "actual_qty": 5, "diff_qty": 0, "counter": "张三"}
    if dataset == "inspection":
        return {"code": "1.1", "content": "服务网点有标识", "result": "是", "inspector": "张三",
                "date": dt.date(2026, 11, 20), "remark": None}
    raise KeyError(dataset)


def valid_row(dataset: str, n: int = 1, keys: Sequence[str] | None = None, csv_text: bool = False,
              **values: Any) -> list[Any]:
    """A valid data row of `dataset` (the n-th), with `values` (by column key) overriding it."""
    data = {**_valid(dataset, n), **values}
    row = [data.get(k) for k in (keys or columns(dataset))]
    return [as_csv_text(v) for v in row] if csv_text else row


def as_csv_text(value: Any) -> str:
    """How a valid value is typed in a CSV: ISO dates, plain digits."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- layouts -------------------------------------------------------------------------------------

def titled(header: Sequence[Any], data: Iterable[Sequence[Any]], title: str = "杭州市 2026年11月 维修日报表",
           unit_line: str | None = "填表单位: 杭州服务中心") -> list[list[Any]]:
    """A title row, a 填表单位 line, the header on row 3, then the data from row 4."""
    return [[title], [unit_line] if unit_line else [], list(header), *[list(r) for r in data]]


def report_rows(*data: Sequence[Any], keys: Sequence[str] | None = None) -> list[list[Any]]:
    return titled(headers("repair_report", keys), data)


def roster_rows(*data: Sequence[Any], keys: Sequence[str] | None = None) -> list[list[Any]]:
    return titled(headers("roster", keys), data, title="杭州市 技师档案")


# --- writers -------------------------------------------------------------------------------------

def write_xlsx(path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]], *, hidden: Iterable[str] = (),
               merges: Mapping[str, Iterable[str]] | None = None, origin: tuple[int, int] = (1, 1),
               title_merge: bool = True) -> Path:
    """Write a workbook: one sheet per entry, rows starting at `origin` (row, column, 1-based).

    The first row's first cell, when it is a lone title, is merged across the header's width.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    merges = merges or {}
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        r0, c0 = origin
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    ws.cell(row=r0 + i, column=c0 + j, value=value)
        width = max((len(r) for r in rows), default=0)
        if title_merge and rows and len(rows[0]) == 1 and isinstance(rows[0][0], str) and width > 1:
            ws.merge_cells(start_row=r0, start_column=c0, end_row=r0, end_column=c0 + width - 1)
        for rng in merges.get(name, ()):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    if not wb.sheetnames:
        wb.create_sheet("Sheet1")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> Path:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def cell_name(row: int, col: int) -> str:
    """1-based (row, column) → "F4"."""
    return f"{get_column_letter(col)}{row}"


# --- hand-made packages (for what openpyxl will not write) ----------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '{extra}</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>{extra}</Relationships>')
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = '</sheetData></worksheet>'
SST_REL = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           'relationships/sharedStrings" Target="sharedStrings.xml"/>')
SST_TYPE = ('<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')


def inline_row(r: int, values: Sequence[Any]) -> str:
    """One <row> of inline-string / number cells."""
    cells = []
    for j, v in enumerate(values):
        ref = cell_name(r, j + 1)
        if v is None:
            continue
        if isinstance(v, (int, float)):
            cells.append(f'<c r="{ref}"><v>{v}</v></c>')
        else:
            text = str(v).replace("&", "&amp;").replace("<", "&lt;")
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    return f'<row r="{r}">{"".join(cells)}</row>'


def write_package(path: Path, sheet_xml: str | bytes, *, name: str = "维修日报表",
                  shared_strings: str | None = None, members: Mapping[str, bytes] | None = None,
                  compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A minimal OOXML package written by hand (sheet XML given as text or bytes)."""
    with zipfile.ZipFile(path, "w", compression) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=SST_TYPE if shared_strings else ""))
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK.format(name=name))
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=SST_REL if shared_strings else ""))
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared_strings is not None:
            zf.writestr("xl/sharedStrings.xml", shared_strings)
        for member, data in (members or {}).items():
            zf.writestr(member, data)
    return path


def write_bomb(path: Path, inflated_mb: int = 60) -> Path:
    """A workbook whose sheet member inflates to `inflated_mb` MB of white space (about 1000:1).

    The member is streamed into the zip chunk by chunk, so the file written stays small and
    nothing of the inflated size is held in memory.
    """
    head = (SHEET_HEAD.format(doctype="") + inline_row(1, ["服务日期", "工单号"])).encode()
    block = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=""))
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK.format(name="维修日报表"))
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=""))
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            member.write(head)
            for _ in range(inflated_mb):
                member.write(block)
            member.write(SHEET_TAIL.encode())
    return path

"""realworld.md: the same data, however it is written, reads the same.

One generated repair report is written as a plain .xlsx (openpyxl), as a hand-made package whose
XML carries an `x:` namespace prefix and no `r` attribute on rows or cells (the .NET Open XML SDK
way), as an .xlsx in the 1904 date system, and as CSV in every accepted encoding (UTF-8 with and
without BOM, GB18030, UTF-16 LE and BE with BOM) and delimiter (comma, tab, semicolon, `|`).
Every version must give equal datasets (the normalised values of every cell, by row) and equal
findings (code and cell address).

The values are chosen so that each has one standard form in every format (formats.md "Cell
types"): a date is a date cell in a workbook and `YYYY-MM-DD` in a CSV, a whole number a number
cell or plain digits, everything else text.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from aftersales_cli.formats import load_formats
from aftersales_cli.period import Period
from aftersales_cli.read import read_submission
from aftersales_cli.validate.engine import validate_submission

FMT = load_formats()["repair_report"]
HEADERS = [c.header for c in FMT.columns]
PERIOD = Period(2026, 11)
EPOCH_1900 = dt.date(1899, 12, 30)    # Excel's day 0 (the 1900 system)

TEXT = st.sampled_from(["王建国", "张三", "P1", "WX1", "WX2", "T001", "李四, 王五", '他说"好"', "第一行\n第二行",
                        "更换阀芯", "𠀀字", "a|b;c\td", "", "   "])


def value_of(col) -> st.SearchStrategy:
    if col.type == "date":
        return st.one_of(st.none(), st.dates(dt.date(2026, 10, 28), dt.date(2026, 12, 3)))
    if col.type in ("int", "money"):
        return st.one_of(st.none(), st.integers(0, 600))
    if col.type == "enum":
        return st.one_of(st.none(), st.sampled_from([*col.values, "随便"]))
    if col.type in ("mobile", "phone"):
        return st.one_of(st.none(), st.sampled_from(["13812345678", "0571-12345678", "123"]))
    return st.one_of(st.none(), TEXT)


REPORT = st.lists(st.tuples(*[value_of(c) for c in FMT.columns]), min_size=1, max_size=6)
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- the writers ---------------------------------------------------------------------------------

def plain_xlsx(path: Path, rows, date1904: bool = False) -> Path:
    wb = openpyxl.Workbook()
    if date1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    ws.title = FMT.sheet
    ws.append(HEADERS)
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    wb.save(path)
    return path


NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def prefixed_xlsx(path: Path, rows) -> Path:
    """`x:`-prefixed parts, no `r` attribute anywhere: a cell's place is its order in its row."""
    def cell(v) -> str:
        if v is None:
            return "<x:c/>"
        if isinstance(v, dt.date):
            return f'<x:c s="1"><x:v>{(v - EPOCH_1900).days}</x:v></x:c>'
        if isinstance(v, int):
            return f"<x:c><x:v>{v}</x:v></x:c>"
        return f'<x:c t="inlineStr"><x:is><x:t xml:space="preserve">{escape(v)}</x:t></x:is></x:c>'

    body = "".join("<x:row>" + "".join(cell(v) for v in r) + "</x:row>" for r in [HEADERS, *rows])
    parts = {
        "[Content_Types].xml":
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                       'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<x:workbook xmlns:x="{NS}" xmlns:r="{REL}"><x:sheets><x:sheet name="{FMT.sheet}" '
                           'sheetId="1" r:id="rId1"/></x:sheets></x:workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" '
            f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/styles" '
            'Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f'<x:styleSheet xmlns:x="{NS}"><x:numFmts count="1"><x:numFmt numFmtId="164" '
                         'formatCode="yyyy-mm-dd"/></x:numFmts><x:fonts count="1"><x:font/></x:fonts>'
                         '<x:fills count="1"><x:fill/></x:fills><x:borders count="1"><x:border/></x:borders>'
                         '<x:cellStyleXfs count="1"><x:xf/></x:cellStyleXfs><x:cellXfs count="2">'
                         '<x:xf numFmtId="0"/><x:xf numFmtId="164" applyNumberFormat="1"/></x:cellXfs>'
                         '</x:styleSheet>',
        "xl/worksheets/sheet1.xml": f'<x:worksheet xmlns:x="{NS}"><x:sheetData>{body}</x:sheetData></x:worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode("utf-8"))
    return path


ENCODINGS = {"utf-8": lambda t: t.encode("utf-8"), "utf-8-sig": lambda t: t.encode("utf-8-sig"),
             "gb18030": lambda t: t.encode("gb18030"),
             "utf-16-le-bom": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
             "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be")}
DELIMITERS = [",", "\t", ";", "|"]


def csv_file(path: Path, rows, encoding: str, delimiter: str) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in [HEADERS, *rows]:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])
    path.write_bytes(ENCODINGS[encoding](buf.getvalue()))
    return path


# --- what is compared ----------------------------------------------------------------------------

def outcome(path: Path) -> tuple[dict, list]:
    result = validate_submission(read_submission(path, only=("repair_report",)), period=PERIOD)
    checked = result.checked["repair_report"].values
    values = {(int(row), key): (None if _missing(v) else v)
              for key in checked.columns for row, v in checked[key].items()}
    findings = sorted((f.code, f.row, f.column) for f in result.findings)
    return values, findings


def _missing(v) -> bool:
    return v is None or bool(pd.isna(v))


def _xlsx_text_cells(rows) -> None:
    """The generated text never starts like a formula or holds characters XML 1.0 forbids."""
    assert all(not (isinstance(v, str) and v.startswith("=")) for r in rows for v in r)


@SETTINGS
@given(rows=REPORT, encoding=st.sampled_from(sorted(ENCODINGS)), delimiter=st.sampled_from(DELIMITERS))
def test_every_writing_of_the_same_report_reads_the_same(rows, encoding, delimiter):
    _xlsx_text_cells(rows)
    assume(any(v is not None and str(v).strip() for r in rows for v in r))
    with tempfile.TemporaryDirectory() as tmp:
        folders = {name: Path(tmp) / name for name in ("plain", "prefixed", "1904", "csv")}
        for folder in folders.values():
            folder.mkdir()
        base = outcome(plain_xlsx(folders["plain"] / "维修日报表.xlsx", rows))
        others = {
            "prefixed, no r": outcome(prefixed_xlsx(folders["prefixed"] / "维修日报表.xlsx", rows)),
            "1904": outcome(plain_xlsx(folders["1904"] / "维修日报表.xlsx", rows, date1904=True)),
            f"csv {encoding} {delimiter!r}": outcome(csv_file(folders["csv"] / "维修日报表.csv", rows, encoding,
                                                              delimiter)),
        }
    assert base[0], "the plain workbook gave no values at all"      # a non-blank row is data
    for name, other in others.items():
        assert other[1] == base[1], name
        assert other[0] == base[0], name


def test_the_1904_workbook_really_uses_the_1904_system(tmp_path):
    """The 1904 writer is what it claims: date1904 in workbook.xml, serials 1462 days smaller."""
    day = dt.date(2026, 11, 3)
    rows = [tuple(day if c.type == "date" else None for c in FMT.columns)]
    path = plain_xlsx(tmp_path / "a.xlsx", rows, date1904=True)
    with zipfile.ZipFile(path) as zf:
        assert b'date1904="1"' in zf.read("xl/workbook.xml")
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert f"<v>{(day - dt.date(1904, 1, 1)).days}</v>" in sheet


def test_quoted_line_breaks_and_other_delimiters_inside_fields_keep_the_comma(tmp_path):
    """Found by the property test above: a comma CSV whose quoted text fields hold `|`, `;`, a tab
    and a line break. Read with a tab, the line break splits records into more rows of one same
    field count than the comma gives; the delimiter is the one most records agree on
    (realworld.md "CSV"). Construction: two data rows, every text column but the first nine empty."""
    texts = [i for i, c in enumerate(FMT.columns) if c.type == "text"][-3:]
    row = [None] * len(FMT.columns)
    row[texts[0]], row[texts[1]], row[texts[2]] = "a|b;c\td", "第一行\n第二行", "a|b;c\td"
    path = csv_file(tmp_path / "维修日报表.csv", [tuple(row), tuple(row)], "gb18030", ",")
    values, _ = outcome(path)
    assert values[(2, FMT.columns[texts[1]].key)] == "第一行\n第二行"
    assert values[(3, FMT.columns[texts[0]].key)] == "a|b;c\td"     # Excel shows the second record as row 3

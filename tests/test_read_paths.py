"""The read path's faster steps give what the plain steps give (issue 16, read path).

- `guard.holds` (the regex engine's search for a literal) answers exactly `needle in xml`, for
  any bytes and any needle, regex metacharacters included.
- `scan_bad_cells` still finds a single error cell or uncached formula at the very end of a large
  sheet, with any prefix, quote and `r` attributes.
- `build_dataset` puts every cell object of the sheet, untouched, under its field and Excel row:
  expected values are the rows as constructed here, cell by cell; a header wider than the data
  (a field past the rows' width) reads as empty cells.
- A hand-written .xlsx (x-prefixed, r-less cells, inline and shared strings, an error cell, an
  uncached formula) reads into the cells constructed in it.
"""
from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales_cli.formats import load_formats
from aftersales_cli.read import guard
from aftersales_cli.read.discover import TABLE_ROWS, build_dataset, read_submission
from aftersales_cli.read.files import RawSheet

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ALPHABET = b'<>/="\'tefx.*+?()[]\\|^$ 1'


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200).map(lambda b: bytes(ALPHABET[c % len(ALPHABET)] for c in b)),
       st.binary(min_size=1, max_size=6).map(lambda b: bytes(ALPHABET[c % len(ALPHABET)] for c in b)))
def test_holds_answers_exactly_membership(xml, needle):
    assert guard.holds(xml, needle) is (needle in xml)


def _big_sheet(last: str, prefix: str = "", quote: str = '"', with_r: bool = True) -> bytes:
    """3,000 clean rows of inline strings and numbers, then one row holding `last` in column C."""
    p = prefix + ":" if prefix else ""

    def row(r: int, cells: str) -> str:
        return f"<{p}row{f' r={quote}{r}{quote}' if with_r else ''}>{cells}</{p}row>"

    def cell(ref: str, body: str, typ: str = "") -> str:
        attrs = (f" r={quote}{ref}{quote}" if with_r else "") + (f" t={quote}{typ}{quote}" if typ else "")
        return f"<{p}c{attrs}>{body}</{p}c>"

    text = f"<{p}is><{p}t>text</{p}t></{p}is>"
    rows = [row(r, cell(f"A{r}", f"<{p}v>{r}</{p}v>") + cell(f"B{r}", text, "inlineStr")
                + cell(f"C{r}", text, "inlineStr")) for r in range(1, 3001)]
    rows.append(row(3001, cell("A3001", f"<{p}v>1</{p}v>") + cell("B3001", text, "inlineStr") + last))
    ns = f"xmlns{':' + prefix if prefix else ''}={quote}{NS}{quote}"
    return (f"<?xml version={quote}1.0{quote}?><{p}worksheet {ns}><{p}sheetData>{''.join(rows)}"
            f"</{p}sheetData></{p}worksheet>").encode()


def test_one_bad_cell_at_the_end_of_a_large_sheet_is_found():
    for prefix in ("", "x"):
        for quote in ('"', "'"):
            for with_r in (True, False):
                q = quote
                p = prefix + ":" if prefix else ""
                ref = f" r={q}C3001{q}" if with_r else ""
                error = f"<{p}c{ref} t={q}e{q}><{p}v>#REF!</{p}v></{p}c>"
                formula = f"<{p}c{ref}><{p}f>A3001*2</{p}f></{p}c>"
                where = (3000, 2)           # row 3001, column C
                assert guard.scan_bad_cells(_big_sheet(error, prefix, quote, with_r)) == {where: ("error", "#REF!")}
                assert guard.scan_bad_cells(_big_sheet(formula, prefix, quote, with_r)) == {where: ("formula", "=A3001*2")}
                clean = f"<{p}c{ref} t={q}inlineStr{q}><{p}is><{p}t>e</{p}t></{p}is></{p}c>"
                assert guard.scan_bad_cells(_big_sheet(clean, prefix, quote, with_r)) == {}


REPORT = load_formats()["repair_report"]
HEADERS = [c.header for c in REPORT.columns]
KEYS = [c.key for c in REPORT.columns]


def _cell(i: int, j: int):
    """A cell of every kind python-calamine gives, chosen by (row, column)."""
    kinds = (float(i * 100 + j), f"t{i}-{j}", None, dt.date(2026, 11, 1 + i % 28),
             dt.datetime(2026, 11, 1, i % 24, j), i * 100 + j, bool(i % 2), dt.time(i % 24, j % 60),
             dt.timedelta(hours=i), "")
    return kinds[(i + j) % len(kinds)]


def _sheet_of(rows: list[list]) -> RawSheet:
    return RawSheet(file="f.xlsx", name=REPORT.sheet_names[0], rows=rows)


def _expect_cells(ds, rows: list[list], first: int, header_row: int = 1) -> None:
    assert list(ds.raw.columns) == KEYS
    assert list(ds.raw.index) == list(range(header_row + 1, header_row + 1 + len(rows) - first))
    assert all(str(t) == "object" for t in ds.raw.dtypes)
    for i, row in enumerate(rows[first:]):
        got = ds.raw.iloc[i].tolist()
        want = [row[j] if j < len(row) else None for j in range(len(KEYS))]
        assert [type(v) for v in got] == [type(v) for v in want], i
        assert all(g is w or g == w for g, w in zip(got, want)), i


@pytest.mark.parametrize("n", [60, TABLE_ROWS + 88])      # a fromiter per column; one table of all rows
def test_build_dataset_keeps_every_cell_object_under_its_field(n):
    # the data rows start with a date, so none of them is taken for a totals or sign-off row
    data = [[dt.date(2026, 11, 2)] + [_cell(i, j) for j in range(1, len(HEADERS))] for i in range(n)]
    rows = [list(HEADERS)] + data
    ds, findings = build_dataset(_sheet_of([list(r) for r in rows]), REPORT, load_formats())
    assert [f.code for f in findings] == []
    _expect_cells(ds, rows, 1)
    assert ds.raw.iloc[0, 0] is data[0][0]          # the very object, not a copy


@pytest.mark.parametrize("n", [7, TABLE_ROWS + 3])
def test_a_header_wider_than_its_data_reads_the_missing_fields_as_empty(n):
    width = 5
    data = [[dt.date(2026, 11, 3)] + [_cell(i, j) for j in range(1, width)] for i in range(n)]
    rows = [list(HEADERS)] + data
    ds, _ = build_dataset(_sheet_of([list(r) for r in rows]), REPORT, load_formats())
    _expect_cells(ds, rows, 1)
    assert ds.raw["report_date"].tolist() == [None] * n


def _xlsx(path, sheet_xml: bytes, shared: list[str]) -> None:
    sst = "".join(f"<si><t>{s}</t></si>" for s in shared)
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<x:workbook xmlns:x="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships"><x:sheets><x:sheet name="{REPORT.sheet_names[0]}" sheetId="1" r:id="rId1"/>'
            '</x:sheets></x:workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/sharedStrings.xml": f'<sst xmlns="{NS}">{sst}</sst>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_a_quirky_xlsx_reads_into_the_cells_written_in_it(tmp_path):
    # x-prefixed, no `r` anywhere, the header in shared strings, data as inline strings and
    # numbers; row 3 holds an error cell and an uncached formula
    shared = list(HEADERS)
    header = "".join(f'<x:c t="s"><x:v>{j}</x:v></x:c>' for j in range(len(HEADERS)))

    def text(s: str) -> str:
        return f'<x:c t="inlineStr"><x:is><x:t>{s}</x:t></x:is></x:c>'

    def data_row(n: int) -> str:
        cells = [f"<x:c><x:v>{46326 + n}</x:v></x:c>"]                        # 服务日期: a serial
        cells += [text(f"r{n}c{j}") for j in range(1, 12)]
        cells += [f"<x:c><x:v>{n}</x:v></x:c>", f"<x:c><x:v>{n}.5</x:v></x:c>"]  # 配件数量, 收费金额
        cells += [text("已完成"), "<x:c/>", f"<x:c><x:v>{n % 5 + 1}</x:v></x:c>", text(f"2026-11-{n:02d}")]
        return "<x:row>" + "".join(cells) + "</x:row>"

    third = data_row(2).replace(text("r2c3"), '<x:c t="e"><x:v>#N/A</x:v></x:c>', 1)
    third = third.replace(f"<x:c><x:v>{2}.5</x:v></x:c>", "<x:c><x:f>M3*2</x:f></x:c>", 1)
    body = f"<x:row>{header}</x:row>{data_row(1)}{third}{data_row(3)}"
    sheet = (f"<?xml version='1.0'?><x:worksheet xmlns:x='{NS}'><x:sheetData>{body}"
             "</x:sheetData></x:worksheet>").encode()
    folder = tmp_path / "city"
    folder.mkdir()
    _xlsx(folder / "report.xlsx", sheet, shared)

    sub = read_submission(folder, only=("repair_report",))
    ds = sub.datasets["repair_report"]
    assert list(ds.raw.index) == [2, 3, 4]
    assert ds.raw.loc[2, "service_date"] == 46327.0 and type(ds.raw.loc[2, "service_date"]) is float
    assert ds.raw.loc[2, "order_no"] == "r1c1"
    assert ds.raw.loc[4, "product_model"] == "r3c7"
    assert ds.raw.loc[3, "part_qty"] == 2.0 and ds.raw.loc[4, "fee"] == 3.5
    assert ds.raw.loc[2, "completion_date"] in (None, "")
    assert ds.raw.loc[2, "report_date"] == "2026-11-01"
    assert ds.bad_cells == {(3, "tech_name"): ("error", "#N/A"), (3, "fee"): ("formula", "=M3*2")}


# --- formulas with cached values are not walked (scan_bad_cells' fast path) ----------------------

CELL_SHAPES = (
    '<c{r}><f>A{n}*2</f><v>{n}</v></c>',                           # cached: not bad
    '<c{r} t="n"><f t="shared" si="0"/><v>2</v></c>',               # a shared child, cached
    '<c{r}><f>SUM(A1:A{n})</f></c>',                                # uncached
    '<c{r}><f>B{n}</f><v></v></c>',                                 # empty value: uncached
    '<c{r}><f>B{n}</f><v> </v></c>',                                # blank value: uncached
    '<c{r}><f>B{n}</f><v>&#32;</v></c>',                            # a blank written as a reference
    '<c{r}><f>B{n}</f><v>\u3000</v></c>',                           # an ideographic space
    '<c{r} t="str"><f>IF(A{n}="","",1)</f><v></v></c>',             # cached empty text: not bad
    '<c{r} t="e"><v>#N/A</v></c>',                                  # an error
    "<c{r} t='e'><v>#REF!</v></c>",                                 # an error in other quotes
    '<c{r} t = "e"><f>1/0</f><v>#DIV/0!</v></c>',                   # spaced, with a cached formula
    '<c{r} t="&#101;"><v>#NAME?</v></c>',                           # t="e" as a character reference
    '<c{r} t="inlineStr"><is><t>f</t></is></c>',
    '<c{r}><v>{n}</v></c>',
    '<c{r}><f>A1</f><f>A2</f><v>3</v></c>',                         # two formulas: the last counts
    '<c{r}><v>1</v><f>A{n}</f></c>',                                # value before the formula
    '<c{r}><!-- <f>X</f> --><v>1</v></c>',                          # a formula in a comment only
    '<c{r}><f><![CDATA[A1<2]]></f><v>1</v></c>',
    '<c{r} t="str"><f>VLOOKUP(C{n},D:E,2,0)</f><v>朱明俊</v></c>',    # a cached text result
    '<c{r} s="1" t="str"><f>IF(A{n}="","",1)</f><v/></c>',          # cached empty text, self-closed
    '<c{r} a=" t=\'str\'" t="n"><f>B{n}</f><v></v></c>',           # t="str" only inside a value
    '<c{r} t="s"><f>B{n}</f><v></v></c>',                            # another type, empty: uncached
    '<c{r} t="str"><f>B{n}</f></c>',                                 # text type, no value: uncached
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.integers(0, len(CELL_SHAPES) - 1), min_size=1, max_size=5), min_size=1, max_size=6),
       st.booleans(), st.sampled_from(["", "x"]))
def test_scan_bad_cells_answers_what_the_xml_walk_answers(rows, with_r, prefix):
    body = []
    for i, shapes in enumerate(rows, start=1):
        cells = "".join(CELL_SHAPES[k].format(r=f' r="{"ABCDEFG"[j]}{i}"' if with_r else "", n=i)
                        for j, k in enumerate(shapes))
        body.append(f'<row r="{i}">{cells}</row>' if with_r else f"<row>{cells}</row>")
    p = prefix + ":" if prefix else ""
    xml = "".join(body).replace("<", "<" + p).replace("<" + p + "/", "</" + p).replace("<" + p + "!", "<!")
    ns = f"xmlns{':' + prefix if prefix else ''}=\"{NS}\""
    sheet = f'<?xml version="1.0"?><{p}worksheet {ns}><{p}sheetData>{xml}</{p}sheetData></{p}worksheet>'.encode()
    # before the fast path (6506bec): a sheet with neither `<f` nor t="e" (in its root's quotes)
    # was answered {} at once, any other was walked
    walked = b"<" + p.encode() + b"f" in sheet or b't="e"' in sheet
    assert guard.scan_bad_cells(sheet) == (guard._walk(sheet) if walked else {})


def test_a_sheet_of_cached_formulas_is_not_walked(monkeypatch):
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}" s="1"><f>A{i}*2</f><v>{2 * i}</v></c>'
                   f'<c r="C{i}"><f t="shared" si="0"/><v>1</v></c>'
                   f'<c r="D{i}" t="str"><f>VLOOKUP(C{i},F:G,2,0)</f><v>朱明俊</v></c>'
                   f'<c r="E{i}" s="2" t="str"><f>IF(A{i}="","",A{i})</f><v></v></c></row>' for i in range(1, 200))
    sheet = f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    assert guard._walk(sheet) == {}

    def walk(xml):
        raise AssertionError("walked")
    monkeypatch.setattr(guard, "_walk", walk)
    assert guard.scan_bad_cells(sheet) == {}
    odd = sheet.replace(b'<c r="A7">', b"<c r='A7' t='e'>")
    # t="str" written only inside another attribute's value: a number formula with no value
    trap = sheet.replace(b'<c r="E9" s="2" t="str">', b'<c r="E9" s=" t=\'str\'" t="n">')
    monkeypatch.undo()
    assert guard.scan_bad_cells(odd) == {(6, 0): ("error", "7")}
    assert guard.scan_bad_cells(trap) == {(8, 4): ("formula", '=IF(A9="","",A9)')}

"""Guards that protect memory and inputs: wide sheets, DTDs anywhere in a part, batch outputs."""
from __future__ import annotations

import json
import zipfile

import openpyxl
import pytest
from typer.testing import CliRunner

from aftersales_cli.cli import app

RUNNER = CliRunner()


def test_a_stray_cell_far_to_the_right_is_refused_before_reading(tmp_path):
    path = tmp_path / "维修日报表.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "服务日期"
    ws["XFD2000"] = "x"            # 2,000 rows × 16,384 columns = 32.8M cells for the Rust reader
    wb.save(path)
    result = RUNNER.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "too_many_cells" and "16384" in error["message"]
    assert "Traceback" not in result.output


def test_a_doctype_late_in_a_part_is_still_refused(tmp_path):
    src = tmp_path / "ok.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(src)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                pad = b"<!--" + b" " * 100_000 + b"-->"
                assert data.startswith(b"<worksheet")
                data = pad + b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + data
            zout.writestr(info, data)
    result = RUNNER.invoke(app, ["validate", str(bad), "--format", "json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "xml_unsafe"


def test_last_column_reads_the_widest_cell_reference():
    from aftersales_cli.read.guard import last_column

    def sheet(*refs: str) -> bytes:
        cells = "".join(f'<c r="{r}" t="inlineStr"><is><t>x</t></is></c>' for r in refs)
        return f'<worksheet><sheetData><row r="1">{cells}</row></sheetData></worksheet>'.encode()

    assert last_column(sheet("A1", "R1", "Z1")) == 0           # narrow: not looked at further
    assert last_column(sheet("A1", "R1", "AB1")) == 28
    assert last_column(sheet("A1", "ZA1")) == 677
    assert last_column(sheet("ZZ1", "A1")) == 702
    assert last_column(sheet("A1", "AAA1", "XFD1", "ZZ1")) == 16384


def test_last_column_of_a_sheet_with_two_letter_columns_only_counts_them():
    """Two-letter columns count for the cell limit (session 8: they used to count from ZA on only,
    and 499,999 rows × YZ asked python-calamine for 10.8 GB): YZ is column 25 × 26 + 26 = 676."""
    from aftersales_cli.read.guard import last_column

    xml = b'<worksheet><sheetData><row r="1"><c r="AB1"><v>1</v></c><c r="YZ1"><v>2</v></c></row></sheetData></worksheet>'
    assert last_column(xml) == 676


# --- sheet XML read with XML's meaning (realworld.md "Inside the workbook") ---------------------

def _sheet(rows: str, prefix: str = "", quote: str = '"') -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f"xmlns{':' + prefix if prefix else ''}={quote}http://schemas.openxmlformats.org/spreadsheetml/2006/main{quote}"
    body = rows.replace("<", "<" + p).replace("<" + p + "/", "</" + p).replace('"', quote)
    return f'<?xml version="1.0"?><{p}worksheet {ns}><{p}sheetData>{body}</{p}sheetData></{p}worksheet>'.encode()


# Row 1: A1 a value, B1 an uncached formula. Row 2: A2 #N/A, B2 a shared formula's master (cached),
# C2 a child of it with no value. Row 3 (r-less rows count by order): a cached formula, a value.
BAD_ROWS = ('<row><c><v>1</v></c><c><f>SUM(A1:A3)</f></c></row>'
            '<row><c t="e"><v>#N/A</v></c><c><f t="shared" si="0" ref="B2:C2">A2*2</f><v>2</v></c>'
            '<c><f t="shared" si="0"/></c></row>'
            '<row><c><f>1+1</f><v>2</v></c><c t="inlineStr"><is><t>x</t></is></c></row>')
BAD_EXPECTED = {(0, 1): ("formula", "=SUM(A1:A3)"), (1, 0): ("error", "#N/A"), (1, 2): ("formula", "=A2*2")}


def test_bad_cells_are_found_whatever_the_prefix_quotes_and_r_attributes():
    from aftersales_cli.read.guard import scan_bad_cells

    for prefix in ("", "x", "ss"):
        for quote in ('"', "'"):
            assert scan_bad_cells(_sheet(BAD_ROWS, prefix, quote)) == BAD_EXPECTED, (prefix, quote)


def test_bad_cells_with_r_attributes_keep_their_addresses():
    from aftersales_cli.read.guard import scan_bad_cells

    rows = '<row r="7"><c r="D7" t="e"><v>#DIV/0!</v></c><c r="K7"><f>A7/0</f></c></row>'
    assert scan_bad_cells(_sheet(rows, "x")) == {(6, 3): ("error", "#DIV/0!"), (6, 10): ("formula", "=A7/0")}


def test_a_clean_sheet_is_not_parsed():
    from aftersales_cli.read import guard

    rows = '<row r="1"><c r="A1"><v>1</v></c></row>'
    assert guard.scan_bad_cells(_sheet(rows)) == {}
    assert guard.scan_bad_cells(b"<worksheet><sheetData><row><c><v>1</v></c></row><broken") == {}


def test_last_row_counts_rows_holding_values_only():
    from aftersales_cli.read.guard import last_row

    styled = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
    styled += "".join(f'<row r="{r}"><c r="A{r}" s="3"/></row>' for r in range(3, 2003))
    styled += '<row r="1048576"><c r="A1048576" s="3"/></row>'
    for prefix in ("", "x"):
        assert last_row(_sheet(styled, prefix)) == 2
    rless = "<row><c><v>1</v></c></row><row><c><v>2</v></c></row><row><c><v>3</v></c></row><row><c/></row>"
    assert last_row(_sheet(rless, "x")) == 3
    assert last_row(_sheet('<row r="5"><c r="A5" s="1"/></row>')) == 0


def test_last_column_ignores_an_empty_styled_cell_far_right():
    from aftersales_cli.read.guard import last_column

    assert last_column(_sheet('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1" s="2"/></row>')) == 0
    assert last_column(_sheet('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>', quote="'")) == 16384


def _record(typ: int, payload: bytes) -> bytes:
    """One [MS-XLSB] record: type and size as 7-bit groups, low group first, high bit = more."""
    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
            n >>= 7
            if not n:
                return bytes(out)
    return varint(typ) + varint(len(payload)) + payload


def test_xlsb_error_cells_are_read_from_the_sheet_records():
    """BrtRowHdr (0) sets the row; BrtCellError (3) and BrtFmlaError (11) carry the BErr code in
    their 9th byte (0x07 #DIV/0!, 0x2A #N/A, [MS-XLSB] 2.5.97.2); other cells (BrtCellReal, 5) are not."""
    import struct

    from aftersales_cli.read.xlsb import bad_cells

    def cell(col: int) -> bytes:
        return struct.pack("<II", col, 0)
    stream = (_record(0, struct.pack("<I", 4) + b"\x00" * 8)
              + _record(5, cell(0) + struct.pack("<d", 1.5))
              + _record(3, cell(13) + b"\x07")
              + _record(0, struct.pack("<I", 5) + b"\x00" * 8)
              + _record(11, cell(7) + b"\x2a" + b"\x00" * 2 + b"\x00" * 4)
              + _record(300, b"\x00" * 200))                  # a two-byte type, a two-byte size
    assert bad_cells(stream) == {(4, 13): ("error", "#DIV/0!"), (5, 7): ("error", "#N/A")}


def test_xlsb_date_system_is_read_from_brtwbprop():
    """BrtWbProp (153): bit 0 of its flags is f1904 ([MS-XLSB] 2.4.820)."""
    from aftersales_cli.read.xlsb import is_date1904

    other = _record(131, b"")                                   # BrtBeginBook, before it
    assert is_date1904(other + _record(153, b"\x01\x00\x00\x00" + b"\x00" * 8)) is True
    assert is_date1904(other + _record(153, b"\x00\x00\x00\x00" + b"\x00" * 8)) is False
    assert is_date1904(other) is False


def test_a_formula_spelled_with_another_prefix_is_found_beside_cached_ones():
    """XML's meaning, not the root's spelling (realworld.md "Inside the workbook"): B1's formula
    element is in the main namespace under a prefix of its own (`y:`, or none under an `x:` root)
    and has no value, so it is an uncached formula, even though A1's formula (root spelling) is
    cached. An `xm:f` of a data validation after sheetData is not a cell and changes nothing."""
    from aftersales_cli.read.guard import scan_bad_cells

    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    other = f'<y:c xmlns:y="{ns}" r="B1"><y:f>A1*3</y:f></y:c>'
    assert scan_bad_cells(_sheet('<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>')
                          .replace(b"<v>2</v></c>", b"<v>2</v></c>" + other.encode())) == \
        {(0, 1): ("formula", "=A1*3")}
    plain = f'<c xmlns="{ns}" r="B1"><f>A1*3</f></c>'
    assert scan_bad_cells(_sheet('<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>', "x")
                          .replace(b"<x:v>2</x:v></x:c>", b"<x:v>2</x:v></x:c>" + plain.encode())) == \
        {(0, 1): ("formula", "=A1*3")}
    ext = (b'<extLst><ext xmlns:x14="urn:x14"><x14:dataValidations xmlns:xm="urn:xm"><x14:dataValidation>'
           b'<x14:formula1><xm:f>Sheet2!$A$1:$A$3</xm:f></x14:formula1></x14:dataValidation>'
           b'</x14:dataValidations></ext></extLst></worksheet>')
    cached = _sheet('<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>').replace(b"</worksheet>", ext)
    assert scan_bad_cells(cached) == {}


# --- the rectangle python-calamine allocates, however the far cell is spelled ---------------------
# python-calamine places a cell by its own reference wherever it stands in the file (or by its place
# in the row without one) and allocates rows × columns before anything can be checked: a far cell
# the guard does not see aborts the whole process (a 1.5 KB file asked for 550 GB). Each sheet below
# holds a header cell and one value far away; the guard must refuse it with the row or cell limit.

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEAD_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>服务日期</t></is></c></row>'
FAR_SHEETS = {
    # the far row first in the file, the header after it (rows out of order)
    "out_of_order": (f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c>'
                     f'</row>{HEAD_ROW}<row r="2"><c r="A2"><v>1</v></c></row></sheetData></worksheet>', "too_many_rows"),
    # in order, but the far cell and its value under a prefix of its own
    "local_prefix": (f'<worksheet xmlns="{MAIN_NS}"><sheetData>{HEAD_ROW}<row r="1048576"><y:c xmlns:y="{MAIN_NS}" '
                     f'r="XFD1048576"><y:v>1</y:v></y:c></row></sheetData></worksheet>', "too_many_rows"),
    # a row numbered 2 holding a cell whose own reference is row 900,000, spaces around `=`, quoted '
    "cell_ref_not_its_row": (f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="2"><c r = \'A900000\'><v>1</v></c></row>'
                             f'{HEAD_ROW}</sheetData></worksheet>', "too_many_rows"),
    # a lower-case far column reference (python-calamine reads any case)
    "lower_case_column": (f'<worksheet xmlns="{MAIN_NS}"><sheetData>{HEAD_ROW}<row r="2000"><c r="xfd2000"><v>1</v></c>'
                          f'</row></sheetData></worksheet>', "too_many_cells"),
    # 700 cells placed by their position (no reference) in a row, then a value at row 20,000:
    # 20,000 × 700 = 14M cells
    "positional_columns": (f'<worksheet xmlns="{MAIN_NS}"><sheetData>{HEAD_ROW}<row r="2">' + "<c><v>1</v></c>" * 700
                           + '</row><row r="20000"><c r="A20000"><v>1</v></c></row></sheetData></worksheet>',
                           "too_many_cells"),
    # a root under a prefix, the far cell under none (python-calamine goes by local names)
    "prefixed_root_bare_cell": (f'<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr">'
                                f'<x:is><x:t>服务日期</x:t></x:is></x:c></x:row><x:row r="2"><c r="XFD1048576"><v>1</v>'
                                f'</c></x:row></x:sheetData></x:worksheet>', "too_many_rows"),
    # a comment before the root whose text looks like a prefixed tag
    "comment_before_root": (f'<!-- > <y:z a="1"> --><worksheet xmlns="{MAIN_NS}"><sheetData>{HEAD_ROW}<row r="2">'
                            f'<c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>', "too_many_rows"),
    # within the row limit, but two-letter columns: 499,999 × 676 (YZ) cells
    "wide_below_za": (f'<worksheet xmlns="{MAIN_NS}"><sheetData>{HEAD_ROW}<row r="499999"><c r="YZ499999"><v>1</v>'
                      f'</c></row></sheetData></worksheet>', "too_many_cells"),
    # rows without their number after row 499,999: the last one is row 500,002 by its place
    "positional_rows": (f'<worksheet xmlns="{MAIN_NS}"><sheetData>{HEAD_ROW}<row r="499999"><c r="A499999"><v>1</v></c>'
                        f'</row>' + "<row><c><v>1</v></c></row>" * 3 + '</sheetData></worksheet>', "too_many_rows"),
}


@pytest.mark.parametrize("kind", FAR_SHEETS)
def test_a_far_cell_in_any_spelling_is_refused_before_reading(tmp_path, kind):
    from xlsx_factory import write_package

    xml, code = FAR_SHEETS[kind]
    path = write_package(tmp_path / "维修日报表.xlsx", xml)
    before = path.read_bytes()
    result = RUNNER.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 2, result.output
    assert json.loads(result.stdout)["error"]["code"] == code
    assert path.read_bytes() == before


def test_value_extent_counts_cells_with_values_wherever_they_stand():
    """Constructed sheets: (the XML, the last row and the widest column from ZA on holding a value)."""
    from aftersales_cli.read.guard import value_extent

    def sheet(body: str, root: str = "worksheet") -> bytes:
        return f'<{root} xmlns="{MAIN_NS}"><sheetData>{body}</sheetData></{root}>'.encode()

    # in order, styled empty rows and cells after the data: they hold nothing
    assert value_extent(sheet(HEAD_ROW + '<row r="5"><c r="B5"><v>2</v></c></row>'
                              '<row r="1048576" s="3"><c r="XFD1048576" s="3"/></row>')) == (5, 0)
    # out of order: the largest row wherever it stands; a far column from ZA on is its number
    assert value_extent(sheet('<row r="7"><c r="ZZ7"><v>1</v></c></row>' + HEAD_ROW)) == (7, 702)
    # positional rows and cells: row 3 (third row), column 3 (third cell)
    assert value_extent(sheet("<row><c><v>1</v></c></row>" * 2 + "<row><c/><c/><c><v>1</v></c></row>")) == (3, 0)
    # no value anywhere
    assert value_extent(sheet('<row r="9"><c r="A9" s="1"/></row>')) == (0, 0)

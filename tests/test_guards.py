"""Guards that protect memory and inputs: wide sheets, DTDs anywhere in a part, batch outputs."""
from __future__ import annotations

import json
import zipfile

import openpyxl
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

    assert last_column(sheet("A1", "R1", "AB1")) == 0          # narrow: not looked at further
    assert last_column(sheet("A1", "ZA1")) == 677
    assert last_column(sheet("ZZ1", "A1")) == 702
    assert last_column(sheet("A1", "AAA1", "XFD1", "ZZ1")) == 16384


def test_last_column_of_a_sheet_with_two_letter_columns_only_is_zero():
    from aftersales_cli.read.guard import last_column

    xml = b'<worksheet><sheetData><row r="1"><c r="AB1"><v>1</v></c><c r="YZ1"><v>2</v></c></row></sheetData></worksheet>'
    assert last_column(xml) == 0

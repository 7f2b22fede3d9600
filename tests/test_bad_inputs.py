"""quality.md "Reliability" and "Security": bad input gets one clear line (exit 2) or a finding.

Every case runs the real CLI (typer's CliRunner) on a real file in tmp_path and checks the exit
code (cli.md), that stderr is one line naming the file, that no traceback shows, the JSON error
shape on stdout, and that the input file is unchanged.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from typing import Callable

import openpyxl
import pytest
from typer.testing import CliRunner

from aftersales_cli.cli import app
from shared_fixtures import shared_fixture
from xlsx_factory import (SHEET_HEAD, SHEET_TAIL, columns, headers, report_rows, roster_rows, titled, valid_row,
                          write_bomb, write_package, write_xlsx)

COMMANDS = ["validate", "validate-report", "validate-ledger", "validate-roster"]
REPORT = "维修日报表"


def sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def invoke(*args: str):
    result = CliRunner().invoke(app, [*args])
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    return result


def assert_cannot_run(result, path: Path, code: str | None = None, names: str | None = None) -> dict:
    """Exit 2, one stderr line naming the file, and {"error": {code, message, path}} on stdout."""
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert (names or path.name) in lines[0]
    doc = json.loads(result.stdout)
    assert set(doc) == {"error"}
    assert set(doc["error"]) == {"code", "message", "path"}
    assert doc["error"]["message"] in lines[0]
    if names is None:
        assert Path(doc["error"]["path"]).name == path.name
    if code is not None:
        assert doc["error"]["code"] == code
    return doc["error"]


# --- inputs that cannot be read: exit 2 for every validate command --------------------------------

def _missing(tmp: Path) -> Path:
    return tmp / "不存在.xlsx"


def _folder_without_workbooks(tmp: Path) -> Path:
    folder = tmp / "杭州市"
    folder.mkdir()
    (folder / "说明.docx").write_bytes(b"not read")    # .txt is a text export since issue 10
    (folder / "~$维修日报表.xlsx").write_bytes(b"lock")
    return folder


def _text_named_xlsx(tmp: Path) -> Path:
    path = tmp / "维修日报表.xlsx"
    path.write_text("服务日期,工单号\n2026-11-03,WX1\n", encoding="utf-8")
    return path


def _good_bytes(tmp: Path) -> bytes:
    src = write_xlsx(tmp / "src" / "good.xlsx", {REPORT: report_rows(valid_row("repair_report"))})
    return src.read_bytes()


def _truncated_zip(tmp: Path) -> Path:
    data = _good_bytes(tmp)
    path = tmp / "维修日报表.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _empty_zip(tmp: Path) -> Path:
    path = tmp / "维修日报表.xlsx"
    with zipfile.ZipFile(path, "w"):
        pass
    return path


def _zip_without_workbook(tmp: Path) -> Path:
    path = tmp / "维修日报表.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("docProps/app.xml", "<Properties/>")
        zf.writestr("hello.txt", "not a workbook")
    return path


def _encrypted(tmp: Path) -> Path:
    """A really encrypted OOXML workbook: an OLE file with EncryptionInfo and EncryptedPackage."""
    path = tmp / "维修日报表.xlsx"
    shutil.copy(shared_fixture("realworld", "password-protected", "维修日报表.xlsx"), path)
    return path


def _zipcrypto_members(tmp: Path) -> Path:
    """A zip whose members carry the ZipCrypto "encrypted" flag (bit 0 of the general purpose
    flags, in the local headers and the directory), as an archiver's password option writes them."""
    path = write_xlsx(tmp / "维修日报表.xlsx", {REPORT: report_rows(valid_row("repair_report", 1))})
    data = bytearray(path.read_bytes())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + flags_at] |= 1
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def _bare_ole_header(tmp: Path) -> Path:
    """Changed with issue 10 (realworld.md): an OLE header with no readable streams is no longer
    called password-protected; only EncryptionInfo/EncryptedPackage streams are."""
    path = tmp / "维修日报表.xlsx"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504)
    return path


def _empty_workbook(tmp: Path) -> Path:
    return write_xlsx(tmp / "维修日报表.xlsx", {"Sheet1": [], "Sheet2": []})


def _million_rows(tmp: Path) -> Path:
    path = tmp / "维修日报表.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = REPORT
    ws["A1048576"] = "x"
    wb.save(path)
    return path


def _zip_bomb(tmp: Path) -> Path:
    path = write_bomb(tmp / "维修日报表.xlsx", inflated_mb=60)
    assert path.stat().st_size < 200_000               # small on disk, > 50 MB inflated, ~1000:1
    return path


def _csv_utf32(tmp: Path) -> Path:
    """Changed with issue 10: UTF-16 with a BOM is read now (Excel's "Unicode 文本"); UTF-32 is not."""
    path = tmp / "维修日报表.csv"
    path.write_bytes(",".join(headers("repair_report")).encode("utf-32"))
    return path


def _csv_invalid_bytes(tmp: Path) -> Path:
    path = tmp / "维修日报表.csv"
    # invalid UTF-8 and GB18030; no BOM (since issue 10 a leading FF FE means UTF-16, which is read)
    path.write_bytes(b"\xfd\x80\x81,\xff\x30\n\x81\x20,\xfe\n")
    return path


def _csv_nul(tmp: Path) -> Path:
    path = tmp / "维修日报表.csv"
    path.write_bytes(",".join(headers("repair_report")).encode("utf-8") + b"\n2026-11-03,\x00WX1\n")
    return path


UNREADABLE: list = [
    pytest.param(_missing, "path_missing", "路径不存在", id="missing-path"),
    pytest.param(_folder_without_workbooks, "no_workbooks", "没有可读取的工作簿", id="folder-without-workbooks"),
    pytest.param(_text_named_xlsx, "not_spreadsheet", "不是 zip", id="text-file-named-xlsx"),
    pytest.param(_truncated_zip, "not_spreadsheet", "损坏的压缩包", id="truncated-zip"),
    pytest.param(_empty_zip, "not_spreadsheet", "空的压缩包", id="empty-zip"),
    pytest.param(_zip_without_workbook, "not_spreadsheet", "xl/workbook.xml", id="zip-without-workbook-part"),
    pytest.param(_encrypted, "encrypted", "密码", id="password-protected"),
    pytest.param(_zipcrypto_members, "encrypted", "密码", id="zipcrypto-members"),
    pytest.param(_bare_ole_header, "not_spreadsheet", "Excel 97-2003", id="bare-ole-header"),
    pytest.param(_empty_workbook, "empty_workbook", "空的", id="empty-workbook"),
    pytest.param(_million_rows, "too_many_rows", "1048576", id="1048576-rows"),
    pytest.param(_zip_bomb, "zip_bomb_ratio", "压缩炸弹", id="zip-bomb"),
    pytest.param(_csv_utf32, "csv_encoding", "编码", id="csv-utf32"),
    pytest.param(_csv_invalid_bytes, "csv_encoding", "编码", id="csv-invalid-gb18030"),
    pytest.param(_csv_nul, "csv_nul", "NUL", id="csv-nul-bytes"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_folder_without_workbooks_is_told_every_name_that_is_read(tmp_path, lang):
    """realworld.md "What a file is": the candidates are .xlsx .xlsm .xlsb .xls .ods .csv .txt; the
    line saying that a folder holds none lists them all (.xlsb and .txt were missing before session 11)."""
    folder = _folder_without_workbooks(tmp_path)
    result = invoke("validate", str(folder), "--lang", lang)
    assert result.exit_code == 2
    assert "(.xlsx .xlsm .xlsb .xls .ods .csv .txt)" in result.stderr.replace("（", "(").replace("）", ")")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("build", "code", "says"), UNREADABLE)
def test_unreadable_input_exits_2(tmp_path, build: Callable[[Path], Path], code, says, command):
    path = build(tmp_path)
    before = sha256(path)
    result = invoke(command, str(path), "--format", "json")
    error = assert_cannot_run(result, path, code)
    assert says in error["message"]
    assert sha256(path) == before


def test_million_row_refusal_names_the_sheet_and_row_count(tmp_path):
    path = _million_rows(tmp_path)
    error = assert_cannot_run(invoke("validate", str(path), "--format", "json"), path, "too_many_rows")
    assert "1048576" in error["message"] and REPORT in error["message"]


ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="维修日报表">'
    '<table:table-column table:number-columns-repeated="18"/>'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>服务日期</text:p>'
    '</table:table-cell></table:table-row>'
    '<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
    'table:number-columns-repeated="18"/></table:table-row>'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    '</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')


ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '</manifest:manifest>')


def test_million_row_ods_is_refused(tmp_path):
    path = tmp_path / "维修日报表.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", ODS_CONTENT)
        zf.writestr("META-INF/manifest.xml", ODS_MANIFEST)
    before = sha256(path)
    error = assert_cannot_run(invoke("validate", str(path), "--format", "json"), path, "too_many_rows")
    assert "1048576" in error["message"]
    assert sha256(path) == before


def test_table_mode_error_is_one_line_on_stderr_and_nothing_on_stdout(tmp_path):
    path = _text_named_xlsx(tmp_path)
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and path.name in result.stderr


# --- XML attacks: refused; never expanded, never fetched -------------------

LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10))
          + "]>")
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _laughs_in_shared_strings(tmp: Path) -> Path:
    sst = ('<?xml version="1.0" encoding="UTF-8"?>' + LAUGHS
           + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
             "<si><t>&lol9;</t></si></sst>")
    sheet = SHEET_HEAD.format(doctype="") + '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + SHEET_TAIL
    return write_package(tmp / "维修日报表.xlsx", sheet, shared_strings=sst)


def _laughs_in_sheet(tmp: Path) -> Path:
    sheet = (SHEET_HEAD.format(doctype=LAUGHS)
             + '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>' + SHEET_TAIL)
    return write_package(tmp / "维修日报表.xlsx", sheet)


def _external_entity(tmp: Path) -> Path:
    sheet = (SHEET_HEAD.format(doctype=XXE)
             + '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>' + SHEET_TAIL)
    return write_package(tmp / "维修日报表.xlsx", sheet)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("build", [
    pytest.param(_laughs_in_shared_strings, id="billion-laughs-sharedStrings"),
    pytest.param(_laughs_in_sheet, id="billion-laughs-sheet"),
    pytest.param(_external_entity, id="external-entity"),
])
def test_xml_entities_are_refused(tmp_path, build, command):
    """Any DTD in a part of the workbook is refused (quality.md): exit 2, err.xml_unsafe, the file named."""
    path = build(tmp_path)
    before = sha256(path)
    result = invoke(command, str(path), "--format", "json")
    output = result.stdout + result.stderr
    assert "lollollol" not in output                     # never expanded
    assert "root:" not in output                          # never fetched
    assert_cannot_run(result, path, "xml_unsafe")
    assert "不安全的 XML" in result.stderr                  # the catalogue's words for the refusal
    assert sha256(path) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_a_sheet_that_is_not_well_formed_xml_is_refused_as_not_a_spreadsheet(tmp_path, command):
    """A sheet part whose XML is broken (a <c> never closed) with a formula without a saved value
    — what makes the guard read the sheet with an XML parser — is refused as not a valid workbook
    (quality.md: one line naming the file), not reported as an internal error."""
    sheet = (SHEET_HEAD.format(doctype="") + '<row r="1"><c r="A1"><f>1+1</f></c>'
             '<c r="B1" t="inlineStr"><is><t>x</t></is></row>' + SHEET_TAIL)
    path = write_package(tmp_path / "维修日报表.xlsx", sheet)
    result = invoke(command, str(path), "--format", "json")
    assert_cannot_run(result, path, "not_spreadsheet")
    assert "内部错误" not in result.stderr


# --- the period ----------------------------------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("period", ["2026-13", "2026-1", "十一月"])
def test_bad_period_exits_2(tmp_path, command, period):
    path = write_xlsx(tmp_path / "x.xlsx", {REPORT: report_rows(valid_row("repair_report")),
                                            "技师档案": roster_rows(valid_row("roster"))})
    result = invoke(command, str(path), "--period", period, "--format", "json")
    assert_cannot_run(result, path, "bad_period", names=period)


# --- a missing dataset -----------------------------------------------------------------------------

@pytest.mark.parametrize(("command", "sheet", "rows"), [
    pytest.param("validate-report", "技师档案", roster_rows(valid_row("roster")), id="report-on-roster-file"),
    pytest.param("validate-ledger", "技师档案", roster_rows(valid_row("roster")), id="ledger-on-roster-file"),
    pytest.param("validate-roster", REPORT, report_rows(valid_row("repair_report")), id="roster-on-report-file"),
])
def test_validate_command_exits_2_when_its_dataset_is_missing(tmp_path, command, sheet, rows):
    path = write_xlsx(tmp_path / "only.xlsx", {sheet: rows})
    before = sha256(path)
    error = assert_cannot_run(invoke(command, str(path), "--format", "json"), path, "dataset_not_found")
    assert sha256(path) == before
    assert "未找到" in error["message"]


def test_validate_reports_a_missing_dataset_as_a_warning(tmp_path):
    path = write_xlsx(tmp_path / "only.xlsx", {"技师档案": roster_rows(valid_row("roster"))})
    result = invoke("validate", str(path), "--format", "json", "--period", "2026-11")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    missing = [f for f in doc["findings"] if f["code"] == "RD001" and f["dataset"] == "repair_report"]
    assert [(f["severity"], f["cell"]) for f in missing] == [("warning", None)]
    assert "维修报表" in missing[0]["message"]           # lists the sheet names looked for


# --- readable files with problems: findings ----------------------------------------------------

def run_json(*args: str) -> tuple[int, dict]:
    result = invoke(*args, "--format", "json", "--period", "2026-11")
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("command", ["validate", "validate-report"])
def test_header_row_not_found(tmp_path, command):
    rows = [["杭州市 2026年11月 维修日报表"], ["服务日期", "工单号", "技师工号"], ["2026-11-03", "WX1", "T001"]]
    path = write_xlsx(tmp_path / "r.xlsx", {REPORT: rows})
    code, doc = run_json(command, str(path))
    assert code == 1
    found = [f for f in doc["findings"] if f["code"] == "RD002"]
    assert [(f["severity"], f["sheet"]) for f in found] == [("error", REPORT)]
    assert "服务日期、工单号、技师工号、技师姓名" in found[0]["message"]
    assert "第2行" in found[0]["message"]                  # the closest row seen


@pytest.mark.parametrize("command", ["validate", "validate-report"])
def test_duplicate_header_columns(tmp_path, command):
    rows = titled(headers("repair_report") + ["联系电话"], [valid_row("repair_report") + ["13900000000"]])
    path = write_xlsx(tmp_path / "r.xlsx", {REPORT: rows})
    code, doc = run_json(command, str(path))
    assert code == 1
    assert [(f["code"], f["cell"], f["severity"]) for f in doc["findings"] if f["code"] == "RD003"] == \
        [("RD003", "S3", "error")]


@pytest.mark.parametrize("command", ["validate", "validate-report"])
def test_formula_without_cached_value(tmp_path, command):
    path = write_xlsx(tmp_path / "r.xlsx", {REPORT: report_rows(valid_row("repair_report", 1),
                                                                  valid_row("repair_report", 2))})
    wb = openpyxl.load_workbook(path)
    wb[REPORT]["N4"] = "=1+1"                # openpyxl writes formulas without a cached value
    wb[REPORT]["M5"] = "=SUM(M1:M3)"
    wb.save(path)
    before = sha256(path)
    code, doc = run_json(command, str(path))
    assert code == 1
    cells = [(f["code"], f["cell"], f["severity"], f["value"]) for f in doc["findings"] if f["code"] == "CE003"]
    assert cells == [("CE003", "N4", "error", "=1+1"), ("CE003", "M5", "error", "=SUM(M1:M3)")]
    assert not [f for f in doc["findings"] if f["code"] == "CE001" and f["cell"] in ("N4", "M5")]
    assert sha256(path) == before


@pytest.mark.parametrize("command", ["validate", "validate-report"])
def test_excel_error_cells(tmp_path, command):
    path = write_xlsx(tmp_path / "r.xlsx", {REPORT: report_rows(valid_row("repair_report", 1),
                                                                  valid_row("repair_report", 2))})
    wb = openpyxl.load_workbook(path)
    ws = wb[REPORT]
    for ref, err in (("A4", "#REF!"), ("N4", "#N/A"), ("M5", "#DIV/0!"), ("F5", "#VALUE!")):
        ws[ref].value = err
        ws[ref].data_type = "e"
    wb.save(path)
    code, doc = run_json(command, str(path))
    assert code == 1
    cells = sorted((f["cell"], f["value"], f["severity"]) for f in doc["findings"] if f["code"] == "CE004")
    assert cells == [("A4", "#REF!", "error"), ("F5", "#VALUE!", "error"), ("M5", "#DIV/0!", "error"),
                     ("N4", "#N/A", "error")]
    assert not [f for f in doc["findings"] if f["cell"] in ("A4", "N4", "M5", "F5") and f["code"] != "CE004"]


@pytest.mark.parametrize(("command", "sheet"), [
    pytest.param("validate", "技师档案", id="validate"),
    pytest.param("validate-roster", "技师档案", id="validate-roster"),
])
def test_hidden_sheet_is_read_with_info(tmp_path, command, sheet):
    path = write_xlsx(tmp_path / "x.xlsx", {REPORT: report_rows(valid_row("repair_report")),
                                            sheet: roster_rows(valid_row("roster"))}, hidden=[sheet])
    code, doc = run_json(command, str(path))
    assert code == 0
    assert doc["datasets"]["roster"]["rows"] == 1
    assert [(f["code"], f["sheet"], f["severity"]) for f in doc["findings"] if f["code"] == "RD007"] == \
        [("RD007", sheet, "info")]


# --- outputs never overwrite inputs --------------------------------------------------------------

def test_annotate_onto_the_input_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", {REPORT: report_rows(valid_row("repair_report", phone="123"))})
    before = sha256(path)
    result = invoke("validate", str(path), "--annotate", str(path), "--format", "json")
    assert_cannot_run(result, path, "output_is_input")
    assert sha256(path) == before


@pytest.mark.parametrize("command", ["validate", "validate-report"])
def test_required_column_missing_is_a_finding(tmp_path, command):
    keys = [k for k in columns("repair_report") if k != "report_date"]
    path = write_xlsx(tmp_path / "r.xlsx", {REPORT: titled(headers("repair_report", keys),
                                                           [valid_row("repair_report", keys=keys)])})
    code, doc = run_json(command, str(path))
    assert code == 1
    assert [(f["code"], f["header"]) for f in doc["findings"] if f["code"] == "RD011"] == [("RD011", "填报日期")]


def _renamed_sheet_part(path: Path, member: str, target: str) -> None:
    """Rewrite the package with its first sheet's part stored as `member` and the workbook's
    relationship naming `target` (python-calamine reads every pair below; checked by hand)."""
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"worksheets/sheet1.xml", target.encode())
            z.writestr(member if name == "xl/worksheets/sheet1.xml" else name, data)


@pytest.mark.parametrize(("member", "target"), [
    ("xl/worksheets/sheet1.xml", "worksheets/Sheet1.xml"),    # the relationship in another case
    ("xl/worksheets/sheet1.XML", "worksheets/sheet1.XML"),    # an upper-case extension
    ("xl/worksheets/sheet1", "worksheets/sheet1"),            # no extension
    ("xl/worksheets/sheet1.dat", "worksheets/sheet1.dat"),    # a name no XML part has
    ("xl/media/sheet1.xml", "media/sheet1.xml"),              # where pictures go
])
def test_a_sheet_part_named_otherwise_is_checked_like_any(tmp_path, monkeypatch, member, target):
    """The error cell of a sheet whose part python-calamine finds under another spelling is CE004
    (it reads as an empty cell otherwise), and the row limit holds for it."""
    path = write_xlsx(tmp_path / "r.xlsx", {REPORT: report_rows(valid_row("repair_report", 1),
                                                                  valid_row("repair_report", 2))})
    wb = openpyxl.load_workbook(path)
    wb[REPORT]["A4"].value = "#REF!"
    wb[REPORT]["A4"].data_type = "e"
    wb.save(path)
    _renamed_sheet_part(path, member, target)
    code, doc = run_json("validate", str(path))
    assert code == 1
    assert [(f["cell"], f["value"]) for f in doc["findings"] if f["code"] == "CE004"] == [("A4", "#REF!")]
    monkeypatch.setenv("AFTERSALES_MAX_ROWS", "2")
    code, doc = run_json("validate", str(path))
    assert code == 2 and doc["error"]["code"] == "too_many_rows"


WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
ONE_SHEET = '<sheet name="维修日报表" sheetId="1" state="visible" r:id="rId1" />'


@pytest.mark.parametrize("sheets", [
    # two id attributes: python-calamine follows the last
    '<sheet name="维修日报表" sheetId="1" state="visible" r:id="rId1" xmlns:o="urn:o" o:id="rId9" />',
    # an id under no prefix
    '<sheet name="维修日报表" sheetId="1" state="visible" id="rId9" />',
    # two sheets of one name: the first is read
    '<sheet name="维修日报表" sheetId="1" r:id="rId9" /><sheet name="维修日报表" sheetId="2" r:id="rId1" />',
], ids=["two_ids", "plain_id", "same_name"])
def test_the_sheet_part_checked_is_the_one_python_calamine_reads(tmp_path, sheets):
    """A package holding two parts for one sheet, the plain one and one with an error cell in A4
    (found by a fresh user's tries, session 8): the error cell must be CE004 — were the guard to
    check the other part, python-calamine would read an empty cell there unchecked (and a far cell
    unchecked aborts the process)."""
    plain, items, bad_sheet = _plain_and_bad(tmp_path)
    path = tmp_path / "twin" / "维修日报表.xlsx"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "xl/workbook.xml":
                assert ONE_SHEET.encode() in data
                data = data.replace(ONE_SHEET.encode(), sheets.encode())
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Type="{WORKSHEET_REL}" '
                                    'Target="/xl/worksheets/sheet2.xml" Id="rId9" /></Relationships>'.encode())
            z.writestr(name, data)
        z.writestr("xl/worksheets/sheet2.xml", bad_sheet)
    _assert_calamine_reads_the_error_cell(path, plain)
    code, doc = run_json("validate", str(path))
    assert code == 1
    assert [(f["cell"], f["value"]) for f in doc["findings"] if f["code"] == "CE004"] == [("A4", "#REF!")]


def _plain_and_bad(tmp_path: Path) -> tuple[Path, list[tuple[str, bytes]], bytes]:
    """(a plain report workbook, its members in order, the sheet XML of the same report with an
    error cell #REF! in A4)."""
    rows = report_rows(valid_row("repair_report", 1), valid_row("repair_report", 2))
    plain = write_xlsx(tmp_path / "plain.xlsx", {REPORT: rows})
    bad = write_xlsx(tmp_path / "bad.xlsx", {REPORT: rows})
    wb = openpyxl.load_workbook(bad)
    wb[REPORT]["A4"].value = "#REF!"
    wb[REPORT]["A4"].data_type = "e"
    wb.save(bad)
    with zipfile.ZipFile(plain) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(bad) as z:
        return plain, items, z.read("xl/worksheets/sheet1.xml")


def _assert_calamine_reads_the_error_cell(path: Path, plain: Path) -> None:
    """The premise, read by python-calamine itself: A4 of the sheet it reads is the error cell
    (an empty cell to it), where the plain workbook has a value."""
    import python_calamine

    read = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(REPORT).to_python()
    plain_read = python_calamine.CalamineWorkbook.from_path(str(plain)).get_sheet_by_name(REPORT).to_python()
    assert read[3][0] == "" and plain_read[3][0] != ""


@pytest.mark.parametrize("twin", ["xl/worksheets/SHEET1.xml", "xl/./worksheets/sheet1.xml",
                                  "xl/worksheets\\sheet1.xml", "xl/worksheets/sheet1.xml"])
@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_two_parts_named_alike_are_refused(tmp_path, twin):
    """A second member whose name differs from the sheet's only in case, `./` or a backslash (or
    not at all): python-calamine may read either (of two cases, the one written last), so the
    workbook is refused naming both (found by a fresh user's tries, session 8)."""
    _, items, bad_sheet = _plain_and_bad(tmp_path)
    path = tmp_path / "twin" / "维修日报表.xlsx"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            z.writestr(name, data)
        z.writestr(twin, bad_sheet)
    code, doc = run_json("validate", str(path))
    assert code == 2 and doc["error"]["code"] == "not_spreadsheet"
    assert "xl/worksheets/sheet1.xml" in doc["error"]["message"] and twin in doc["error"]["message"]


def test_the_workbook_part_is_the_one_the_package_names(tmp_path):
    """`_rels/.rels` names y/workbook.xml, whose sheet holds the error cell, beside a plain xl/:
    python-calamine reads y/ (checked below), so the guard checks y/ — CE004 at A4."""
    plain, items, bad_sheet = _plain_and_bad(tmp_path)
    members = dict(items)
    path = tmp_path / "other" / "维修日报表.xlsx"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "_rels/.rels":
                assert b'Target="xl/workbook.xml"' in data or b'Target="/xl/workbook.xml"' in data
                data = data.replace(b"xl/workbook.xml", b"y/workbook.xml")
            z.writestr(name, data)
        z.writestr("y/workbook.xml", members["xl/workbook.xml"])
        z.writestr("y/_rels/workbook.xml.rels", members["xl/_rels/workbook.xml.rels"].replace(
            b"/xl/worksheets/sheet1.xml", b"worksheets/sheet1.xml").replace(b'Target="styles.xml"', b'Target="/xl/styles.xml"'))
        z.writestr("y/worksheets/sheet1.xml", bad_sheet)
    _assert_calamine_reads_the_error_cell(path, plain)
    code, doc = run_json("validate", str(path))
    assert code == 1
    assert [(f["cell"], f["value"]) for f in doc["findings"] if f["code"] == "CE004"] == [("A4", "#REF!")]

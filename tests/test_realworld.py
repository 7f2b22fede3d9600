"""realworld.md: files as Excel, WPS, LibreOffice and exports really write them.

One test per folder of ../shared/fixtures/realworld, read as its README states (each row of its
table is quoted in the test's docstring). The fixtures are read in place and never modified.
A missing fixture skips locally and fails under CI=true (shared_fixtures.py).
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from shared_fixtures import shared_fixture
from typer.testing import CliRunner

from aftersales_cli.cli import app
from aftersales_cli.period import Period
from aftersales_cli.pipeline import FAMILIES, validate_path

REPORT = "维修日报表"


def fixture(folder: str, name: str = REPORT + ".xlsx") -> Path:
    return shared_fixture("realworld", folder, name)


def run(command: str, path: Path, *options: str) -> tuple[int, dict, str]:
    """(exit code, the JSON document, stderr) of one CLI run; the input is left unchanged."""
    before = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    result = CliRunner().invoke(app, [command, str(path), *options, "--format", "json"])
    assert "Traceback" not in result.stdout + result.stderr
    if before is not None:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    return result.exit_code, json.loads(result.stdout), result.stderr


def report(path: Path, *options: str) -> tuple[int, dict]:
    code, doc, _ = run("validate-report", path, *options)
    assert "error" not in doc, doc
    return code, doc


def rows_of(doc: dict, dataset: str = "repair_report") -> int:
    return doc["datasets"][dataset]["rows"]


def cells(doc: dict, *codes: str) -> list[tuple[str, str]]:
    return sorted((f["code"], f["cell"]) for f in doc["findings"] if f["code"] in codes)


def errors(doc: dict) -> list[tuple[str, str | None]]:
    return [(f["code"], f["cell"]) for f in doc["findings"] if f["severity"] == "error"]


# The generator of these fixtures put one wrong phone number (1381234, 7 digits) in F7 of some of
# the 40-order reports: a real defect of the data, not of the reading.
PHONE_DEFECT = [("CE062", "F7")]


def test_ods_error_cells_are_excel_errors_not_empty():
    """ods-error-cells: `.ods` with #DIV/0! in N5, #N/A in N6 and an error in H7 → 40 rows; CE004 at
    N5, N6, H7 (not "empty")."""
    _, doc = report(fixture("ods-error-cells", REPORT + ".ods"), "--period", "2026-11")
    assert rows_of(doc) == 40
    assert cells(doc, "CE004", "CE001") == [("CE004", "H7"), ("CE004", "N5"), ("CE004", "N6")]
    values = {f["cell"]: f["value"] for f in doc["findings"] if f["code"] == "CE004"}
    assert (values["N5"], values["N6"]) == ("#DIV/0!", "#N/A")


def test_an_excel_error_says_in_english_what_the_cell_should_hold():
    """ods-error-cells in English: N5 and N6 are 收费金额 cells, an amount (formats.md: money), so
    CE004 reads "…; expected an amount" — "expected a valid an amount" before session 11."""
    _, doc = report(fixture("ods-error-cells", REPORT + ".ods"), "--period", "2026-11", "--lang", "en")
    said = {f["cell"]: f["message"] for f in doc["findings"] if f["code"] == "CE004"}
    assert said["N5"] == "Cell holds the Excel error '#DIV/0!'; expected an amount"
    assert said["N6"] == "Cell holds the Excel error '#N/A'; expected an amount"


@pytest.mark.parametrize("folder", ["cjk-date-formats", "wrong-dimension", "styled-cell-at-row-1048576",
                                    "styled-empty-rows", "strict-ooxml", "date1904-cells",
                                    "hidden-rows-autofilter", "zip-backslash-names"])
def test_quirky_xlsx_reads_40_orders_of_november(folder):
    """cjk-date-formats (dates shown with Chinese formats), wrong-dimension (`<dimension ref="A1"/>`),
    styled-cell-at-row-1048576, styled-empty-rows (2,000 formatted empty rows), strict-ooxml,
    date1904-cells, hidden-rows-autofilter (hidden rows are data), zip-backslash-names → 40 rows.
    Dates right: every 服务日期 is a date of 2026-11 (no finding on a date column, none out of the
    period, the period read from the rows is 2026-11)."""
    code, doc = report(fixture(folder))
    assert rows_of(doc) == 40
    assert code == (1 if errors(doc) else 0)
    assert doc["period"] == "2026-11"
    assert [f for f in doc["findings"] if f["code"] in ("CE020", "CE021", "CE022", "CE023", "RR001")] == []
    assert [e for e in errors(doc) if e not in PHONE_DEFECT] == []


def test_x_prefixed_xml_finds_the_uncached_formula_and_the_error():
    """x-prefixed-xml: sheet XML with an `x:` prefix; N5 a formula with no cached value, N6 #DIV/0!
    → 40 rows; CE003 at N5, CE004 at N6."""
    _, doc = report(fixture("x-prefixed-xml"), "--period", "2026-11")
    assert rows_of(doc) == 40
    assert cells(doc, "CE003", "CE004") == [("CE003", "N5"), ("CE004", "N6")]
    formula = next(f for f in doc["findings"] if f["code"] == "CE003")
    assert formula["value"].startswith("=") and len(formula["value"]) > 1


def test_relationships_prefix_xlsm_finds_the_uncached_formula():
    """relationships-prefix-xlsm: `.xlsm` with a `relationships:` prefix on ids; N5 formula without
    cached value → 40 rows, CE003 at N5."""
    _, doc = report(fixture("relationships-prefix-xlsm", REPORT + ".xlsm"), "--period", "2026-11")
    assert rows_of(doc) == 40
    assert cells(doc, "CE003", "CE004") == [("CE003", "N5")]


def test_date1904_serial_is_decoded_with_the_1904_epoch():
    """date1904-serial: R5 (填报日期) a plain number serial meaning 2026-11-01 in the 1904 system →
    R5 read as 2026-11-01 (a format finding is fine); no "填报日期早于服务日期"."""
    path = fixture("date1904-serial")
    with zipfile.ZipFile(path) as zf:
        assert b'date1904="1"' in zf.read("xl/workbook.xml")
    serial = openpyxl.load_workbook(path).active["R5"].value
    assert isinstance(serial, (int, float)) and not isinstance(serial, bool)
    _, doc = report(path, "--period", "2026-11")
    assert rows_of(doc) == 40
    assert [f for f in doc["findings"] if f["code"] == "RR007"] == []
    r5 = [f for f in doc["findings"] if f["cell"] == "R5"]
    assert [(f["code"], f["severity"]) for f in r5] == [("CE021", "format")]
    assert "2026-11-01" in r5[0]["message"]


@pytest.mark.parametrize("folder", ["csv-gb18030", "csv-tab-with-comma", "csv-multiline"])
def test_csv_exports_read_40_orders(folder):
    """csv-gb18030 (four-byte characters in names), csv-tab-with-comma (tab is the delimiter),
    csv-multiline (quoted fields with commas and line breaks) → 40 rows, numbered as Excel shows them:
    header on row 1, the orders on rows 2–41."""
    _, doc = report(fixture(folder, REPORT + ".csv"), "--period", "2026-11")
    assert rows_of(doc) == 40
    assert doc["datasets"]["repair_report"]["header_row"] == 1
    assert {f["row"] for f in doc["findings"] if f["row"]} <= set(range(2, 42))
    assert [f for f in doc["findings"] if f["code"] in ("RD002", "RD011", "RR001")] == []
    assert [e for e in errors(doc) if e not in PHONE_DEFECT] == []


def test_csv_gb18030_four_byte_names_read_intact():
    """Four-byte GB18030 characters come through as themselves (no replacement character)."""
    path = fixture("csv-gb18030", REPORT + ".csv")
    expected = path.read_bytes().decode("gb18030")
    four_byte = {ch for ch in expected if len(ch.encode("gb18030")) == 4}
    assert four_byte
    raw = validate_path(path, Period(2026, 11), family=FAMILIES["report"]).submission.datasets["repair_report"].raw
    read = "".join(str(v) for col in raw.columns for v in raw[col].dropna())
    assert four_byte <= set(read) and "\ufffd" not in read


@pytest.mark.parametrize("name", [REPORT + ".xls", REPORT + ".ods"])
def test_merged_data_cells_fill_every_row(name):
    """merged-data-cells-xls / -ods: 服务日期 merged over several data rows → 40 rows, exit 0, every
    row gets the date."""
    folder = "merged-data-cells-xls" if name.endswith(".xls") else "merged-data-cells-ods"
    _, doc = report(fixture(folder, name), "--period", "2026-11")
    assert rows_of(doc) == 40
    assert [f for f in doc["findings"] if f["column"] == "A"] == []
    assert [e for e in errors(doc) if e not in PHONE_DEFECT] == []


def test_xls_from_wps_reads_its_24_orders():
    """xls-wps: `.xls` from WPS (odd root CLSID), title rows, a 合计 and a sign-off row; period
    2026-10 → 24 rows, header row 3."""
    code, doc = report(fixture("xls-wps", REPORT + ".xls"), "--period", "2026-10")
    assert code == 0
    assert (rows_of(doc), doc["datasets"]["repair_report"]["header_row"]) == (24, 3)
    assert [f["code"] for f in doc["findings"] if f["code"] in ("RD005", "RD006")] == ["RD005", "RD006"]


def test_xls_named_xlsx_is_read_as_xls_with_an_info():
    """xls-named-xlsx: a real BIFF8 `.xls` named `.xlsx` → read as .xls with an info finding, never
    "password-protected". (The README says 40 rows; the file holds the 24 orders of 2026-10 of the
    legacy-xls fixture — counted here with xlrd, an independent reader.)"""
    import xlrd

    path = fixture("xls-named-xlsx")
    sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
    orders = sum(1 for r in range(sheet.nrows) if str(sheet.cell_value(r, 1)).startswith("WX"))
    code, doc = report(path, "--period", "2026-10")
    assert code == 0
    assert rows_of(doc) == orders == 24
    info = [f for f in doc["findings"] if f["code"] == "RD015"]
    assert [(f["severity"], Path(f["file"]).name) for f in info] == [("info", REPORT + ".xlsx")]
    assert ".xls" in info[0]["message"]


def test_html_named_xls_is_refused_naming_it():
    """html-named-xls: an HTML table saved as `.xls` → exit 2, one line: an HTML page, re-save as .xlsx."""
    path = fixture("html-named-xls", REPORT + ".xls")
    code, doc, stderr = run("validate-report", path, "--period", "2026-11")
    assert code == 2
    assert doc["error"]["code"] == "html_as_workbook"
    assert "HTML" in doc["error"]["message"] and ".xlsx" in doc["error"]["message"]
    assert len(stderr.strip().splitlines()) == 1 and str(path) in stderr


def test_password_protected_is_refused_as_such():
    """password-protected: an encrypted `.xlsx` → exit 2, one line: password-protected."""
    path = fixture("password-protected")
    code, doc, stderr = run("validate-report", path)
    assert code == 2
    assert doc["error"]["code"] == "encrypted" and "密码" in doc["error"]["message"]
    assert len(stderr.strip().splitlines()) == 1


def test_xlsx_named_xlsb_is_read_as_what_it_is():
    """xlsx-named-xlsb: an xlsx package named `.xlsb` → 40 rows, read as what it is."""
    _, doc = report(fixture("xlsx-named-xlsb", REPORT + ".xlsb"), "--period", "2026-11")
    assert rows_of(doc) == 40
    assert [(f["code"], f["severity"]) for f in doc["findings"] if f["code"] == "RD015"] == [("RD015", "info")]


DATE_COLUMNS, INT_COLUMNS, MONEY_COLUMNS = {"A", "P", "R"}, {"M"}, {"N"}


def test_clerk_typing_gives_exactly_the_format_findings():
    """clerk-typing: leading apostrophes, full-width digits in dates, numbers as text, `¥` amounts →
    exactly the format findings of formats.md. Expected from an independent reading (openpyxl):
    a text cell in a date column is CE021, in the int column (配件数量) CE031, in the money column
    (收费金额) CE041; a text cell elsewhere (apostrophe-typed codes, phones) is standard."""
    path = fixture("clerk-typing")
    ws = openpyxl.load_workbook(path).active
    expected = []
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type != "s" or not str(cell.value).strip():
                continue
            letter = cell.column_letter
            code = ("CE021" if letter in DATE_COLUMNS else "CE031" if letter in INT_COLUMNS
                    else "CE041" if letter in MONEY_COLUMNS else None)
            if code:
                expected.append((code, cell.coordinate))
    assert ("CE021", "A3") in expected and ("CE031", "M4") in expected and ("CE041", "N4") in expected
    code, doc = report(path, "--period", "2026-11")
    assert rows_of(doc) == 40
    assert sorted((f["code"], f["cell"]) for f in doc["findings"] if f["severity"] == "format") == sorted(expected)
    assert errors(doc) == []


def test_month_per_sheet_takes_the_period_sheet():
    """month-per-sheet: sheets `10月` and `11月`, both repair reports; with --period 2026-11: the
    `11月` sheet, 40 rows, no "not in period"; the October sheet is named in an info."""
    _, doc = report(fixture("month-per-sheet"), "--period", "2026-11")
    assert (doc["datasets"]["repair_report"]["sheet"], rows_of(doc)) == ("11月", 40)
    assert [f for f in doc["findings"] if f["code"] in ("RR001", "RD008", "RD013")] == []
    assert [(f["code"], f["sheet"], f["severity"]) for f in doc["findings"] if f["code"] == "RD016"] == \
        [("RD016", "10月", "info")]


def test_month_per_sheet_other_period_takes_the_other_sheet():
    _, doc = report(fixture("month-per-sheet"), "--period", "2026-10")
    assert doc["datasets"]["repair_report"]["sheet"] == "10月"
    assert [f for f in doc["findings"] if f["code"] == "RR001"] == []


def test_ods_styled_to_end_reads_40_orders():
    """ods-styled-to-end: `.ods` with styles repeated to the last row → 40 rows, exit 0."""
    _, doc = report(fixture("ods-styled-to-end", REPORT + ".ods"), "--period", "2026-11")
    assert rows_of(doc) == 40
    assert [e for e in errors(doc) if e not in PHONE_DEFECT] == []


def test_two_row_header_reads_the_group_columns():
    """two-row-header: `完工` merged over `状态 | 日期` on two header rows → 40 rows, no missing-column
    error, no header text read as data (no finding on rows 1–2)."""
    _, doc = report(fixture("two-row-header"), "--period", "2026-11")
    assert rows_of(doc) == 40
    assert doc["datasets"]["repair_report"]["header_row"] == 2
    assert [f for f in doc["findings"] if f["code"] == "RD011" or (f["row"] or 99) <= 2] == []
    assert [e for e in errors(doc) if e not in PHONE_DEFECT] == []


def test_two_row_header_names_the_sub_columns():
    result = validate_path(fixture("two-row-header"), Period(2026, 11), family=FAMILIES["report"])
    ds = result.submission.datasets["repair_report"]
    assert {ds.headers[k] for k in ds.headers} >= {"完工状态", "完工日期", "使用配件编码", "数量"}
    assert ds.raw.index[0] == 3


def test_roster_csv_with_equals_wrapped_ids():
    """csv-eq-wrapped-text: roster CSV whose IDs and mobiles are written `="…"` → 21 rows, no
    CE070/CE060."""
    path = fixture("csv-eq-wrapped-text", "技师档案.csv")
    assert b'="' in path.read_bytes()
    _, doc, _ = run("validate-roster", path, "--period", "2026-11")
    assert rows_of(doc, "roster") == 21
    assert [f for f in doc["findings"] if f["code"] in ("CE060", "CE070")] == []


def test_phonetic_runs_are_not_part_of_the_value():
    """phonetic-runs: a whole city whose shared strings carry pinyin (`rPh`) and rich-text runs →
    exit 0 on `validate`, values without the pinyin."""
    folder = shared_fixture("realworld", "phonetic-runs", "杭州市", "2026-11")
    with zipfile.ZipFile(folder / (REPORT + ".xlsx")) as zf:
        strings = zf.read("xl/sharedStrings.xml").decode()
    pinyin = {t for block in re.findall(r"<rPh[^>]*>(.*?)</rPh>", strings, re.DOTALL)
              for t in re.findall(r"<t[^>]*>([^<]*)</t>", block)}
    assert pinyin
    code, doc, _ = run("validate", folder)
    assert code == 0
    assert len(doc["datasets"]) == 8
    result = validate_path(folder)
    text = " ".join(str(v) for ds in result.submission.datasets.values()
                    for col in ds.raw.columns for v in ds.raw[col].dropna())
    headers = " ".join(h for ds in result.submission.datasets.values() for h in ds.headers.values())
    assert not any(p in text or p in headers for p in pinyin)


# --- the same kinds, on files no fixture holds -------------------------------------------------------

def test_xml_spreadsheet_2003_named_xls_is_refused_naming_it(tmp_path):
    path = tmp_path / "维修日报表.xls"
    path.write_text('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
                    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="a"/>'
                    '</Workbook>', encoding="utf-8")
    code, doc, _stderr = run("validate-report", path, "--period", "2026-11")
    assert code == 2 and doc["error"]["code"] == "xml2003_as_workbook"
    assert "XML" in doc["error"]["message"] and ".xlsx" in doc["error"]["message"]


def test_csv_with_title_lines_semicolons_and_trailing_fields(tmp_path):
    """A title line and a blank line above the header, `;` between fields, a trailing empty field on
    every line and empty lines at the end: the header is on row 3, the two orders on rows 4–5."""
    from xlsx_factory import headers, valid_row

    lines = ["杭州市 2026年11月 维修日报表", "", ";".join(headers("repair_report")) + ";"]
    for n in (1, 2):
        row = valid_row("repair_report", n, csv_text=True)
        lines.append(";".join('="' + v + '"' if v.startswith("0") else v for v in map(str, row)) + ";")
    path = tmp_path / "维修日报表.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n\r\n\r\n").encode("utf-8-sig"))
    _, doc = report(path, "--period", "2026-11")
    assert (doc["datasets"]["repair_report"]["header_row"], rows_of(doc)) == (3, 2)
    assert [f for f in doc["findings"] if f["code"].startswith(("RD00", "RD01"))
            and f["code"] != "RD010"] == []


def test_big5_csv_read_as_gb18030_names_the_encoding(tmp_path):
    """realworld.md: text that decodes but yields no recognisable header (Big5 read as GBK) gets
    RD002 naming the encoding it was read with."""
    from xlsx_factory import headers

    text = ",".join(headers("roster")) + "\r\n" + ",".join(["T001", "張三"] + [""] * 6) + "\r\n"
    path = tmp_path / "技师档案.csv"
    path.write_bytes(text.encode("big5", errors="replace"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    code, doc, _ = run("validate-roster", path, "--period", "2026-11")
    rd002 = [f for f in doc["findings"] if f["code"] == "RD002"] if "findings" in doc else []
    assert code == 1 and len(rd002) == 1
    assert "GB18030" in rd002[0]["message"]


def test_a_copied_sheet_beside_the_original_is_rd008_naming_both(tmp_path):
    """realworld.md: a copy such as `维修日报表 (2)` beside `维修日报表` is never a silent pick."""
    from xlsx_factory import report_rows, valid_row, write_xlsx

    rows = report_rows(valid_row("repair_report", 1), valid_row("repair_report", 2))
    path = write_xlsx(tmp_path / "维修日报表.xlsx", {REPORT: rows, REPORT + " (2)": rows})
    _, doc = report(path, "--period", "2026-11")
    dup = [f for f in doc["findings"] if f["code"] == "RD008"]
    assert [(f["sheet"], f["severity"]) for f in dup] == [(REPORT + " (2)", "error")]
    assert f"/ {REPORT} 与 " in dup[0]["message"] and f"/ {REPORT} (2)；" in dup[0]["message"]
    assert [f for f in doc["findings"] if f["code"] == "RD013"] == []


def test_a_csv_over_the_row_limit_is_refused(tmp_path, monkeypatch):
    """realworld.md: the row and cell limits apply to CSV files too."""
    from xlsx_factory import headers, valid_row

    monkeypatch.setenv("AFTERSALES_MAX_ROWS", "5")
    lines = [",".join(headers("repair_report"))] + [",".join(valid_row("repair_report", n, csv_text=True))
                                                     for n in range(1, 7)]
    path = tmp_path / "维修日报表.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    code, doc, _ = run("validate-report", path, "--period", "2026-11")
    assert code == 2 and doc["error"]["code"] == "too_many_rows" and "7" in doc["error"]["message"]


def test_month_sheets_without_a_period_take_the_latest(tmp_path):
    """Without --period or a YYYY-MM folder the period is the latest month so named; the year of a
    year-less name is the year most of its dates fall in (here 2026 for both)."""
    import openpyxl as ox

    src = ox.load_workbook(fixture("month-per-sheet"))
    path = tmp_path / "维修日报表.xlsx"
    src.save(path)
    _, doc = report(path)
    assert doc["datasets"]["repair_report"]["sheet"] == "11月"
    ignored = [f for f in doc["findings"] if f["code"] == "RD016"]
    assert [f["sheet"] for f in ignored] == ["10月"] and "2026-10" in ignored[0]["message"]
    assert "不是本期（2026-11）" in ignored[0]["message"]     # the period as printed, not the sheet's name


def test_xls_error_cells_are_excel_errors_not_empty():
    """An `.xls` written by LibreOffice 7 from the 40-order wrong-dimension report with `=1/0` in N5,
    `=NA()` in N6 and `=SUM(#REF!)` in H7 (tests/data/xls-error-cells, BIFF8, cached errors 7, 42,
    23): CE004 at N5, N6, H7 naming #DIV/0!, #N/A, #REF! (realworld.md "Error cells") — it was
    "不是有效的电子表格文件" for any .xls holding one error cell."""
    path = Path(__file__).parent / "data" / "xls-error-cells" / (REPORT + ".xls")
    _, doc = report(path, "--period", "2026-11")
    assert rows_of(doc) == 40
    assert cells(doc, "CE004", "CE001") == [("CE004", "H7"), ("CE004", "N5"), ("CE004", "N6")]
    values = {f["cell"]: f["value"] for f in doc["findings"] if f["code"] == "CE004"}
    assert (values["N5"], values["N6"], values["H7"]) == ("#DIV/0!", "#N/A", "#REF!")


def test_ods_with_the_1904_null_date_decodes_serials_with_it():
    """An `.ods` written by LibreOffice 7 from a 1904-date-system copy of the 40-order
    wrong-dimension report (content.xml `<table:null-date table:date-value="1904-01-01"/>`); R5
    (填报日期, service date 2026-11-01) is the plain number 44869, which counted from 1904-01-01 is
    2026-11-05 (realworld.md "The 1904 date system": serials decoded with the workbook's own epoch).
    So: a late entry of 4 days (RR008), never "填报日期早于服务日期" (RR007, the 1900 reading 2022-11-04)."""
    path = Path(__file__).parent / "data" / "ods-date1904" / (REPORT + ".ods")
    _, doc = report(path, "--period", "2026-11")
    assert rows_of(doc) == 40
    late = [f for f in doc["findings"] if f["cell"] == "R5" and f["code"].startswith("RR")]
    assert [f["code"] for f in late] == ["RR008"]
    assert "相隔4天" in late[0]["message"]                 # 2026-11-01 → 2026-11-05


def test_the_named_file_supplies_its_own_dataset_over_a_sibling(tmp_path):
    """`validate-report 维修日报表_旧.csv` beside the clean 40-order 维修日报表.xlsx (wrong-dimension): the
    named CSV's own repair report (3 orders, the first with the 7-digit phone 1381234) is the one
    validated — it was the sibling's 40 rows, the CSV's data silently unread. The other copy in the
    folder is still named (RD008), with the named file as the one used."""
    shutil.copy(fixture("wrong-dimension"), tmp_path / (REPORT + ".xlsx"))
    header = "服务日期,工单号,技师工号,技师姓名,客户姓名,联系电话,服务地址,产品型号,服务类型,故障描述,处理措施," \
             "使用配件编码,配件数量,收费金额,完工状态,完工日期,满意度,填报日期"
    lines = [header] + [f"2026-11-0{d},WX202611900{d},T001,王建国,客户{d},{phone},杭州市西湖区文三路{d}号,HCE601,"
                        f"保养,,清洗,,,0,已完成,2026-11-0{d},满意,2026-11-0{d}"
                        for d, phone in ((1, "1381234"), (2, "13905032582"), (3, "13906480894"))]
    named = tmp_path / (REPORT + "_旧.csv")
    named.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, doc = report(named, "--period", "2026-11")
    assert doc["datasets"]["repair_report"]["file"] == str(named)
    assert rows_of(doc) == 3
    assert cells(doc, "CE062") == [("CE062", "F2")]
    dup = [f for f in doc["findings"] if f["code"] == "RD008"]
    assert [f["file"] for f in dup] == [str(tmp_path / (REPORT + ".xlsx"))]


def test_validate_names_a_file_of_the_folder_it_does_not_read(tmp_path):
    """`aftersales validate FOLDER` on the 40-order report beside 说明.docx: the .docx is named in
    one RD014 (info) — realworld.md "every unread file in a folder named in an info finding"; the
    command line dropped it (the reader's own test saw it)."""
    shutil.copy(fixture("wrong-dimension"), tmp_path / (REPORT + ".xlsx"))
    (tmp_path / "说明.docx").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    code, doc, _ = run("validate", tmp_path, "--period", "2026-11")
    assert code == 0
    assert [(f["code"], f["severity"], Path(f["file"]).name) for f in doc["findings"] if f["code"] == "RD014"] == \
        [("RD014", "info", "说明.docx")]

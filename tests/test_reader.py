"""Reading (formats.md "Where the data comes from", "Reading a sheet"; quality.md reading pitfalls).

Real workbooks written with openpyxl into tmp_path; findings compared by Finding.key().
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from aftersales_cli.period import Period
from aftersales_cli.read import read_submission
from aftersales_cli.read.files import find_workbooks
from aftersales_cli.validate.engine import validate_submission
from xlsx_factory import (SHEET_HEAD, SHEET_TAIL, as_csv_text, columns, headers, inline_row, report_rows,
                          roster_rows, titled, valid_row, write_csv, write_package, write_xlsx)

NOV = Period(2026, 11)
REPORT = "维修日报表"


def validate(path):
    return validate_submission(read_submission(path), period=NOV)


def keys(result, *codes):
    return [f.key() for f in result.findings if f.code in codes]


def cell_keys(result):
    """Every finding on a cell except info: what a clean file must not have."""
    return [f.key() for f in result.findings if f.cell and f.severity != "info"]


# --- the header row ------------------------------------------------------------------------------

def test_header_below_title_rows(make_report):
    path = make_report(valid_row("repair_report", 1), valid_row("repair_report", 2))
    result = validate(path)
    ds = result.checked["repair_report"].ds
    assert (ds.header_row, list(ds.raw.index)) == (3, [4, 5])
    assert ds.letters["phone"] == "F"
    assert cell_keys(result) == []


def test_header_far_down_after_many_title_rows(tmp_path):
    rows = [["杭州市 维修日报表"], ["填表单位: 杭州服务中心"], ["月份: 2026-11"], [], [], ["说明: 每日填写"],
            headers("repair_report"), valid_row("repair_report")]
    result = validate(write_xlsx(tmp_path / "r.xlsx", {REPORT: rows}))
    ds = result.checked["repair_report"].ds
    assert (ds.header_row, list(ds.raw.index)) == (7, [8])


@pytest.mark.parametrize(("position", "written", "field"), [
    pytest.param(0, "日期", "service_date", id="alias-riqi"),
    pytest.param(1, "单号", "order_no", id="alias-danhao"),
    pytest.param(5, "电话", "phone", id="alias-dianhua"),
    pytest.param(0, "＊服务日期", "service_date", id="full-width-asterisk"),
    pytest.param(0, "*服务日期", "service_date", id="required-marker"),
    pytest.param(0, "服务日期*", "service_date", id="trailing-marker"),
    pytest.param(1, "⼯单号", "order_no", id="kangxi-radical-nfkc"),
    pytest.param(1, "工单\u00a0号", "order_no", id="nbsp"),
    pytest.param(2, "技师\u3000工号", "tech_id", id="ideographic-space"),
    pytest.param(3, "技师\u200b姓名", "tech_name", id="zero-width-space"),
    pytest.param(4, "客户\n姓名", "customer_name", id="line-break"),
    pytest.param(6, " 服务地址\t", "address", id="tab-and-spaces"),
])
def test_header_matching(tmp_path, position, written, field):
    header = headers("repair_report")
    header[position] = written
    path = write_xlsx(tmp_path / "r.xlsx", {REPORT: titled(header, [valid_row("repair_report")])})
    result = validate(path)
    ds = result.checked["repair_report"].ds
    assert ds.letters[field] == "ABCDEFG"[position]
    assert ds.headers[field].strip() == written.strip()
    assert keys(result, "RD003", "RD004", "RD011") == []
    assert cell_keys(result) == []


def test_unknown_extra_column_is_kept_and_ignored(tmp_path):
    rows = titled(headers("repair_report") + ["备注"], [valid_row("repair_report") + ["客户不在家"]])
    result = validate(write_xlsx(tmp_path / "r.xlsx", {REPORT: rows}))
    assert keys(result, "RD004") == [("RD004", REPORT, "S3")]
    f = next(f for f in result.findings if f.code == "RD004")
    assert (f.severity, f.header) == ("info", "备注")
    assert cell_keys(result) == []


def test_duplicate_header_columns_is_an_error(tmp_path):
    rows = titled(headers("repair_report") + ["电话"], [valid_row("repair_report") + ["13900000000"]])
    result = validate(write_xlsx(tmp_path / "r.xlsx", {REPORT: rows}))
    assert keys(result, "RD003") == [("RD003", REPORT, "S3")]
    f = next(f for f in result.findings if f.code == "RD003")
    assert f.severity == "error"
    assert f.params["other"] == "F" and f.params["field"] == "联系电话"
    # the first column keeps the field
    assert result.checked["repair_report"].values.at[4, "phone"] == "13800000001"


def test_required_column_missing(tmp_path):
    keys_ = [k for k in columns("repair_report") if k != "action"]
    rows = titled(headers("repair_report", keys_), [valid_row("repair_report", keys=keys_)])
    result = validate(write_xlsx(tmp_path / "r.xlsx", {REPORT: rows}))
    missing = [f for f in result.findings if f.code == "RD011"]
    assert [(f.sheet, f.row, f.header, f.severity) for f in missing] == [(REPORT, 3, "处理措施", "error")]
    assert "维修措施" in missing[0].message("zh")


@pytest.mark.parametrize("missing", [
    pytest.param("report_date", id="report_date"),
    pytest.param("service_date", id="service_date"),
    pytest.param("completion_date", id="completion_date-optional"),
    pytest.param("order_no", id="order_no"),
])
def test_required_date_column_missing(tmp_path, missing):
    """A missing column is a finding (RD011 when required), never an exception."""
    keys_ = [k for k in columns("repair_report") if k != missing]
    rows = titled(headers("repair_report", keys_), [valid_row("repair_report", keys=keys_)])
    result = validate(write_xlsx(tmp_path / "r.xlsx", {REPORT: rows}))
    required = next(c.required for c in result.submission.datasets["repair_report"].fmt.columns
                    if c.key == missing)
    assert [f.code for f in result.findings if f.code == "RD011"] == (["RD011"] if required else [])


def test_header_not_found_names_expected_columns_and_closest_row(tmp_path):
    rows = [["杭州市 维修日报表"], ["服务日期", "工单号", "备注"], ["2026-11-03", "WX1", "x"]]
    result = validate(write_xlsx(tmp_path / "r.xlsx", {REPORT: rows}))
    found = [f for f in result.findings if f.code == "RD002"]
    assert [(f.sheet, f.severity) for f in found] == [(REPORT, "error")]
    assert found[0].params["best_row"] == 2
    assert "服务日期、工单号、技师工号" in found[0].message("zh")
    assert "repair_report" not in result.checked


# --- finding datasets ------------------------------------------------------------------------------

def test_dataset_by_sheet_alias(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"技师花名册": roster_rows(valid_row("roster")),
                                            "维修 登记表": report_rows(valid_row("repair_report"))})
    sub = read_submission(path)
    assert {k: ds.sheet for k, ds in sub.datasets.items()} == {"roster": "技师花名册",
                                                               "repair_report": "维修 登记表"}


def test_dataset_by_file_name_for_a_single_sheet_file(tmp_path):
    path = write_xlsx(tmp_path / "维修日报表.xlsx", {"Sheet1": report_rows(valid_row("repair_report"))})
    sub = read_submission(path)
    assert list(sub.datasets) == ["repair_report"]
    assert sub.datasets["repair_report"].sheet == "Sheet1"


def test_file_name_does_not_apply_to_a_file_of_several_sheets(tmp_path):
    path = write_xlsx(tmp_path / "技师档案.xlsx", {"Sheet1": report_rows(valid_row("repair_report")),
                                                  "Sheet2": [["备忘"]]})
    sub = read_submission(path)
    assert list(sub.datasets) == ["repair_report"]          # by its header, not by the file name


def test_dataset_by_header_signature(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {REPORT: report_rows(valid_row("repair_report")),
                                            "Sheet3": roster_rows(valid_row("roster"))})
    sub = read_submission(path)
    assert sub.datasets["roster"].sheet == "Sheet3"
    assert sub.datasets["roster"].header_row == 3


def test_dataset_found_twice_names_both_places(tmp_path):
    folder = tmp_path / "杭州市"
    write_xlsx(folder / "a.xlsx", {REPORT: report_rows(valid_row("repair_report", 1))})
    write_xlsx(folder / "b.xlsx", {"维修报表": report_rows(valid_row("repair_report", 2))})
    result = validate(folder)
    dup = [f for f in result.findings if f.code == "RD008"]
    assert [(f.sheet, f.severity) for f in dup] == [("维修报表", "error")]
    text = dup[0].message("zh")
    assert "a.xlsx / 维修日报表" in text and "b.xlsx / 维修报表" in text
    assert result.checked["repair_report"].ds.file.endswith("a.xlsx")


def test_unrecognised_sheet_is_info(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {REPORT: report_rows(valid_row("repair_report")),
                                            "备忘": [["下周培训"], ["地点", "会议室"]]})
    result = validate(path)
    assert [(f.code, f.sheet, f.severity) for f in result.findings if f.code == "RD013"] == \
        [("RD013", "备忘", "info")]


# --- rows ----------------------------------------------------------------------------------------

def test_merged_cells_in_the_data_are_filled_forward(tmp_path):
    rows = report_rows(valid_row("repair_report", 1), valid_row("repair_report", 2, tech_id=None, tech_name=None),
                       valid_row("repair_report", 3, tech_id=None, tech_name=None))
    path = write_xlsx(tmp_path / "r.xlsx", {REPORT: rows}, merges={REPORT: ["C4:C6", "D4:D6"]})
    result = validate(path)
    values = result.checked["repair_report"].values
    assert list(values["tech_id"]) == ["T001", "T001", "T001"]
    assert list(values["tech_name"]) == ["王建国", "王建国", "王建国"]
    assert cell_keys(result) == []


def test_blank_totals_and_signoff_rows_are_skipped(tmp_path):
    total = ["合计"] + [None] * 12 + [90]
    rows = report_rows(valid_row("repair_report", 1), [], valid_row("repair_report", 2),
                       ["小计", None, None, None, None, None, None, None, None, None, None, None, None, 60],
                       ["   "], valid_row("repair_report", 3), [None, "总计"], total, [],
                       ["制表人: 张三"], [None, None, "审核人：李四"])
    result = validate(write_xlsx(tmp_path / "r.xlsx", {REPORT: rows}))
    assert list(result.checked["repair_report"].ds.raw.index) == [4, 6, 9]
    assert [(f.code, f.cell, f.value, f.severity) for f in result.findings if f.code in ("RD005", "RD006")] == [
        ("RD005", "A7", "小计", "info"),
        ("RD005", "B10", "总计", "info"),
        ("RD005", "A11", "合计", "info"),
        ("RD006", "A13", "制表人: 张三", "info"),
        ("RD006", "C14", "审核人：李四", "info"),
    ]
    assert cell_keys(result) == []


def test_signoff_words_inside_the_data_are_data(tmp_path):
    """Only trailing sign-off rows are skipped; a customer called 签字 in the middle is a row."""
    rows = report_rows(valid_row("repair_report", 1),
                       valid_row("repair_report", 2, service_date="签字", customer_name="签字"),
                       valid_row("repair_report", 3))
    result = validate(write_xlsx(tmp_path / "r.xlsx", {REPORT: rows}))
    assert list(result.checked["repair_report"].ds.raw.index) == [4, 5, 6]
    assert keys(result, "CE020") == [("CE020", REPORT, "A5")]


def test_lock_and_hidden_files_are_skipped(tmp_path):
    """Lock and hidden files are the only silent skips (realworld.md); any other file not read is
    named in an info finding. Changed with issue 10: `.txt` is now a candidate (a text export), so
    the unsupported neighbour here is a `.docx`."""
    folder = tmp_path / "杭州市"
    good = write_xlsx(folder / "维修日报表.xlsx", {REPORT: report_rows(valid_row("repair_report"))})
    (folder / "~$维修日报表.xlsx").write_bytes(b"\x00lock file of Excel")
    (folder / ".~lock.维修日报表.xlsx#").write_bytes(b"lock file of LibreOffice")
    (folder / ".维修日报表.xlsx").write_bytes(b"not a workbook")
    (folder / "说明.docx").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    assert find_workbooks(folder) == [good]
    result = validate(folder)
    assert result.submission.files == [str(good)]
    assert cell_keys(result) == []
    assert [(f.code, f.severity, Path(f.file).name) for f in result.findings if f.code == "RD014"] == \
        [("RD014", "info", "说明.docx")]


def test_hidden_sheet_is_read_with_an_info_finding(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {REPORT: report_rows(valid_row("repair_report")),
                                            "技师档案": roster_rows(valid_row("roster"))}, hidden=["技师档案"])
    result = validate(path)
    assert "roster" in result.checked and result.checked["roster"].ds.rows == 1
    assert [(f.code, f.sheet, f.severity) for f in result.findings if f.code == "RD007"] == \
        [("RD007", "技师档案", "info")]


def test_visible_sheets_have_no_hidden_finding(make_report):
    result = validate(make_report(valid_row("repair_report")))
    assert keys(result, "RD007") == []


# --- identifiers never become numbers (quality.md pitfalls 1 and 2) --------------------------------

def test_text_with_leading_zeros_stays_text(make_report):
    result = validate(make_report(valid_row("repair_report", 1, order_no="00000001", tech_id="007")))
    values = result.checked["repair_report"].values
    assert (values.at[4, "order_no"], values.at[4, "tech_id"]) == ("00000001", "007")
    assert result.checked["repair_report"].ds.raw.at[4, "order_no"] == "00000001"


def test_identifier_column_numeric_for_1200_rows_then_text(tmp_path):
    data = [valid_row("repair_report", 1, order_no=100000 + i, customer_name=f"客户{i}") for i in range(1200)]
    data.append(valid_row("repair_report", 1, order_no="T101200", customer_name="客户T"))
    path = write_xlsx(tmp_path / "r.xlsx", {REPORT: titled(headers("repair_report"), data)})
    result = validate(path)
    orders = result.checked["repair_report"].values["order_no"]
    assert len(orders) == 1201 and orders.notna().all()
    assert orders.at[4] == "100000"
    assert orders.at[1203] == "101199"
    assert orders.at[1204] == "T101200"
    assert cell_keys(result) == []


def test_phone_stored_as_number_becomes_digit_string(make_report):
    result = validate(make_report(valid_row("repair_report", 1, phone=13800000001)))
    assert result.checked["repair_report"].values.at[4, "phone"] == "13800000001"


# --- real cell references with leading empty rows and columns --------------------------------------

def test_findings_name_real_cells_when_data_starts_at_b5(tmp_path):
    total = [None] * 13 + [60]
    total[0] = "合计"
    rows = titled(headers("repair_report") + ["备注"],
                  [valid_row("repair_report", 1), valid_row("repair_report", 2, phone="1381234", fee="=1+1"),
                   total, ["制表人: 张三"]])
    path = write_xlsx(tmp_path / "r.xlsx", {REPORT: rows}, origin=(5, 2))
    result = validate(path)
    ds = result.checked["repair_report"].ds
    assert (ds.header_row, list(ds.raw.index), ds.letters["service_date"], ds.letters["phone"]) == \
        (7, [8, 9], "B", "G")
    assert sorted(f.key() for f in result.findings if f.cell) == sorted([
        ("RD004", REPORT, "T7"),
        ("CE062", REPORT, "G9"),
        ("CE003", REPORT, "O9"),
        ("RD005", REPORT, "B10"),
        ("RD006", REPORT, "B11"),
    ])


def test_csv_rows_are_counted_as_a_spreadsheet_shows_them(tmp_path):
    rows = titled(headers("repair_report"),
                  [valid_row("repair_report", 1, csv_text=True),
                   valid_row("repair_report", 2, csv_text=True, service_date="2026/11/04")])
    result = validate(write_csv(tmp_path / "维修日报表.csv", rows, encoding="gb18030"))
    assert result.checked["repair_report"].ds.header_row == 3
    assert cell_keys(result) == [("CE021", "维修日报表", "A5")]
    assert result.checked["repair_report"].values.at[5, "service_date"].date() == dt.date(2026, 11, 4)


# --- formulas --------------------------------------------------------------------------------------

def test_formula_with_a_cached_empty_text_is_not_uncached(tmp_path):
    """Excel and LibreOffice cache =IF(L4="","",30) as t="str" with an empty <v>: a value, not an
    uncached formula; template rows holding only such formulas are blank rows, not data."""
    row = [as_csv_text(v) for v in valid_row("repair_report")]
    row[13] = None                                   # 收费金额 (N) comes from the formula
    xml = (SHEET_HEAD.format(doctype="") + inline_row(1, ["杭州市 维修日报表"])
           + inline_row(3, headers("repair_report"))
           + inline_row(4, row).replace("</row>", '<c r="N4" t="str"><f>IF(L4="","",30)</f><v></v></c></row>'))
    for r in (5, 6, 7):
        xml += f'<row r="{r}"><c r="N{r}" t="str"><f>IF(L{r}="","",30)</f><v></v></c></row>'
    xml += '<row r="8"><c r="A8"><f>TODAY()</f></c></row>'           # no <v> at all: uncached
    path = write_package(tmp_path / "r.xlsx", xml + SHEET_TAIL)
    result = validate(path)
    assert list(result.checked["repair_report"].ds.raw.index) == [4, 8]
    assert keys(result, "CE003") == [("CE003", REPORT, "A8")]
    assert [f.key() for f in result.findings if f.cell and f.cell[1:] in ("5", "6", "7")] == []

"""The cell types of formats.md ("Cell types"), one real workbook per case.

Each case writes a small .xlsx (or .csv) — a title row, a 填表单位 line, the header on row 3 and one
otherwise valid data row on row 4 — with the value under test in cell F4 (the column under test is
moved to F), then reads and validates it as the CLI does.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from aftersales_cli.formats import load_formats
from aftersales_cli.period import Period
from aftersales_cli.read import read_submission
from aftersales_cli.validate.cells import id_check_digit
from aftersales_cli.validate.engine import validate_submission
from xlsx_factory import headers, keys_with, titled, valid_row, write_csv, write_xlsx

NOV = Period(2026, 11)
SERIAL_2026_11_03 = (dt.date(2026, 11, 3) - dt.date(1899, 12, 30)).days     # Excel's day count


def check_cell(tmp_path: Path, dataset: str, key: str, value: Any, *, csv: bool = False,
               period: Period = NOV):
    """(findings with a cell other than info, normalised value of F4, the sheet name)."""
    keys = keys_with(dataset, key)
    row = valid_row(dataset, keys=keys, csv_text=csv)
    row[5] = value
    sheet = load_formats()[dataset].sheet
    rows = titled(headers(dataset, keys), [row])
    if csv:
        path = write_csv(tmp_path / f"{sheet}.csv", rows)
    else:
        path = write_xlsx(tmp_path / "case.xlsx", {sheet: rows})
    result = validate_submission(read_submission(path), period=period)
    checked = result.checked[dataset]
    assert checked.ds.letters[key] == "F"
    assert list(checked.values.index) == [4]
    found = [f for f in result.findings if f.cell and f.severity != "info"]
    return found, checked.values.at[4, key], sheet


def assert_case(found, sheet, code, severity):
    if code is None:
        assert [f.key() for f in found] == []
    else:
        assert [f.key() for f in found] == [(code, sheet, "F4")]
        assert found[0].severity == severity


def assert_cell(tmp_path, dataset, key, value, code, severity, normalised) -> None:
    """The value in F4 gives `code` at `severity` (or nothing) and reads back as `normalised`."""
    found, value_read, sheet = check_cell(tmp_path, dataset, key, value)
    assert_case(found, sheet, code, severity)
    assert value_read == normalised


def as_date(value) -> dt.date | None:
    return None if value is None or value != value else value.date()


# --- text ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("dataset", "key", "value", "code", "severity", "normalised"), [
    pytest.param("repair_report", "order_no", "WX2026110001", None, None, "WX2026110001", id="text-cell"),
    pytest.param("repair_report", "order_no", "00000001", None, None, "00000001", id="leading-zeros-kept"),
    pytest.param("repair_report", "order_no", 13812345678, None, None, "13812345678", id="whole-number-cell"),
    pytest.param("repair_report", "order_no", 1001, None, None, "1001", id="short-number-cell"),
    pytest.param("repair_report", "order_no", 1.5, "CE011", "error", None, id="fraction-in-identifier"),
    pytest.param("repair_report", "order_no", 360426199101010071, "CE010", "error", None,
                 id="18-digit-number-precision-lost"),
    pytest.param("repair_report", "order_no", 1234567890123456, "CE010", "error", None, id="16-digit-number"),
    pytest.param("repair_report", "order_no", "1.23457E+11", "CE010", "error", None,
                 id="scientific-notation-text"),
    pytest.param("inspection", "code", 1.1, None, None, "1.1", id="checklist-code-number-1.1"),
    pytest.param("inspection", "code", 10.2, None, None, "10.2", id="checklist-code-number-10.2"),
    pytest.param("inspection", "code", 3, None, None, "3", id="checklist-code-whole-number"),
])
def test_text(tmp_path, dataset, key, value, code, severity, normalised):
    assert_cell(tmp_path, dataset, key, value, code, severity, normalised)


# --- date ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "code", "severity", "normalised"), [
    pytest.param(dt.date(2026, 11, 3), None, None, dt.date(2026, 11, 3), id="date-cell"),
    pytest.param(dt.datetime(2026, 11, 3, 14, 30), None, None, dt.date(2026, 11, 3), id="datetime-cell"),
    pytest.param("2026-11-03", "CE021", "format", dt.date(2026, 11, 3), id="iso-text-in-xlsx"),
    pytest.param("2026/11/3", "CE021", "format", dt.date(2026, 11, 3), id="slashes"),
    pytest.param("2026.11.3", "CE021", "format", dt.date(2026, 11, 3), id="dots"),
    pytest.param("20261103", "CE021", "format", dt.date(2026, 11, 3), id="compact"),
    pytest.param("2026年11月3日", "CE021", "format", dt.date(2026, 11, 3), id="chinese"),
    pytest.param("11月3日", "CE021", "format", dt.date(2026, 11, 3), id="month-day-year-from-period"),
    pytest.param("２０２６－１１－０３", "CE021", "format", dt.date(2026, 11, 3), id="full-width-digits"),
    pytest.param(SERIAL_2026_11_03, "CE021", "format", dt.date(2026, 11, 3), id="excel-serial-in-number-cell"),
    pytest.param("2026-02-30", "CE023", "error", None, id="impossible-date"),
    pytest.param("2026年2月30日", "CE023", "error", None, id="impossible-chinese-date"),
    pytest.param("03/05", "CE022", "error", None, id="ambiguous"),
    pytest.param("下周一", "CE020", "error", None, id="unparseable"),
    pytest.param(-3, "CE020", "error", None, id="negative-number"),
])
def test_date(tmp_path, value, code, severity, normalised):
    found, value_read, sheet = check_cell(tmp_path, "roster", "hire_date", value)
    assert_case(found, sheet, code, severity)
    assert as_date(value_read) == normalised


def test_month_day_takes_the_year_of_the_period(tmp_path):
    found, value_read, sheet = check_cell(tmp_path, "roster", "hire_date", "11月3日", period=Period(2025, 11))
    assert_case(found, sheet, "CE021", "format")
    assert as_date(value_read) == dt.date(2025, 11, 3)
    assert found[0].params["normalised"] == "2025-11-03"


def test_date_finding_keeps_the_original_value(tmp_path):
    found, _, _ = check_cell(tmp_path, "repair_report", "service_date", "2026/11/3")
    assert [(f.key(), f.value) for f in found] == [(("CE021", "维修日报表", "F4"), "2026/11/3")]
    assert "2026/11/3" in found[0].message("zh") and "2026-11-03" in found[0].message("zh")


# --- int -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "code", "severity", "normalised"), [
    pytest.param(3, None, None, 3, id="number-cell"),
    pytest.param("3", "CE031", "format", 3, id="text-digits"),
    pytest.param("３", "CE031", "format", 3, id="full-width-digit"),
    pytest.param("3个", "CE031", "format", 3, id="unit-ge"),
    pytest.param("3件", "CE031", "format", 3, id="unit-jian"),
    pytest.param(1.5, "CE032", "error", None, id="fraction-number-cell"),
    pytest.param("1.5", "CE032", "error", None, id="fraction-text"),
    pytest.param(0, "CE033", "error", None, id="below-minimum-1"),
    pytest.param(-2, "CE033", "error", None, id="negative"),
    pytest.param("三个", "CE030", "error", None, id="words"),
    pytest.param(10**16, "CE030", "error", None, id="beyond-15-digits"),
])
def test_int(tmp_path, value, code, severity, normalised):
    assert_cell(tmp_path, "repair_report", "part_qty", value, code, severity, normalised)


# --- money ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "code", "severity", "normalised"), [
    pytest.param(120, None, None, 120.0, id="number-cell"),
    pytest.param(120.5, None, None, 120.5, id="decimal-number-cell"),
    pytest.param("¥120", "CE041", "format", 120.0, id="yen-sign"),
    pytest.param("￥120", "CE041", "format", 120.0, id="full-width-yen-sign"),
    pytest.param("120元", "CE041", "format", 120.0, id="yuan"),
    pytest.param("1,200.50", "CE041", "format", 1200.5, id="thousands-separator"),
    pytest.param(-5, "CE042", "error", None, id="negative"),
    pytest.param("免费", "CE040", "error", None, id="words"),
    pytest.param("1,20,0", "CE040", "error", None, id="bad-separators"),
])
def test_money(tmp_path, value, code, severity, normalised):
    assert_cell(tmp_path, "repair_report", "fee", value, code, severity, normalised)


# --- enum ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("dataset", "key", "value", "code", "severity", "normalised"), [
    pytest.param("repair_report", "status", "已完成", None, None, "已完成", id="allowed"),
    pytest.param("repair_report", "status", "完成", "CE051", "format", "已完成", id="alias-wancheng"),
    pytest.param("repair_report", "service_type", "维修服务", "CE051", "format", "维修", id="alias-service-type"),
    pytest.param("inspection", "result", "Y", "CE051", "format", "是", id="alias-Y"),
    pytest.param("inspection", "result", "y", "CE051", "format", "是", id="alias-lower-y"),
    pytest.param("inspection", "result", 1, "CE051", "format", "是", id="alias-number-1"),
    pytest.param("repair_report", "status", "好了", "CE050", "error", None, id="invalid"),
])
def test_enum(tmp_path, dataset, key, value, code, severity, normalised):
    assert_cell(tmp_path, dataset, key, value, code, severity, normalised)


def test_enum_invalid_lists_allowed_values(tmp_path):
    found, _, _ = check_cell(tmp_path, "repair_report", "status", "好了")
    assert "已完成、未完成、待配件、已取消" in found[0].message("zh")
    assert found[0].params["allowed"] == ("已完成", "未完成", "待配件", "已取消")
    assert "expected one of: '已完成', '未完成', '待配件', '已取消'" in found[0].message("en")


# --- mobile --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "code", "severity", "normalised"), [
    pytest.param("13812345678", None, None, "13812345678", id="text"),
    pytest.param(13812345678, None, None, "13812345678", id="number-cell"),
    pytest.param("+86 138 1234 5678", "CE061", "format", "13812345678", id="plus86-spaces"),
    pytest.param("+8613812345678", "CE061", "format", "13812345678", id="plus86"),
    pytest.param("0086-13812345678", "CE061", "format", "13812345678", id="0086"),
    pytest.param("138-1234-5678", "CE061", "format", "13812345678", id="hyphens"),
    pytest.param("1381234567", "CE060", "error", None, id="ten-digits"),
    pytest.param("12812345678", "CE060", "error", None, id="second-digit-2"),
    pytest.param("0571-12345678", "CE060", "error", None, id="landline-is-not-mobile"),
])
def test_mobile(tmp_path, value, code, severity, normalised):
    assert_cell(tmp_path, "roster", "mobile", value, code, severity, normalised)


# --- phone ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "code", "severity", "normalised"), [
    pytest.param("13812345678", None, None, "13812345678", id="mobile"),
    pytest.param(13812345678, None, None, "13812345678", id="mobile-number-cell"),
    pytest.param("0571-12345678", None, None, "0571-12345678", id="landline-hyphen"),
    pytest.param("057112345678", None, None, "057112345678", id="landline-plain"),
    pytest.param("010-1234567", None, None, "010-1234567", id="landline-3-digit-area-7-digits"),
    pytest.param("+86 13812345678", "CE063", "format", "13812345678", id="plus86-mobile"),
    pytest.param("(0571)12345678", "CE063", "format", "0571-12345678", id="area-in-brackets"),
    pytest.param("0571 1234 5678", "CE063", "format", "057112345678", id="landline-spaces"),
    pytest.param(57112345678, "CE064", "error", None, id="landline-number-leading-zero-lost"),
    pytest.param("12345", "CE062", "error", None, id="too-short"),
])
def test_phone(tmp_path, value, code, severity, normalised):
    assert_cell(tmp_path, "repair_report", "phone", value, code, severity, normalised)


# --- id card -------------------------------------------------------------------------------------

BAD_BIRTH = "11010519491331" + "002"          # month 13


@pytest.mark.parametrize(("value", "code", "severity", "normalised"), [
    pytest.param("11010519491231002X", None, None, "11010519491231002X", id="valid-X"),
    pytest.param("360426199101010071", None, None, "360426199101010071", id="valid-1"),
    pytest.param("120103198806018241", None, None, "120103198806018241", id="valid-2"),
    pytest.param("11010519491231002x", None, None, "11010519491231002X", id="lower-case-x"),
    pytest.param("360426199101010072", "CE071", "error", None, id="bad-check-digit"),
    pytest.param(BAD_BIRTH + id_check_digit(BAD_BIRTH), "CE072", "error", None, id="bad-birth-date"),
    pytest.param("110105491231002", "CE074", "warning", "110105491231002", id="15-digit-old-number"),
    pytest.param(360426199101010071, "CE073", "error", None, id="18-digit-number-cell"),
    pytest.param("3.60426E+17", "CE073", "error", None, id="scientific-notation-text"),
    pytest.param("36042619910101007", "CE070", "error", None, id="17-characters"),
])
def test_id_card(tmp_path, value, code, severity, normalised):
    assert_cell(tmp_path, "roster", "id_card", value, code, severity, normalised)


def test_id_card_check_digit_names_the_expected_number(tmp_path):
    found, _, _ = check_cell(tmp_path, "roster", "id_card", "360426199101010072")
    assert found[0].params["expected"] == "360426199101010071"


# --- CSV: every cell is text; YYYY-MM-DD and plain digits are the standard there ---------------

@pytest.mark.parametrize(("dataset", "key", "value", "code", "severity", "normalised"), [
    pytest.param("repair_report", "service_date", "2026-11-03", None, None, dt.date(2026, 11, 3), id="iso-date"),
    pytest.param("repair_report", "service_date", "2026/11/03", "CE021", "format", dt.date(2026, 11, 3),
                 id="slash-date"),
    pytest.param("repair_report", "service_date", "2026-11-3", "CE021", "format", dt.date(2026, 11, 3),
                 id="unpadded-date"),
    pytest.param("repair_report", "part_qty", "3", None, None, 3, id="plain-int"),
    pytest.param("repair_report", "part_qty", "3个", "CE031", "format", 3, id="int-with-unit"),
    pytest.param("repair_report", "fee", "30.5", None, None, 30.5, id="plain-decimal-money"),
    pytest.param("repair_report", "fee", "¥30", "CE041", "format", 30.0, id="yen-money"),
    pytest.param("repair_report", "fee", "1,200", "CE041", "format", 1200.0, id="thousands-money"),
    pytest.param("repair_report", "phone", "13812345678", None, None, "13812345678", id="phone-digits"),
    pytest.param("repair_report", "order_no", "1.23457E+11", "CE010", "error", None, id="code-in-scientific"),
    pytest.param("roster", "id_card", "360426199101010071", None, None, "360426199101010071", id="id-card"),
    pytest.param("roster", "id_card", "3.60426E+17", "CE073", "error", None, id="id-card-in-scientific"),
])
def test_csv(tmp_path, dataset, key, value, code, severity, normalised):
    found, value_read, sheet = check_cell(tmp_path, dataset, key, value, csv=True)
    assert_case(found, sheet, code, severity)
    if isinstance(normalised, dt.date):
        value_read = as_date(value_read)
    assert value_read == normalised


def test_huge_number_in_an_int_column_is_a_finding_not_an_overflow(tmp_path):
    """差异数量 9.2e18 once overflowed int64 in the stocktake's difference rule (found by hypothesis)."""
    found, value_read, sheet = check_cell(tmp_path, "stocktake", "diff_qty", 9.223372036854776e18)
    assert_case(found, sheet, "CE030", "error")
    assert value_read is None

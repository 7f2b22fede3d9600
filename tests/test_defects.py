"""Every row rule, named check and sample defect kind, injected into a real workbook.

Each case copies a clean generated city (`aftersales sample`, standard layout: header on row 1),
makes one realistic, minimal edit with openpyxl, validates the month folder as `aftersales validate`
does and compares the findings of the code under test — all of them — with the expected
`(code, severity, sheet, cell)` list, the cell computed from the edited row and the header's
column. A finding without a cell (PL013 is per part) is compared as
`(code, severity, sheet, row, column, value)`. An edit may legitimately bring other findings along
(moving a date can also make a late entry); only the codes a case names are compared, exactly.

The last test validates a whole defective city made by the generator and checks that every defect
kind with a code yields at least as many findings as the generator says it injected.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from citykit import RUNNER, D, Table, edit, valid_id
from aftersales_cli.cli import app
from aftersales_cli.formats import load_formats
from aftersales_cli.pipeline import validate_path
from aftersales_cli.sample import DEFECTS, LAYOUTS, CityData, build_city
from aftersales_cli.sample.writer import write_city
from aftersales_cli.core.finding import Finding

FORMATS = load_formats().datasets
SHEET = {name: fmt.sheet for name, fmt in FORMATS.items()}
DIRECTION = {**dict.fromkeys(FORMATS["parts_ledger"].role("type", "adds"), 1),      # the YAML's roles
             **dict.fromkeys(FORMATS["parts_ledger"].role("type", "subtracts"), -1)}
Expected = dict[str, list[tuple]]


# --- fixtures ------------------------------------------------------------------------------------

def count_on(city, day) -> None:
    """Move the whole month-end count to `day`."""
    with edit(city, "stocktake") as t:
        for r in t.rows:
            t.set(r, "盘点日期", day)


def test_pristine_city_is_clean(pristine):
    result = validate_path(pristine)
    assert result.summary["error"] == result.summary["format"] == result.summary["warning"] == 0, \
        [f.key() for f in result.findings]
    assert set(result.checked) == set(FORMATS)


# --- helpers -------------------------------------------------------------------------------------

def at(t: Table, row: int, header: str) -> str:
    """The cell address of `header` in `row`, as openpyxl (and Excel) shows it."""
    return t.ws.cell(row, t.cols[header]).coordinate


def pick(t: Table, pred: Callable[[int], bool] = lambda r: True, skip: int = 3) -> int:
    """The first data row after the first `skip` ones (fewer in a short sheet) that satisfies `pred`."""
    rows = t.rows
    return next(r for r in rows[min(skip, len(rows) - 1):] if pred(r))


def values(t: Table, row: int) -> dict[str, Any]:
    return {h: t.get(row, h) for h in t.cols}


def key(f: Finding) -> tuple:
    if f.cell:
        return (f.code, f.severity, f.sheet, f.cell)
    return (f.code, f.severity, f.sheet, f.row, f.column, f.value)


def ledger_state(t: Table) -> tuple[dict[str, int], dict[str, list[str]], dict[tuple[str, str], int]]:
    """(balance per part, batches per part in age order, stock per (part, batch)) after the last row."""
    balance: dict[str, int] = {}
    batches: dict[str, list[str]] = {}
    stock: dict[tuple[str, str], int] = {}
    for r in t.rows:
        part, batch, kind, qty = (t.get(r, h) for h in ("配件编码", "批次号", "类型", "数量"))
        sign = DIRECTION[kind]
        if kind in ("期初", "入库") and batch not in batches.setdefault(part, []):
            batches[part].append(batch)
        stock[part, batch] = stock.get((part, batch), 0) + sign * qty
        balance[part] = balance.get(part, 0) + sign * qty
    return balance, batches, stock


def stocked_part(t: Table) -> tuple[str, int, str, int]:
    """A part with stock at the end of the ledger: (code, balance, oldest batch with stock, its stock)."""
    balance, batches, stock = ledger_state(t)
    part = next(p for p in sorted(balance) if balance[p] >= 2)
    oldest = next(b for b in batches[part] if stock[part, b] > 0)
    return part, balance[part], oldest, stock[part, oldest]


def ledger_row(t: Table, part: str, **fields: Any) -> dict[str, Any]:
    name = t.get(t.where("配件编码", part)[0], "配件名称")
    return {"日期": D(2026, 11, 30), "单据号": "X202611-99", "配件编码": part, "配件名称": name,
            "关联工单号": None, **fields}


def roster_name(city: Path) -> str:
    with edit(city, "roster") as t:
        return t.get(pick(t, lambda r: t.get(r, "在职状态") == "在职"), "姓名")


# --- the cases -----------------------------------------------------------------------------------

CASES: list = []
COVERED_CODES: set[str] = set()
COVERED_DEFECTS: set[str] = set()


def case(id: str, code: str, *, defects: tuple[str, ...] = (), clean: bool = False, xfail: str | None = None):
    """Register an edit `fn(city) -> {code: expected keys}` as one pytest.param.

    `code` is the code under test: the edit must raise it, or, for a `clean` case (an edit right
    at a rule's boundary), must not.
    """
    def register(fn: Callable[[Path], Expected]):
        if not clean:
            COVERED_CODES.add(code)
        COVERED_DEFECTS.update(defects)
        marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
        CASES.append(pytest.param(fn, code, clean, id=id, marks=marks))
        return fn
    return register


def one_cell(id: str, code: str, severity: str, dataset: str, header: str, new: Any,
             when: Callable[[Table, int], bool] = lambda t, r: True, defects: tuple[str, ...] = ()) -> None:
    """A case that changes one cell (`new`: a value or a function of the old value)."""
    def fn(city: Path) -> Expected:
        with edit(city, dataset) as t:
            r = pick(t, lambda r: when(t, r))
            t.set(r, header, new(t.get(r, header)) if callable(new) else new)
            return {code: [(code, severity, SHEET[dataset], at(t, r, header))]}
    case(id, code, defects=defects)(fn)


# 维修日报表 ---------------------------------------------------------------------------------------

@case("RR001-service-date-before-period", "RR001", defects=("rr_date_outside_period",))
def _(city):
    with edit(city, "repair_report") as t:
        r = pick(t)
        for h in ("服务日期", "填报日期") + (("完工日期",) if t.get(r, "完工日期") else ()):
            t.set(r, h, D(2026, 10, 30))
        return {"RR001": [("RR001", "error", "维修日报表", at(t, r, "服务日期"))]}


@case("RR001-service-date-after-period", "RR001")
def _(city):
    with edit(city, "repair_report") as t:
        r = t.rows[-1]
        for h in ("服务日期", "填报日期") + (("完工日期",) if t.get(r, "完工日期") else ()):
            t.set(r, h, D(2026, 12, 1))
        return {"RR001": [("RR001", "error", "维修日报表", at(t, r, "服务日期"))]}


@case("RR002-order-no-repeated", "RR002", defects=("rr_order_no_repeated",))
def _(city):
    with edit(city, "repair_report") as t:
        first, *repeats = t.rows[4], t.rows[8], t.rows[11]
        for r in repeats:
            t.set(r, "工单号", t.get(first, "工单号"))
        return {"RR002": [("RR002", "error", "维修日报表", at(t, r, "工单号")) for r in repeats]}


@case("RR003-technician-not-in-roster", "RR003", defects=("rr_technician_unknown",))
def _(city):
    with edit(city, "repair_report") as t:
        r = pick(t)
        t.set(r, "技师工号", "T999")
        return {"RR003": [("RR003", "error", "维修日报表", at(t, r, "技师工号"))],
                "RR004": []}                       # no roster name to compare with


@case("RR004-technician-name-mismatch", "RR004", defects=("rr_technician_name_mismatch",))
def _(city):
    with edit(city, "repair_report") as t:
        r = pick(t)
        t.set(r, "技师姓名", "查无此人")
        return {"RR004": [("RR004", "error", "维修日报表", at(t, r, "技师姓名"))]}


@case("RR005-part-not-in-master", "RR005", defects=("rr_part_unknown",))
def _(city):
    with edit(city, "repair_report") as t:
        r = pick(t, lambda r: not t.get(r, "使用配件编码"))
        t.set(r, "使用配件编码", "P9999")
        t.set(r, "配件数量", 1)
        return {"RR005": [("RR005", "error", "维修日报表", at(t, r, "使用配件编码"))],
                "PL013": [("PL013", "warning", "配件台账", None, None, "P9999")]}   # its `also`


@case("RR006-completion-before-service", "RR006", defects=("rr_completion_before_service",))
def _(city):
    with edit(city, "repair_report") as t:
        r = pick(t, lambda r: t.get(r, "完工状态") == "已完成" and t.get(r, "服务日期") >= D(2026, 11, 3))
        t.set(r, "完工日期", t.get(r, "服务日期") - dt.timedelta(days=1))
        return {"RR006": [("RR006", "error", "维修日报表", at(t, r, "完工日期"))]}


@case("RR006-completion-same-day-is-fine", "RR006", clean=True)
def _(city):
    with edit(city, "repair_report") as t:
        r = pick(t, lambda r: t.get(r, "完工状态") == "已完成")
        t.set(r, "完工日期", t.get(r, "服务日期"))
        return {"RR006": []}


@case("RR007-entered-before-service", "RR007", defects=("rr_entered_before_service",))
def _(city):
    with edit(city, "repair_report") as t:
        r = pick(t, lambda r: t.get(r, "服务日期") >= D(2026, 11, 3))
        t.set(r, "填报日期", t.get(r, "服务日期") - dt.timedelta(days=1))
        return {"RR007": [("RR007", "warning", "维修日报表", at(t, r, "填报日期"))],
                "RR008": []}


@case("RR008-late-entry", "RR008", defects=("rr_late_entry",))
def _(city):
    with edit(city, "repair_report") as t:
        r = pick(t)
        t.set(r, "填报日期", t.get(r, "服务日期") + dt.timedelta(days=3))
        return {"RR008": [("RR008", "format", "维修日报表", at(t, r, "填报日期"))],
                "RR007": []}


@case("RR008-one-day-lag-is-on-time", "RR008", clean=True)
def _(city):
    with edit(city, "repair_report") as t:
        r = pick(t)
        t.set(r, "填报日期", t.get(r, "服务日期") + dt.timedelta(days=1))
        return {"RR008": []}


@case("RR009-copied-row", "RR009", defects=("rr_copied_row",))
def _(city):
    with edit(city, "repair_report") as t:
        src = pick(t, lambda r: t.get(r, "服务类型") == "维修" and not t.get(r, "使用配件编码"))
        new = t.append({**values(t, src), "工单号": "WX2026119901"})
        return {"RR009": [("RR009", "warning", "维修日报表", at(t, new, "工单号"))],
                "RR002": []}


@case("RR009-copied-row-without-fault", "RR009")
def _(city):
    with edit(city, "repair_report") as t:       # 故障描述 empty in both rows: still equal
        src = pick(t, lambda r: t.get(r, "服务类型") == "安装" and not t.get(r, "故障描述"))
        new = t.append({**values(t, src), "工单号": "WX2026119902"})
        return {"RR009": [("RR009", "warning", "维修日报表", at(t, new, "工单号"))]}


@case("RR009-copy-with-same-order-no-is-a-repeat", "RR002")
def _(city):
    with edit(city, "repair_report") as t:
        src = pick(t, lambda r: not t.get(r, "使用配件编码"))
        new = t.append(values(t, src))
        return {"RR002": [("RR002", "error", "维修日报表", at(t, new, "工单号"))], "RR009": []}


@case("RR009-other-fault-is-not-a-copy", "RR009", clean=True)
def _(city):
    with edit(city, "repair_report") as t:
        src = pick(t, lambda r: t.get(r, "服务类型") == "维修" and not t.get(r, "使用配件编码"))
        t.append({**values(t, src), "工单号": "WX2026119901", "故障描述": "另一处故障"})
        return {"RR009": []}


# CE002: conditional required ---------------------------------------------------------------------

one_cell("CE002-fault-when-repair", "CE002", "error", "repair_report", "故障描述", None,
         lambda t, r: t.get(r, "服务类型") == "维修", defects=("rr_fault_missing",))
one_cell("CE002-part-qty-when-part-code", "CE002", "error", "repair_report", "配件数量", None,
         lambda t, r: bool(t.get(r, "使用配件编码")))
one_cell("CE002-completion-date-when-done", "CE002", "error", "repair_report", "完工日期", None,
         lambda t, r: t.get(r, "完工状态") == "已完成")
one_cell("CE002-handler-when-issue", "CE002", "error", "parts_ledger", "经办人", None,
         lambda t, r: t.get(r, "类型") == "出库", defects=("pl_handler_missing",))


@case("CE002-fault-empty-on-install-is-fine", "CE002", clean=True)
def _(city):
    with edit(city, "repair_report") as t:
        t.set(pick(t, lambda r: t.get(r, "服务类型") == "安装"), "故障描述", None)
        return {"CE002": []}


# cell types, as the sample defects write them into the repair report --------------------------------

one_cell("CE021-service-date-as-text", "CE021", "format", "repair_report", "服务日期",
         lambda d: f"{d:%Y/%m/%d}", defects=("rr_date_nonstandard",))
one_cell("CE023-completion-date-impossible", "CE023", "error", "repair_report", "完工日期", "2026-11-31",
         lambda t, r: t.get(r, "完工状态") == "已完成", defects=("rr_date_impossible",))
one_cell("CE022-completion-date-ambiguous", "CE022", "error", "repair_report", "完工日期",
         lambda d: f"{d:%m/%d}", lambda t, r: t.get(r, "完工状态") == "已完成", defects=("rr_date_ambiguous",))
one_cell("CE001-action-missing", "CE001", "error", "repair_report", "处理措施", None,
         defects=("rr_required_missing",))
one_cell("CE051-status-alias", "CE051", "format", "repair_report", "完工状态", "完成",
         lambda t, r: t.get(r, "完工状态") == "已完成", defects=("rr_status_alias",))
one_cell("CE050-satisfaction-invalid", "CE050", "error", "repair_report", "满意度", "很好",
         defects=("rr_enum_invalid",))
one_cell("CE063-phone-with-country-code", "CE063", "format", "repair_report", "联系电话",
         lambda p: f"+86 {p}", lambda t, r: str(t.get(r, "联系电话")).startswith("1"),
         defects=("rr_phone_nonstandard",))
one_cell("CE062-phone-too-short", "CE062", "error", "repair_report", "联系电话", lambda p: p[:-1],
         lambda t, r: str(t.get(r, "联系电话")).startswith("1"), defects=("rr_phone_invalid",))
one_cell("CE064-landline-as-number", "CE064", "error", "repair_report", "联系电话", 57487654321,
         defects=("rr_landline_as_number",))
one_cell("CE031-part-qty-with-unit", "CE031", "format", "repair_report", "配件数量", lambda q: f"{q}个",
         lambda t, r: bool(t.get(r, "使用配件编码")), defects=("rr_qty_with_unit",))
one_cell("CE032-part-qty-fraction", "CE032", "error", "repair_report", "配件数量", lambda q: q + 0.5,
         lambda t, r: bool(t.get(r, "使用配件编码")), defects=("rr_qty_fraction",))
one_cell("CE041-fee-as-text", "CE041", "format", "repair_report", "收费金额", lambda fee: f"¥{fee}",
         lambda t, r: (t.get(r, "收费金额") or 0) > 0, defects=("rr_money_text",))


# 技师档案 ---------------------------------------------------------------------------------------------

def _active(t: Table, r: int) -> bool:
    return t.get(r, "在职状态") == "在职" and t.get(r, "离职日期") is None


@case("RO001-technician-id-repeated", "RO001", defects=("ro_id_repeated",))
def _(city):
    with edit(city, "roster") as t:
        src = pick(t, lambda r: _active(t, r))
        new = t.append({**values(t, src), "姓名": "新来的", "身份证号": valid_id(901), "手机号": "13900000901"})
        return {"RO001": [("RO001", "error", "技师档案", at(t, new, "工号"))]}


@case("RO002-id-card-repeated", "RO002")
def _(city):
    with edit(city, "roster") as t:
        r = pick(t)
        t.set(r, "身份证号", t.get(r - 1, "身份证号"))
        return {"RO002": [("RO002", "error", "技师档案", at(t, r, "身份证号"))]}


@case("RO003-leave-before-hire", "RO003", defects=("ro_leave_before_hire",))
def _(city):
    with edit(city, "roster") as t:
        r = pick(t, lambda r: _active(t, r))
        t.set(r, "离职日期", t.get(r, "入职日期") - dt.timedelta(days=30))
        t.set(r, "在职状态", "离职")
        return {"RO003": [("RO003", "error", "技师档案", at(t, r, "离职日期"))], "RO004": []}


@case("RO004-left-without-leave-date", "RO004", defects=("ro_status_inconsistent",))
def _(city):
    with edit(city, "roster") as t:
        r = pick(t, lambda r: _active(t, r))
        t.set(r, "在职状态", "离职")
        return {"RO004": [("RO004", "error", "技师档案", at(t, r, "在职状态"))]}


@case("RO004-active-with-leave-date-before-update", "RO004")
def _(city):
    with edit(city, "roster") as t:
        r = pick(t, lambda r: _active(t, r) and t.get(r, "更新日期") > D(2026, 11, 10))
        t.set(r, "离职日期", D(2026, 11, 10))
        return {"RO004": [("RO004", "error", "技师档案", at(t, r, "在职状态"))]}


@case("RO004-planned-departure-marked-left", "RO004")
def _(city):
    with edit(city, "roster") as t:
        r = pick(t, lambda r: _active(t, r))
        t.set(r, "离职日期", t.get(r, "更新日期") + dt.timedelta(days=10))
        t.set(r, "在职状态", "离职")
        return {"RO004": [("RO004", "error", "技师档案", at(t, r, "在职状态"))]}


@case("RO004-planned-departure-still-active-is-fine", "RO004", clean=True)
def _(city):
    with edit(city, "roster") as t:
        r = pick(t, lambda r: _active(t, r))
        t.set(r, "离职日期", t.get(r, "更新日期") + dt.timedelta(days=10))
        return {"RO004": []}


one_cell("CE001-unit-missing", "CE001", "error", "roster", "所属单位", None, defects=("ro_required_missing",))
one_cell("CE071-id-card-check-digit", "CE071", "error", "roster", "身份证号",
         lambda v: v[:17] + ("1" if v[17] != "1" else "2"), defects=("ro_id_card_check_digit",))
one_cell("CE073-id-card-as-number", "CE073", "error", "roster", "身份证号",
         lambda v: int(v[:17] + (v[17] if v[17] != "X" else "0")), defects=("ro_id_card_as_number",))
one_cell("CE074-id-card-15-digit", "CE074", "warning", "roster", "身份证号", lambda v: v[:6] + v[8:17],
         defects=("ro_id_card_15_digit",))
one_cell("CE061-mobile-with-spaces", "CE061", "format", "roster", "手机号",
         lambda p: f"{p[:3]} {p[3:7]} {p[7:]}", defects=("ro_mobile_nonstandard",))
one_cell("CE060-mobile-invalid", "CE060", "error", "roster", "手机号", lambda p: "12" + p[2:],
         defects=("ro_mobile_invalid",))
one_cell("CE021-hire-date-as-text", "CE021", "format", "roster", "入职日期",
         lambda d: f"{d.year}年{d.month}月{d.day}日", defects=("ro_date_nonstandard",))
one_cell("CE051-gender-alias", "CE051", "format", "roster", "性别", lambda g: g + "性",
         lambda t, r: t.get(r, "性别") in ("男", "女"), defects=("ro_enum_alias",))


# 配件档案 ---------------------------------------------------------------------------------------------

@case("PM001-part-code-repeated", "PM001", defects=("pm_code_repeated",))
def _(city):
    with edit(city, "parts_master") as t:
        src = pick(t)
        new = t.append({**values(t, t.rows[-1]), "配件编码": t.get(src, "配件编码")})
        return {"PM001": [("PM001", "error", "配件档案", at(t, new, "配件编码"))]}


one_cell("CE001-location-missing", "CE001", "error", "parts_master", "仓位", None,
         defects=("pm_required_missing",))
one_cell("CE051-category-alias", "CE051", "format", "parts_master", "配件类别", lambda c: c + "类",
         lambda t, r: t.get(r, "配件类别") != "其他", defects=("pm_enum_alias",))
one_cell("CE031-safety-stock-with-unit", "CE031", "format", "parts_master", "安全库存", lambda q: f"{q}个",
         defects=("pm_int_with_unit",))


# 配件台账 ---------------------------------------------------------------------------------------------

def _moves(t: Table, r: int) -> bool:
    return t.get(r, "类型") != "期初"


@case("PL001-ledger-date-before-period", "PL001")
def _(city):
    with edit(city, "parts_ledger") as t:
        r = pick(t, lambda r: _moves(t, r))
        t.set(r, "日期", D(2026, 10, 31))
        return {"PL001": [("PL001", "error", "配件台账", at(t, r, "日期"))], "PL002": []}


def _last_ledger_row_dated(city, day, code: str, severity: str, absent: tuple[str, ...], count=None):
    """Date the ledger's last row `day` (after a stocktake on `count`, if given): `code` on its 日期."""
    if count is not None:
        count_on(city, count)
    with edit(city, "parts_ledger") as t:
        r = t.rows[-1]
        t.set(r, "日期", day)
        return {code: [(code, severity, "配件台账", at(t, r, "日期"))], **{a: [] for a in absent}}


@case("PL001-ledger-date-after-the-count", "PL001")
def _(city):
    return _last_ledger_row_dated(city, D(2026, 12, 10), "PL001", "error", ("PL002",))   # the count is on 11-30


@case("PL002-ledger-after-period-before-count", "PL002")
def _(city):
    return _last_ledger_row_dated(city, D(2026, 12, 2), "PL002", "info", ("PL001", "ST004"), count=D(2026, 12, 3))


@case("PL002-ledger-on-the-count-day", "PL002")
def _(city):
    return _last_ledger_row_dated(city, D(2026, 12, 3), "PL002", "info", ("PL001",), count=D(2026, 12, 3))


@case("PL001-ledger-after-the-count-day", "PL001")
def _(city):
    return _last_ledger_row_dated(city, D(2026, 12, 4), "PL001", "error", ("PL002",), count=D(2026, 12, 3))


@case("PL001-not-PL002-when-the-count-is-outside-its-window", "PL001")
def _(city):
    # a count on 12-08 is no count for 2026-11
    return _last_ledger_row_dated(city, D(2026, 12, 2), "PL001", "error", ("PL002",), count=D(2026, 12, 8))


@case("PL003-opening-before-period-is-PL001", "PL001")
def _(city):
    with edit(city, "parts_ledger") as t:
        r = t.where("类型", "期初")[0]
        t.set(r, "日期", D(2026, 10, 31))
        return {"PL001": [("PL001", "error", "配件台账", at(t, r, "日期"))], "PL003": []}


@case("PL003-opening-not-on-first-day", "PL003")
def _(city):
    with edit(city, "parts_ledger") as t:
        r = t.where("类型", "期初")[-1]
        t.set(r, "日期", D(2026, 11, 2))
        return {"PL003": [("PL003", "error", "配件台账", at(t, r, "日期"))]}


@case("PL004-ledger-part-not-in-master", "PL004", defects=("pl_part_unknown",))
def _(city):
    with edit(city, "parts_ledger") as t:
        new = t.append({"日期": D(2026, 11, 30), "单据号": "RK20261130-99", "配件编码": "P9001",
                        "配件名称": "自攻螺丝", "批次号": "B20261130-99", "类型": "入库", "数量": 5, "结存": 5})
        return {"PL004": [("PL004", "error", "配件台账", at(t, new, "配件编码"))], "PL006": []}


one_cell("PL005-ledger-part-name-mismatch", "PL005", "error", "parts_ledger", "配件名称", lambda n: n + "总成",
         defects=("pl_part_name_mismatch",))


@case("PL006-balance-wrong", "PL006", defects=("pl_balance_wrong",))
def _(city):
    with edit(city, "parts_ledger") as t:
        r = pick(t, lambda r: _moves(t, r), skip=len(t.rows) // 2)
        t.set(r, "结存", t.get(r, "结存") + 1)
        # the engine continues with the computed balance: the part's later rows are right
        return {"PL006": [("PL006", "error", "配件台账", at(t, r, "结存"))], "PL007": []}


@case("PL007-balance-negative", "PL007")
def _(city):
    with edit(city, "parts_ledger") as t:
        part, balance, oldest, _ = stocked_part(t)
        new = t.append(ledger_row(t, part, 批次号=oldest, 类型="出库", 数量=balance + 1, 结存=-1,
                                  经办人=roster_name(city)))
        return {"PL007": [("PL007", "error", "配件台账", at(t, new, "结存"))], "PL006": []}


@case("PL008-ledger-out-of-order", "PL008", defects=("pl_out_of_order",))
def _(city):
    with edit(city, "parts_ledger") as t:
        r = pick(t, lambda r: r + 1 in t.rows and t.get(r, "日期") < t.get(r + 1, "日期")
                 and t.get(r, "配件编码") != t.get(r + 1, "配件编码"))
        a, b = values(t, r), values(t, r + 1)
        for h in t.cols:
            t.set(r, h, b[h])
            t.set(r + 1, h, a[h])
        return {"PL008": [("PL008", "format", "配件台账", at(t, r + 1, "日期"))], "PL006": []}


@case("PL008-same-day-swap-is-fine", "PL008", clean=True)
def _(city):
    with edit(city, "parts_ledger") as t:
        r = pick(t, lambda r: r + 1 in t.rows and t.get(r, "日期") == t.get(r + 1, "日期")
                 and t.get(r, "配件编码") != t.get(r + 1, "配件编码"))
        a, b = values(t, r), values(t, r + 1)
        for h in t.cols:
            t.set(r, h, b[h])
            t.set(r + 1, h, a[h])
        return {"PL008": [], "PL006": []}


@case("PL009-fifo-violation", "PL009", defects=("pl_fifo_violation",))
def _(city):
    with edit(city, "parts_ledger") as t:
        part, balance, _, _ = stocked_part(t)
        t.append(ledger_row(t, part, 单据号="RK20261130-99", 批次号="B20261130-99", 类型="入库", 数量=5,
                            结存=balance + 5))
        issue = t.append(ledger_row(t, part, 批次号="B20261130-99", 类型="出库", 数量=1, 结存=balance + 4,
                                    经办人=roster_name(city)))
        return {"PL009": [("PL009", "warning", "配件台账", at(t, issue, "批次号"))],
                "PL006": [], "PL010": []}


@case("PL009-oldest-batch-first-is-fine", "PL009", clean=True)
def _(city):
    with edit(city, "parts_ledger") as t:
        part, balance, oldest, _ = stocked_part(t)
        t.append(ledger_row(t, part, 单据号="RK20261130-99", 批次号="B20261130-99", 类型="入库", 数量=5,
                            结存=balance + 5))
        t.append(ledger_row(t, part, 批次号=oldest, 类型="出库", 数量=1, 结存=balance + 4,
                            经办人=roster_name(city)))
        return {"PL009": [], "PL006": []}


@case("PL010-batch-below-zero", "PL010")
def _(city):
    with edit(city, "parts_ledger") as t:
        part, balance, oldest, held = stocked_part(t)
        t.append(ledger_row(t, part, 单据号="RK20261130-99", 批次号="B20261130-99", 类型="入库", 数量=3,
                            结存=balance + 3))
        issue = t.append(ledger_row(t, part, 批次号=oldest, 类型="出库", 数量=held + 1,
                                    结存=balance + 3 - held - 1, 经办人=roster_name(city)))
        return {"PL010": [("PL010", "error", "配件台账", at(t, issue, "批次号"))],
                "PL009": [], "PL006": [], "PL007": []}


one_cell("PL011-linked-order-unknown", "PL011", "warning", "parts_ledger", "关联工单号", "WX2026119999",
         lambda t, r: bool(t.get(r, "关联工单号")), defects=("pl_order_unknown",))
one_cell("PL012-handler-not-technician", "PL012", "warning", "parts_ledger", "经办人", "路人甲",
         lambda t, r: t.get(r, "类型") == "出库", defects=("pl_handler_unknown",))


@case("CE002-handler-when-issue-written-as-alias", "CE002")
def _(city):
    with edit(city, "parts_ledger") as t:        # 领用 is read as 出库
        r = pick(t, lambda r: t.get(r, "类型") == "出库")
        t.set(r, "类型", "领用")
        t.set(r, "经办人", None)
        return {"CE002": [("CE002", "error", "配件台账", at(t, r, "经办人"))],
                "CE051": [("CE051", "format", "配件台账", at(t, r, "类型"))]}


@case("PL012-handler-of-alias-issue", "PL012")
def _(city):
    with edit(city, "parts_ledger") as t:
        r = pick(t, lambda r: t.get(r, "类型") == "出库")
        t.set(r, "类型", "领料")
        t.set(r, "经办人", "路人甲")
        return {"PL012": [("PL012", "warning", "配件台账", at(t, r, "经办人"))]}


@case("PL012-handler-of-receipt-is-not-checked", "PL012", clean=True)
def _(city):
    with edit(city, "parts_ledger") as t:
        t.set(pick(t, lambda r: t.get(r, "类型") == "期初"), "经办人", "路人甲")
        return {"PL012": []}


@case("PL012-handler-by-technician-id-is-fine", "PL012", clean=True)
def _(city):
    with edit(city, "roster") as t:
        tech_id = t.get(pick(t, lambda r: _active(t, r)), "工号")
    with edit(city, "parts_ledger") as t:
        t.set(pick(t, lambda r: t.get(r, "类型") == "出库"), "经办人", tech_id)
        return {"PL012": []}


@case("PL013-usage-not-issued", "PL013")
def _(city):
    with edit(city, "parts_ledger") as t:
        issued: dict[str, int] = {}
        for r in t.where("类型", "出库"):
            issued[t.get(r, "配件编码")] = issued.get(t.get(r, "配件编码"), 0) + t.get(r, "数量")
    with edit(city, "repair_report") as t:
        used: dict[str, int] = {}
        for r in t.rows:
            if t.get(r, "使用配件编码"):
                used[t.get(r, "使用配件编码")] = used.get(t.get(r, "使用配件编码"), 0) + t.get(r, "配件数量")
        r = pick(t, lambda r: bool(t.get(r, "使用配件编码")))
        part = t.get(r, "使用配件编码")
        t.set(r, "配件数量", t.get(r, "配件数量") + issued[part] - used[part] + 1)
        return {"PL013": [("PL013", "warning", "配件台账", None, None, part)]}


one_cell("CE051-ledger-type-alias", "CE051", "format", "parts_ledger", "类型", "领用",
         lambda t, r: t.get(r, "类型") == "出库", defects=("pl_type_alias",))
one_cell("CE021-ledger-date-as-text", "CE021", "format", "parts_ledger", "日期",
         lambda d: f"{d.year}.{d.month}.{d.day}", defects=("pl_date_nonstandard",))


# 月末盘点 ---------------------------------------------------------------------------------------------

def _count_date(id: str, day: dt.date, outside: bool) -> None:
    @case(id, "ST001", clean=not outside)
    def _(city):
        with edit(city, "stocktake") as t:
            r = pick(t)
            t.set(r, "盘点日期", day)
            return {"ST001": [("ST001", "error", "月末盘点", at(t, r, "盘点日期"))] if outside else []}


_count_date("ST001-count-date-before-window", D(2026, 11, 23), True)
_count_date("ST001-count-date-first-day-of-window", D(2026, 11, 24), False)
_count_date("ST001-count-date-last-day-of-window", D(2026, 12, 5), False)
_count_date("ST001-count-date-after-window", D(2026, 12, 6), True)


@case("ST002-stocktake-part-repeated", "ST002")
def _(city):
    with edit(city, "stocktake") as t:
        new = t.append(values(t, pick(t)))
        return {"ST002": [("ST002", "error", "月末盘点", at(t, new, "配件编码"))]}


@case("ST003-stocktake-part-not-in-master", "ST003")
def _(city):
    with edit(city, "stocktake") as t:
        new = t.append({**values(t, t.rows[-1]), "配件编码": "P9999", "配件名称": "自攻螺丝",
                        "账面数量": 0, "实盘数量": 0, "差异数量": 0})
        return {"ST003": [("ST003", "error", "月末盘点", at(t, new, "配件编码"))], "ST004": []}


@case("ST004-book-qty-differs-from-ledger", "ST004", defects=("st_book_mismatch",))
def _(city):
    with edit(city, "stocktake") as t:
        r = pick(t)
        t.set(r, "账面数量", t.get(r, "账面数量") + 1)
        t.set(r, "差异数量", t.get(r, "实盘数量") - t.get(r, "账面数量"))
        return {"ST004": [("ST004", "error", "月末盘点", at(t, r, "账面数量"))], "ST005": []}


@case("ST004-part-without-ledger-rows-has-balance-0", "ST004")
def _(city):
    new_parts = {"P1998": ("装饰盖", 0), "P1999": ("防臭地漏", 2)}     # (name, 账面数量): 0 is right
    with edit(city, "parts_master") as t:
        for code, (name, _) in new_parts.items():
            t.append({**values(t, t.rows[-1]), "配件编码": code, "配件名称": name})
    with edit(city, "stocktake") as t:
        rows = {code: t.append({**values(t, t.rows[-1]), "配件编码": code, "配件名称": name,
                                "账面数量": book, "实盘数量": book, "差异数量": 0})
                for code, (name, book) in new_parts.items()}
        return {"ST004": [("ST004", "error", "月末盘点", at(t, rows["P1999"], "账面数量"))]}


def _moved_part(city: Path) -> tuple[str, dt.date, int, int]:
    """A part with ledger rows after 11-24: (code, the day before its last move, balance then, final)."""
    with edit(city, "parts_ledger") as t:
        last: dict[str, dt.date] = {}
        for r in t.rows:
            last[t.get(r, "配件编码")] = t.get(r, "日期")
        part = next(p for p in sorted(last) if last[p] > D(2026, 11, 25))
        day = last[part] - dt.timedelta(days=1)
        then = final = 0
        for r in t.where("配件编码", part):
            q = DIRECTION[t.get(r, "类型")] * t.get(r, "数量")
            final += q
            then += q if t.get(r, "日期") <= day else 0
        return part, day, then, final


@case("ST004-book-is-the-balance-on-the-count-date", "ST004", clean=True)
def _(city):
    part, day, then, final = _moved_part(city)
    assert then != final
    with edit(city, "stocktake") as t:
        r = t.where("配件编码", part)[0]
        t.set(r, "盘点日期", day)                 # a count before the part's last movement
        t.set(r, "账面数量", then)
        t.set(r, "实盘数量", then)
        return {"ST004": [], "ST001": []}


@case("ST004-final-balance-on-an-earlier-count-date", "ST004")
def _(city):
    part, day, _then, _final = _moved_part(city)
    with edit(city, "stocktake") as t:
        r = t.where("配件编码", part)[0]
        t.set(r, "盘点日期", day)                 # 账面 still the month-end balance: wrong for that day
        return {"ST004": [("ST004", "error", "月末盘点", at(t, r, "账面数量"))]}


@case("ST005-difference-wrong", "ST005", defects=("st_difference_wrong",))
def _(city):
    with edit(city, "stocktake") as t:
        r = pick(t)
        t.set(r, "差异数量", t.get(r, "实盘数量") - t.get(r, "账面数量") + 1)
        return {"ST005": [("ST005", "error", "月末盘点", at(t, r, "差异数量"))], "ST004": []}


one_cell("CE001-counter-missing", "CE001", "error", "stocktake", "盘点人", None, defects=("st_required_missing",))


# 配件申请计划, 培训记录, 现场检查 -------------------------------------------------------------------------

one_cell("PP001-plan-part-not-in-master", "PP001", "error", "parts_plan", "配件编码", "P9999",
         defects=("pp_part_unknown",))

one_cell("CE001-applicant-missing", "CE001", "error", "parts_plan", "申请人", None,
         defects=("pp_required_missing",))
one_cell("CE051-training-type-alias", "CE051", "format", "training_log", "培训类型", "内部培训",
         lambda t, r: t.get(r, "培训类型") == "经销商培训", defects=("tl_type_alias",))
one_cell("CE031-attendees-with-unit", "CE031", "format", "training_log", "参训人数", lambda n: f"{n}人",
         defects=("tl_int_with_unit",))
one_cell("IN001-checklist-code-unknown", "IN001", "error", "inspection", "检查项编码", "9.9")
one_cell("CE051-inspection-result-alias", "CE051", "format", "inspection", "结果", "√",
         defects=("in_result_alias",))


@case("IN002-checklist-code-repeated", "IN002")
def _(city):
    with edit(city, "inspection") as t:
        r = pick(t)
        t.set(r, "检查项编码", t.get(r - 1, "检查项编码"))
        return {"IN002": [("IN002", "error", "现场检查", at(t, r, "检查项编码"))]}


@case("IN002-repeat-in-next-month-first-days", "IN002")
def _(city):
    with edit(city, "inspection") as t:
        new = t.append({**values(t, pick(t)), "检查日期": D(2026, 12, 3)})
        return {"IN002": [("IN002", "error", "现场检查", at(t, new, "检查项编码"))]}


@case("IN002-repeat-outside-the-period-is-fine", "IN002", clean=True)
def _(city):
    with edit(city, "inspection") as t:
        t.append({**values(t, pick(t)), "检查日期": D(2026, 10, 10)})
        return {"IN002": []}


# --- the test ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("inject", "code", "clean"), CASES)
def test_defect(city, inject, code, clean):
    expected = inject(city)
    assert (expected[code] == []) is clean
    result = validate_path(city)
    actual = {code: [key(f) for f in result.findings if f.code == code] for code in expected}
    assert actual == expected
    for f in result.findings:                        # every message renders completely
        for lang in ("zh", "en"):
            assert "{" not in f.message(lang), (f.code, f.message(lang))


# the registry of what the cases cover ---------------------------------------------------------------

RULE_CODES = {r.code for fmt in FORMATS.values() for r in fmt.rules}
CHECK_CODES = {"copied_rows": {"RR009"}, "roster_status": {"RO004"},
               "ledger_dates": {"PL001", "PL002", "PL003", "PL008"},
               "ledger_balance": {"PL006", "PL007", "PL009", "PL010"}, "ledger_handler": {"PL012"},
               "usage_coverage": {"PL013"}, "stocktake_book": {"ST004"}}


def test_every_rule_and_check_has_a_case():
    checks = {c for fmt in FORMATS.values() for c in fmt.checks}
    assert checks == set(CHECK_CODES)
    wanted = RULE_CODES | set().union(*CHECK_CODES.values()) | {"CE002"}
    assert wanted - COVERED_CODES == set()


def test_every_defect_kind_with_a_code_has_a_case():
    assert {k.id for k in DEFECTS if k.code} - COVERED_DEFECTS == set()
    assert {k.id for k in DEFECTS if k.code} >= COVERED_DEFECTS


# --- the generator's defective city ----------------------------------------------------------------

@pytest.fixture(scope="module")
def defective() -> CityData:
    return build_city("缺陷市", orders=200, period="2026-11", seed=5, defects=0.05)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_generated_defects_are_all_found(defective, layout, tmp_path):
    """`aftersales validate` finds at least as many findings of each kind's code (in its dataset)
    as the generator says it injected; kinds sharing a code and dataset are counted together."""
    data = defective
    folder = tmp_path / "缺陷市" / "2026-11"
    write_city(folder, data, layout)
    result = RUNNER.invoke(app, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    coded = [k for k in DEFECTS if k.code]
    assert {k.id for k in coded if data.defects.get(k.id, 0) < 1} == set()   # every kind injected
    shortfall = {}
    for k in coded:
        injected = sum(data.defects[o.id] for o in coded if (o.code, o.dataset) == (k.code, k.dataset))
        found = sum(1 for f in findings if (f["code"], f["dataset"]) == (k.code, k.dataset))
        if found < injected:
            shortfall[k.id] = (k.code, injected, found)
    assert shortfall == {}
    assert not [f["message"] for f in findings if "{" in f["message"]]

"""Computing every metric of rubric.md "The data-derived items"."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pandas as pd

from ..validate.checks import signed_movements
from ..validate.context import Checked
from ..validate.engine import ValidationResult
from ..validate.rules import count_window, inspection_rows

#: Every metric a rubric may name, with what it measures (shown by `rubric show --metrics`).
METRICS: dict[str, str] = {
    "period_first": "本期第一天",
    "roster_rows": "技师档案人数",
    "roster_missing_cells": "技师档案必填项缺失处数（含缺少的必填列）",
    "unknown_technicians": "本期维修日报表中不在技师档案的技师工号数",
    "unknown_technician_ids": "这些工号（文本）",
    "roster_incomplete": "档案不完整处数 = 必填项缺失 + 不在档案的技师",
    "invalid_id_cards": "无效身份证号处数",
    "invalid_mobiles": "无效手机号处数",
    "duplicate_people": "重复的工号或身份证号处数",
    "roster_false_info": "虚假信息处数 = 无效身份证 + 无效手机 + 重复",
    "roster_last_update": "最近更新日期",
    "roster_maintained": "本月已维护（1/0）：最近更新日期不早于本期第一天",
    "turnover_opening": "期初人数",
    "turnover_hires": "本期入职人数",
    "turnover_closing": "期末人数",
    "turnover_leavers": "本期离职人数",
    "turnover_denominator": "流失率分母（按 turnover_formula）",
    "turnover_rate": "月度流失率",
    "turnover_basis": "流失率分母的说明（文本）",
    "turnover_set_aside": "日期无效、未计入流失率的行数",
    "trainings_dealer": "本期有效的经销商培训场次",
    "trainings_distributor": "本期有效的分销专场培训场次",
    "trainings_set_aside": "有错误而未计的培训记录行数",
    "report_rows_in_period": "服务日期在本期的维修日报表行数",
    "orders": "本期有效工单数（不同工单号）",
    "orders_set_aside": "有错误而未计的工单行数",
    "fabricated_rows": "有伪造迹象的行数（每行只计一次）",
    "fabrication_ratio": "伪造行占本期行数的比例",
    "fabrication_breakdown": "伪造迹象分类（文本）",
    "report_issues": "维修日报表的错误和格式问题处数",
    "report_issue_breakdown": "问题分类及数量（文本）",
    "ledger_rows_in_period": "本期配件台账行数",
    "fifo_violations": "先进先出违规次数",
    "stocktake_for_period": "有本期月末盘点（1/0）",
    "count_window": "本期盘点日期范围（文本）",
    "parts_cards": "配件档案（物料存储卡）种数",
    "parts_without_card": "台账和盘点中没有存储卡的配件种数",
    "parts_without_card_codes": "这些配件编码（文本）",
    "ledger_balance_errors": "台账结存错误处数",
    "stocktake_book_errors": "账面数量与台账不符处数",
    "usage_shortfalls": "维修用配件未出库登记的配件种数",
    "stocktake_rows": "本期盘点行数",
    "stocktake_matching": "实盘数量等于账面数量的行数",
    "stock_accuracy": "账实相符率",
    "stocktake_missing_parts": "期末有库存却未盘点的配件种数",
    "stocktake_missing_codes": "这些配件编码（文本）",
    "plan_rows": "本期有效的配件申请计划行数",
}


@dataclass
class Facts:
    metrics: dict[str, Any]
    datasets: set[str]                 # submitted: found with at least one data row
    checklist: dict[str, str]          # code → 是 | 否 | invalid
    params: dict[str, Any] = field(default_factory=dict)
    empty: set[str] = field(default_factory=set)   # found with a header and no rows: not submitted (rubric.md)


def _tr(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _codes(values, limit: int = 5) -> dict[str, str]:
    values = sorted(str(v) for v in values)
    text = "、".join(values[:limit]) + ("…" if len(values) > limit else "")
    return _tr(text or "—", text.replace("、", ", ") or "—")


def _in(dates: pd.Series, start, end) -> pd.Series:
    return dates.notna() & (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))


def compute_facts(result: ValidationResult, params: dict[str, Any]) -> Facts:
    p = result.period
    empty = {name for name, c in result.checked.items() if c.ds.rows == 0}
    ck = {name: c for name, c in result.checked.items() if name not in empty}   # rubric.md "Empty datasets"
    counts = Counter((f.dataset, f.code) for f in result.findings)
    m: dict[str, Any] = {"period_first": p.first.isoformat()}
    m.update(_roster(ck, counts, p))
    m.update(_turnover(ck.get("roster"), p, params))
    m.update(_training(ck.get("training_log"), p))
    m.update(_report(ck.get("repair_report"), result, p))
    m.update(_parts(ck, counts, result))
    return Facts(metrics=m, datasets=set(ck), checklist=_checklist(ck.get("inspection"), result), params=params,
                 empty=empty)


def _count(counts: Counter, dataset: str, *codes: str) -> int:
    return sum(counts[(dataset, c)] for c in codes)


def _roster(ck: dict[str, Checked], counts: Counter, p) -> dict[str, Any]:
    r = ck.get("roster")
    if r is None:
        return {"roster_rows": 0, "roster_missing_cells": 0, "unknown_technicians": 0,
                "unknown_technician_ids": _codes([]), "roster_incomplete": 0, "invalid_id_cards": 0,
                "invalid_mobiles": 0, "duplicate_people": 0, "roster_false_info": 0,
                "roster_last_update": "—", "roster_maintained": 0}
    missing = _count(counts, "roster", "CE001", "CE002", "RD011")
    unknown: set = set()
    report = ck.get("repair_report")
    if report is not None:
        in_p = _in(report.col("service_date"), p.first, p.last)
        used = set(report.col("tech_id")[in_p].dropna())
        unknown = used - set(r.col("tech_id").dropna())
    ids = _count(counts, "roster", "CE070", "CE071", "CE072", "CE073")
    mobiles = _count(counts, "roster", "CE060")
    dups = _count(counts, "roster", "RO001", "RO002")
    last = r.col("update_date").max() if r.has("update_date") else pd.NaT
    return {"roster_rows": r.ds.rows, "roster_missing_cells": missing, "unknown_technicians": len(unknown),
            "unknown_technician_ids": _codes(unknown), "roster_incomplete": missing + len(unknown),
            "invalid_id_cards": ids, "invalid_mobiles": mobiles, "duplicate_people": dups,
            "roster_false_info": ids + mobiles + dups,
            "roster_last_update": "—" if pd.isna(last) else last.date().isoformat(),
            "roster_maintained": int(not pd.isna(last) and last >= pd.Timestamp(p.first))}


def _turnover(r: Checked | None, p, params: dict[str, Any]) -> dict[str, Any]:
    if r is None:
        return {"turnover_opening": 0, "turnover_hires": 0, "turnover_closing": 0, "turnover_leavers": 0,
                "turnover_denominator": 0, "turnover_rate": None, "turnover_basis": _tr("—", "—"),
                "turnover_set_aside": 0}
    hire, leave = r.col("hire_date"), r.col("leave_date")
    bad = {row for row, key in r.error_cells if key in ("hire_date", "leave_date")}
    usable = hire.notna() & ~hire.index.isin(list(bad))
    hire, leave = hire[usable], leave[usable]
    first, last = pd.Timestamp(p.first), pd.Timestamp(p.last)
    opening = int((( hire < first) & (leave.isna() | (leave >= first))).sum())
    hires = int(_in(hire, first, last).sum())
    closing = int(((hire <= last) & (leave.isna() | (leave > last))).sum())
    leavers = int(_in(leave, first, last).sum())
    if params.get("turnover_formula", "opening_plus_hires") == "average":
        denominator = Fraction(opening + closing, 2)
        basis = _tr(f"(期初{opening}人+期末{closing}人)/2", f"(opening {opening} + closing {closing}) / 2")
    else:
        denominator = Fraction(opening + hires)
        basis = _tr(f"期初{opening}人+入职{hires}人", f"opening {opening} + hired {hires}")
    set_aside = int((~usable).sum())
    if set_aside:
        basis = _tr(basis["zh"] + f"；{set_aside}行日期无效未计", basis["en"] + f"; {set_aside} rows with unusable dates left out")
    return {"turnover_opening": opening, "turnover_hires": hires, "turnover_closing": closing,
            "turnover_leavers": leavers, "turnover_denominator": denominator,
            "turnover_rate": Fraction(leavers) / denominator if denominator else None,
            "turnover_basis": basis, "turnover_set_aside": set_aside}


def _training(t: Checked | None, p) -> dict[str, Any]:
    if t is None:
        return {"trainings_dealer": 0, "trainings_distributor": 0, "trainings_set_aside": 0}
    bad = t.error_rows()
    ok = ~t.values.index.isin(list(bad))
    in_p = _in(t.col("date"), p.first, p.last)
    kind = t.col("type")
    return {"trainings_dealer": int((ok & in_p & (kind == "经销商培训")).sum()),
            "trainings_distributor": int((ok & in_p & (kind == "分销专场培训")).sum()),
            "trainings_set_aside": len(bad)}


_ISSUE_KINDS = (  # (label zh, label en, codes or None for 'other errors')
    ("缺失必填项", "missing required values", ("CE001", "CE002", "RD011")),
    ("服务日期不在本期", "rows outside the period", ("RR001",)),
    ("技师或配件不在档案中", "technicians or parts not on file", ("RR003", "RR004", "RR005")),
    ("工单号重复", "repeated order numbers", ("RR002",)),
    ("未及时填报", "late entries", ("RR008",)),
)


def _report(rr: Checked | None, result: ValidationResult, p) -> dict[str, Any]:
    empty = {"report_rows_in_period": 0, "orders": 0, "orders_set_aside": 0, "fabricated_rows": 0,
             "fabrication_ratio": None, "fabrication_breakdown": _tr("—", "—"), "report_issues": 0,
             "report_issue_breakdown": _tr("—", "—")}
    if rr is None:
        return empty
    in_p = _in(rr.col("service_date"), p.first, p.last)
    rows_in_p = int(in_p.sum())
    bad = {row for row, key in rr.error_cells if key in ("order_no", "service_date")}
    counted = in_p & ~rr.values.index.isin(list(bad))
    orders = int(rr.col("order_no")[counted].dropna().nunique())
    mine = [f for f in result.findings if f.dataset == "repair_report"]
    signals = {"RR002": set(), "RR009": set(), "RR007": set()}
    for f in mine:
        if f.code in signals and f.row is not None:
            signals[f.code].add(f.row)
    in_p_rows = set(rr.values.index[in_p])
    fabricated = (signals["RR002"] | signals["RR009"] | signals["RR007"]) & in_p_rows
    breakdown = _tr(
        f"重复工单号{len(signals['RR002'] & in_p_rows)}行，复制行{len(signals['RR009'] & in_p_rows)}行，"
        f"先登记后服务{len(signals['RR007'] & in_p_rows)}行",
        f"{len(signals['RR002'] & in_p_rows)} repeated order numbers, {len(signals['RR009'] & in_p_rows)} copied rows, "
        f"{len(signals['RR007'] & in_p_rows)} entered before service")
    issues = [f for f in mine if f.severity in ("error", "format")]
    kinds = Counter()
    for f in issues:
        for zh, en, codes in _ISSUE_KINDS:
            if f.code in codes:
                kinds[(zh, en)] += 1
                break
        else:
            kinds[("格式不统一", "non-standard formats") if f.severity == "format" else ("数据错误", "invalid values")] += 1
    zh = "，".join(f"{k[0]} {n} 处" for k, n in kinds.items())
    en = ", ".join(f"{n} {k[1]}" for k, n in kinds.items())
    return {"report_rows_in_period": rows_in_p, "orders": orders,
            "orders_set_aside": int((in_p & ~counted).sum()), "fabricated_rows": len(fabricated),
            "fabrication_ratio": Fraction(len(fabricated), rows_in_p) if rows_in_p else None,
            "fabrication_breakdown": breakdown, "report_issues": len(issues),
            "report_issue_breakdown": _tr(zh or "—", en or "—")}


def _parts(ck: dict[str, Checked], counts: Counter, result: ValidationResult) -> dict[str, Any]:
    p = result.period
    ledger, master, stock, plan = (ck.get(n) for n in ("parts_ledger", "parts_master", "stocktake", "parts_plan"))
    out: dict[str, Any] = {}
    out["ledger_rows_in_period"] = int(_in(ledger.col("date"), p.first, p.last).sum()) if ledger else 0
    out["fifo_violations"] = _count(counts, "parts_ledger", "PL009")
    out["ledger_balance_errors"] = _count(counts, "parts_ledger", "PL006", "PL007")
    out["stocktake_book_errors"] = _count(counts, "stocktake", "ST004")
    out["usage_shortfalls"] = _count(counts, "parts_ledger", "PL013")
    from ..formats import load_formats
    window = count_window(p, (stock.ds.fmt if stock else load_formats()["stocktake"]).count_window)
    out["count_window"] = _tr(f"{window[0].date()} 至 {window[1].date()}", f"{window[0].date()} to {window[1].date()}")
    cards = set(master.col("part_code").dropna()) if master else set()
    out["parts_cards"] = len(cards)
    used_codes = set()
    if ledger is not None:
        used_codes |= set(ledger.col("part_code").dropna())
    if stock is not None:
        used_codes |= set(stock.col("part_code").dropna())
    without = used_codes - cards if master else set()
    out["parts_without_card"] = len(without)
    out["parts_without_card_codes"] = _codes(without)
    if stock is not None:
        for_p = _in(stock.col("count_date"), window[0], window[1])
        bad = {row for row, key in stock.error_cells if key in ("book_qty", "actual_qty", "part_code")}
        ok = for_p & ~stock.values.index.isin(list(bad))
        book, actual = stock.col("book_qty"), stock.col("actual_qty")
        matching = int((ok & book.notna() & actual.notna() & (book == actual)).sum())
        rows = int(for_p.sum())
        counted_parts = set(stock.col("part_code")[for_p].dropna())
    else:
        matching, rows, counted_parts = 0, 0, set()
    out["stocktake_for_period"] = int(rows > 0)
    out["stocktake_rows"] = rows
    out["stocktake_matching"] = matching
    out["stock_accuracy"] = Fraction(matching, rows) if rows else None
    missing: set = set()
    if ledger is not None:
        moves = signed_movements(ledger)
        moves = moves[moves["date"] <= pd.Timestamp(p.last)]
        totals = moves.groupby("part")["qty"].sum()
        missing = {part for part, qty in totals.items() if qty > 0} - counted_parts
    out["stocktake_missing_parts"] = len(missing)
    out["stocktake_missing_codes"] = _codes(missing)
    if plan is not None:
        bad = plan.error_rows()
        ok = _in(plan.col("apply_date"), p.first, p.last) & ~plan.values.index.isin(list(bad))
        out["plan_rows"] = int(ok.sum())
    else:
        out["plan_rows"] = 0
    return out


def _checklist(ins: Checked | None, result: ValidationResult) -> dict[str, str]:
    """code → 是 / 否 / invalid, over the rows that count for the period (first row per code)."""
    if ins is None:
        return {}
    counts = inspection_rows(ins, result.period)
    bad = {row for row, key in ins.error_cells if key in ("code", "result", "date")}
    answers: dict[str, str] = {}
    for row in ins.values.index[counts]:
        code = ins.col("code")[row]
        if code is None or pd.isna(code) or code in answers:
            continue
        answers[code] = "invalid" if row in bad else (ins.col("result")[row] or "invalid")
    return answers

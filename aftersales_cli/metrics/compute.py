"""Computing every metric of rubric.md "The data-derived items"."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import compress
from typing import Any

import numpy as np
import pandas as pd

from .. import i18n
from ..validate.checks import movements_by_part
from ..validate.context import Checked, day_number
from ..validate.engine import ValidationResult
from ..validate.rules import count_window, inspection_rows
from .catalogue import catalogue, counted_codes


@dataclass
class Facts:
    metrics: dict[str, Any]
    datasets: set[str]                 # submitted: found with at least one data row
    checklist: dict[str, str]          # code → pass | fail | invalid
    params: dict[str, Any] = field(default_factory=dict)
    empty: set[str] = field(default_factory=set)   # found with a header and no rows: not submitted (rubric.md)
    checklist_cells: dict[str, str] = field(default_factory=dict)   # code → its answer's cell, 现场检查!D5


def _tr(key: str, **params: Any) -> dict[str, str]:
    """A text of the catalogue in both languages (metric values that go into reasons)."""
    return i18n.both(key, **params)


def _codes(values, limit: int = 5) -> dict[str, str]:
    values = sorted(str(v) for v in values)
    if not values:
        return _tr("metric.none")
    sep, more = i18n.both("metric.codes_separator"), i18n.both("metric.more")
    return {lang: sep[lang].join(values[:limit]) + (more[lang] if len(values) > limit else "") for lang in i18n.LANGS}


def compute_facts(result: ValidationResult, params: dict[str, Any], formats) -> Facts:
    """Every metric of the catalogue from a validated submission (rubric.md "The data-derived
    items"); `params` are the run's rubric parameters, `formats` the run's formats."""
    p = result.period
    empty = {name for name, c in result.checked.items() if c.ds.rows == 0}
    ck = {name: c for name, c in result.checked.items() if name not in empty}   # rubric.md "Empty datasets"
    counts = Counter((f.dataset, f.code) for f in result.findings)
    m: dict[str, Any] = {"period_first": p.first.isoformat()}
    m.update(_roster(ck, counts, p))
    m.update(_turnover(ck.get("roster"), p, params))
    m.update(_training(ck.get("training_log"), p))
    m.update(_report(ck.get("repair_report"), result, p))
    m.update(_parts(ck, counts, result, formats))
    answers, cells = _checklist(ck.get("inspection"), result)
    return Facts(metrics=m, datasets=set(ck), checklist=answers, params=params, empty=empty, checklist_cells=cells)


def _count(counts: Counter, metric: str) -> int:
    """How many findings of the metric's codes its dataset has (metrics/catalogue.yaml)."""
    dataset, codes = counted_codes(metric)
    return sum(counts[(dataset, c)] for c in codes)


def _roster(ck: dict[str, Checked], counts: Counter, p) -> dict[str, Any]:
    r = ck.get("roster")
    if r is None:
        return {"roster_rows": 0, "roster_missing_cells": 0, "unknown_technicians": 0,
                "unknown_technician_ids": _codes([]), "roster_incomplete": 0, "invalid_id_cards": 0,
                "invalid_mobiles": 0, "duplicate_people": 0, "roster_false_info": 0,
                "roster_last_update": "—", "roster_maintained": 0}
    missing = _count(counts, "roster_missing_cells")
    unknown: set = set()
    report = ck.get("repair_report")
    if report is not None:
        used = set(_picked(report, "tech_id", report.within("service_date", p.first, p.last)))
        unknown = used - r.known("tech_id")
    ids = _count(counts, "invalid_id_cards")
    mobiles = _count(counts, "invalid_mobiles")
    dups = _count(counts, "duplicate_people")
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
                "turnover_denominator": 0, "turnover_rate": None, "turnover_basis": _tr("metric.none"),
                "turnover_set_aside": 0}
    bad = {row for row, key in r.error_cells if key in ("hire_date", "leave_date")}
    usable = r.present("hire_date") & _not_in(r, bad)
    hire, left, leave = r.days("hire_date"), r.present("leave_date"), r.days("leave_date")
    first, last = day_number(p.first), day_number(p.last)      # day numbers compare as the dates
    opening = int((usable & (hire < first) & (~left | (leave >= first))).sum())
    hires = int((usable & (hire >= first) & (hire <= last)).sum())
    closing = int((usable & (hire <= last) & (~left | (leave > last))).sum())
    leavers = int((usable & left & (leave >= first) & (leave <= last)).sum())
    if params["turnover_formula"] == "average":
        denominator = Fraction(opening + closing, 2)
        basis = _tr("metric.turnover_average", opening=opening, closing=closing)
    else:
        denominator = Fraction(opening + hires)
        basis = _tr("metric.turnover_opening_plus_hires", opening=opening, hires=hires)
    set_aside = int((~usable).sum())
    if set_aside:
        basis = _tr("metric.turnover_set_aside", basis=basis, n=set_aside)
    return {"turnover_opening": opening, "turnover_hires": hires, "turnover_closing": closing,
            "turnover_leavers": leavers, "turnover_denominator": denominator,
            "turnover_rate": Fraction(leavers) / denominator if denominator else None,
            "turnover_basis": basis, "turnover_set_aside": set_aside}


def _training(t: Checked | None, p) -> dict[str, Any]:
    if t is None:
        return {"trainings_dealer": 0, "trainings_distributor": 0, "trainings_set_aside": 0}
    bad = t.error_rows()
    kinds = Counter(_picked(t, "type", _not_in(t, bad) & t.within("date", p.first, p.last)))
    role = t.ds.fmt.role
    return {"trainings_dealer": sum(kinds[k] for k in set(role("type", "dealer"))),
            "trainings_distributor": sum(kinds[k] for k in set(role("type", "distributor"))),
            "trainings_set_aside": len(bad)}


def _report(rr: Checked | None, result: ValidationResult, p) -> dict[str, Any]:
    empty = {"report_rows_in_period": 0, "orders": 0, "orders_set_aside": 0, "fabricated_rows": 0,
             "fabrication_ratio": None, "fabrication_breakdown": _tr("metric.none"), "report_issues": 0,
             "report_issue_breakdown": _tr("metric.none")}
    if rr is None:
        return empty
    in_p = rr.within("service_date", p.first, p.last)
    rows_in_p = int(in_p.sum())
    bad = {row for row, key in rr.error_cells if key in ("order_no", "service_date")}
    counted = in_p & _not_in(rr, bad)
    orders = len(set(_picked(rr, "order_no", counted)))
    mine = [f for f in result.findings if f.dataset == "repair_report"]
    _, signal_codes = counted_codes("fabricated_rows")
    signals: dict[str, set] = {code: set() for code in signal_codes}
    for f in mine:
        if f.code in signals and f.row is not None:
            signals[f.code].add(f.row)
    in_p_rows = set(compress(rr.rows(), in_p.tolist()))
    fabricated = set().union(*signals.values()) & in_p_rows
    breakdown = _joined([_tr(f"metric.fabrication.{code}", n=len(rows & in_p_rows)) for code, rows in signals.items()])
    issues = [f for f in mine if f.severity in ("error", "format")]
    kinds: Counter = Counter()
    groups = catalogue()["report_issue_kinds"]
    for f in issues:
        label = next((g["label"] for g in groups if f.code in g["codes"]),
                     "metric.issue.other_format" if f.severity == "format" else "metric.issue.other_error")
        kinds[label] += 1
    return {"report_rows_in_period": rows_in_p, "orders": orders,
            "orders_set_aside": int((in_p & ~counted).sum()), "fabricated_rows": len(fabricated),
            "fabrication_ratio": Fraction(len(fabricated), rows_in_p) if rows_in_p else None,
            "fabrication_breakdown": breakdown, "report_issues": len(issues),
            "report_issue_breakdown": _joined([_tr(label, n=n) for label, n in kinds.items()])}


def _not_in(c: Checked, rows: set[int]) -> np.ndarray:
    """A bool array over the dataset's rows: True where the row number is not in `rows`."""
    if not rows:
        return np.ones(len(c.index), dtype=bool)
    return ~np.fromiter(map(rows.__contains__, c.rows()), dtype=bool, count=len(c.index))


def _picked(c: Checked, key: str, mask: np.ndarray) -> list:
    """The column's values (`items`) at the rows of `mask` that have one (`present`)."""
    return list(compress(c.items(key), (mask & c.present(key)).tolist()))


def _joined(parts: list[dict[str, str]]) -> dict[str, str]:
    """{zh, en} texts joined with the catalogue's list separator; "—" when there are none."""
    if not parts:
        return _tr("metric.none")
    sep = i18n.both("metric.separator")
    return {lang: sep[lang].join(p[lang] for p in parts) for lang in i18n.LANGS}


def _parts(ck: dict[str, Checked], counts: Counter, result: ValidationResult, formats) -> dict[str, Any]:
    p = result.period
    ledger, master, stock, plan = (ck.get(n) for n in ("parts_ledger", "parts_master", "stocktake", "parts_plan"))
    out: dict[str, Any] = {}
    out["ledger_rows_in_period"] = int(ledger.within("date", p.first, p.last).sum()) if ledger else 0
    for name in ("fifo_violations", "ledger_balance_errors", "stocktake_book_errors", "usage_shortfalls"):
        out[name] = _count(counts, name)
    window = count_window(p, formats["stocktake"].count_window)
    out["count_window"] = _tr("metric.count_window", start=window[0].date().isoformat(),
                              end=window[1].date().isoformat())
    cards = master.known("part_code") if master else frozenset()
    out["parts_cards"] = len(cards)
    used_codes = set()
    if ledger is not None:
        used_codes |= ledger.known("part_code")
    if stock is not None:
        used_codes |= stock.known("part_code")
    without = used_codes - cards if master else set()
    out["parts_without_card"] = len(without)
    out["parts_without_card_codes"] = _codes(without)
    if stock is not None:
        for_p = stock.within("count_date", window[0], window[1])
        bad = {row for row, key in stock.error_cells if key in ("book_qty", "actual_qty", "part_code")}
        ok = for_p & _not_in(stock, bad) & stock.present("book_qty") & stock.present("actual_qty")
        matching = sum(1 for book, actual, counts in zip(stock.items("book_qty"), stock.items("actual_qty"),
                                                         ok.tolist()) if counts and book == actual)
        rows = int(for_p.sum())
        counted_parts = set(_picked(stock, "part_code", for_p))
    else:
        matching, rows, counted_parts = 0, 0, set()
    out["stocktake_for_period"] = int(rows > 0)
    out["stocktake_rows"] = rows
    out["stocktake_matching"] = matching
    out["stock_accuracy"] = Fraction(matching, rows) if rows else None
    missing: set = set()
    if ledger is not None:
        last = day_number(p.last)
        stocked = {part for part, (days, qtys) in movements_by_part(ledger).items()
                   if sum(q for d, q in zip(days, qtys) if d <= last) > 0}
        missing = stocked - counted_parts
    out["stocktake_missing_parts"] = len(missing)
    out["stocktake_missing_codes"] = _codes(missing)
    if plan is not None:
        ok = plan.within("apply_date", p.first, p.last) & _not_in(plan, plan.error_rows())
        out["plan_rows"] = int(ok.sum())
    else:
        out["plan_rows"] = 0
    return out


def _checklist(ins: Checked | None, result: ValidationResult) -> tuple[dict[str, str], dict[str, str]]:
    """(code → pass / fail / invalid, code → the cell of its 结果 answer, 现场检查!D5), over the rows
    that count for the period (first row per code): the 结果 value's role (pass: 是, fail: 否),
    invalid for a row with an error or another value."""
    if ins is None:
        return {}, {}
    counts = inspection_rows(ins, result.period)
    roles = {**dict.fromkeys(ins.ds.fmt.role("result", "fail"), "fail"),
             **dict.fromkeys(ins.ds.fmt.role("result", "pass"), "pass")}
    bad = {row for row, key in ins.error_cells if key in ("code", "result", "date")}
    answers: dict[str, str] = {}
    cells: dict[str, str] = {}
    letter = ins.ds.letters.get("result")
    for row, code, result_value, present, counted in zip(ins.rows(), ins.items("code"), ins.items("result"),
                                                         ins.present("code").tolist(), counts.tolist()):
        if not counted or not present or code in answers:
            continue
        answers[code] = "invalid" if row in bad else roles.get(result_value, "invalid")
        if letter:
            cells[code] = f"{ins.ds.sheet}!{letter}{row}"
    return answers, cells

"""Constructed cases for the validate path's list and day-number walks (issue 16, session 5).

The rules, named checks and metrics read each column once as a list, a present mask or day numbers
(`Checked.items`, `present`, `days`) instead of pandas comparisons. These cases build datasets
cell by cell — the raw cells a reader hands over — and compare the findings of a few codes with
the list worked out by hand below each construction: batches that run out and come back (FIFO),
an undated receipt, dates beyond pandas' nanosecond range and before 1970, blank keys and first
rows of a cross reference, and a formula cell in a date column.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from aftersales_cli.core.cells import col_letter
from aftersales_cli.formats import load_formats
from aftersales_cli.metrics import compute_facts
from aftersales_cli.period import Period
from aftersales_cli.read.discover import Dataset, Submission
from aftersales_cli.run import default_run
from aftersales_cli.validate.engine import Request, validate_submissions

FORMATS = load_formats()
LEDGER = FORMATS["parts_ledger"]
RECEIPT = next(t for t in LEDGER.role("type", "receipt") if t not in LEDGER.role("type", "opening"))   # 入库
OPENING = LEDGER.role("type", "opening")[0]                                                              # 期初
ISSUE = LEDGER.role("type", "issue")[0]                                                                  # 出库
RETURN = next(t for t in LEDGER.role("type", "adds") if t not in LEDGER.role("type", "receipt"))        # adds, dates no batch
NOV = Period(2026, 11)
D = dt.datetime


def dataset(name: str, rows: list[dict], bad_cells: dict | None = None) -> Dataset:
    """A dataset as the reader gives it: every column of the format, the given cells (by key),
    data from sheet row 2 on."""
    fmt = FORMATS[name]
    keys = [c.key for c in fmt.columns]
    raw = pd.DataFrame({k: [r.get(k) for r in rows] for k in keys}, dtype=object,
                       index=pd.Index(range(2, 2 + len(rows)), name="row"))
    return Dataset(name=name, fmt=fmt, file=f"{fmt.sheet}.xlsx", sheet=fmt.sheet, header_row=1, is_csv=False,
                   raw=raw, letters={k: col_letter(i) for i, k in enumerate(keys)},
                   headers={k: fmt.column(k).header for k in keys}, bad_cells=bad_cells or {})


def validate(*datasets: Dataset):
    sub = Submission(path="city", files=[], datasets={ds.name: ds for ds in datasets}, findings=[])
    return validate_submissions([Request(sub, NOV)])[0]


def found(result, *codes: str) -> list[tuple]:
    """(code, row, column letter, params without the header) of the findings of `codes`, in order."""
    return [(f.code, f.row, f.column, {k: v for k, v in f.params.items() if k != "header"})
            for f in result.findings if f.code in codes]


def move(date, part: str, batch: str, kind: str, qty: int, **more) -> dict:
    return {"date": date, "doc_no": "D1", "part_code": part, "part_name": "螺丝", "batch": batch, "type": kind,
            "qty": qty, "balance": None, "handler": "张三" if kind == ISSUE else None, **more}


def test_fifo_batches_that_run_out_and_come_back():
    # B1 is the oldest batch of P1 (received 11-01), B2 next (11-02), B0 received without a date.
    result = validate(dataset("parts_ledger", [
        move(D(2026, 11, 1), "P1", "B1", RECEIPT, 5),    # row 2: B1 = 5
        move(D(2026, 11, 2), "P1", "B2", RECEIPT, 5),    # row 3: B2 = 5
        move(D(2026, 11, 3), "P1", "B2", ISSUE, 1),      # row 4: B1 older with 5 → PL009
        move(D(2026, 11, 4), "P1", "B1", ISSUE, 5),      # row 5: B1 is the oldest; B1 = 0
        move(D(2026, 11, 5), "P1", "B2", ISSUE, 1),      # row 6: B1 empty → nothing
        move(D(2026, 11, 6), "P1", "B1", RETURN, 2),     # row 7: B1 = 2 again, still dated 11-01
        move(D(2026, 11, 7), "P1", "B2", ISSUE, 1),      # row 8: B1 older with 2 → PL009
        move(None, "P1", "B0", RECEIPT, 3),              # row 9: undated: younger than every dated batch
        move(D(2026, 11, 8), "P1", "B2", ISSUE, 1),      # row 10: B1 older (B0 is not) → PL009
        move(D(2026, 11, 9), "P1", "B0", ISSUE, 1),      # row 11: B1 oldest of B1 (2), B2 (1) → PL009
        move(D(2026, 11, 10), "P1", "B1", ISSUE, 2),     # row 12: B1 is the oldest; B1 = 0
        move(D(2026, 11, 11), "P1", "B0", ISSUE, 1),     # row 13: B2 (1) is dated, B0 is not → PL009
        move(D(2026, 11, 12), "P1", "B2", ISSUE, 2),     # row 14: B2 = -1 → PL010; B0 undated → nothing
    ]))
    letter = result.checked["parts_ledger"].ds.letters["batch"]
    assert found(result, "PL009", "PL010") == [
        ("PL009", 4, letter, {"older": "B1", "stock": 5}),
        ("PL009", 8, letter, {"older": "B1", "stock": 2}),
        ("PL009", 10, letter, {"older": "B1", "stock": 2}),
        ("PL009", 11, letter, {"older": "B1", "stock": 2}),
        ("PL009", 13, letter, {"older": "B2", "stock": 1}),
        ("PL010", 14, letter, {"expected": -1}),
    ]


def test_ledger_dates_and_book_balance_beyond_the_nanosecond_range():
    # count window of 2026-11: 11-24 … 12-05; the latest count in it is 12-02
    ledger = dataset("parts_ledger", [
        move(D(2026, 11, 1), "P2", "B1", OPENING, 1),     # row 2: fine
        move(D(2026, 10, 31), "P2", "B2", RECEIPT, 1),    # row 3: before P → PL001; < 11-01 → PL008
        move(D(9999, 12, 31), "P2", "B3", RECEIPT, 1),    # row 4: after the count → PL001
        move(D(2026, 12, 2), "P2", "B4", RECEIPT, 1),     # row 5: after P up to the count → PL002; < 9999 → PL008
        move(D(1969, 12, 31), "P2", "B5", RECEIPT, 1),    # row 6: before P → PL001; < 12-02 → PL008
        move(D(2026, 11, 15), "P2", "B6", OPENING, 1),    # row 7: an opening row not on day 1 → PL003
    ])
    stocktake = dataset("stocktake", [
        {"count_date": D(2026, 12, 2), "part_code": "P2", "part_name": "螺丝", "book_qty": 0, "actual_qty": 0},
        {"count_date": D(2026, 11, 20), "part_code": "P3", "part_name": "螺母", "book_qty": 0, "actual_qty": 0},
    ])
    result = validate(ledger, stocktake)
    date = ledger.letters["date"]
    assert found(result, "PL001", "PL002", "PL003", "PL008") == [
        ("PL001", 3, date, {"period": "2026-11"}),
        ("PL008", 3, date, {"other": "2026-11-01"}),
        ("PL001", 4, date, {"period": "2026-11"}),
        ("PL002", 5, date, {}),
        ("PL008", 5, date, {"other": "9999-12-31"}),
        ("PL001", 6, date, {"period": "2026-11"}),
        ("PL008", 6, date, {"other": "2026-12-02"}),
        ("PL003", 7, date, {"expected": "2026-11-01"}),
    ]
    # P2 on 12-02: rows 2, 3, 5, 6 and 7 (9999-12-31 is later) = 5; P3 has no ledger row: 0
    assert found(result, "ST004") == [("ST004", 2, stocktake.letters["book_qty"], {"expected": 5, "date": "2026-12-02"})]
    # stock on 11-30 (rows 2, 3, 6, 7) is above zero for P2, which the 12-02 count covers
    facts = compute_facts(result, default_run().params, FORMATS)
    assert facts.metrics["ledger_rows_in_period"] == 2 and facts.metrics["stocktake_missing_parts"] == 0


def test_first_rows_of_a_cross_reference_and_blank_keys():
    master = dataset("parts_master", [
        {"part_code": "P1", "part_name": "螺丝"},    # row 2: the first P1
        {"part_code": "P1", "part_name": "螺母"},    # row 3: a repeat → PM001 (first row 2)
        {"part_code": "P3", "part_name": None},      # row 4: no name: not P3's first row with both
        {"part_code": "P3", "part_name": "垫片"},    # row 5: P3's name; a repeat of row 4 → PM001
        {"part_code": None, "part_name": "阀芯"},    # row 6: no code
    ])
    ledger = dataset("parts_ledger", [
        move(D(2026, 11, 1), "P1", "B1", RECEIPT, 1, part_name="螺母"),   # row 2: P1 is 螺丝 → PL005
        move(D(2026, 11, 1), "P3", "B1", RECEIPT, 1, part_name="垫圈"),   # row 3: P3 is 垫片 → PL005
        move(D(2026, 11, 1), "P3", "B2", RECEIPT, 1, part_name="垫片"),   # row 4: fine
        move(D(2026, 11, 1), "P4", "B1", RECEIPT, 1, part_name="阀芯"),   # row 5: not in the master → PL004
        move(D(2026, 11, 1), "P1", "B2", RECEIPT, 1, part_name=None),     # row 6: no name: no PL005
    ])
    result = validate(master, ledger)
    code, name = master.letters["part_code"], ledger.letters["part_name"]
    assert found(result, "PM001") == [("PM001", 3, code, {"first_row": 2}), ("PM001", 5, code, {"first_row": 4})]
    assert found(result, "PL004", "PL005") == [
        ("PL005", 2, name, {"key": "P1", "expected": "螺丝"}),
        ("PL005", 3, name, {"key": "P3", "expected": "垫片"}),
        ("PL004", 5, ledger.letters["part_code"], {}),
    ]


def test_a_formula_cell_in_a_date_column_is_no_date():
    # row 3's date is an uncached formula: CE003, and no date for the period rule or the order check
    ledger = dataset("parts_ledger", [
        move(D(2026, 11, 2), "P1", "B1", RECEIPT, 1),
        move(D(2026, 10, 1), "P1", "B2", RECEIPT, 1),
        move(D(2026, 11, 1), "P1", "B3", RECEIPT, 1),     # row 4: before row 2's 11-02 → PL008
    ], bad_cells={(3, "date"): ("formula", "=TODAY()")})
    result = validate(ledger)
    date = ledger.letters["date"]
    assert found(result, "CE003", "PL001", "PL008") == [
        ("CE003", 3, date, {"expected": {"zh": "日期", "en": "a date"}}),
        ("PL008", 4, date, {"other": "2026-11-02"}),
    ]
    assert result.checked["parts_ledger"].values["date"].isna().tolist() == [False, True, False]


def test_formula_cells_in_a_text_column_are_no_values():
    # rows 2 and 3 hold uncached formulas in 配件编码: two CE003, and no value to repeat (no PM001);
    # row 5 repeats row 4's P1 → PM001
    master = dataset("parts_master", [
        {"part_code": "=A1", "part_name": "螺丝"},
        {"part_code": "=A1", "part_name": "螺母"},
        {"part_code": "P1", "part_name": "垫片"},
        {"part_code": "P1", "part_name": "阀芯"},
    ], bad_cells={(2, "part_code"): ("formula", "=A1"), (3, "part_code"): ("formula", "=A1")})
    result = validate(master)
    code = master.letters["part_code"]
    assert [(f, r) for f, r, *_ in found(result, "CE003", "PM001")] == [("CE003", 2), ("CE003", 3), ("PM001", 5)]
    assert found(result, "PM001")[0][2:] == (code, {"first_row": 4})


def test_copied_rows_and_their_order_numbers():
    def row(order, day=2, phone="13800000001", name="张三", address="杭州市西湖区文三路1号", fault="漏水"):
        return {"order_no": order, "service_date": D(2026, 11, day), "customer_name": name, "phone": phone,
                "address": address, "product_model": "M1", "fault": fault}
    report = dataset("repair_report", [
        row("WX1"),                                        # row 2: the first of its copies
        row("WX2"),                                        # row 3: a copy with another order → RR009
        row("WX1"),                                        # row 4: the first row's order again: no finding
        row(None),                                         # row 5: no order → RR009
        row(None, day=3, phone="13800000002", fault=None),  # row 6: the first of copies without any order
        row(None, day=3, phone="13800000002", fault=None),  # row 7: → RR009 (a blank fault equals a blank one)
        row(None, day=3, phone="13800000002"),             # row 8: another fault: not a copy
        row(None, day=3, phone="13800000002", address=None, fault=None),   # row 9: no address: not compared
    ])
    result = validate(report)
    order = report.letters["order_no"]
    assert [(c, r, col, p["first_row"]) for c, r, col, p in found(result, "RR009")] == [
        ("RR009", 3, order, 2), ("RR009", 5, order, 2), ("RR009", 7, order, 6)]

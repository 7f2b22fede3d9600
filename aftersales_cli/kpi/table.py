"""kpi.md's row selection and figures over columns: the rows of both reports as arrays, each
figure's rows as index arrays into them: one array operation per rule instead of one Python
step per row (the batch's kpi figures of a 10,000-order city: ~13 ms instead of 93–107 ms;
README "Performance", "Issue 16 — kpi figures over columns").

Pure: built from validated data (a Checked repair report and its findings); no I/O. Imported by
`kpi.compute` when figures are computed (numpy and pandas are loaded then, not by `kpi`'s import:
the batch's main process imports `kpi` for its parameters only).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .compute import FIGURES, Piece, ratio, set_aside_for

#: The columns a Table carries (format keys of formats/repair_report.yaml).
COLUMNS = ("order_no", "tech_id", "status", "service_type", "satisfaction", "phone", "address", "product_model")
DATES = ("service_date", "completion_date")
#: The most days between two dates a report can hold (0001-01-01 … 9999-12-31, formats.md dates).
LONGEST_GAP = (dt.date.max - dt.date.min).days


@dataclass
class Table:
    """The rows of one or two reports as columns of length n, the previous report's rows first
    (`source` 0), then the report's (`source` 1), each in sheet order.

    `cols`: COLUMNS as object arrays (None for a blank or unusable cell); `service_date`,
    `completion_date` as datetime64[D] (NaT for blank); `source`, `row` (the Excel row) as ints;
    `errors`: per row, the field keys with an error finding that sets rows aside (kpi.rows.Row).
    """
    cols: dict[str, np.ndarray]
    service_date: np.ndarray
    completion_date: np.ndarray
    source: np.ndarray
    row: np.ndarray
    errors: list[frozenset[str]]
    _codes: dict[str, tuple[np.ndarray, list[Any]]] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return len(self.row)

    def member(self, column: str, allowed) -> np.ndarray:
        """Per row, whether the column's value is in `allowed` (Python set membership, decided
        once per distinct value of the column: the column is factorized once)."""
        codes, uniques = self._factorized(column)
        allowed = set(allowed)
        return np.array([u in allowed for u in uniques] + [None in allowed], dtype=bool)[codes]

    def same_value(self, column: str, where: np.ndarray) -> np.ndarray:
        """Per row, whether the column's value is that of a row of `where` (a mask or positions;
        a blank matches a blank)."""
        codes = self.codes(column)
        return np.isin(codes, codes[where])

    def codes(self, column: str) -> np.ndarray:
        """Per row, the code of the column's value: equal codes for equal values, -1 for None."""
        return self._factorized(column)[0]

    def present(self, column: str) -> np.ndarray:
        """Per row, whether the column has a value (not None)."""
        return self.codes(column) >= 0

    def _factorized(self, column: str) -> tuple[np.ndarray, list[Any]]:
        if column not in self._codes:
            codes, uniques = pd.factorize(self.cols[column])      # None → -1 (the last entry of member's table)
            self._codes[column] = (codes, list(uniques))
        return self._codes[column]

    @classmethod
    def of(cls, checked, errors: list[frozenset[str]], source: int) -> Table:
        """One report's Table from its validated columns (validate.context.Checked: `arrays`,
        `index` the Excel rows, `present` the cells with a value)."""
        n = len(checked.index)
        cols = {}
        for key in COLUMNS:
            if key in checked.arrays:
                cells = np.array(checked.arrays[key], dtype=object)
                cells[~checked.present(key)] = None       # NaN, NaT and None all become None
            else:
                cells = np.full(n, None, dtype=object)
            cols[key] = cells
        dates = [np.asarray(checked.arrays[k]).astype("datetime64[D]") if k in checked.arrays
                 else np.full(n, np.datetime64("NaT"), dtype="datetime64[D]") for k in DATES]
        rows = np.asarray(checked.index.to_numpy(), dtype=np.int64)
        return cls(cols, dates[0], dates[1], np.full(n, source, dtype=np.int8), rows, errors)

    @classmethod
    def join(cls, previous: Table | None, report: Table) -> Table:
        """The previous report's rows (source 0) then the report's (source 1) as one Table; the
        report's own Table when there is no previous report."""
        if previous is None:
            return report
        return cls({k: np.concatenate([previous.cols[k], report.cols[k]]) for k in COLUMNS},
                   np.concatenate([previous.service_date, report.service_date]),
                   np.concatenate([previous.completion_date, report.completion_date]),
                   np.concatenate([previous.source, report.source]), np.concatenate([previous.row, report.row]),
                   previous.errors + report.errors)


@dataclass
class Repeats:
    """Repeat repairs (kpi.md "Repeat repair") as parallel arrays of table positions: order b came
    back to original a after `days` days; `after_install`: a is an 安装."""
    b: np.ndarray
    a: np.ndarray
    days: np.ndarray
    after_install: np.ndarray


@dataclass
class Selection:
    """The rows each city figure counts (kpi.md Definitions) as table positions, and the rows
    set aside so far: position → figures it was left out of."""
    orders: np.ndarray
    days: np.ndarray
    sat: np.ndarray
    counted: np.ndarray
    repeats: Repeats
    aside: dict[int, list[str]]


def _distinct(t: Table, where: np.ndarray) -> np.ndarray:
    """The positions of `where` (a bool mask) but the second and later rows of a 工单号 among them
    (rows without one are kept: they are set aside elsewhere)."""
    idx = np.flatnonzero(where)
    codes = t.codes("order_no")[idx]
    again = pd.Series(codes).duplicated().to_numpy() & (codes >= 0)
    return idx[~again]


def _mask(n: int, idx: np.ndarray) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[idx] = True
    return out


def select(t: Table, params, period, roles) -> Selection:
    """Choose the rows of every city figure but the fault table (kpi.md Definitions, "Rows set
    aside", "Repeat repair"). `roles`: the parameters' role value sets (kpi.compute._Roles)."""
    n = t.n
    first, last = np.datetime64(period.first, "D"), np.datetime64(period.last, "D")
    window = min(params.repeat_window_days, LONGEST_GAP)   # a longer window (any int is valid) changes nothing
    report = t.source == 1
    prev = ~report
    sd, cd = t.service_date, t.completion_date
    in_p_sd = (sd >= first) & (sd <= last)
    in_p_cd = (cd >= first) & (cd <= last)
    completed = t.member("status", roles.completed)
    has_order = t.present("order_no")
    recent = _recent(t, first, window)

    # --- every row against every figure it can feed (the previous report: 计件 and 返修 only) --------
    good = {fig: np.ones(n, dtype=bool) for fig in FIGURES}
    aside: dict[int, list[str]] = {}
    for i in (i for i, e in enumerate(t.errors) if e):
        for fig in FIGURES:
            if fig == "faults" or (prev[i] and fig not in ("piece", "repeats")):
                continue
            if set_aside_for(t.errors[i], fig):
                good[fig][i] = False
                if report[i] or recent[i]:   # the previous report's rows too old to matter are not listed
                    aside.setdefault(i, []).append(fig)

    # --- the report's orders in P, per figure (a duplicate 工单号 is an error row: set aside) -------
    orders = _distinct(t, report & good["orders"] & in_p_sd)
    days = _distinct(t, report & good["days"] & in_p_sd)
    days = days[completed[days] & ~np.isnat(cd[days])]   # a role may call an order without 完工日期 completed
    sat = _distinct(t, report & good["satisfaction"] & in_p_sd)
    sat = sat[completed[sat]]

    # --- 计件: 已完成 with 完工日期 in P, from both reports; the report's row wins --------------------
    in_report = t.same_value("order_no", report & has_order)
    piece = np.concatenate([_distinct(t, report & good["piece"]), _distinct(t, prev & good["piece"])])
    paid_before = t.same_value("order_no", piece[completed[piece] & (cd[piece] < first)])
    wanted = _mask(n, piece) & ~(prev & in_report) & completed & in_p_cd & ~paid_before
    counted = np.concatenate([i[wanted[i]] for i in (np.flatnonzero(report), np.flatnonzero(prev))])

    # --- 返修 ----------------------------------------------------------------------------------------
    report_orders = _distinct(t, report)
    report_orders = report_orders[good["repeats"][report_orders]]
    prev_orders = _distinct(t, prev & ~in_report)
    prev_orders = prev_orders[good["repeats"][prev_orders] & recent[prev_orders]]
    originals = np.concatenate([prev_orders, report_orders])
    originals = originals[completed[originals] & ~np.isnat(cd[originals]) & ~np.isnat(sd[originals])]
    visit = in_p_sd & t.member("service_type", roles.repair) & ~t.member("status", roles.cancelled)
    visits = report_orders[visit[report_orders]]
    repeats = _find_repeats(t, visits, originals, window, roles.install)
    return Selection(orders, days, sat, counted, repeats, aside)


def _recent(t: Table, first: np.datetime64, window: int) -> np.ndarray:
    """A previous-report row that can still matter in P: completed (or dated) no earlier than the
    repeat window before P, or with no readable completion date."""
    d = np.where(np.isnat(t.completion_date), t.service_date, t.completion_date)
    return np.isnat(d) | (d >= first - np.timedelta64(window, "D"))


def _keys(values: np.ndarray, phone: bool) -> np.ndarray:
    """kpi.rows.match_keys of an object array, as an object array of the same length."""
    from .rows import match_keys
    keys = np.empty(len(values), dtype=object)
    keys[:] = match_keys(values.tolist(), "phone" if phone else "text")
    return keys


def _pairs(b: np.ndarray, b_keys: np.ndarray, a: np.ndarray, a_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (b, a) whose keys are equal (an inner join on the key), as two position arrays."""
    if not b.size or not a.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes = pd.factorize(np.concatenate([a_keys, b_keys]))[0]
    a_codes, b_codes = codes[:len(a)], codes[len(a):]
    order = np.argsort(a_codes, kind="stable")
    ranked = a_codes[order]
    start = np.searchsorted(ranked, b_codes, "left")
    counts = np.searchsorted(ranked, b_codes, "right") - start
    total = int(counts.sum())
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(b, counts).astype(np.int64), a[order[np.repeat(start, counts) + offset]].astype(np.int64)


def _find_repeats(t: Table, visits: np.ndarray, originals: np.ndarray, window: int, install) -> Repeats:
    """kpi.md "Repeat repair": for each b of `visits`, the qualifying a of `originals` with the
    latest 完工日期, then the latest 服务日期, then the later row. Candidates share the phone key,
    or — when either phone has an error finding or is blank — the address key."""
    empty = Repeats(*(np.zeros(0, dtype=np.int64) for _ in range(3)), np.zeros(0, dtype=bool))
    if not visits.size or not originals.size:
        return empty
    err = t.errors
    phone_err = np.array([("phone" in e) for e in err], dtype=bool)
    address_err = np.array([("address" in e) for e in err], dtype=bool)
    both = np.concatenate([originals, visits])
    phone = np.full(t.n, None, dtype=object)
    phone[both] = _keys(t.cols["phone"][both], phone=True)
    phone_ok = ~phone_err & pd.notna(phone) & (phone != "")
    # the address key only where an address match can happen: originals without a usable phone
    # against visits with one; every original against visits without one
    o_no_phone = originals[~phone_ok[originals]]
    v_no_phone = visits[~phone_ok[visits]]
    vp = visits[phone_ok[visits]]
    parts = [visits[:0]]
    if o_no_phone.size:
        parts += [o_no_phone, vp]
    if v_no_phone.size:
        parts += [originals, v_no_phone]
    need = np.unique(np.concatenate(parts))
    address = np.full(t.n, None, dtype=object)
    if need.size:
        address[need] = _keys(t.cols["address"][need], phone=False)
    address_ok = ~address_err & pd.notna(address)

    # visits with a usable phone: the originals with one, by phone; those without one, by address;
    # visits without a usable phone: every original, by address
    oph = originals[phone_ok[originals]]
    pairs = [_pairs(vp, phone[vp], oph, phone[oph])]
    by_address = originals[~phone_ok[originals] & address_ok[originals]]
    vpa = vp[address_ok[vp]]
    if by_address.size and vpa.size:
        pairs.append(_pairs(vpa, address[vpa], by_address, address[by_address]))
    vna = v_no_phone[address_ok[v_no_phone]]
    every = originals[address_ok[originals]]
    if every.size and vna.size:
        pairs.append(_pairs(vna, address[vna], every, address[every]))
    b = np.concatenate([p[0] for p in pairs])
    a = np.concatenate([p[1] for p in pairs])
    if not b.size:
        return empty
    order = t.codes("order_no")                    # equal codes: equal 工单号 (two blanks too)
    pos_a = t.source[a].astype(np.int64) * (1 << 32) + t.row[a]
    pos_b = t.source[b].astype(np.int64) * (1 << 32) + t.row[b]
    sd, cd = t.service_date, t.completion_date
    gap = (sd[b] - cd[a]).astype(np.int64)
    keep = ((order[a] != order[b])
            & ((sd[a] < sd[b]) | ((sd[a] == sd[b]) & (pos_a < pos_b)))
            & (gap >= 0) & (gap <= window))
    b, a, gap, pos_a = b[keep], a[keep], gap[keep], pos_a[keep]
    if b.size:   # 产品型号 (normalised) must agree when both rows give one
        model = _keys(t.cols["product_model"][np.concatenate([a, b])], phone=False)
        ma, mb = model[:len(a)], model[len(a):]
        agree = np.fromiter((x is None or y is None or x == y for x, y in zip(ma.tolist(), mb.tolist())),
                            dtype=bool, count=len(a))
        b, a, gap, pos_a = b[agree], a[agree], gap[agree], pos_a[agree]
    if not b.size:
        return empty
    # per b the latest (完工日期, 服务日期, row): sort so that the best a comes last, keep the last
    ranked = np.lexsort((pos_a, sd[a], cd[a], b))
    b, a, gap = b[ranked], a[ranked], gap[ranked]
    last = np.r_[b[1:] != b[:-1], True]
    b, a, gap = b[last], a[last], gap[last]
    return Repeats(b, a, gap, t.member("service_type", install)[a])


def figures(t: Table, orders: np.ndarray, days_rows: np.ndarray, sat: np.ndarray, counted: np.ndarray,
            charged: int, repeat_of: dict[Any, Any], params, roles, out) -> Any:
    """Fill `out` (kpi.compute.Figures) with kpi.md "Per technician" from the rows of each figure
    (table positions, as `Selection`'s); `charged`: the repeats charged; `repeat_of`: 工单号 of b →
    a's 工号 (`repeat_of`). Counts are ints, ratios exact Fractions (None when the denominator is 0),
    days Fractions of whole days; returns `out`."""
    out.orders = len(orders)
    out.completed = int(t.member("status", roles.completed)[orders].sum())
    out.cancelled = int(t.member("status", roles.cancelled)[orders].sum())
    out.completion_rate = ratio(out.completed, out.orders - out.cancelled)
    days = (t.completion_date[days_rows] - t.service_date[days_rows]).astype(np.int64)
    if days.size:
        ordered = np.sort(days)
        out.mean_days = Fraction(int(ordered.sum()), len(ordered))
        mid = len(ordered) // 2
        out.median_days = Fraction(int(ordered[mid])) if len(ordered) % 2 else \
            Fraction(int(ordered[mid - 1]) + int(ordered[mid]), 2)
    day_kinds = t.cols["service_type"][days_rows]
    on_time = sum(int((days[day_kinds == kind] <= params.on_time_days[kind]).sum())
                  for kind in dict.fromkeys(day_kinds.tolist()))
    out.on_time_rate = ratio(on_time, len(days_rows))
    rated = Counter(v for v in t.cols["satisfaction"][sat].tolist() if v is not None)   # in first-seen order
    out.rated = dict(rated)
    n_rated = sum(rated.values())
    out.satisfaction_rate = ratio(sum(c for v, c in rated.items() if v in roles.satisfied), n_rated)
    out.dissatisfied = sum(c for v, c in rated.items() if v in roles.unhappy)
    out.follow_up_rate = ratio(n_rated, len(sat))
    out.repeats = charged
    out.repeat_rate = ratio(out.repeats, out.completed)
    out.piece = {kind: Piece(price=params.rate(kind)) for kind in params.piece_rates}
    kinds = t.cols["service_type"][counted].tolist()
    for kind, count in Counter(kinds).items():
        out.piece[kind].count += count
    if repeat_of:
        orders_of = t.cols["order_no"][counted].tolist()
        for kind, order, tech in zip(kinds, orders_of, t.cols["tech_id"][counted].tolist()):
            if order in repeat_of and repeat_of[order] == tech:
                out.piece[kind].repeats += 1
    return out


def repeat_of(t: Table, repeats: Repeats) -> dict[Any, Any]:
    """工单号 of each repeat b → the 工号 it is charged to (a's); a later b of the same 工单号 wins."""
    return dict(zip(t.cols["order_no"][repeats.b].tolist(), t.cols["tech_id"][repeats.a].tolist()))



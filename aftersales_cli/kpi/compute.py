"""The figures of kpi.md, per technician and for the city. Pure: rows + roster + params → Kpi.

Which rows each figure counts and the figures themselves are computed over columns
(kpi.table: the reports' `table`s); the Row objects are what `kpi` lists (repeats, call list,
rows set aside, faults).

Ratios are exact `Fraction`s (None when the denominator is 0); rounding is for display only
(`display_ratio`, `display_days`, `display_yuan`), half-up.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from ..period import Period
from .params import KpiParams
from .rows import ReportRows, Row

#: kpi.md "Rows set aside": the fields each figure reads (format keys). 返修 also reads 联系电话
#: or, when the phone has an error, 服务地址: a row is set aside for it only when both have errors.
FIGURE_FIELDS: dict[str, frozenset[str]] = {
    "orders": frozenset({"order_no", "service_date", "tech_id", "status"}),
    "days": frozenset({"order_no", "service_date", "tech_id", "status", "completion_date", "service_type"}),
    "satisfaction": frozenset({"order_no", "service_date", "tech_id", "status", "satisfaction"}),
    "piece": frozenset({"order_no", "tech_id", "service_type", "status", "completion_date"}),
    "repeats": frozenset({"service_type", "service_date", "completion_date", "status", "product_model"}),
    "faults": frozenset({"service_type", "service_date", "product_model", "fault"}),
}
FIGURES = tuple(FIGURE_FIELDS)
_CONTACT = frozenset({"phone", "address"})


def ratio(numerator: int, denominator: int) -> Fraction | None:
    """An exact ratio; None ("—") when the denominator is 0 (kpi.md: never 0% or 100%)."""
    return Fraction(numerator, denominator) if denominator else None


def _half_up(value: Fraction | None, places: str) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(places), ROUND_HALF_UP)


def display_ratio(value: Fraction | None) -> str:
    """A ratio as a percent with one decimal, rounded half-up; "—" for None."""
    shown = _half_up(value * 100, "0.1") if value is not None else None
    return "—" if shown is None else f"{shown}%"


def display_days(value: Fraction | None) -> str:
    shown = _half_up(value, "0.1")
    return "—" if shown is None else str(shown)


def display_yuan(value: Fraction | None) -> str:
    shown = _half_up(value, "0.01")
    return "—" if shown is None else f"{shown:,}"


def days_number(value: Fraction | None) -> float | None:
    """Days for JSON: rounded half-up to 0.1."""
    shown = _half_up(value, "0.1")
    return None if shown is None else float(shown)


def yuan_number(value: Fraction | None) -> float | int | None:
    """元 for JSON: rounded half-up to 0.01 (an int when whole)."""
    shown = _half_up(value, "0.01")
    if shown is None:
        return None
    return int(shown) if shown == shown.to_integral_value() else float(shown)


def ratio_number(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class Piece:
    """计件 for one 服务类型: counted orders, the rate (元 per order), the amount, how many are repeats."""
    count: int = 0
    price: Fraction = Fraction(0)
    repeats: int = 0

    @property
    def amount(self) -> Fraction:
        return self.count * self.price


@dataclass
class Figures:
    """The figures of one technician, or of the city (kpi.md "Per technician")."""
    orders: int = 0
    completed: int = 0
    cancelled: int = 0
    completion_rate: Fraction | None = None
    on_time_rate: Fraction | None = None
    mean_days: Fraction | None = None
    median_days: Fraction | None = None
    satisfaction_rate: Fraction | None = None
    dissatisfied: int = 0
    follow_up_rate: Fraction | None = None
    rated: dict[str, int] = field(default_factory=dict)      # 满意度 value → completed orders
    repeats: int = 0
    repeat_rate: Fraction | None = None
    piece: dict[str, Piece] = field(default_factory=dict)

    @property
    def piece_total(self) -> Fraction:
        return sum((p.amount for p in self.piece.values()), Fraction(0))


@dataclass
class Repeat:
    """b (an order of the report) came back to a (the original order, charged)."""
    b: Row
    a: Row
    days: int
    after_install: bool

    @property
    def charged_to(self) -> str:
        return self.a.tech_id


@dataclass
class FaultRow:
    model: str
    fault: str
    count: int
    share: Fraction
    cumulative: Fraction
    other: bool = False          # the one row "其他" after the first `top_faults`


@dataclass
class Kpi:
    """Everything `kpi` reports (kpi.md "Outputs")."""
    city: str
    period: Period
    params: KpiParams
    city_totals: Figures
    technicians: list[tuple[str, dict[str, Any], Figures]]     # (工号, roster entry, figures)
    repeats: list[Repeat]
    repeats_after_install: int
    install_completed: int
    call_list: list[Row]
    faults: list[FaultRow]
    fault_orders: int
    parts: dict[str, dict[str, int]]                           # model → part code → quantity
    set_aside: list[tuple[Row, list[str]]]                     # (row, figures it was left out of)
    notes: list[dict[str, Any]] = field(default_factory=list)  # ui keys + params (the previous report)
    inputs: list[Any] = field(default_factory=list)   # every file read, both months: never an output

    @property
    def repeat_rate_after_install(self) -> Fraction | None:
        return ratio(self.repeats_after_install, self.install_completed)


@dataclass
class _Roles:
    """The parameters' role values as sets (kpi.md Parameters, `roles`)."""
    completed: set
    cancelled: set
    repair: set
    install: set
    satisfied: set
    unhappy: set

    @classmethod
    def of(cls, params: KpiParams) -> _Roles:
        role = params.role
        return cls(set(role("status", "completed")), set(role("status", "cancelled")),
                   set(role("service_type", "repair")), set(role("service_type", "install")),
                   set(role("satisfaction", "satisfied")), set(role("satisfaction", "dissatisfied")))


def set_aside_for(errors: frozenset[str], figure: str) -> bool:
    """Whether a row with these error fields is left out of `figure` (kpi.md "Rows set aside")."""
    return bool(errors & FIGURE_FIELDS[figure]) or (figure == "repeats" and errors >= _CONTACT)


def _select(report: ReportRows, previous: ReportRows | None, params: KpiParams, period: Period):
    """(the rows of both reports as one kpi.table.Table, the role sets, the rows of every city figure
    but the fault table: kpi.table.Selection)."""
    from .table import Table, select

    table = Table.join(previous.table if previous is not None else None, report.table)
    roles = _Roles.of(params)
    return table, roles, select(table, params, period, roles)


def city_totals(report: ReportRows, previous: ReportRows | None, params: KpiParams, period: Period) -> Figures:
    """The city's figures (`Kpi.city_totals`) alone: the same rows and the same figures as
    `compute`, without what only the `kpi` command shows (technicians, faults, call list, rows
    set aside) — the reports' `table`s suffice (report_rows(rows=False)). What `batch` reports
    (kpi.md Outputs)."""
    from .table import repeat_of

    table, roles, chosen = _select(report, previous, params, period)
    return _totals(table, roles, chosen, repeat_of(table, chosen.repeats), params)


def _totals(table, roles: _Roles, chosen, charged_of: dict[Any, Any], params: KpiParams) -> Figures:
    """The city's figures from every row `_select` chose (kpi.table.Selection); `charged_of`:
    kpi.table.repeat_of of its repeats."""
    from .table import figures

    return figures(table, chosen.orders, chosen.days, chosen.sat, chosen.counted, len(chosen.repeats.b),
                   charged_of, params, roles, Figures())


def compute(report: ReportRows, previous: ReportRows | None, roster: dict[str, dict[str, Any]],
            params: KpiParams, period: Period, city: str = "") -> Kpi:
    """The figures of kpi.md for `period` from the report (and the previous month's, if any).

    `roster` maps 工号 → {name, category, unit} (empty without a roster: names are left blank).
    """
    import numpy as np

    from .table import figures, repeat_of

    table, roles, chosen = _select(report, previous, params, period)
    rows = [*(previous.rows if previous is not None else []), *report.rows]
    first, last = period.first, period.last
    charged_of = repeat_of(table, chosen.repeats)

    # --- per technician and for the city (a repeat is charged to a's technician) -----------------------
    lists = {"orders": chosen.orders, "days": chosen.days, "sat": chosen.sat, "counted": chosen.counted}
    by_tech: dict[str, dict[str, list[int]]] = defaultdict(lambda: {k: [] for k in (*lists, "repeats")})
    for key, positions in lists.items():
        for i, tech in zip(positions.tolist(), table.cols["tech_id"][positions].tolist()):
            if tech is not None:
                by_tech[tech][key].append(i)
    for j, tech in enumerate(table.cols["tech_id"][chosen.repeats.a].tolist()):
        if tech is not None:
            by_tech[tech]["repeats"].append(j)
    for tech in [t for t, part in by_tech.items() if not (part["orders"] or part["counted"] or part["repeats"])]:
        del by_tech[tech]

    def arr(items: list[int]):
        return np.array(items, dtype=np.int64)

    technicians = [(t, roster.get(t, {}), figures(table, arr(p["orders"]), arr(p["days"]), arr(p["sat"]),
                                                  arr(p["counted"]), len(p["repeats"]), charged_of, params, roles,
                                                  Figures()))
                   for t, p in sorted(by_tech.items())]
    totals = _totals(table, roles, chosen, charged_of, params)
    rep = chosen.repeats
    repeats = [Repeat(rows[b], rows[a], int(days), bool(after))
               for b, a, days, after in zip(rep.b.tolist(), rep.a.tolist(), rep.days.tolist(), rep.after_install.tolist())]

    # --- faults, parts, call list ---------------------------------------------------------------------
    aside = {id(rows[i]): (rows[i], figs) for i, figs in chosen.aside.items()}
    ok = _setting_aside(aside)
    fault_rows = [r for r in report.rows if not r.errors or ok(r, "faults")]
    fault_orders = _distinct(r for r in fault_rows if r.service_date is not None and first <= r.service_date <= last
                             and r.service_type in roles.repair)
    faults = _fault_table(fault_orders, params.top_faults)
    parts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in fault_orders:
        if r.part_code is not None and isinstance(r.part_qty, int):
            parts[r.model_key or ""][str(r.part_code)] += r.part_qty
    rank = {v: i for i, v in enumerate(params.role("satisfaction", "call_back"))}
    calls = sorted((rows[i] for i in chosen.sat.tolist() if rows[i].satisfaction in rank),
                   key=lambda r: (rank[r.satisfaction], r.service_date, str(r.order_no)))

    install_done = sum(1 for i in chosen.counted.tolist() if rows[i].service_type in roles.install)
    after_install = sum(1 for r in repeats if r.after_install)
    order_of = {fig: i for i, fig in enumerate(FIGURES)}
    set_aside = sorted(((r, sorted(set(figs), key=order_of.get)) for r, figs in aside.values()),
                       key=lambda item: item[0].pos)
    return Kpi(city=city, period=period, params=params, city_totals=totals, technicians=technicians,
               repeats=repeats, repeats_after_install=after_install, install_completed=install_done,
               call_list=calls, faults=faults, fault_orders=len(fault_orders),
               parts={m: dict(sorted(p.items())) for m, p in sorted(parts.items())}, set_aside=set_aside)


def _setting_aside(aside: dict[int, tuple[Row, list[str]]]):
    """ok(row, figure): whether a row with errors still feeds the figure; if not, it is noted in
    `aside` (kpi.md "Rows set aside")."""
    def ok(r: Row, figure: str) -> bool:
        bad = set_aside_for(r.errors, figure)
        if bad:
            aside.setdefault(id(r), (r, []))[1].append(figure)
        return not bad
    return ok


def _distinct(rows: Iterable[Row]) -> list[Row]:
    """The first row of each 工单号 (rows without one are kept: they are set aside elsewhere)."""
    seen: set = set()
    out = []
    for r in rows:
        if r.order_no is not None:
            if r.order_no in seen:
                continue
            seen.add(r.order_no)
        out.append(r)
    return out


def _fault_table(orders: list[Row], top: int) -> list[FaultRow]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in orders:
        counts[(r.model_key or "", r.fault_key or "")] += 1
    total = len(orders)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
    out, running = [], 0
    for (model, fault), n in ranked[:top]:
        running += n
        out.append(FaultRow(model, fault, n, Fraction(n, total), Fraction(running, total)))
    rest = sum(n for _, n in ranked[top:])
    if rest:
        out.append(FaultRow("", "", rest, Fraction(rest, total), Fraction(1), other=True))
    return out

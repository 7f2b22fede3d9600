"""The figures of kpi.md, per technician and for the city. Pure: rows + roster + params → Kpi.

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


@dataclass
class _Month:
    """The rows each city figure counts (kpi.md Definitions), chosen once for `compute` and
    `city_totals`: `everything` holds the lists `_figures` takes (orders, days, sat, counted,
    repeats); `aside` the rows set aside so far, by id."""
    roles: _Roles
    everything: dict[str, list]
    repeat_of: dict[Any, Repeat]
    aside: dict[int, tuple[Row, list[str]]]
    params: KpiParams

    def figures(self, part: dict[str, list]) -> Figures:
        ro = self.roles
        return _figures(part["orders"], part["days"], part["sat"], part["counted"], part["repeats"],
                        self.repeat_of, self.params, ro.completed, ro.cancelled, ro.satisfied, ro.unhappy)


def _month(report: ReportRows, previous: ReportRows | None, params: KpiParams, period: Period) -> _Month:
    """Choose the rows of every city figure but the fault table (whose rows `compute` adds)."""
    roles = _Roles.of(params)
    completed, cancelled = roles.completed, roles.cancelled
    first, last = period.first, period.last
    window = params.repeat_window_days
    rows = report.rows
    prev_rows = previous.rows if previous is not None else []
    aside: dict[int, tuple[Row, list[str]]] = {}
    ok = _setting_aside(aside)

    def in_p(d) -> bool:
        return d is not None and first <= d <= last

    # --- every row against every figure it can feed (the previous report: 计件 and 返修 only) ----
    good = {fig: [r for r in rows if not r.errors or ok(r, fig)] for fig in FIGURES if fig != "faults"}
    prev_good = {fig: [r for r in prev_rows if not r.errors or ok(r, fig)] for fig in ("piece", "repeats")}
    for r in prev_rows:   # the previous report's rows too old to matter in P are not listed
        if id(r) in aside and not _recent(r, first, window):
            del aside[id(r)]

    # --- the report's orders in P, per figure (a duplicate 工单号 is an error row: set aside) ----
    orders = _distinct(r for r in good["orders"] if in_p(r.service_date))
    days_rows = [r for r in _distinct(r for r in good["days"] if in_p(r.service_date)) if r.status in completed]
    sat_rows = [r for r in _distinct(r for r in good["satisfaction"] if in_p(r.service_date))
                if r.status in completed]

    # --- 计件: 已完成 with 完工日期 in P, from both reports; the report's row wins ----------------
    in_report = {r.order_no for r in rows if r.order_no is not None}
    report_piece = _distinct(good["piece"])
    prev_piece = _distinct(prev_good["piece"])
    paid_before = {r.order_no for r in [*report_piece, *prev_piece]
                   if r.status in completed and r.completion_date is not None and r.completion_date < first}
    counted = [r for r in [*report_piece, *(r for r in prev_piece if r.order_no not in in_report)]
               if r.status in completed and in_p(r.completion_date) and r.order_no not in paid_before]

    # --- 返修 ---------------------------------------------------------------------------------------
    usable = {id(r) for r in [*good["repeats"], *prev_good["repeats"]]}
    report_orders = [r for r in _distinct(rows) if id(r) in usable]
    prev_orders = [r for r in _distinct(r for r in prev_rows if r.order_no not in in_report)
                   if id(r) in usable and _recent(r, first, window)]
    originals = [r for r in [*prev_orders, *report_orders]
                 if r.status in completed and r.completion_date is not None and r.service_date is not None]
    repeats = _find_repeats([r for r in report_orders if in_p(r.service_date) and r.service_type in roles.repair
                             and r.status not in cancelled], originals, window, roles.install)
    everything = {"orders": orders, "days": days_rows, "sat": sat_rows, "counted": counted, "repeats": repeats}
    return _Month(roles, everything, {rep.b.order_no: rep for rep in repeats}, aside, params)


def _setting_aside(aside: dict[int, tuple[Row, list[str]]]):
    """ok(row, figure): whether a row with errors still feeds the figure; if not, it is noted in
    `aside` (kpi.md "Rows set aside")."""
    def ok(r: Row, figure: str) -> bool:
        bad = r.errors & FIGURE_FIELDS[figure] or (figure == "repeats" and r.errors >= _CONTACT)
        if bad:
            aside.setdefault(id(r), (r, []))[1].append(figure)
        return not bad
    return ok


def city_totals(report: ReportRows, previous: ReportRows | None, params: KpiParams, period: Period) -> Figures:
    """The city's figures (`Kpi.city_totals`) alone: the same rows and the same `_figures` as
    `compute`, without what only the `kpi` command shows (technicians, faults, call list, rows
    set aside). What `batch` reports (kpi.md Outputs)."""
    month = _month(report, previous, params, period)
    return month.figures(month.everything)


def compute(report: ReportRows, previous: ReportRows | None, roster: dict[str, dict[str, Any]],
            params: KpiParams, period: Period, city: str = "") -> Kpi:
    """The figures of kpi.md for `period` from the report (and the previous month's, if any).

    `roster` maps 工号 → {name, category, unit} (empty without a roster: names are left blank).
    """
    month = _month(report, previous, params, period)
    roles, everything, aside = month.roles, month.everything, month.aside
    first, last = period.first, period.last
    ok = _setting_aside(aside)

    # --- per technician and for the city ----------------------------------------------------------
    by_tech: dict[str, dict[str, list]] = defaultdict(lambda: {k: [] for k in everything})
    for key, items in everything.items():
        for item in items:
            tech = item.charged_to if key == "repeats" else item.tech_id
            if tech is not None:
                by_tech[tech][key].append(item)
    for tech in [t for t, part in by_tech.items() if not (part["orders"] or part["counted"] or part["repeats"])]:
        del by_tech[tech]
    technicians = [(t, roster.get(t, {}), month.figures(by_tech[t])) for t in sorted(by_tech)]
    totals = month.figures(everything)

    # --- faults, parts, call list ---------------------------------------------------------------------
    fault_rows = [r for r in report.rows if not r.errors or ok(r, "faults")]
    fault_orders = _distinct(r for r in fault_rows if r.service_date is not None and first <= r.service_date <= last
                             and r.service_type in roles.repair)
    faults = _fault_table(fault_orders, params.top_faults)
    parts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in fault_orders:
        if r.part_code is not None and isinstance(r.part_qty, int):
            parts[r.model_key or ""][str(r.part_code)] += r.part_qty
    rank = {v: i for i, v in enumerate(params.role("satisfaction", "call_back"))}
    calls = sorted((r for r in everything["sat"] if r.satisfaction in rank),
                   key=lambda r: (rank[r.satisfaction], r.service_date, str(r.order_no)))

    repeats = everything["repeats"]
    install_done = sum(1 for r in everything["counted"] if r.service_type in roles.install)
    after_install = sum(1 for rep in repeats if rep.after_install)
    order_of = {fig: i for i, fig in enumerate(FIGURES)}
    set_aside = sorted(((r, sorted(set(figs), key=order_of.get)) for r, figs in aside.values()),
                       key=lambda item: item[0].pos)
    return Kpi(city=city, period=period, params=params, city_totals=totals, technicians=technicians,
               repeats=repeats, repeats_after_install=after_install, install_completed=install_done,
               call_list=calls, faults=faults, fault_orders=len(fault_orders),
               parts={m: dict(sorted(p.items())) for m, p in sorted(parts.items())}, set_aside=set_aside)


def _recent(r: Row, first, window: int) -> bool:
    """A previous-report row that can still matter in P: completed (or dated) no earlier than the
    repeat window before P, or with no readable completion date."""
    import datetime as dt

    d = r.completion_date or r.service_date
    return d is None or d >= first - dt.timedelta(days=window)


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


def _find_repeats(visits: list[Row], originals: list[Row], window: int, install: set) -> list[Repeat]:
    """kpi.md "Repeat repair": for each b, the qualifying a with the latest 完工日期, then the
    latest 服务日期, then the later row."""
    by_phone: dict[str, list[Row]] = defaultdict(list)
    by_address: dict[str, list[Row]] = defaultdict(list)       # originals whose phone has an error
    for a in originals:
        if "phone" not in a.errors and a.phone_key:
            by_phone[a.phone_key].append(a)
        elif "address" not in a.errors and a.address_key:
            by_address[a.address_key].append(a)
    every_address: dict[str, list[Row]] | None = None          # all originals: built if a b needs it
    out = []
    for b in visits:
        phone_ok = "phone" not in b.errors and b.phone_key
        candidates = list(by_phone.get(b.phone_key, [])) if phone_ok else []
        if "address" not in b.errors and b.address_key:   # either phone has an error: the address
            if phone_ok:
                candidates += by_address.get(b.address_key, [])
            else:
                if every_address is None:
                    every_address = defaultdict(list)
                    for a in originals:
                        if "address" not in a.errors and a.address_key:
                            every_address[a.address_key].append(a)
                candidates += every_address.get(b.address_key, [])
        best = None
        for a in candidates:
            if a.order_no == b.order_no or not (a.service_date < b.service_date
                                                or (a.service_date == b.service_date and a.pos < b.pos)):
                continue
            if a.model_key and b.model_key and a.model_key != b.model_key:
                continue
            gap = (b.service_date - a.completion_date).days
            if not 0 <= gap <= window:
                continue
            if best is None or (a.completion_date, a.service_date, a.pos) > \
                    (best.completion_date, best.service_date, best.pos):
                best = a
        if best is not None:
            out.append(Repeat(b, best, (b.service_date - best.completion_date).days, best.service_type in install))
    return out


def _figures(orders: list[Row], days_rows: list[Row], sat_rows: list[Row], counted: list[Row],
             charged: list[Repeat], repeat_of: dict[Any, Repeat], params: KpiParams,
             completed: set, cancelled: set, satisfied: set, unhappy: set) -> Figures:
    f = Figures()
    f.orders = len(orders)
    f.completed = sum(1 for r in orders if r.status in completed)
    f.cancelled = sum(1 for r in orders if r.status in cancelled)
    f.completion_rate = ratio(f.completed, f.orders - f.cancelled)
    days = sorted((r.completion_date - r.service_date).days for r in days_rows)
    if days:
        f.mean_days = Fraction(sum(days), len(days))
        mid = len(days) // 2
        f.median_days = Fraction(days[mid]) if len(days) % 2 else Fraction(days[mid - 1] + days[mid], 2)
    on_time = sum(1 for r in days_rows
                  if (r.completion_date - r.service_date).days <= params.on_time_days[r.service_type])
    f.on_time_rate = ratio(on_time, len(days_rows))
    rated = [r for r in sat_rows if r.satisfaction is not None]
    for r in rated:
        f.rated[r.satisfaction] = f.rated.get(r.satisfaction, 0) + 1
    f.satisfaction_rate = ratio(sum(1 for r in rated if r.satisfaction in satisfied), len(rated))
    f.dissatisfied = sum(1 for r in rated if r.satisfaction in unhappy)
    f.follow_up_rate = ratio(len(rated), len(sat_rows))
    f.repeats = len(charged)
    f.repeat_rate = ratio(f.repeats, f.completed)
    f.piece = {t: Piece(price=params.rate(t)) for t in params.piece_rates}
    for r in counted:
        p = f.piece[r.service_type]
        p.count += 1
        rep = repeat_of.get(r.order_no)
        if rep is not None and rep.charged_to == r.tech_id:
            p.repeats += 1
    return f


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

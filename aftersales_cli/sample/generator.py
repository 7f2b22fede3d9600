"""Realistic synthetic submissions: the eight datasets of one city and month, consistent with each other.

`build_city` makes the data (pure, no I/O); `generate` writes it in the batch layout
`OUT/<city>/<YYYY-MM>/`. Everything is drawn from `random.Random(f"{seed}:{city}")`, so a city's
data depends only on the seed, the city and the sizes; the defects come from a second generator
(`…:defects`), so a defective city holds the same underlying data as its clean twin.

The datasets agree with each other the way a well-kept submission does: every 技师工号 of the
repair report is on the roster and active on the service day, every part used is issued from the
ledger on that day (oldest batch first), the ledger's running balances are right, the month-end
count equals the ledger and the plan applies for parts running low.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..period import Period
from ..validate.cells import id_check_digit
from . import defects as dfx
from . import names
from .products import (CHECKLIST, DEALER_TOPICS, DISTRIBUTOR_TOPICS, FAMILIES, OTHER_ACTIONS, OTHER_TOPICS,
                       PARTS, PENDING_ACTIONS, SHELVES, Part)

LAYOUTS = ("standard", "quirks")
SERVICE_TYPES = ("安装", "维修", "保养", "其他")
STATUSES = ("已完成", "未完成", "待配件", "已取消")
SATISFACTION = ("非常满意", "满意", "一般", "不满意")
MIGRANT_CITIES = ("阜阳市", "赣州市", "信阳市", "南充市", "邵阳市", "周口市", "六安市", "上饶市", "宿州市")
_DAY = dt.timedelta(days=1)


@dataclass
class CityData:
    """One city's month: rows per dataset (field key → cell value) and who signs what."""
    city: str
    period: Period
    tables: dict[str, list[dict]]
    people: dict[str, str]
    defects: dict[str, int] = field(default_factory=dict)   # defect kind id → rows injected


def build_city(city: str, orders: int = 200, period: Period | str = "2026-11", seed: int = 0,
               defects: float = 0.0, only: tuple[str, ...] | None = None) -> CityData:
    """The data of one city and month (deterministic for the arguments); `only` (None: all) names
    the datasets defects are injected into."""
    period = period if isinstance(period, Period) else Period.parse(period)
    return _Builder(city, orders, period, seed, defects, only).build()


def generate(out: Path, cities: int = 3, orders: int = 200, period: Period | str = "2026-11", seed: int = 0,
             defects: float = 0.0, layout: str = "standard", city_names: list[str] | None = None, *,
             jobs: int = 1, progress: Callable[[str, Path], None] | None = None, force: bool = False,
             only: tuple[str, ...] | None = None) -> list[Path]:
    """Write `out/<city>/<YYYY-MM>/` with the eight datasets for each city; return the city folders.
    `only` (None: all) names the datasets defects are injected into.

    `city_names` (when given) replaces the first `cities` names of the pool. `jobs` > 1 writes
    cities in parallel processes; the output is the same. `progress(city, folder)` is called as each
    city is done.

    Every file it would write is checked before any is written: one that exists raises
    AftersalesError("err.output_exists") unless `force`; even with `force` only workbooks an earlier
    `sample` wrote (marker.py) are removed (cli.md).
    """
    from .writer import check_city_name, check_targets

    period = period if isinstance(period, Period) else Period.parse(period)
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    if not 0 <= defects <= 1:
        raise ValueError(f"defects must be a share between 0 and 1, not {defects!r}")
    if orders < 0 or cities < 0:
        raise ValueError("cities and orders must not be negative")
    chosen = list(dict.fromkeys(city_names)) if city_names else names.city_names(cities)
    for city in chosen:
        check_city_name(city)
    out = Path(out)
    for city in chosen:
        check_targets(out / city / period.label, city, period, layout, force)
    tasks = [(out, city, orders, period, seed, defects, layout, only) for city in chosen]
    folders: dict[str, Path] = {}
    if jobs > 1 and len(tasks) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx) as pool:
            futures = {pool.submit(generate_city, *t): t[1] for t in tasks}
            for fut in as_completed(futures):
                city = futures[fut]
                folders[city] = fut.result()
                if progress:
                    progress(city, folders[city])
    else:
        for t in tasks:
            folders[t[1]] = generate_city(*t)
            if progress:
                progress(t[1], folders[t[1]])
    return [folders[c] for c in chosen]


def generate_city(out: Path, city: str, orders: int, period: Period, seed: int, defects: float,
                  layout: str, only: tuple[str, ...] | None = None) -> Path:
    from .writer import write_city

    data = build_city(city, orders, period, seed, defects, only)
    folder = Path(out) / city / period.label
    write_city(folder, data, layout)
    return folder


def _month_days(period: Period) -> list[dt.date]:
    return [period.first + dt.timedelta(days=k) for k in range(period.last.day)]


class _Builder:
    def __init__(self, city: str, orders: int, period: Period, seed: int, rate: float,
                 only: tuple[str, ...] | None = None) -> None:
        self.city, self.orders, self.period, self.rate, self.only = city, orders, period, rate, only
        self.rng = random.Random(f"{seed}:{city}")
        self.drng = random.Random(f"{seed}:{city}:defects")
        self.days = _month_days(period)
        self.districts = names.districts(city)
        self.region = names.region_code(city)
        self.short = names.short_city(city)
        self.names_used: set[str] = set()
        self.ids_used: set[str] = set()
        self.mobiles_used: set[str] = set()

    # --- people ----------------------------------------------------------------------------------

    def _name(self, male: bool = True) -> str:
        while True:
            name = names.person_name(self.rng, male)
            if name not in self.names_used:
                self.names_used.add(name)
                return name

    def _mobile(self) -> str:
        while True:
            number = names.mobile(self.rng)
            if number not in self.mobiles_used:
                self.mobiles_used.add(number)
                return number

    def _id_card(self, birth: dt.date, male: bool, region: str) -> str:
        while True:
            parity = self.rng.choice("13579" if male else "02468")
            first17 = f"{region}{self.rng.randint(1, 12):02d}{birth:%Y%m%d}{self.rng.randrange(100):02d}{parity}"
            full = first17 + id_check_digit(first17)
            if full not in self.ids_used:
                self.ids_used.add(full)
                return full

    def _technician(self, category: str, unit: str, hire: dt.date) -> dict:
        rng = self.rng
        male = rng.random() < 0.93
        birth = dt.date(hire.year - rng.randint(19, 45), rng.randint(1, 12), rng.randint(1, 28))
        region = self.region if rng.random() < 0.75 else names.region_code(rng.choice(MIGRANT_CITIES))
        return {"tech_id": None, "name": self._name(male), "gender": "男" if male else "女",
                "id_card": self._id_card(birth, male, region), "mobile": self._mobile(),
                "category": category, "unit": unit,
                "skill_level": rng.choices(("初级", "中级", "高级"), (35, 45, 20))[0],
                "hire_date": hire, "leave_date": None, "status": "在职", "update_date": None}

    # --- the city --------------------------------------------------------------------------------

    def build(self) -> CityData:
        rng = self.rng
        self.own_unit = f"{self.short}恒洁卫浴售后服务中心"
        k = rng.randint(2, 4)
        words = rng.sample(names.DISTRIBUTOR_WORDS, k)
        self.distributors = [f"{rng.choice(self.districts)}{w}{rng.choice(names.DISTRIBUTOR_KINDS)}" for w in words]
        people = {"manager": self._name(), "keeper": self._name(), "clerk": self._name(False),
                  "inspector": self._name(), "trainer": self._name(), "own_unit": self.own_unit}
        self.people = people
        roster = self._roster()
        master = self._parts_master()
        report, usage = self._report(roster, master)
        ledger, final, history, fifo = self._ledger(master, usage)
        tables = {
            "repair_report": report,
            "roster": roster,
            "parts_ledger": ledger,
            "parts_master": master,
            "stocktake": self._stocktake(master, final),
            "parts_plan": self._plan(master, final, history),
            "training_log": self._training(roster),
            "inspection": self._inspection(),
        }
        counts: dict[str, int] = {}
        if self.rate > 0:
            counts["pl_fifo_violation"] = fifo
            tables = self._inject(tables, roster, master, report, counts)
        return CityData(city=self.city, period=self.period, tables=tables, people=people, defects=counts)

    def _inject(self, tables, roster, master, report, counts) -> dict[str, list[dict]]:
        ctx = dfx.Context(rng=self.drng, period=self.period, city=self.city, roster=roster,
                          part_codes=[m["part_code"] for m in master],
                          part_names={m["part_code"]: m["part_name"] for m in master},
                          order_nos={r["order_no"] for r in report},
                          new_person=lambda: self._new_person(), counts=counts)
        out = {}
        for name, rows in tables.items():
            wanted = self.only is None or name in self.only
            out[name] = dfx.inject(name, [dict(r) for r in rows], self.rate, ctx) if wanted else rows
        return out

    def _new_person(self) -> dict:
        p = self.period
        hire = p.first - dt.timedelta(days=self.rng.randint(30, 900))
        tech = self._technician("分销", self.distributors[0], hire)
        tech["update_date"] = p.last
        return tech

    # --- 技师档案 --------------------------------------------------------------------------------

    def _roster(self) -> list[dict]:
        rng, p = self.rng, self.period
        n = max(rng.randint(8, 20), min(60, -(-self.orders // 250)))
        own = max(2, round(n * rng.uniform(0.45, 0.7)))
        start, end = dt.date(2014, 3, 1), p.first - _DAY
        span = max(1, (end - start).days)
        techs = []
        for i in range(n):
            category = "自有" if i < own else "分销"
            unit = self.own_unit if category == "自有" else rng.choice(self.distributors)
            hire = start + dt.timedelta(days=int(span * rng.random() ** 0.6))
            techs.append(self._technician(category, unit, hire))
        nd = len(self.days)
        if rng.random() < 0.35:                      # one hired this month
            techs[-1]["hire_date"] = p.first + dt.timedelta(days=rng.randint(0, min(14, nd - 1)))
        if n >= 10 and rng.random() < 0.5:           # one leaves this month: turnover 1/n ≤ 10%
            leaver = rng.choice([t for t in techs if t["hire_date"] < p.first])
            leaver["leave_date"] = p.first + dt.timedelta(days=rng.randint(min(4, nd - 1), max(0, nd - 5)))
        if rng.random() < 0.4:                       # one who left earlier stays on file
            hire = start + dt.timedelta(days=int(span * rng.random() * 0.8))
            old = self._technician("分销" if rng.random() < 0.5 else "自有", self.own_unit, hire)
            if old["category"] == "分销":
                old["unit"] = rng.choice(self.distributors)
            old["leave_date"] = min(end, hire + dt.timedelta(days=rng.randint(90, 900)))
            techs.append(old)
        techs.sort(key=lambda t: (t["hire_date"], t["name"]))
        for k, t in enumerate(techs, 1):
            t["tech_id"] = f"T{k:03d}"
        update = p.last - dt.timedelta(days=rng.randint(0, min(4, nd - 1)))
        for t in techs:
            day = update
            if t["leave_date"] is not None and t["leave_date"] >= p.first:
                day = max(day, t["leave_date"])
            day = max(day, t["hire_date"])
            t["update_date"] = day
            t["status"] = "离职" if t["leave_date"] is not None and t["leave_date"] <= day else "在职"
        return techs

    # --- 配件档案 --------------------------------------------------------------------------------

    def _parts_master(self) -> list[dict]:
        rng = self.rng
        k = min(len(PARTS), rng.randint(15, 40))
        chosen = set(rng.sample(range(len(PARTS)), k))
        order = list(SHELVES)
        parts = sorted((PARTS[i] for i in chosen), key=lambda part: (order.index(part.category), PARTS.index(part)))
        rows, slot = [], {}
        self.part_info: dict[str, Part] = {}
        for j, part in enumerate(parts):
            n = slot.get(part.category, 0)
            slot[part.category] = n + 1
            if part.category == "电子":
                safety = rng.randint(2, 5)
            elif part.category == "陶瓷":
                safety = rng.randint(1, 3)
            else:
                safety = rng.choice((5, 5, 10, 10, 15, 20))
            code = f"P{1001 + j}"
            self.part_info[code] = part
            rows.append({"part_code": code, "part_name": part.name, "category": part.category, "unit": part.unit,
                         "location": f"{SHELVES[part.category]}-{1 + n // 6:02d}-{1 + n % 6:02d}",
                         "safety_stock": safety})
        return rows

    # --- 维修日报表 ------------------------------------------------------------------------------

    def _report(self, techs: list[dict], master: list[dict]) -> tuple[list[dict], list[tuple]]:
        rng, p = self.rng, self.period
        by_name = {m["part_name"]: m for m in master}
        staff = [t for t in techs if t["leave_date"] is None or t["leave_date"] >= p.first]
        active = {}
        for d in self.days:
            on = [t for t in staff if t["hire_date"] <= d and (t["leave_date"] is None or d <= t["leave_date"])]
            active[d] = on or staff or techs
        weights = [1.25 if d.weekday() >= 5 else 1.0 for d in self.days]
        dates = sorted(rng.choices(self.days, weights, k=self.orders))
        width = max(4, len(str(self.orders)))
        prefix = f"WX{p.year:04d}{p.month:02d}"
        fam_weights = [f.weight for f in FAMILIES]
        install_parts = [by_name[n] for n in ("生料带", "玻璃胶", "角阀", "膨胀螺丝", "安装螺丝") if n in by_name]
        upkeep_parts = [by_name[n] for n in ("过滤网", "除臭滤芯", "密封圈", "起泡器") if n in by_name]
        other_faults = ("咨询使用方法", "产品异响咨询", "水压不足咨询")
        seen: set[tuple] = set()
        rows, usage = [], []
        for i, d in enumerate(dates):
            tech = rng.choice(active[d])
            fam = rng.choices(FAMILIES, fam_weights)[0]
            model = rng.choice(fam.models)
            stype = rng.choices(SERVICE_TYPES, (34, 46, 12, 8))[0]
            fault = part = qty = None
            r = rng.random()
            if stype == "维修":
                status = rng.choices(STATUSES, (86, 4, 7, 3))[0]
                fault, action, wanted = rng.choice(fam.faults)
                if status == "已完成":
                    avail = [by_name[n] for n in wanted if n in by_name]
                    if avail and r < 0.9:
                        part, qty = avail[0], (1 if rng.random() < 0.88 else 2)
                else:
                    action = PENDING_ACTIONS[status]
                fee = 0 if r < 0.5 or status == "已取消" else rng.choice((50, 80, 100))
                if part is not None and fee:
                    fee += self.part_info[part["part_code"]].price * qty
            else:
                status = rng.choices(STATUSES, (95, 2, 0, 3))[0]
                if stype == "安装":
                    action = fam.install
                    if install_parts and r < 0.08:
                        part, qty = rng.choice(install_parts), 1
                    fee = 0 if r < 0.8 else rng.choice((50, 80, 100, 150))
                elif stype == "保养":
                    action = fam.upkeep
                    if upkeep_parts and r < 0.15:
                        part, qty = rng.choice(upkeep_parts), 1
                    fee = rng.choice((80, 100, 120, 150))
                else:
                    action = rng.choice(OTHER_ACTIONS)
                    fault = rng.choice(other_faults) if r < 0.5 else None
                    fee = 0 if r < 0.7 else rng.choice((30, 50))
                if status != "已完成":
                    action, part, qty, fee = PENDING_ACTIONS[status], None, None, 0
            done = status == "已完成"
            completion = d + _DAY * rng.choices((0, 1, 2), (80, 15, 5))[0] if done else None
            satisfaction = rng.choices(SATISFACTION, (55, 35, 8, 2))[0] if done and rng.random() < 0.85 else None
            customer = names.customer_name(rng)
            phone = names.mobile(rng) if rng.random() < 0.88 else names.landline(rng, self.city)
            address = names.address(rng, self.city, self.districts)
            while (d, customer, phone, address, model, fault) in seen:
                phone = names.mobile(rng)
            seen.add((d, customer, phone, address, model, fault))
            order_no = f"{prefix}{i + 1:0{width}d}"
            rows.append({"service_date": d, "order_no": order_no, "tech_id": tech["tech_id"],
                         "tech_name": tech["name"], "customer_name": customer, "phone": phone,
                         "address": address, "product_model": model, "service_type": stype, "fault": fault,
                         "action": action, "part_code": part["part_code"] if part else None,
                         "part_qty": qty, "fee": fee, "status": status, "completion_date": completion,
                         "satisfaction": satisfaction, "report_date": d + _DAY * (rng.random() < 0.25)})
            if part is not None:
                usage.append((d, order_no, part["part_code"], qty, tech))
        return rows, usage

    # --- 配件台账 --------------------------------------------------------------------------------

    def _ledger(self, master: list[dict], usage: list[tuple]):
        """Opening stock, receipts on a few days, one issue per part used (FIFO), a few returns."""
        rng, p, days = self.rng, self.period, self.days
        keeper = self.people["keeper"]
        codes = [m["part_code"] for m in master]
        names_of = {m["part_code"]: m["part_name"] for m in master}
        safety = {m["part_code"]: m["safety_stock"] for m in master}
        nd = len(days)
        restock = sorted(rng.sample(days[3:nd - 2], min(3, max(0, nd - 5)))) if nd > 6 else []
        bounds = [days[0], *restock, days[-1] + _DAY]
        # what each issue looks like: (returns one unit later that day?, handler)
        plan = [(rng.random() < 0.03, t["name"] if rng.random() < 0.7 else t["tech_id"]) for (_, _, _, _, t) in usage]
        need: dict[tuple[str, int], int] = {}
        used: dict[tuple[str, int], int] = {}
        seg_of = {}
        for s in range(len(bounds) - 1):
            d = bounds[s]
            while d < bounds[s + 1]:
                seg_of[d] = s
                d += _DAY
        for (d, _, code, qty, _), (ret, _) in zip(usage, plan):
            key = (code, seg_of[d])
            need[key] = need.get(key, 0) + qty + ret
            used[key] = used.get(key, 0) + qty
        # quantities: opening covers segment 0, each receipt tops up for the next segment
        opening: dict[str, list[tuple[str, int]]] = {}
        receipts: dict[dt.date, list[tuple[str, int]]] = {}
        for code in codes:
            s_stock = safety[code]
            total = need.get((code, 0), 0) + s_stock + rng.randint(1, max(2, s_stock))
            if total >= 3 and rng.random() < 0.5:
                older = rng.randint(1, total // 3)
                d1 = p.first - dt.timedelta(days=rng.randint(60, 120))
                d2 = p.first - dt.timedelta(days=rng.randint(5, 45))
                opening[code] = [(f"B{d1:%Y%m%d}-{rng.randint(1, 9):02d}", older),
                                 (f"B{d2:%Y%m%d}-{rng.randint(1, 9):02d}", total - older)]
            else:
                d2 = p.first - dt.timedelta(days=rng.randint(5, 90))
                opening[code] = [(f"B{d2:%Y%m%d}-{rng.randint(1, 9):02d}", total)]
            projected = total - used.get((code, 0), 0)
            for s, day in enumerate(restock, start=1):
                target = need.get((code, s), 0) + s_stock
                if projected < target:
                    qty = target - projected + rng.randint(0, s_stock)
                    qty = max(qty, -(-qty // 5) * 5)
                    receipts.setdefault(day, []).append((code, qty))
                    projected += qty
                projected -= used.get((code, s), 0)
        draws = [self.drng.random() for _ in usage] if self.rate > 0 else None

        def simulate(force: int | None):
            rows: list[dict] = []
            balance = dict.fromkeys(codes, 0)
            batches: dict[str, list[list]] = {c: [] for c in codes}
            history: dict[str, list[tuple[dt.date, int]]] = {c: [] for c in codes}
            eligible: list[int] = []
            violations = 0

            def add(day, doc, code, batch, kind, qty, handler, order):
                balance[code] += qty if kind in ("期初", "入库", "退库") else -qty
                rows.append({"date": day, "doc_no": doc, "part_code": code, "part_name": names_of[code],
                             "batch": batch, "type": kind, "qty": qty, "balance": balance[code],
                             "handler": handler, "order_no": order})
                history[code].append((day, balance[code]))

            for j, code in enumerate(codes, 1):
                for batch, qty in opening[code]:
                    batches[code].append([batch, qty])
                    add(days[0], f"QC{p.year}{p.month:02d}-{j:03d}", code, batch, "期初", qty, keeper, None)
            issue_no = return_no = 0
            by_day: dict[dt.date, list[int]] = {}
            for k, event in enumerate(usage):
                by_day.setdefault(event[0], []).append(k)
            for day in days:
                for n, (code, qty) in enumerate(receipts.get(day, ()), 1):
                    batch = f"B{day:%Y%m%d}-{n:02d}"
                    batches[code].append([batch, qty])
                    add(day, f"RK{day:%Y%m%d}-01", code, batch, "入库", qty, keeper, None)
                returns = []
                for k in by_day.get(day, ()):
                    _, order, code, qty, tech = usage[k]
                    ret, handler = plan[k]
                    out = qty + ret
                    stock = [b for b in batches[code] if b[1] > 0]
                    newer = [b for b in stock[1:] if b[1] >= out]
                    take: list[tuple[list, int]] = []
                    if newer:
                        eligible.append(k)
                        if k == force or (draws is not None and draws[k] < self.rate):
                            take = [(newer[-1], out)]
                            violations += 1
                    if not take:
                        left = out
                        for b in stock:
                            q = min(left, b[1])
                            take.append((b, q))
                            left -= q
                            if not left:
                                break
                    issue_no += 1
                    doc = f"CK{p.year}{p.month:02d}{issue_no:04d}"
                    for b, q in take:
                        b[1] -= q
                        add(day, doc, code, b[0], "出库", q, handler, order)
                    if ret:
                        returns.append((code, take[-1][0], order, tech["name"]))
                for code, b, order, who in returns:
                    return_no += 1
                    b[1] += 1
                    add(day, f"TK{p.year}{p.month:02d}{return_no:03d}", code, b[0], "退库", 1, who, order)
            return rows, balance, history, eligible, violations

        rows, balance, history, eligible, violations = simulate(None)
        if self.rate > 0 and violations == 0 and eligible:
            rows, balance, history, eligible, violations = simulate(eligible[0])
        return rows, balance, history, violations

    # --- 月末盘点, 配件申请计划 ------------------------------------------------------------------

    def _stocktake(self, master: list[dict], final: dict[str, int]) -> list[dict]:
        day = self.period.last
        return [{"count_date": day, "part_code": m["part_code"], "part_name": m["part_name"],
                 "book_qty": final.get(m["part_code"], 0), "actual_qty": final.get(m["part_code"], 0),
                 "diff_qty": 0, "counter": self.people["keeper"]} for m in master]

    def _plan(self, master: list[dict], final: dict[str, int], history) -> list[dict]:
        rng = self.rng
        ranked = sorted(master, key=lambda m: (final.get(m["part_code"], 0) - m["safety_stock"], m["part_code"]))
        n = min(len(ranked), rng.randint(3, 8))
        picked = rng.sample(ranked[:max(n, min(len(ranked), 2 * n))], n)
        rows = []
        for m in picked:
            day = rng.choice(self.days[:-1] or self.days)
            stock = 0
            for d, b in history.get(m["part_code"], ()):
                if d > day:
                    break
                stock = b
            want = max(5, 2 * m["safety_stock"] + 5 - stock)
            rows.append({"apply_date": day, "part_code": m["part_code"], "part_name": m["part_name"],
                         "current_stock": stock, "qty": -(-want // 5) * 5,
                         "applicant": self.people["keeper"] if rng.random() < 0.8 else self.people["manager"]})
        rows.sort(key=lambda r: (r["apply_date"], r["part_code"]))
        return rows

    # --- 培训记录, 现场检查 ----------------------------------------------------------------------

    def _training(self, techs: list[dict]) -> list[dict]:
        rng, p = self.rng, self.period
        months = [p]
        for _ in range(5):
            prev = months[-1]
            months.append(Period(prev.year - (prev.month == 1), 12 if prev.month == 1 else prev.month - 1))
        months.reverse()
        own = [t for t in techs if t["category"] == "自有" and t["status"] == "在职"]
        dist = [t for t in techs if t["category"] == "分销" and t["status"] == "在职"]
        seniors = [t["name"] for t in own if t["skill_level"] == "高级"] or [self.people["manager"]]
        rows = []
        for m in months:
            mdays = [d for d in _month_days(m) if d.weekday() < 5] or _month_days(m)
            current = m == p
            if current or rng.random() < 0.9:
                rows.append({"date": rng.choice(mdays), "type": "经销商培训", "topic": rng.choice(DEALER_TOPICS),
                             "trainer": self.people["manager"] if rng.random() < 0.5 else rng.choice(seniors),
                             "attendees": max(1, len(own) - rng.randint(0, 2)), "units": self.own_unit})
            if current or rng.random() < 0.7:
                rows.append({"date": rng.choice(mdays), "type": "分销专场培训",
                             "topic": rng.choice(DISTRIBUTOR_TOPICS),
                             "trainer": self.people["trainer"] if rng.random() < 0.5 else self.people["manager"],
                             "attendees": max(1, len(dist) + rng.randint(0, 3)),
                             "units": "、".join(self.distributors)})
            if rng.random() < 0.25:
                rows.append({"date": rng.choice(mdays), "type": "其他培训", "topic": rng.choice(OTHER_TOPICS),
                             "trainer": self.people["manager"], "attendees": max(1, len(own) + rng.randint(0, 3)),
                             "units": self.own_unit})
        rows.sort(key=lambda r: r["date"])
        return rows

    def _inspection(self) -> list[dict]:
        from ..rubric.loader import load_rubric

        codes = tuple(load_rubric().checklist) or tuple(CHECKLIST)
        days = self.days[9:25] or self.days
        day = self.rng.choice(days)
        return [{"code": code, "content": CHECKLIST.get(code), "result": "是",
                 "inspector": self.people["inspector"], "date": day, "remark": None} for code in codes]

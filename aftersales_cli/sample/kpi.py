"""Material for `aftersales kpi` (kpi.md) in a sample city: consecutive months with repeat repairs
and orders completed in the next month, at known counts.

`build_kpi_months` builds `months` consecutive months ending at `period` (each a normal sample
month, drawn from its own seed) and edits each month's repair report with a third generator
(`…:kpi`), so the underlying data stays what `build_city` makes:

- **late completions**: completed orders served in the month's last three days are, one in two,
  completed 1–3 days into the next month (paid there: kpi.md 计件);
- **dominant faults**: per 产品型号 one of its family's faults is drawn; the model's 维修 rows take it
  (with its 处理措施) one in two, where the part they used (if any) is one that fault uses — so
  the ledger stays consistent — and a few faults dominate each model's fault table;
- **repeat repairs**: `repeat_share` of the month's 维修 orders that are not cancelled (served from
  the 4th) become repeats — each takes the 客户姓名, 联系电话 and 服务地址 of an earlier completed order
  of the same 产品型号 whose 完工日期 is 0–30 days before it. A row used as an original is never
  made a repeat itself, and the reverse, so each constructed repeat has exactly the original it was
  built from.

What was injected is counted in `CityData.defects` (`kpi_repeats`, `kpi_late_completions`) and the
repeats are listed, so tests can state the expected figures.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from ..period import Period
from .generator import CityData, build_city

WINDOW_DAYS = 30      # kpi.md's default repeat_window_days


@dataclass
class KpiMonth:
    data: CityData
    repeats: list[tuple[str, str]] = field(default_factory=list)       # (order b, its original a)
    late: list[str] = field(default_factory=list)                      # orders completed next month
    dominant: dict[str, str] = field(default_factory=dict)             # 产品型号 → its dominant fault


def build_kpi_months(city: str, orders: int = 200, period: Period | str = "2026-11", seed: int = 0,
                     months: int = 2, repeat_share: float = 0.05) -> list[KpiMonth]:
    """`months` consecutive months ending at `period`, oldest first, each with KPI material."""
    period = period if isinstance(period, Period) else Period.parse(period)
    chosen = [period]
    while len(chosen) < months:
        chosen.insert(0, chosen[0].previous())
    out = []
    for i, p in enumerate(chosen):
        data = build_city(city, orders, p, seed * 1009 + i)
        out.append(_edit(data, random.Random(f"{seed}:{city}:{p.label}:kpi"), repeat_share))
    return out


def generate_kpi_city(out: Path, city: str, orders: int = 200, period: Period | str = "2026-11", seed: int = 0,
                      months: int = 2, repeat_share: float = 0.05, force: bool = False) -> list[KpiMonth]:
    """Write `out/<city>/<YYYY-MM>/` for each month of `build_kpi_months` (standard layout).

    Every target is checked before any is written, as `generate` does (AftersalesError
    "err.output_exists" for an existing file unless `force`; only sample-marked files are removed).
    """
    from .writer import check_city_name, check_targets, write_city

    check_city_name(city)
    built = build_kpi_months(city, orders, period, seed, months, repeat_share)
    for month in built:
        check_targets(Path(out) / city / month.data.period.label, city, month.data.period, "standard", force)
    for month in built:
        write_city(Path(out) / city / month.data.period.label, month.data, "standard")
    return built


def _dominant_faults(data: CityData, rng: random.Random) -> dict[str, str]:
    """Per model, the family fault that most of its completed 维修 rows could have (by the part they
    used); those rows take it (with its 处理措施) seven times in ten."""
    from .products import FAMILIES

    part_names = {p["part_code"]: p["part_name"] for p in data.tables["parts_master"]}
    family = {m: f for f in FAMILIES for m in f.models}
    by_model: dict[str, list[dict]] = {}
    for r in data.tables["repair_report"]:
        if r["service_type"] == "维修" and r["status"] == "已完成" and r["product_model"] in family:
            by_model.setdefault(r["product_model"], []).append(r)

    def fits(r: dict, wanted: tuple[str, ...]) -> bool:
        return not r["part_code"] or part_names.get(r["part_code"]) in wanted

    chosen: dict[str, str] = {}
    for model, rows in sorted(by_model.items()):
        faults = family[model].faults
        best = max(range(len(faults)), key=lambda i: (sum(fits(r, faults[i][2]) for r in rows), -i))
        fault, action, wanted = faults[best]
        chosen[model] = fault
        for r in rows:
            if fits(r, wanted) and rng.random() < 0.7:
                r["fault"], r["action"] = fault, action
    return chosen


def _edit(data: CityData, rng: random.Random, share: float) -> KpiMonth:
    rows = data.tables["repair_report"]
    last = data.period.last
    month = KpiMonth(data)
    month.dominant = _dominant_faults(data, rng)
    for r in rows:
        if r["status"] == "已完成" and r["service_date"] > last - dt.timedelta(days=3) and rng.random() < 0.5:
            r["completion_date"] = last + dt.timedelta(days=rng.randint(1, 3))
            month.late.append(r["order_no"])
    first = data.period.first
    eligible = [r for r in rows if r["service_type"] == "维修" and r["status"] != "已取消"]
    wanted = round(share * len(eligible))
    candidates = [r for r in eligible if r["service_date"] >= first + dt.timedelta(days=3)]
    rng.shuffle(candidates)
    chosen_b: set[str] = set()
    used_a: set[str] = set()
    for b in candidates:
        if len(month.repeats) == wanted:
            break
        if b["order_no"] in used_a:
            continue
        originals = [a for a in rows
                     if a["order_no"] not in chosen_b and a["order_no"] not in used_a and a["order_no"] != b["order_no"]
                     and a["status"] == "已完成" and a["product_model"] == b["product_model"]
                     and a["service_date"] < b["service_date"] and a["completion_date"] is not None
                     and 0 <= (b["service_date"] - a["completion_date"]).days <= WINDOW_DAYS]
        if not originals:
            continue
        a = rng.choice(originals)
        for key in ("customer_name", "phone", "address"):
            b[key] = a[key]
        chosen_b.add(b["order_no"])
        used_a.add(a["order_no"])
        month.repeats.append((b["order_no"], a["order_no"]))
    data.defects["kpi_repeats"] = len(month.repeats)
    data.defects["kpi_late_completions"] = len(month.late)
    return month

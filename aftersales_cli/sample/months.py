"""`sample --months N`: consecutive months per city with plausible month-to-month change.

Each city follows one course over the months (the first three cities one each, the others chosen
by the seed): it improves (defects in fewer of its workbooks each month, none at the end), slips
(defects spread from none to several workbooks), or holds steady (the same workbooks each month);
with three months or more, the last city misses the month before the latest (no folder: 未提交 in
`trend`). The data of a city-month is `build_city(city, orders, month, seed, RATE, workbooks)` —
deterministic for the arguments.
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Callable

from ..period import Period

COURSES = ("improve", "slip", "steady")
RATE = 0.02              # the defect rate in a workbook that has defects
# the workbooks defects go into, first to last as a city's month gets worse
ORDER = ("training_log", "inspection", "stocktake", "parts_plan", "roster", "repair_report")


def months_until(last: Period, count: int) -> list[Period]:
    """`count` consecutive months ending with `last`, oldest first."""
    months = [last]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months


def month_plan(names: list[str], months: list[Period], seed: int) -> dict[tuple[str, str], tuple[str, ...] | None]:
    """(city, YYYY-MM) → the datasets with defects that city-month (() = clean), or None when the
    city misses the month."""
    rng = random.Random(f"{seed}:months")
    plan: dict[tuple[str, str], tuple[str, ...] | None] = {}
    steps = max(len(months) - 1, 1)
    worst = len(ORDER) - 2
    for i, city in enumerate(names):
        course = COURSES[i % 3] if i < 3 else rng.choice(COURSES)
        steady = rng.randint(0, 2)
        for k, month in enumerate(months):
            share = k / steps
            n = {"improve": round(worst * (1 - share)), "slip": round(worst * share), "steady": steady}[course]
            plan[(city, month.label)] = ORDER[:n]
    if len(months) >= 3 and len(names) >= 2:
        plan[(names[-1], months[-2].label)] = None
    return plan


def generate_months(out: Path, names: list[str], orders: int, months: list[Period], seed: int, layout: str,
                    *, jobs: int = 1, progress: Callable[[str, Path], None] | None = None,
                    force: bool = False) -> list[Path]:
    """Write `out/<city>/<YYYY-MM>/` for every city-month of `month_plan`; returns the month folders
    written. Every target is checked (err.output_exists unless `force`) before anything is written."""
    from .generator import generate
    from .writer import check_city_name, check_targets

    plan = month_plan(names, months, seed)
    for city in names:
        check_city_name(city)
        for month in months:
            if plan[(city, month.label)] is not None:
                check_targets(Path(out) / city / month.label, city, month, layout, force)
    written = []
    for month in months:
        groups: dict[tuple[str, ...], list[str]] = {}
        for city in names:
            only = plan[(city, month.label)]
            if only is not None:
                groups.setdefault(only, []).append(city)
        for only, group in sorted(groups.items()):
            written += generate(out, orders=orders, period=month, seed=seed, defects=RATE if only else 0.0,
                                layout=layout, city_names=group, jobs=jobs, progress=progress, force=force,
                                only=only)
    return written

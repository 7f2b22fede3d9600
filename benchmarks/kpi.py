"""`aftersales kpi` beside `aftersales score` on the same city, whole processes, same run.

    python benchmarks/kpi.py [--orders 10000] [--repeat 5] [--data DIR]

One generated city of --orders repair-report rows (and the other seven datasets), as `score.py`
generates it: `aftersales score <city> --format json --no-cache` (cold, as kpi always is) and `aftersales kpi <city> --format json` on
it. The same city with a previous month's folder (2026-10, generated the same way) beside it: `kpi`
on that copy also reads and validates last month's report (repeats, piece rates); `score` reads the
latest month only, so its work is the same on both. Subprocesses, interleaved, median wall time of
--repeat runs after one untimed run each. Target (issue 13): kpi ≤ 1.3 × score on the same city.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import _common as c


def city_with_previous(data, orders: int, seed: int):
    """A copy of the benchmark city with a 2026-10 folder beside 2026-11 (generated once, cached)."""
    month = c.city_month(data, orders, seed)
    copy = month.parent.parent.parent / f"{month.parent.parent.name}-with-previous" / c.CITY
    if not (copy / "2026-11" / c.REPORT_FILE).is_file():
        shutil.copytree(month, copy / "2026-11", dirs_exist_ok=True)
    previous = copy / "2026-10"
    if not (previous / c.REPORT_FILE).is_file():
        from aftersales_cli.sample import generate

        c.status(f"generating the previous month (2026-10, {orders:,} orders) …")
        t0 = time.perf_counter()
        tmp = month.parent.parent.parent / ".tmp-previous"
        shutil.rmtree(tmp, ignore_errors=True)
        generate(tmp, cities=1, orders=orders, period="2026-10", seed=seed + 1, city_names=[c.CITY])
        (tmp / c.CITY / "2026-10").rename(previous)
        shutil.rmtree(tmp, ignore_errors=True)
        c.status(f"  done in {time.perf_counter() - t0:.1f} s")
    return copy


def main(argv: list[str] | None = None) -> int:
    p = c.parser(__doc__.splitlines()[0])
    p.add_argument("--orders", type=int, default=10000, help="repair report rows of the city (each month)")
    args = p.parse_args(argv)

    city = c.city_month(args.data, args.orders, args.seed).parent
    both = city_with_previous(args.data, args.orders, args.seed)
    # score cold (--no-cache): a re-run would otherwise be answered from the result cache (issue 15)
    cmds = {"aftersales score --format json": [*c.aftersales_cmd(), "score", str(city), "--format", "json",
                                               "--no-cache"],
            "aftersales kpi --format json": [*c.aftersales_cmd(), "kpi", str(city), "--format", "json"],
            "aftersales kpi, with the previous month": [*c.aftersales_cmd(), "kpi", str(both), "--format", "json"]}
    totals = {}
    for name, cmd in cmds.items():   # check each runs, warm the caches
        out = subprocess.run(cmd, capture_output=True, env=c.subprocess_env(), check=False)
        if out.returncode not in (0, 1):
            sys.exit(f"{name} failed (exit {out.returncode}):\n{out.stderr.decode('utf-8', 'replace')}")
        if "kpi" in name:
            totals[name] = json.loads(out.stdout)["city_totals"]
    print(c.machine_line())
    print(f"wall time of whole processes, median of {args.repeat} interleaved runs after one untimed run each")
    times = c.median_walls(cmds, args.repeat, ok=(0, 1))
    score = times["aftersales score --format json"]
    rows = [[name, c.fmt_s(t), c.fmt_x(t / score)] for name, t in times.items()]
    counted = totals["aftersales kpi --format json"]
    c.print_table(f"kpi vs score: one city, {args.orders:,} orders (kpi counted {counted['orders']:,} orders, "
                  f"{counted['repeats']:,} repeats)", ["command", "seconds (median)", "ratio to score"], rows,
                  [f"kpi / score = {times['aftersales kpi --format json'] / score:.2f}   (target ≤ 1.3)",
                   (f"kpi with the previous month / score = "
                    f"{times['aftersales kpi, with the previous month'] / score:.2f}   (reads two reports)")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
